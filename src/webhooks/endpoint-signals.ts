// What the worker records about an endpoint's health, for its owner: `webhook_endpoint.failing`
// (FAILING_AFTER attempts in a row failed), `.recovered` (the first success after that) and
// `.disabled` (it failed too long). Each in a transaction of its own, in the lock order of
// ./queue/due.ts: the event order lock, then the endpoint, then its queue.
import type { Prisma, Transaction } from '../db/database.ts';
import { eventData, webhookEndpointObject } from '../events/public-objects.ts';
import { recordEvent, takeEventOrder } from '../events/record.ts';
import type { EventType } from '../events/event-types.ts';
import type { WebhookEndpoint } from '../generated/prisma/client.ts';
import { refreshQueues } from './queue/due.ts';

/** Failed attempts in a row that make an endpoint `failing`. */
export const FAILING_AFTER = 5;

type EndpointRef = Pick<WebhookEndpoint, 'id' | 'organizationId' | 'tenantId' | 'actingForAccountId'>;

/** Records a change the server made to an endpoint where its owner's own changes to it are recorded. */
async function recordForOwner(tx: Transaction, type: EventType, endpoint: EndpointRef, after: WebhookEndpoint, before: WebhookEndpoint) {
  const account = endpoint.actingForAccountId
    ? await tx.connectedAccount.findUnique({ where: { id: endpoint.actingForAccountId }, select: { platformOrganizationId: true } })
    : null;
  await recordEvent(tx, {
    type,
    objectId: endpoint.id,
    data: eventData(webhookEndpointObject(after), webhookEndpointObject(before)),
    place: {
      organizationId: endpoint.organizationId,
      tenantId: endpoint.tenantId,
      connectedAccountId: endpoint.actingForAccountId,
      platformOrganizationId: account?.platformOrganizationId ?? null,
    },
    actor: { type: 'SYSTEM' },
  });
}

/**
 * Changes an ENABLED endpoint and records `type` about it, unless `applies` says the change is
 * already made (another process, or its owner, went first: read under the event order lock, which
 * every change to an endpoint takes first). True when it was made here.
 */
async function changeAndRecord(
  prisma: Prisma,
  endpoint: EndpointRef,
  type: EventType,
  applies: (before: WebhookEndpoint) => boolean,
  change: Partial<Pick<WebhookEndpoint, 'status' | 'disabledReason' | 'failingSignaled'>>,
  now: Date,
): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    await takeEventOrder(tx);
    const before = await tx.webhookEndpoint.findUnique({ where: { id: endpoint.id } });
    if (!before || !applies(before)) return false;
    const after = await tx.webhookEndpoint.update({ where: { id: endpoint.id }, data: { ...change, updatedAt: now } });
    await recordForOwner(tx, type, endpoint, after, before);
    await refreshQueues(tx, [endpoint.id]);
    return true;
  });
}

export const disableEndpoint = (prisma: Prisma, endpoint: EndpointRef, reason: string, now: Date) =>
  changeAndRecord(
    prisma,
    endpoint,
    'webhook_endpoint.disabled',
    (before) => before.status === 'ENABLED',
    {
      status: 'DISABLED',
      disabledReason: reason,
    },
    now,
  );

export const signalFailing = (prisma: Prisma, endpoint: EndpointRef, now: Date) =>
  changeAndRecord(
    prisma,
    endpoint,
    'webhook_endpoint.failing',
    (before) => before.status === 'ENABLED' && !before.failingSignaled && before.consecutiveFailures >= FAILING_AFTER,
    { failingSignaled: true },
    now,
  );

export const signalRecovered = (prisma: Prisma, endpoint: EndpointRef, now: Date) =>
  changeAndRecord(
    prisma,
    endpoint,
    'webhook_endpoint.recovered',
    (before) => before.failingSignaled && before.consecutiveFailures === 0,
    { failingSignaled: false },
    now,
  );
