// Leases work for the sending worker, in two statements: due endpoints, shared fairly between the
// organizations that answer for them (claimDueQueues), then the head of each one's queue (takeHeads). Measured against the lease
// they replace: that one scanned the deliveries filtered by status, and on statistics taken while
// most rows were DELIVERED, PostgreSQL planned it as a nested loop over every PENDING row that ran for
// minutes (3.5 and 15+ minutes seen under 12,225 PENDING deliveries; 21 ms after ANALYZE). Here no
// plan depends on how many deliveries there are or in which status:
// - due endpoints come from the queue rows by their `dueAt` index (one row per endpoint, bounded by
//   the endpoints per tenant), ranked per accountable organization with a window function;
// - each claimed endpoint's head is its first PENDING delivery in event order that is due, through
//   the (endpointId, status, eventSequence) index: a probe per endpoint, whatever the backlog.
// Pacing (maxDeliveriesPerSecond): a claim moves the queue's `pacedUntil` one step on, and its next
// due time is not before it (./due.ts), so a paced endpoint waits its turn inside the same fair queue.
// Fairness: an organization's endpoints take turns with every other's (the first due endpoint of
// each, then the second, ...), one already sending counts what it sends, and none gets more than
// `perOrganization` of a process's sends at once. The organization is the one that answers for the
// endpoint (./due.ts): a platform's sandboxes, sub-accounts and accounts share its one share, so its
// silent receivers hold only that share, and the others' deliveries go on meanwhile.
// Two statements, not one: a statement holding queue rows must not wait for delivery rows (an
// endpoint's deletion holds its deliveries, then waits for its queue row: ./due.ts's lock order).
import type { Event, WebhookEndpoint } from '../../generated/prisma/client.ts';
import type { Breaker } from './breaker.ts';
import { SENDABLE_ENDPOINT } from './due.ts';
import { endpointReachesSql } from '../../db/event-recipients.ts';

/** Longer than a send can take (10 s): a lease outlives its attempt unless the process died. */
export const LEASE_MS = 2 * 60 * 1000;

/** What runs a raw query: the client, or one of its transactions. */
interface QueueReader {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
}

/** An endpoint leased to this process, with its breaker as leased: this process moves it until the lease ends (./settle.ts). */
export interface ClaimedQueue {
  endpointId: string;
  /** Whose share of the sends it takes (./due.ts, ACCOUNTABLE_FOR_ENDPOINT). */
  accountableOrganizationId: string;
  breaker: Breaker;
}

/** A claimed endpoint with its head delivery to send, or none (nothing was due, or it may not be sent to now). */
export interface LeasedQueue extends ClaimedQueue {
  delivery: LeasedDelivery | null;
}

export interface LeasedDelivery {
  id: string;
  attempts: number;
  endpoint: Pick<
    WebhookEndpoint,
    'id' | 'tenantId' | 'organizationId' | 'actingForAccountId' | 'url' | 'secretCiphertext' | 'previousSecrets' | 'payloadFragment'
  >;
  event: Pick<Event, 'id' | 'type' | 'createdAt' | 'data' | 'objectId'>;
  /** The event still reaches the endpoint by the recipients rule (false: it is not sent). */
  reaches: boolean;
}

export interface LeaseRequest {
  now: Date;
  /** Endpoints to lease at most: the process's free sending slots. */
  room: number;
  /** The most sends one accountable organization may have at once in this process. */
  perOrganization: number;
  /** What this process is sending now, per accountable organization. */
  sending: ReadonlyMap<string, number>;
}

const CLAIM = `
  WITH busy AS (
    SELECT * FROM unnest($4::text[], $5::int[]) AS b("organizationId", "sending")
  ), due AS (
    SELECT q."endpointId", q."dueAt",
           COALESCE(b."sending", 0) + row_number() OVER (PARTITION BY q."accountableOrganizationId" ORDER BY q."dueAt", q."endpointId") AS "turn"
    FROM "WebhookQueue" q LEFT JOIN busy b ON b."organizationId" = q."accountableOrganizationId"
    WHERE q."dueAt" <= $1 AND (q."leasedUntil" IS NULL OR q."leasedUntil" <= $1)
  ), chosen AS (
    -- Checked again on the locked row: an endpoint another process leased meanwhile is left alone.
    SELECT q."endpointId" FROM "WebhookQueue" q
    WHERE q."endpointId" IN (SELECT "endpointId" FROM due WHERE "turn" <= $3 ORDER BY "turn", "dueAt" LIMIT $6)
      AND q."dueAt" <= $1 AND (q."leasedUntil" IS NULL OR q."leasedUntil" <= $1)
    FOR UPDATE SKIP LOCKED
  )
  -- A paced endpoint's next send is due one step after this one's slot: the slot it was due at, so
  -- that a lease late by less than a step or half a second (a busy process) does not push every later
  -- send back, or now after a longer pause (no burst after it).
  UPDATE "WebhookQueue" q SET "leasedUntil" = $2, "pacedUntil" = (
    SELECT CASE WHEN q."pacedUntil" > $1::timestamptz - GREATEST(pace."step", interval '500 milliseconds') THEN q."pacedUntil"
                ELSE $1::timestamptz END + pace."step"
    FROM "WebhookEndpoint" e CROSS JOIN LATERAL (SELECT make_interval(secs => 1.0 / e."maxDeliveriesPerSecond") AS "step") pace
    WHERE e."id" = q."endpointId" AND e."maxDeliveriesPerSecond" IS NOT NULL)
  FROM chosen WHERE q."endpointId" = chosen."endpointId"
  RETURNING q."endpointId", q."accountableOrganizationId", q."unansweredInARow", q."openUntil"`;

