// Records how a send went, in one transaction, in the lock order of ./due.ts (endpoint, delivery,
// queue row): the endpoint's failure counters, the delivery (DELIVERED, another attempt later, or
// FAILED after the last), and its queue row: lease released, breaker moved, next due time computed
// from what is now stored. Disabling an endpoint the counters condemn is the worker's
// next step, in a transaction of its own (it records an event).
import type { Prisma } from '../../db/database.ts';
import type { Breaker } from './breaker.ts';
import { nextDueAt, recomputeDueTimes } from './due.ts';

export interface Outcome {
  delivered: boolean;
  /** The receiver answered with an HTTP status (any): null when it did not (timeout, refused, reset). */
  status: number | null;
  body: string | null;
  error: string | null;
}

export interface Settlement {
  deliveryId: string;
  endpointId: string;
  outcome: Outcome;
  /** null: delivered, or the last attempt failed (FAILED); else when the next attempt is due. */
  nextAttemptAt: Date | null;
  /** The endpoint's breaker after this attempt (./breaker.ts). */
  breaker: Breaker;
  now: Date;
}

/**
 * The endpoint's failure counters after the attempt: after a failure (null when it was not ENABLED
 * meanwhile), or after a success that ended a run of failures (null when there was none).
 */
export interface FailureCounters {
  consecutiveFailures: number;
  failingSince: Date | null;
  /** A `webhook_endpoint.failing` event was recorded since the last success (../endpoint-signals.ts). */
  failingSignaled: boolean;
}

export async function settleAttempt(prisma: Prisma, settlement: Settlement): Promise<FailureCounters | null> {
  const { deliveryId, endpointId, outcome, nextAttemptAt, breaker, now } = settlement;
  const status = outcome.delivered ? 'DELIVERED' : nextAttemptAt ? 'PENDING' : 'FAILED';
  const [counters] = await prisma.$transaction([
    outcome.delivered
      ? prisma.$queryRaw<FailureCounters[]>`
          UPDATE "WebhookEndpoint" SET "consecutiveFailures" = 0, "failingSince" = NULL
          WHERE "id" = ${endpointId} AND ("consecutiveFailures" > 0 OR "failingSince" IS NOT NULL OR "failingSignaled")
          RETURNING "consecutiveFailures", "failingSince", "failingSignaled"`
      : prisma.$queryRaw<FailureCounters[]>`
          UPDATE "WebhookEndpoint" SET "consecutiveFailures" = "consecutiveFailures" + 1, "failingSince" = COALESCE("failingSince", ${now})
          WHERE "id" = ${endpointId} AND "status" = 'ENABLED'
          RETURNING "consecutiveFailures", "failingSince", "failingSignaled"`,
    prisma.$executeRaw`
      UPDATE "WebhookDelivery" SET "status" = ${status}::"WebhookDeliveryStatus", "nextAttemptAt" = ${nextAttemptAt}, "leasedUntil" = NULL,
        "lastResponseStatus" = ${outcome.status}, "lastResponseBody" = ${outcome.body}, "lastError" = ${outcome.error}
      WHERE "id" = ${deliveryId}`,
    // Locked, then read in a statement of its own (see recomputeDueTimes): a delivery queued meanwhile is seen.
    prisma.$executeRaw`SELECT 1 FROM "WebhookQueue" WHERE "endpointId" = ${endpointId} FOR UPDATE`,
    // The breaker is this process's to move while it holds the lease; the due time reads the delivery as just updated.
    prisma.$executeRawUnsafe(
      `UPDATE "WebhookQueue" q SET "leasedUntil" = NULL, "unansweredInARow" = $2, "openUntil" = $3, "dueAt" = ${nextDueAt('$3::timestamptz')}
       WHERE q."endpointId" = $1`,
      endpointId,
      breaker.unansweredInARow,
      breaker.openUntil,
    ),
  ]);
  return counters[0] ?? null;
}

/** An endpoint leased with nothing to send (its due time was stale, or it may not be sent to now): released, its due time set again. */
export async function releaseQueues(prisma: Prisma, endpointIds: readonly string[]): Promise<void> {
  if (endpointIds.length === 0) return;
  await prisma.$transaction((tx) => recomputeDueTimes(tx, `q."endpointId" = ANY($1::text[])`, [endpointIds], `"leasedUntil" = NULL, `));
}

/**
 * A send cut short because the process is stopping: not an attempt. The delivery gets its attempt
 * back and both leases end, so another process (or this one, restarted) sends it at once.
 */
export async function giveBack(prisma: Prisma, deliveryId: string, endpointId: string): Promise<void> {
  await prisma.$transaction([
    prisma.$executeRaw`UPDATE "WebhookDelivery" SET "attempts" = "attempts" - 1, "leasedUntil" = NULL WHERE "id" = ${deliveryId}`,
    prisma.$executeRaw`UPDATE "WebhookQueue" SET "leasedUntil" = NULL WHERE "endpointId" = ${endpointId}`,
  ]);
}
