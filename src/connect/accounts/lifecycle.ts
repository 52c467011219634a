// The lifecycle of a connected account (API.md): PENDING→ACTIVE by onboarding, ACTIVE⇄SUSPENDED,
// PENDING|ACTIVE|SUSPENDED→REVOKED (by the platform, or by the connected organization), and REVOKED is final. Anything else is INVALID_STATE.
import type { ConnectedAccountStatus, ConnectedAccountStatusReason } from '../../generated/prisma/enums.ts';
import type { EventType } from '../../events/event-types.ts';

export type LifecycleAction = 'complete' | 'suspend' | 'reactivate' | 'revoke' | 'deauthorize';

interface Transition {
  from: readonly ConnectedAccountStatus[];
  to: ConnectedAccountStatus;
  event: EventType;
}

export const transitions: Record<LifecycleAction, Transition> = {
  complete: { from: ['PENDING'], to: 'ACTIVE', event: 'connected_account.activated' },
  suspend: { from: ['ACTIVE'], to: 'SUSPENDED', event: 'connected_account.suspended' },
  reactivate: { from: ['SUSPENDED'], to: 'ACTIVE', event: 'connected_account.reactivated' },
  revoke: { from: ['PENDING', 'ACTIVE', 'SUSPENDED'], to: 'REVOKED', event: 'connected_account.revoked' },
  // The connected organization ends the connection (disconnectPlatform): a revocation by the other side.
  deauthorize: { from: ['PENDING', 'ACTIVE', 'SUSPENDED'], to: 'REVOKED', event: 'connected_account.deauthorized' },
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
    case 'deauthorize':
      return { revokedAt: now };
  }
}

/**
 * The `statusReason` a transition leaves: the platform's reason for a suspension or revocation (none
 * given: none), REQUESTED_BY_ACCOUNT when the organization itself disconnects, none once reactivated.
 */
export function transitionReason(
  action: Exclude<LifecycleAction, 'complete'>,
  reason: ConnectedAccountStatusReason | null | undefined,
): ConnectedAccountStatusReason | null {
  switch (action) {
    case 'suspend':
    case 'revoke':
      return reason ?? null;
    case 'deauthorize':
      return 'REQUESTED_BY_ACCOUNT';
    case 'reactivate':
      return null;
  }
}
