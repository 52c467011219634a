// Sends the queued webhook deliveries, in every server process. Each round leases due deliveries
// with one statement (FOR UPDATE SKIP LOCKED, and a lease time, so two processes never send the same
// attempt and a process that dies mid-send only delays it), sends them outside any transaction, and
// records the outcome: DELIVERED, another attempt later (schedule.ts), or FAILED after the last.
// Per endpoint, a delivery waits while an earlier one of the same endpoint is due or being sent, so
// an endpoint receives its events in order as far as retries allow. An endpoint that keeps failing
// is disabled, with its `webhook_endpoint.disabled` event, in the transaction of that last outcome.
import { serialRounds, type BackgroundWorker } from '../core/serial-rounds.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { KeyRing } from '../crypto/key-ring.ts';
import type { Prisma, Transaction } from '../db/database.ts';
import type { Listen } from '../db/notifications.ts';
import { EVENTS_CHANNEL, recordEvent } from '../events/record.ts';
import { eventData, webhookEndpointObject } from '../events/public-objects.ts';
import type { Event, WebhookEndpoint } from '../generated/prisma/client.ts';
import type { AddressPolicy } from '../net/address-guard.ts';
import { sendWebhook, type SendOutcome, type WebhookRequest } from './sender.ts';
import { DISABLE_AFTER_FAILING_MS, MAX_ATTEMPTS, retryDelayMs } from './schedule.ts';
import { openSecret, signatureHeader } from './signing.ts';

/** Sends in flight at once in a process (at most one per endpoint). */
const MAX_IN_FLIGHT = 32;
/** Longer than a send can take (10 s): a lease outlives its attempt unless the process died. */
const LEASE_MS = 2 * 60 * 1000;
export const USER_AGENT = 'Connect-Webhooks/1.0 (Standard Webhooks)';

interface LeasedDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  attempts: number;
}

export type WebhookWorker = BackgroundWorker;

export interface WebhookWorkerDependencies {
  prisma: Prisma;
  keyRing: KeyRing;
  clock: Clock;
  log: Logger;
  pollMs: number;
  addressPolicy: AddressPolicy;
  /** Consecutive failed attempts that disable an endpoint (50; lower in tests). */
  disableAfterFailures: number;
  /** Multiplies the retry schedule's waits (1; smaller for drills: WEBHOOK_RETRY_SCALE). */
  retryScale?: number;
  /** False until the database is migrated, and while shutting down: rounds are skipped. */
  active: () => boolean;
  /** Each committed event wakes the worker, whichever process committed it. */
  listen?: Listen;
  send?: (message: WebhookRequest, policy: AddressPolicy) => Promise<SendOutcome>;
}

/** The message body: the event as the API shows it. */
export const webhookBody = (event: Pick<Event, 'id' | 'type' | 'createdAt' | 'data'>) =>
  JSON.stringify({ id: event.id, type: event.type, createdAt: event.createdAt.toISOString(), data: event.data });

