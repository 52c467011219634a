// Sends the queued webhook deliveries, in every server process. Work is found through one queue row
// per endpoint (./queue/): a lease takes due endpoints, fairly between organizations, each with the head
// of its queue, so an endpoint receives its events one at a time, in order as far as retries allow,
// and two processes never send the same attempt. Each send runs outside any transaction; its outcome
// is settled (DELIVERED, another attempt later per ./schedule.ts, or FAILED after the last), and the
// endpoint's breaker opens on a receiver that stops answering (./queue/breaker.ts). An endpoint that
// starts failing, recovers, or keeps failing until it is disabled gets its event (./endpoint-signals.ts).
//
// An organization (with its sandboxes, sub-accounts and accounts) never has more than
// `sendsPerOrganization` of the process's `sendsPerProcess` sends at once, so its silent receivers
// slow only its own deliveries.
import { setMaxListeners } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { serialRounds, type BackgroundWorker } from '../core/serial-rounds.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { KeyRing } from '../crypto/key-ring.ts';
import type { Prisma } from '../db/database.ts';
import type { Listen } from '../db/notifications.ts';
import { EVENTS_CHANNEL } from '../events/record.ts';
import type { Event } from '../generated/prisma/client.ts';
import type { AddressPolicy } from '../net/address-guard.ts';
import { SEND_TIMEOUT_MS, sendWebhook, type SendOutcome, type WebhookRequest } from './sender.ts';
import { DISABLE_AFTER_FAILING_MS, MAX_ATTEMPTS, retryDelayMs } from './schedule.ts';
import { signatureHeader, signingSecrets } from './signing.ts';
import type { ShapedObject } from './payload-fragment.ts';
import { breakerAfter } from './queue/breaker.ts';
import { disableEndpoint, FAILING_AFTER, signalFailing, signalRecovered } from './endpoint-signals.ts';
import { leaseDueQueues, type LeasedDelivery, type LeasedQueue } from './queue/lease.ts';
import { giveBack, releaseQueues, settleAttempt, type FailureCounters } from './queue/settle.ts';

export const USER_AGENT = 'Connect-Webhooks/1.0 (Standard Webhooks)';

/** A lease is taken once this many slots are free (or none is busy): fewer, larger leases. */
const LEASE_WHEN_FREE = 4;

/** A queue due within this (and before the next poll) gets a timer of its own: a paced endpoint's next step (1 s at most), not the retries and breakers the poll serves. */
const WAKE_AT_MOST_MS = 5_000;

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
  /** Sends at once in this process, and for one accountable organization (WEBHOOK_SENDS_PER_PROCESS, WEBHOOK_SENDS_PER_ORGANIZATION). */
  sends: { perProcess: number; perOrganization: number };
  /** Multiplies the retry schedule's waits (1; smaller for drills: WEBHOOK_RETRY_SCALE). */
  retryScale?: number;
  /** False until the database is migrated, and while shutting down: rounds are skipped. */
  active: () => boolean;
  /** Each committed event wakes the worker, whichever process committed it. */
  listen?: Listen;
  /** Runs an endpoint's payloadFragment on the event's object (./payload-fragment.ts, wired in app.ts); absent: payloads unshaped. */
  shapePayload?: (delivery: LeasedDelivery) => Promise<ShapedObject | null>;
  /** Sends one message; `cancel` aborts it (the worker is stopping). */
  send?: (message: WebhookRequest, policy: AddressPolicy, cancel: AbortSignal) => Promise<SendOutcome>;
}

/** The message body: the event as the API shows it (with `data.object` as the endpoint's fragment shaped it). */
export const webhookBody = (event: Pick<Event, 'id' | 'type' | 'createdAt' | 'data'>) =>
  JSON.stringify({ id: event.id, type: event.type, createdAt: event.createdAt.toISOString(), data: event.data });

/** Why an attempt was not sent because the fragment failed: the receiver is not at fault (its breaker stays closed). */
const FRAGMENT_FAILED = 'payloadFragment: ';

/** A delivery whose event the recipients rule no longer gives the endpoint: FAILED, never sent. */
const NOT_A_RECIPIENT: SendOutcome = {
  delivered: false,
  status: null,
  body: null,
  error: "not sent: the endpoint's owner may not read this event",
};

