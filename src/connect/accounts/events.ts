// The append-only history of an account: rows are only ever inserted, never changed.
import type { ConnectedAccountEventType, ConnectedAccountStatus } from '../../generated/prisma/enums.ts';
import { newId } from '../../core/ids.ts';

/** Who did it: an API key, a user (onboarding, consent), or the server itself (a replayed OAuth code). */
export type EventActor = { apiKeyId: string } | { userId: string } | { server: 'oauth-code-replay' };

export interface AccountEvent {
  account: { id: string; platformOrganizationId: string };
  type: ConnectedAccountEventType;
  fromStatus: ConnectedAccountStatus | null;
  toStatus: ConnectedAccountStatus;
  actor: EventActor;
}

function eventRow({ account, type, fromStatus, toStatus, actor }: AccountEvent) {
  return {
    id: newId('ConnectedAccountEvent'),
    platformOrganizationId: account.platformOrganizationId,
    connectedAccountId: account.id,
    type,
    fromStatus,
    toStatus,
    actorApiKeyId: 'apiKeyId' in actor ? actor.apiKeyId : null,
    actorUserId: 'userId' in actor ? actor.userId : null,
  };
}

/** Any client that can insert an event: tenant-scoped for platform actions, unscoped for onboarding. */
interface EventWriter {
  connectedAccountEvent: { create(args: { data: ReturnType<typeof eventRow> }): PromiseLike<unknown> };
}

export async function recordEvent(tx: EventWriter, event: AccountEvent): Promise<void> {
  await tx.connectedAccountEvent.create({ data: eventRow(event) });
}