/** The heads of the claimed queues, attempted: exported for the test that reads its plan. */
export const TAKE_HEADS = `
  WITH heads AS (
    SELECT head."id" FROM unnest($1::text[]) AS claimed("endpointId")
    JOIN "WebhookEndpoint" e ON e."id" = claimed."endpointId" AND ${SENDABLE_ENDPOINT}
    CROSS JOIN LATERAL (
      -- Due-ness is tested as an expression no index can serve, so that the one sensible plan is the
      -- walk of the (endpointId, status, eventSequence) index that stops at the first due row: on
      -- stale statistics PostgreSQL otherwise took an index on nextAttemptAt and sorted the
      -- endpoint's whole backlog (657 rows read to lease 9 endpoints, against 9 now: fairness.test.ts).
      SELECT d."id" FROM "WebhookDelivery" d
      WHERE d."endpointId" = claimed."endpointId" AND d."status" = 'PENDING' AND (d."nextAttemptAt" <= $2) IS TRUE
      ORDER BY d."eventSequence" LIMIT 1
    ) head
  ), sent AS (
    UPDATE "WebhookDelivery" d SET "attempts" = d."attempts" + 1, "leasedUntil" = $3, "lastAttemptAt" = $2
    FROM heads WHERE d."id" = heads."id"
    RETURNING d."id", d."endpointId", d."eventId", d."attempts"
  )
  SELECT sent."endpointId", sent."id" AS "deliveryId", sent."attempts",
         e."tenantId", e."organizationId", e."actingForAccountId", e."url", e."secretCiphertext", e."previousSecrets", e."payloadFragment",
         ev."type" AS "eventType", ev."createdAt" AS "eventCreatedAt", ev."data" AS "eventData", ev."id" AS "eventId", ev."objectId",
         -- Asked again before sending, of the one rule that queued it (src/db/event-recipients.ts).
         ${endpointReachesSql({
           organizationId: 'ev."organizationId"',
           tenantId: 'ev."tenantId"',
           connectedAccountId: 'ev."connectedAccountId"',
           platformOrganizationId: 'ev."platformOrganizationId"',
         })} AS "reaches"
  FROM sent
  JOIN "WebhookEndpoint" e ON e."id" = sent."endpointId"
  JOIN "Event" ev ON ev."id" = sent."eventId"`;

interface HeadRow {
  endpointId: string;
  tenantId: string;
  deliveryId: string;
  attempts: number;
  organizationId: string;
  actingForAccountId: string | null;
  url: string;
  secretCiphertext: string;
  previousSecrets: WebhookEndpoint['previousSecrets'];
  payloadFragment: string | null;
  objectId: string;
  reaches: boolean | null;
  eventId: string;
  eventType: string;
  eventCreatedAt: Date;
  eventData: Event['data'];
}

/** Claims up to `room` due endpoints, fairly between accountable organizations. */
export async function claimDueQueues(client: QueueReader, { now, room, perOrganization, sending }: LeaseRequest): Promise<ClaimedQueue[]> {
  const organizations = [...sending.keys()];
  const counts = organizations.map((organization) => sending.get(organization) ?? 0);
  const rows = await client.$queryRawUnsafe<(Breaker & { endpointId: string; accountableOrganizationId: string })[]>(
    CLAIM,
    now,
    new Date(now.getTime() + LEASE_MS),
    perOrganization,
    organizations,
    counts,
    room,
  );
  return rows.map(({ endpointId, accountableOrganizationId, unansweredInARow, openUntil }) => ({
    endpointId,
    accountableOrganizationId,
    breaker: { unansweredInARow, openUntil },
  }));
}

/** TAKE_HEADS's parameters, $1 to $3. */
export const headArguments = (claimed: readonly ClaimedQueue[], now: Date): unknown[] => [
  claimed.map((queue) => queue.endpointId),
  now,
  new Date(now.getTime() + LEASE_MS),
];

/** Attempts the head of each claimed queue that has one due. */
export async function takeHeads(client: QueueReader, claimed: readonly ClaimedQueue[], now: Date): Promise<LeasedQueue[]> {
  if (claimed.length === 0) return [];
  const heads = new Map(
    (await client.$queryRawUnsafe<HeadRow[]>(TAKE_HEADS, ...headArguments(claimed, now))).map((row) => [row.endpointId, row] as const),
  );
  return claimed.map((queue) => {
    const row = heads.get(queue.endpointId);
    if (!row) return { ...queue, delivery: null };
    const { tenantId, organizationId, actingForAccountId, url, secretCiphertext, previousSecrets, payloadFragment } = row;
    return {
      ...queue,
      delivery: {
        id: row.deliveryId,
        attempts: row.attempts,
        reaches: row.reaches === true,
        endpoint: {
          id: queue.endpointId,
          tenantId,
          organizationId,
          actingForAccountId,
          url,
          secretCiphertext,
          previousSecrets,
          payloadFragment,
        },
        event: { id: row.eventId, type: row.eventType, createdAt: row.eventCreatedAt, data: row.eventData, objectId: row.objectId },
      },
    };
  });
}

/** Leases up to `room` due endpoints, fairly between accountable organizations, each with its head delivery (when one is due). */
export async function leaseDueQueues(client: QueueReader, request: LeaseRequest): Promise<LeasedQueue[]> {
  if (request.room <= 0) return [];
  return takeHeads(client, await claimDueQueues(client, request), request.now);
}
