// The lifecycle of a sub-account: ACTIVE ⇄ DEACTIVATED, by its platform; anything else is
// INVALID_STATE. A deactivated sub-account keeps its data and its keys, which are refused (403
// SUB_ACCOUNT_DEACTIVATED, auth/resolve-actor.ts) until it is reactivated; every process learns of
// the change from the database (the trigger of migration 20261123153147_sub_account_lifecycle_keys_catalog).
import type { TenantDb } from '../db/tenant-scope.ts';
import type { Actor } from '../auth/actor.ts';
import { InvalidStateError, NotFoundError } from '../core/domain-errors.ts';
import type { EventType } from '../events/event-types.ts';
import type { SubAccountStatus, SubAccountStatusReason } from '../generated/prisma/enums.ts';
import { recordSubAccountEvent, withChoice, type SubAccountSnapshot } from './events.ts';
import { platformTenantOf } from './access.ts';
import { refreshTenantQueues } from '../webhooks/queue/due.ts';

export type SubAccountLifecycleAction = 'deactivate' | 'reactivate';

interface Transition {
  from: SubAccountStatus;
  to: SubAccountStatus;
  event: EventType;
}

const transitions: Record<SubAccountLifecycleAction, Transition> = {
  deactivate: { from: 'ACTIVE', to: 'DEACTIVATED', event: 'sub_account.deactivated' },
  reactivate: { from: 'DEACTIVATED', to: 'ACTIVE', event: 'sub_account.reactivated' },
};

export interface StatusChangeInput {
  id: string;
  /** Deactivation only: why, as the platform says (kept as statusReason until reactivation). */
  reason?: SubAccountStatusReason | null | undefined;
}

export async function changeSubAccountStatus(
  db: TenantDb,
  actor: Actor,
  input: StatusChangeInput,
  action: SubAccountLifecycleAction,
): Promise<SubAccountSnapshot> {
  const { from, to, event } = transitions[action];
  const where = { id: input.id, ...platformTenantOf(actor.actingScope) };
  return db.$transaction(async (tx) => {
    // Locks the row first: a concurrent transition or key refresh of this sub-account waits for this one.
    const { count } = await tx.subAccount.updateMany({ where, data: { updatedAt: actor.now } });
    if (count === 0) throw new NotFoundError(`No sub-account ${input.id}.`);
    const before = await tx.subAccount.findFirstOrThrow({ where, include: withChoice });
    if (before.status !== from)
      throw new InvalidStateError(`Sub-account ${input.id} is ${before.status}: only ${from} sub-accounts can be ${action}d.`);
    const data =
      action === 'deactivate'
        ? { status: to, statusReason: input.reason ?? null, deactivatedAt: actor.now }
        : { status: to, statusReason: null, deactivatedAt: null };
    const after = await tx.subAccount.update({ where: { id: input.id }, data, include: withChoice });
    await recordSubAccountEvent(tx, event, actor, after, before);
    // Its tenant's webhook queues sleep while it is deactivated, and wake when it is reactivated.
    await refreshTenantQueues(tx, after.tenantId);
    return after;
  });
}