export function startWebhookWorker(deps: WebhookWorkerDependencies): WebhookWorker {
  const { prisma, clock, log } = deps;
  const send = deps.send ?? ((message, policy, cancel) => sendWebhook(message, policy, SEND_TIMEOUT_MS, cancel));
  const { perProcess: sendsPerProcess, perOrganization: sendsPerOrganization } = deps.sends;
  let stopped = false;
  // Stopping cuts the sends in flight: a shutdown never waits for a receiver that does not answer.
  const stopping = new AbortController();
  // Each send in flight listens to it.
  setMaxListeners(sendsPerProcess, stopping.signal);
  // The sends in flight, and how many are each organization's: kept across rounds, so that a round that
  // failed (the database) leaves the next one knowing what still runs.
  const inFlight = new Set<Promise<void>>();
  const sending = new Map<string, number>();
  const track = (organizationId: string, change: number) => {
    const count = (sending.get(organizationId) ?? 0) + change;
    if (count === 0) sending.delete(organizationId);
    else sending.set(organizationId, count);
  };
  // Resolved when new work may be due (an event committed, a poll): a round waiting for its sends
  // leases again at once, instead of after a silent receiver's 10 s.
  let announceWork = () => {};
  let newWork = new Promise<void>((resolve) => (announceWork = resolve));
  let announcements = 0;
  const workAnnounced = () => {
    announcements += 1;
    announceWork();
    newWork = new Promise<void>((resolve) => (announceWork = resolve));
  };

  async function attempt(delivery: LeasedDelivery): Promise<SendOutcome> {
    const { endpoint, event } = delivery;
    let data = event.data;
    if (endpoint.payloadFragment && deps.shapePayload) {
      const shaped = await deps.shapePayload(delivery);
      if (shaped && 'error' in shaped)
        return { delivered: false, status: null, body: null, error: `${FRAGMENT_FAILED}${shaped.error}`.slice(0, 1024) };
      if (shaped) data = { ...(event.data as Record<string, unknown>), object: shaped.object } as Event['data'];
    }
    const body = webhookBody({ ...event, data });
    let signature: string;
    try {
      // The receiver checks the timestamp against its own clock: the real time, not an injected one.
      const timestamp = systemClock.now();
      signature = signatureHeader(signingSecrets(deps.keyRing, endpoint, clock.now()), event.id, timestamp, body);
      const headers = {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'webhook-id': event.id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signature,
      };
      return await send({ url: endpoint.url, body, headers }, deps.addressPolicy, stopping.signal);
    } catch (error) {
      log.error({ err: error, deliveryId: delivery.id, endpointId: endpoint.id }, 'webhook not signed');
      return { delivered: false, status: null, body: null, error: 'the signing secret could not be read' };
    }
  }

  /** Records `failing`, `recovered` or `disabled` when the attempt's outcome and the counters after it call for one. */
  async function signalHealth(endpoint: LeasedDelivery['endpoint'], delivered: boolean, counters: FailureCounters | null, now: Date) {
    if (!counters) return;
    if (delivered) {
      if (counters.failingSignaled && (await signalRecovered(prisma, endpoint, now)))
        log.info({ endpointId: endpoint.id }, 'webhook endpoint recovered');
      return;
    }
    if (!counters.failingSignaled && counters.consecutiveFailures >= FAILING_AFTER && (await signalFailing(prisma, endpoint, now))) {
      log.warn({ endpointId: endpoint.id }, 'webhook endpoint failing');
    }
    const reason = condemned(counters, now);
    if (reason && (await disableEndpoint(prisma, endpoint, reason, now)))
      log.warn({ endpointId: endpoint.id, reason }, 'webhook endpoint disabled');
  }

  function condemned(counters: FailureCounters, now: Date): string | null {
    if (counters.consecutiveFailures >= deps.disableAfterFailures) return `${counters.consecutiveFailures} deliveries in a row failed`;
    if (counters.failingSince && now.getTime() - new Date(counters.failingSince).getTime() >= DISABLE_AFTER_FAILING_MS)
      return 'every delivery failed for 3 days';
    return null;
  }

  async function deliver(queue: LeasedQueue, delivery: LeasedDelivery): Promise<boolean> {
    const outcome = delivery.reaches ? await attempt(delivery) : NOT_A_RECIPIENT;
    if (stopping.signal.aborted && !outcome.delivered) {
      await giveBack(prisma, delivery.id, queue.endpointId);
      return false;
    }
    const now = clock.now();
    const base = outcome.delivered ? null : retryDelayMs(delivery.attempts);
    const delay = base === null ? null : Math.round(base * (deps.retryScale ?? 1));
    const final = !outcome.delivered && (delay === null || delivery.attempts >= MAX_ATTEMPTS || !delivery.reaches);
    const counters = await settleAttempt(prisma, {
      deliveryId: delivery.id,
      endpointId: queue.endpointId,
      outcome,
      nextAttemptAt: outcome.delivered || final ? null : new Date(now.getTime() + (delay ?? 0)),
      breaker: breakerAfter(
        queue.breaker,
        outcome.status !== null || outcome.error?.startsWith(FRAGMENT_FAILED) === true || !delivery.reaches,
        now,
      ),
      now,
    });
    await signalHealth(delivery.endpoint, outcome.delivered, counters, now);
    const fields = { deliveryId: delivery.id, endpointId: queue.endpointId, eventId: delivery.event.id, attempts: delivery.attempts };
    if (outcome.delivered) log.info({ ...fields, status: outcome.status }, 'webhook delivered');
    else log.warn({ ...fields, status: outcome.status, error: outcome.error, failed: final }, 'webhook not delivered');
    return outcome.delivered;
  }

  /**
   * Sends until nothing is due. A slow receiver holds only its own slot: as soon as enough sends
   * end, the next endpoints are leased, so the other endpoints, and the other organizations, go on meanwhile.
   */
  async function round(): Promise<number> {
    let delivered = 0;
    let leasedAfter = -1;
    let leasedAt = clock.now();
    for (;;) {
      const room = sendsPerProcess - inFlight.size;
      // A few slots free: leased together, unless new work was announced since the last lease.
      const worthALease = room > 0 && (inFlight.size === 0 || room >= LEASE_WHEN_FREE || leasedAfter !== announcements);
      // Draining (inactive) or stopped: what is in flight ends, nothing more is leased.
      const leasing = worthALease && !stopped && deps.active();
      if (leasing) leasedAfter = announcements;
      if (leasing) leasedAt = clock.now();
      const leased = leasing ? await leaseDueQueues(prisma, { now: leasedAt, room, perOrganization: sendsPerOrganization, sending }) : [];
      await releaseQueues(
        prisma,
        leased.filter((queue) => !queue.delivery).map((queue) => queue.endpointId),
      );
      for (const queue of leased) {
        const { delivery } = queue;
        if (!delivery) continue;
        track(queue.accountableOrganizationId, 1);
        const task: Promise<void> = deliver(queue, delivery)
          .then((ok) => {
            if (ok) delivered += 1;
          })
          // Not settled (the database failed): the lease runs out and the delivery is tried again.
          .catch((error: unknown) => log.error({ err: error, deliveryId: delivery.id }, 'webhook attempt not recorded'))
          .finally(() => {
            inFlight.delete(task);
            track(queue.accountableOrganizationId, -1);
          });
        inFlight.add(task);
      }
      if (inFlight.size === 0 && leased.length === 0) {
        await wakeAtNextDue(leasedAt);
        return delivered;
      }
      if (inFlight.size === sendsPerProcess) await Promise.race(inFlight);
      else if (inFlight.size > 0 && leased.length === 0) await Promise.race([...inFlight, newWork]);
      // Between leases, whatever else the process has to do (requests, on the embedded database above all) goes first.
      else await nextTurn();
    }
  }

  // A queue due soon (a paced endpoint's next step, a short retry) wakes the worker then, not at the next poll.
  let wakeTimer: NodeJS.Timeout | undefined;
  async function wakeAtNextDue(leasedAt: Date): Promise<void> {
    const now = clock.now();
    // Due after the round's last lease, not after now: a queue that came due since is woken for at
    // once (lost until the poll otherwise), and one the lease did not take is not spun on.
    const [next] = await prisma.$queryRaw<{ dueAt: Date | null }[]>`
      SELECT min("dueAt") AS "dueAt" FROM "WebhookQueue" WHERE "dueAt" > ${leasedAt}`;
    const delay = next?.dueAt ? next.dueAt.getTime() - now.getTime() : null;
    if (delay === null || delay >= Math.min(deps.pollMs, WAKE_AT_MOST_MS) || stopped) return;
    clearTimeout(wakeTimer);
    wakeTimer = setTimeout(tick, Math.max(delay, 0));
    wakeTimer.unref();
  }

  const rounds = serialRounds(round);
  const deliverDue = () => rounds.run();

  const tick = () => {
    if (stopped || !deps.active()) return;
    workAnnounced();
    deliverDue().catch((error: unknown) => log.error({ err: error }, 'webhook round failed'));
  };
  const timer = setInterval(tick, deps.pollMs);
  timer.unref();

  const listening = deps.listen
    ? deps
        .listen(EVENTS_CHANNEL, {
          message: () => setImmediate(tick),
          listening: (up) => {
            if (up) setImmediate(tick);
          },
        })
        .catch((error: unknown) => {
          log.warn({ err: error }, 'webhook worker not listening for events: it polls');
          return null;
        })
    : Promise.resolve(null);

  return {
    deliverDue,
    wake: () => setImmediate(tick),
    async stop() {
      stopped = true;
      stopping.abort();
      clearInterval(timer);
      clearTimeout(wakeTimer);
      await (await listening)?.();
      await rounds.settled();
      await Promise.allSettled(inFlight);
    },
  };
}
