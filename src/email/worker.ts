// Delivers the outbox. Each round leases due messages with one statement (FOR UPDATE SKIP LOCKED,
// so several server processes never take the same row), sends them outside any transaction, and
// records the outcome: SENT, or another attempt later with exponential backoff, or FAILED for good.
// A process that dies mid-send leaves a lease that expires, so the message is tried again.
// Whose request queued a message takes turns with every other's: a lease takes the oldest due
// message of each organization first, then the second, and at most PER_ORGANIZATION of one, so a
// platform whose sign-ups flood the outbox delays its own e-mail, not the others'.
import { serialRounds, type BackgroundWorker } from '../core/serial-rounds.ts';
import type { Clock } from '../core/clock.ts';
import type { Prisma } from '../db/database.ts';
import type { Logger } from '../core/logger.ts';
import type { EmailSender } from './senders.ts';

export const MAX_ATTEMPTS = 8;
const BATCH_SIZE = 10;
/** Messages of one organization in a batch. */
const PER_ORGANIZATION = 2;
const LEASE_MS = 5 * 60 * 1000;
const FIRST_RETRY_MS = 10 * 1000;
const MAX_RETRY_MS = 60 * 60 * 1000;

/** 10 s, 20 s, 40 s, ... up to an hour: a short outage costs a few seconds, a long one little load. */
export const retryDelayMs = (attempts: number) => Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (attempts - 1));

interface LeasedEmail {
  id: string;
  to: string;
  subject: string;
  text: string;
  attempts: number;
}

export type OutboxWorker = BackgroundWorker;

export interface OutboxWorkerDependencies {
  prisma: Prisma;
  sender: EmailSender;
  clock: Clock;
  log: Logger;
  pollMs: number;
  /** False until the database is migrated (and while shutting down): rounds are skipped. */
  active: () => boolean;
}

export function startOutboxWorker(deps: OutboxWorkerDependencies): OutboxWorker {
  const { prisma, sender, clock, log } = deps;
  let stopped = false;

  async function lease(now: Date): Promise<LeasedEmail[]> {
    const leaseEnds = new Date(now.getTime() + LEASE_MS);
    // The due messages through the (status, nextAttemptAt) index, ranked per organization; checked
    // again once locked, as another process may have leased one meanwhile. Sent in turn order.
    const leased = await prisma.$queryRaw<(LeasedEmail & { turn: bigint; dueAt: Date })[]>`
      WITH due AS (
        SELECT "id", "nextAttemptAt", row_number() OVER (PARTITION BY "organizationId" ORDER BY "nextAttemptAt", "id") AS "turn"
        FROM "OutboxEmail" WHERE "status" = 'PENDING' AND "nextAttemptAt" <= ${now}
      ), chosen AS (
        SELECT o."id", due."turn", due."nextAttemptAt" AS "dueAt" FROM "OutboxEmail" o
        JOIN (SELECT * FROM due WHERE "turn" <= ${PER_ORGANIZATION} ORDER BY "turn", "nextAttemptAt" LIMIT ${BATCH_SIZE}) due ON due."id" = o."id"
        WHERE o."status" = 'PENDING' AND o."nextAttemptAt" <= ${now}
        FOR UPDATE OF o SKIP LOCKED
      )
      UPDATE "OutboxEmail" o SET "attempts" = o."attempts" + 1, "nextAttemptAt" = ${leaseEnds}, "updatedAt" = ${now}
      FROM chosen WHERE o."id" = chosen."id"
      RETURNING o."id", o."to", o."subject", o."text", o."attempts", chosen."turn", chosen."dueAt"`;
    return leased.sort((a, b) => Number(a.turn - b.turn) || a.dueAt.getTime() - b.dueAt.getTime());
  }

  async function deliver(email: LeasedEmail): Promise<boolean> {
    try {
      await sender.send(email);
      await prisma.outboxEmail.update({ where: { id: email.id }, data: { status: 'SENT', sentAt: clock.now(), lastError: null } });
      log.info({ emailId: email.id, attempts: email.attempts }, 'e-mail sent');
      return true;
    } catch (error) {
      const finalAttempt = email.attempts >= MAX_ATTEMPTS;
      const lastError = String((error as Error).message ?? error).slice(0, 500);
      await prisma.outboxEmail.update({
        where: { id: email.id },
        data: finalAttempt
          ? { status: 'FAILED', lastError }
          : { lastError, nextAttemptAt: new Date(clock.now().getTime() + retryDelayMs(email.attempts)) },
      });
      log.warn({ emailId: email.id, attempts: email.attempts, failed: finalAttempt, error: lastError }, 'e-mail not sent');
      return false;
    }
  }

  async function round(): Promise<number> {
    let sent = 0;
    for (let batch = await lease(clock.now()); batch.length > 0 && !stopped; batch = await lease(clock.now())) {
      // Stopping: the rest of the batch is left to its lease, which ends in 5 minutes.
      for (const email of batch) {
        if (stopped) break;
        if (await deliver(email)) sent += 1;
      }
    }
    return sent;
  }

  const rounds = serialRounds(round);
  const deliverDue = () => rounds.run();

  const tick = () => {
    if (!deps.active()) return;
    deliverDue().catch((error: unknown) => log.error({ err: error }, 'outbox round failed'));
  };
  const timer = setInterval(tick, deps.pollMs);
  timer.unref();

  return {
    deliverDue,
    wake: () => setImmediate(tick),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await rounds.settled();
      sender.close();
    },
  };
}
