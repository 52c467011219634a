// How many database transactions one accountable organization (./api-key-authentication.ts) may have
// open at once in a process. A transaction holds a connection of the pool until it ends, and one that
// records an event waits for the event order lock (src/events/record.ts), which every event of every
// tenant takes in turn: an outsider's probe at 120 events a second, under its rate ceiling, kept 8 or
// 9 of the 10 connections waiting on that lock, and another organization's `viewer` went from 5 to
// 320 ms. Past the limit a transaction waits for its turn before it takes a connection, first come
// first served; past a bounded line it is refused (429 RATE_LIMITED). Only transactions wait: a
// provider's check, outside any, holds no turn. Every client a request holds takes them: its
// confined client and the cross-tenant ones (an outsider's probe flooded sub-account key rotations,
// which ran on the unconfined client, and filled the pool again).
import { recentlyUsed } from '../core/recently-used.ts';
import { RateLimitExceededError } from './rate-limits.ts';

/** Transactions that may wait for a turn, per organization, beyond those open. */
const WAITING_PER_ORGANIZATION = 64;

type Release = () => void;

/** A client that opens transactions: a request's confined client, or the unconfined one of a cross-tenant flow. */
interface Transactional {
  $transaction: (...args: never[]) => unknown;
}

export interface TransactionTurns {
  /** The client, its transactions taken in the organization's turns. */
  of<Client extends Transactional>(db: Client, accountableOrganizationId: string): Client;
}

export function transactionTurns(perOrganization: number): TransactionTurns {
  const open = new Map<string, number>();
  const waiting = new Map<string, (() => void)[]>();

  const release = (key: string) => {
    const line = waiting.get(key);
    const next = line?.shift();
    if (line?.length === 0) waiting.delete(key);
    if (next) return next(); // the turn passes on: the count stays
    const left = (open.get(key) ?? 1) - 1;
    if (left === 0) open.delete(key);
    else open.set(key, left);
  };

  function take(key: string): Promise<Release> {
    const done = () => release(key);
    if ((open.get(key) ?? 0) < perOrganization) {
      open.set(key, (open.get(key) ?? 0) + 1);
      return Promise.resolve(done);
    }
    const line = waiting.get(key) ?? [];
    if (line.length >= WAITING_PER_ORGANIZATION) {
      return Promise.reject(new RateLimitExceededError(1, 'Too many transactions of this organization at once: retry in 1 s.'));
    }
    waiting.set(key, line);
    return new Promise<Release>((resolve) => line.push(() => resolve(done)));
  }

  async function inTurn<T>(key: string, transaction: () => Promise<T>): Promise<T> {
    const done = await take(key);
    try {
      return await transaction();
    } finally {
      done();
    }
  }

  /**
   * One wrapper per client and organization, made once: a request's `db` is then the same object as
   * every other request's of the same scope, and the `events` subscription groups its streams by that
   * identity (src/events/live-groups.ts). It holds nothing of the request.
   */
  const wrapped = new WeakMap<Transactional, Map<string, Transactional>>();
  // The unscoped client is wrapped once per organization that writes through it: bounded, like the
  // confined clients (a wrapper that goes only costs a new group to the streams that come after).
  const MAX_WRAPPERS_PER_CLIENT = 1_000;
  function wrap<Client extends Transactional>(db: Client, key: string): Client {
    return new Proxy(db, {
      get(target, property) {
        if (property !== '$transaction') return Reflect.get(target, property, target);
        return (...args: never[]) => inTurn(key, async () => target.$transaction(...args));
      },
    });
  }

  return {
    of<Client extends Transactional>(db: Client, key: string): Client {
      let byOrganization = wrapped.get(db);
      if (!byOrganization) {
        byOrganization = new Map();
        wrapped.set(db, byOrganization);
      }
      return recentlyUsed(byOrganization, key, MAX_WRAPPERS_PER_CLIENT, () => wrap(db, key)) as Client;
    },
  };
}
