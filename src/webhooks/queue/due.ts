// When an endpoint's queue is due, in one place: the SQL every statement that moves a queue row
// (queueing, sending, settling, enabling, waking) computes its `dueAt` with. A queue row is due at
// its earliest PENDING delivery's nextAttemptAt, not before its breaker closes nor its pacing step
// ends (maxDeliveriesPerSecond: ./lease.ts), and never while its
// endpoint may not be sent to: then `dueAt` is null and the row is out of the worker's sight (it costs
// no lease) until something wakes it (a new delivery, an enable, a reactivation).
//
// Lock order, which keeps every transaction that touches these rows free of deadlocks: the event
// order lock (src/events/record.ts), then endpoint rows, then delivery rows, then queue rows. So a
// transaction that changes an endpoint and records an event takes the order lock first
// (takeEventOrder), the worker settles an attempt endpoint, delivery, queue, a lease claims queue
// rows and takes their heads in statements of their own, and queue rows come last everywhere.

/**
 * An endpoint the worker may send to, as `e`: ENABLED; made while acting for an account, only while
 * that account is ACTIVE; not in a DEACTIVATED sub-account's tenant (what was queued waits for its
 * reactivation). recordEvent queues nothing for an endpoint that fails it either.
 */
export const SENDABLE_ENDPOINT = `e."status" = 'ENABLED'
  AND (e."actingForAccountId" IS NULL
    OR EXISTS (SELECT 1 FROM "ConnectedAccount" a WHERE a."id" = e."actingForAccountId" AND a."status" = 'ACTIVE'))
  AND NOT EXISTS (SELECT 1 FROM "SubAccount" s WHERE s."tenantId" = e."tenantId" AND s."status" = 'DEACTIVATED')`;

/**
 * The `dueAt` of queue row `q`, from what is stored: its earliest PENDING delivery's time, or the
 * breaker's (`openUntil`, the row's own unless an UPDATE sets a new one), whichever is later; null
 * when nothing is pending or the endpoint may not be sent to. Only PENDING deliveries have a
 * nextAttemptAt (a CHECK constraint), so the earliest one is the first entry of the endpoint in the
 * (endpointId, nextAttemptAt) index: one probe, whatever the backlog or its history.
 */
export const nextDueAt = (openUntil = 'q."openUntil"') => `(
  SELECT GREATEST(pending."first", ${openUntil}, q."pacedUntil")
  FROM "WebhookEndpoint" e
  CROSS JOIN LATERAL (
    SELECT min(d."nextAttemptAt") AS "first" FROM "WebhookDelivery" d WHERE d."endpointId" = e."id"
  ) pending
  WHERE e."id" = q."endpointId" AND pending."first" IS NOT NULL AND ${SENDABLE_ENDPOINT})`;

const NEXT_DUE_AT = nextDueAt();

/**
 * Who answers for endpoint `e`'s load, whose share of the sends its queue takes: the platform, for
 * an endpoint made while acting for an account; else its tenant's accountable organization (the
 * platform of a sub-account's or EXPRESS account's tenant, else the tenant's organization: the SQL
 * function of migration 20261207160000_accountable_organizations).
 */
export const ACCOUNTABLE_FOR_ENDPOINT = `COALESCE(
  (SELECT a."platformOrganizationId" FROM "ConnectedAccount" a WHERE a."id" = e."actingForAccountId"),
  accountable_organization(e."tenantId"))`;

/** A transaction of any client: the unscoped one, or a confined one (raw SQL is not confined). */
export interface QueueWriter {
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
}

/**
 * Sets `dueAt` (after `set`'s columns, if any) again from what is stored, for the queue rows `where`
 * selects, in two statements of the caller's transaction: the rows are locked first, and the due time
 * is read in a statement of its own. In one statement, an UPDATE that waited for a row a transaction
 * queueing a delivery held still read the deliveries as they were before that commit (its snapshot)
 * and left the queue with nothing due and a delivery pending: a lost wake-up, seen in the tests on
 * PostgreSQL.
 */
export async function recomputeDueTimes(tx: QueueWriter, where: string, values: unknown[], set = ''): Promise<void> {
  await tx.$executeRawUnsafe(`SELECT 1 FROM "WebhookQueue" q WHERE ${where} ORDER BY q."endpointId" FOR UPDATE`, ...values);
  await tx.$executeRawUnsafe(`UPDATE "WebhookQueue" q SET ${set}"dueAt" = ${NEXT_DUE_AT} WHERE ${where}`, ...values);
}

/**
 * In a transaction: sets `dueAt` again for the endpoints given, after an endpoint is enabled,
 * disabled or moved, or a delivery is queued again by hand. A queue row is made for an endpoint that
 * had none (its deliveries predate the queues).
 */
export async function refreshQueues(tx: QueueWriter, endpointIds: readonly string[]): Promise<void> {
  if (endpointIds.length === 0) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO "WebhookQueue" ("endpointId", "accountableOrganizationId")
     SELECT e."id", ${ACCOUNTABLE_FOR_ENDPOINT} FROM "WebhookEndpoint" e WHERE e."id" = ANY($1::text[])
     ON CONFLICT ("endpointId") DO NOTHING`,
    endpointIds,
  );
  await recomputeDueTimes(tx, `q."endpointId" = ANY($1::text[])`, [endpointIds]);
}

/** A receiver at a new address, or enabled again by its owner, is tried afresh: its breaker closes. */
export async function closeBreaker(tx: QueueWriter, endpointId: string): Promise<void> {
  await tx.$executeRawUnsafe(`UPDATE "WebhookQueue" SET "unansweredInARow" = 0, "openUntil" = NULL WHERE "endpointId" = $1`, endpointId);
}

/** The same, in a transaction, for every queue of a tenant: its sub-account was deactivated or reactivated. */
export async function refreshTenantQueues(tx: QueueWriter, tenantId: string): Promise<void> {
  await recomputeDueTimes(tx, `q."endpointId" IN (SELECT "id" FROM "WebhookEndpoint" WHERE "tenantId" = $1)`, [tenantId]);
}

/** The same, in a transaction, for the endpoints made while acting for a connected account: it was suspended, reactivated or revoked. */
export async function refreshAccountQueues(tx: QueueWriter, accountId: string): Promise<void> {
  await recomputeDueTimes(tx, `q."endpointId" IN (SELECT "id" FROM "WebhookEndpoint" WHERE "actingForAccountId" = $1)`, [accountId]);
}