export function startWebhookWorker(deps: WebhookWorkerDependencies): WebhookWorker {
  const { prisma, clock, log } = deps;
  const send = deps.send ?? sendWebhook;
  let stopped = false;

  /**
   * Leases the head of each endpoint's queue when it is due: its earliest PENDING delivery that is
   * due or in flight. An endpoint whose head is in flight (leased, here or in another process) gets
   * nothing, so an endpoint's deliveries go one at a time, in event order; one waiting for its
   * retry does not hold back the ones after it. Each head is found through the
   * (endpointId, eventSequence) index, whatever the backlog behind it.
   */
  async function lease(now: Date, limit: number): Promise<LeasedDelivery[]> {
    const leaseEnds = new Date(now.getTime() + LEASE_MS);
    return prisma.$queryRaw<LeasedDelivery[]>`
      UPDATE "WebhookDelivery" SET "attempts" = "attempts" + 1, "leasedUntil" = ${leaseEnds}, "lastAttemptAt" = ${now}
      WHERE "id" IN (
        SELECT d."id" FROM "WebhookDelivery" d
        -- Checked again on the row once locked: a head another process leased meanwhile is left alone.
        WHERE d."status" = 'PENDING' AND d."nextAttemptAt" <= ${now} AND (d."leasedUntil" IS NULL OR d."leasedUntil" <= ${now})
          AND d."id" IN (
          SELECT head."id"
          FROM "WebhookEndpoint" e
          CROSS JOIN LATERAL (
            SELECT q."id", q."leasedUntil" FROM "WebhookDelivery" q
            WHERE q."endpointId" = e."id" AND q."status" = 'PENDING'
              AND (q."nextAttemptAt" <= ${now} OR q."leasedUntil" > ${now})
            ORDER BY q."eventSequence" LIMIT 1
          ) head
          WHERE e."status" = 'ENABLED' AND (head."leasedUntil" IS NULL OR head."leasedUntil" <= ${now})
            -- Made while acting for an account: sent only while that account is ACTIVE (record.ts).
            AND (e."actingForAccountId" IS NULL
              OR EXISTS (SELECT 1 FROM "ConnectedAccount" a WHERE a."id" = e."actingForAccountId" AND a."status" = 'ACTIVE'))
            -- A deactivated sub-account's endpoints: what was queued before waits, and is sent once it is reactivated (record.ts).
            AND NOT EXISTS (SELECT 1 FROM "SubAccount" s WHERE s."tenantId" = e."tenantId" AND s."status" = 'DEACTIVATED')
            AND e."id" IN (SELECT DISTINCT "endpointId" FROM "WebhookDelivery" WHERE "status" = 'PENDING' AND "nextAttemptAt" <= ${now})
        )
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
      RETURNING "id", "endpointId", "eventId", "attempts"`;
  }

  function signingSecrets(endpoint: WebhookEndpoint, now: Date): string[] {
    const secrets = [openSecret(deps.keyRing, endpoint, endpoint.secretCiphertext)];
    if (endpoint.previousSecretCiphertext && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now) {
      secrets.push(openSecret(deps.keyRing, endpoint, endpoint.previousSecretCiphertext));
    }
    return secrets;
  }

  async function attempt(delivery: LeasedDelivery, endpoint: WebhookEndpoint, event: Event): Promise<SendOutcome> {
    const body = webhookBody(event);
    let signature: string;
    try {
      // The receiver checks the timestamp against its own clock: the real time, not an injected one.
      const timestamp = systemClock.now();
      signature = signatureHeader(signingSecrets(endpoint, clock.now()), event.id, timestamp, body);
      const headers = {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'webhook-id': event.id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signature,
      };
      return await send({ url: endpoint.url, body, headers }, deps.addressPolicy);
    } catch (error) {
      log.error({ err: error, deliveryId: delivery.id, endpointId: endpoint.id }, 'webhook not signed');
      return { delivered: false, status: null, body: null, error: 'the signing secret could not be read' };
    }
  }

  async function disable(tx: Transaction, endpoint: WebhookEndpoint, reason: string, now: Date): Promise<void> {
    const changed = await tx.webhookEndpoint.updateMany({
      where: { id: endpoint.id, status: 'ENABLED' },
      data: { status: 'DISABLED', disabledReason: reason, updatedAt: now },
    });
    if (changed.count === 0) return;
    const after = await tx.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    const account = endpoint.actingForAccountId
      ? await tx.connectedAccount.findUnique({ where: { id: endpoint.actingForAccountId }, select: { platformOrganizationId: true } })
      : null;
    await recordEvent(tx, {
      type: 'webhook_endpoint.disabled',
      objectId: endpoint.id,
      data: eventData(webhookEndpointObject(after), webhookEndpointObject(endpoint)),
      place: {
        organizationId: endpoint.organizationId,
        tenantId: endpoint.tenantId,
        connectedAccountId: endpoint.actingForAccountId,
        platformOrganizationId: account?.platformOrganizationId ?? null,
      },
      actor: { type: 'SYSTEM' },
    });
    log.warn({ endpointId: endpoint.id, reason }, 'webhook endpoint disabled');
  }

  async function record(delivery: LeasedDelivery, endpoint: WebhookEndpoint, outcome: SendOutcome): Promise<void> {
    const now = clock.now();
    const base = outcome.delivered ? null : retryDelayMs(delivery.attempts);
    const delay = base === null ? null : Math.round(base * (deps.retryScale ?? 1));
    const final = !outcome.delivered && (delay === null || delivery.attempts >= MAX_ATTEMPTS);
    await prisma.$transaction(async (tx) => {
      await tx.webhookDelivery.updateMany({
        where: { id: delivery.id },
        data: {
          status: outcome.delivered ? 'DELIVERED' : final ? 'FAILED' : 'PENDING',
          nextAttemptAt: outcome.delivered || final ? null : new Date(now.getTime() + (delay ?? 0)),
          leasedUntil: null,
          lastResponseStatus: outcome.status,
          lastResponseBody: outcome.body,
          lastError: outcome.error,
        },
      });
      if (outcome.delivered) {
        await tx.webhookEndpoint.updateMany({
          where: { id: endpoint.id, OR: [{ consecutiveFailures: { gt: 0 } }, { failingSince: { not: null } }] },
          data: { consecutiveFailures: 0, failingSince: null },
        });
        return;
      }
      const [counters] = await tx.$queryRaw<{ consecutiveFailures: number; failingSince: Date }[]>`
        UPDATE "WebhookEndpoint" SET "consecutiveFailures" = "consecutiveFailures" + 1, "failingSince" = COALESCE("failingSince", ${now})
        WHERE "id" = ${endpoint.id} AND "status" = 'ENABLED'
        RETURNING "consecutiveFailures", "failingSince"`;
      if (!counters) return;
      if (counters.consecutiveFailures >= deps.disableAfterFailures) {
        await disable(tx, endpoint, `${counters.consecutiveFailures} deliveries in a row failed`, now);
      } else if (now.getTime() - new Date(counters.failingSince).getTime() >= DISABLE_AFTER_FAILING_MS) {
        await disable(tx, endpoint, 'every delivery failed for 3 days', now);
      }
    });
    const fields = { deliveryId: delivery.id, endpointId: endpoint.id, eventId: delivery.eventId, attempts: delivery.attempts };
    if (outcome.delivered) log.info({ ...fields, status: outcome.status }, 'webhook delivered');
    else log.warn({ ...fields, status: outcome.status, error: outcome.error, failed: final }, 'webhook not delivered');
  }

  async function deliverOne(delivery: LeasedDelivery): Promise<boolean> {
    const [endpoint, event] = await Promise.all([
      prisma.webhookEndpoint.findUnique({ where: { id: delivery.endpointId } }),
      prisma.event.findUnique({ where: { id: delivery.eventId } }),
    ]);
    if (!endpoint || !event) return false; // deleted meanwhile: the cascade took the delivery too
    const outcome = await attempt(delivery, endpoint, event);
    await record(delivery, endpoint, outcome);
    return outcome.delivered;
  }

  /**
   * Sends until nothing is due. A slow receiver holds only its own queue: as soon as any send ends,
   * the next heads are leased, so the other endpoints go on meanwhile.
   */
  async function round(): Promise<number> {
    let delivered = 0;
    const inFlight = new Set<Promise<void>>();
    for (;;) {
      const room = MAX_IN_FLIGHT - inFlight.size;
      const batch = stopped || room === 0 ? [] : await lease(clock.now(), room);
      for (const delivery of batch) {
        const task: Promise<void> = deliverOne(delivery)
          .then((ok) => {
            if (ok) delivered += 1;
          })
          // Not recorded (the database failed): the lease runs out and the delivery is tried again.
          .catch((error: unknown) => log.error({ err: error, deliveryId: delivery.id }, 'webhook attempt not recorded'))
          .finally(() => inFlight.delete(task));
        inFlight.add(task);
      }
      if (inFlight.size === 0) return delivered;
      await Promise.race(inFlight);
    }
  }

  const rounds = serialRounds(round);
  const deliverDue = () => rounds.run();

  const tick = () => {
    if (stopped || !deps.active()) return;
    deliverDue().catch((error: unknown) => log.error({ err: error }, 'webhook round failed'));
  };
  const timer = setInterval(tick, deps.pollMs);
  timer.unref();

  const listening = deps.listen
    ? deps.listen(EVENTS_CHANNEL, { message: () => setImmediate(tick), listening: (up) => {
          if (up) setImmediate(tick);
        } }).catch((error: unknown) => {
        log.warn({ err: error }, 'webhook worker not listening for events: it polls');
        return null;
      })
    : Promise.resolve(null);

  return {
    deliverDue,
    wake: () => setImmediate(tick),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await (await listening)?.();
      await rounds.settled();
    },
  };
}
