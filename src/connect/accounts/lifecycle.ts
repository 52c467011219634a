// The lifecycle of a connected account (API.md): PENDING→ACTIVE by onboarding, ACTIVE⇄SUSPENDED,
// PENDING|ACTIVE|SUSPENDED→REVOKED, and REVOKED is final. Anything else is INVALID_STATE.
import type { ConnectedAccountEventType, ConnectedAccountStatus } from '../../generated/prisma/enums.ts';

export type LifecycleAction = 'complete' | 'suspend' | 'reactivate' | 'revoke';

interface Transition {
  from: readonly ConnectedAccountStatus[];
  to: ConnectedAccountStatus;
  event: ConnectedAccountEventType;
}

export const transitions: Record<LifecycleAction, Transition> = {
  complete: { from: ['PENDING'], to: 'ACTIVE', event: 'ONBOARDING_COMPLETED' },
  suspend: { from: ['ACTIVE'], to: 'SUSPENDED', event: 'SUSPENDED' },
  reactivate: { from: ['SUSPENDED'], to: 'ACTIVE', event: 'REACTIVATED' },
  revoke: { from: ['PENDING', 'ACTIVE', 'SUSPENDED'], to: 'REVOKED', event: 'REVOKED' },
};

/** The timestamps a transition sets or clears. */
export function transitionTimestamps(action: LifecycleAction, now: Date) {
  switch (action) {
    case 'complete':
      return { onboardingCompletedAt: now };
    case 'suspend':
      return { suspendedAt: now };
    case 'reactivate':
      return { suspendedAt: null };
    case 'revoke':
      return { revokedAt: now };
  }
}
