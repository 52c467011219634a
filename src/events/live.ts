// Live events for subscriptions: one LISTEN on `connect_events` per process. A notification only
// says "something committed"; the streams then read, through their callers' confined clients (the
// Event rule, src/db/confinement-rules.ts), the events after the last one each sent, in sequence
// order: the streams of one confinement scope in one shared read, a stream that replays or fell
// behind on its own (live-groups.ts). recordEvent commits events in sequence order (record.ts), so
// reading "after the last one sent" never skips one, and nothing depends on a notification
// arriving: after a lost LISTEN connection comes back, every stream reads again and catches up.
import { GraphQLError } from 'graphql';
import { Repeater } from 'graphql-yoga';
import { AUTH_CHANNEL, authChangeOf } from '../auth/caller-caches.ts';
import { requestError, serviceUnavailable } from '../auth/request-errors.ts';
import { typeOfId } from '../core/ids.ts';
import type { Logger } from '../core/logger.ts';
import type { Database } from '../db/database.ts';
import type { LiveEvents, OpenSubscription } from '../graphql/live-events.ts';
import type { Event } from '../generated/prisma/client.ts';
import { liveReads } from './live-groups.ts';
import { EVENTS_CHANNEL } from './record.ts';

interface Subscriber {
  credentials: OpenSubscription['credentials'];
  end(error: GraphQLError): void;
}

const tooManySubscriptions = (limit: number, whose: 'API key' | 'organization') =>
  requestError('TOO_MANY_SUBSCRIPTIONS', 429, `This ${whose} already has ${limit} open subscriptions: close one first.`, { limit });

/** Open subscriptions per key, or per organization: counts that give a slot back when a stream ends. */
function openCounts(limit: number, whose: 'API key' | 'organization') {
  const open = new Map<string, number>();
  let total = 0;
  return {
    total: () => total,
    reserve(key: string): () => void {
      const count = open.get(key) ?? 0;
      if (count >= limit) throw tooManySubscriptions(limit, whose);
      open.set(key, count + 1);
      total += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        total -= 1;
        const left = (open.get(key) ?? 1) - 1;
        if (left > 0) open.set(key, left);
        else open.delete(key);
      };
    },
  };
}

const shuttingDown = () => serviceUnavailable('The server is shutting down: reconnect, with `after` set to the last event received.');

const credentialsChanged = () =>
  new GraphQLError('The API key, or the connected account it acts for, changed: reconnect, with `after` set to the last event received.', {
    extensions: { code: 'CREDENTIALS_CHANGED' },
  });

/**
 * `after` names no event this key may see. The id is quoted back only in an event id's shape (`evt_`
 * and at most 64 base62 characters): a client's 10,000 characters were once echoed whole.
 */
const unknownEvent = (after: string) =>
  new GraphQLError(
    isEventId(after)
      ? `No event ${after} is visible to this API key: resume from an event it received.`
      : 'The `after` id is not an event id: resume from an event this API key received.',
    { extensions: { code: 'NOT_FOUND', http: { status: 404 } } },
  );

const isEventId = (id: string) => typeOfId(id) === 'Event';

export async function startLiveEvents(
  database: Pick<Database, 'listen' | 'prisma'>,
  options: { maxPerKey: number; maxPerOrganization: number; log: Logger },
): Promise<LiveEvents> {
  const subscribers = new Set<Subscriber>();
  const reads = liveReads();
  let deaf = false;
  let stopped = false;

  const unlisten = await database.listen(EVENTS_CHANNEL, {
    message(payload) {
      reads.notify(/^\d+$/.test(payload) ? BigInt(payload) : null);
    },
    listening(up) {
      if (!up) {
        deaf = true;
        options.log.warn('live events: LISTEN connection lost; subscriptions catch up when it is back');
        return;
      }
      // Back after a loss: whatever committed meanwhile is read now.
      if (deaf) reads.wakeAll();
      deaf = false;
    },
  });

  // Whoever is subscribed stays authorized only while nothing about its key or account changed.
  let watchingCredentials = false;
  const endWhere = (matches: (subscriber: Subscriber) => boolean) => {
    for (const subscriber of subscribers) if (matches(subscriber)) subscriber.end(credentialsChanged());
  };
  /**
   * Any change to an account ends the streams acting for it, unless the account is still the row they
   * were authorized with: the notification of a change committed just before a stream opened (its
   * activation, say) arrives after it, and must not end it. Read once per notification; unreadable, or
   * changed in any column since (a person with psql included), the streams end.
   */
  async function endWhereAccountChanged(accountId: string): Promise<void> {
    const acting = [...subscribers].filter((subscriber) => subscriber.credentials.actingForAccountId === accountId);
    if (acting.length === 0) return;
    const now = await database.prisma.connectedAccount.findUnique({ where: { id: accountId } }).then(
      (row) => (row ? JSON.stringify(row) : null),
      () => null,
    );
    for (const subscriber of acting) if (now === null || now !== subscriber.credentials.actingAsRow) subscriber.end(credentialsChanged());
  }

  const unwatch = await database.listen(AUTH_CHANNEL, {
    message(payload) {
      const { kind, id } = authChangeOf(payload);
      // A session's stream watches its secret's hash as a key's does (the session is revoked, or its key).
      if (kind === 'key' || kind === 'session') endWhere((subscriber) => subscriber.credentials.keyHash === id);
      else if (kind === 'account') void endWhereAccountChanged(id);
      else if (kind === 'origins') endWhere((subscriber) => subscriber.credentials.sessionPlatformId === id);
    },
    listening(up) {
      watchingCredentials = up;
      // A revocation may pass unseen while deaf: nobody stays subscribed on credentials not watched.
      if (!up) endWhere(() => true);
    },
  });

  const perKey = openCounts(options.maxPerKey, 'API key');
  // Every event woke every stream of the process, and their reads shared one line: an outsider's
  // probe with 3,000 streams of one organization (50 keys, 3 tenants) slowed another organization's
  // stream from 8 ms to 1 s. The streams of a scope now share their reads (live-groups.ts), but each
  // still costs its replay, its lone reads when it falls behind, and its own execution of each event.
  const perOrganization = openCounts(options.maxPerOrganization, 'organization');

  function reserve({ apiKeyId, accountableOrganizationId }: OpenSubscription): () => void {
    const releaseOrganization = perOrganization.reserve(accountableOrganizationId);
    try {
      const releaseKey = perKey.reserve(apiKeyId);
      return () => {
        releaseKey();
        releaseOrganization();
      };
    } catch (error) {
      releaseOrganization();
      throw error;
    }
  }

  async function startingPoint({ db, after }: OpenSubscription): Promise<bigint> {
    if (after !== null) {
      // Anything but an event id's shape names no event: refused without a lookup.
      const event = isEventId(after) ? await db.event.findUnique({ where: { id: after }, select: { sequence: true } }) : null;
      if (!event) throw unknownEvent(after);
      return event.sequence;
    }
    const latest = await db.event.findFirst({ orderBy: { sequence: 'desc' }, select: { sequence: true } });
    return latest?.sequence ?? 0n;
  }

  async function open(subscription: OpenSubscription): Promise<AsyncIterableIterator<Event>> {
    if (stopped || !watchingCredentials) throw shuttingDown();
    const release = reserve(subscription);
    const notifiedAtOpen = reads.notified();
    let cursor: bigint;
    try {
      cursor = await startingPoint(subscription);
    } catch (error) {
      release();
      throw error;
    }
    const { db, types, after } = subscription;

    const events = new Repeater<Event>(async (push, stop) => {
      const atPresent = after === null && reads.notified() === notifiedAtOpen;
      const stream = reads.stream({ db, types, cursor, atPresent, push });
      const subscriber: Subscriber = { credentials: subscription.credentials, end: (error) => stop(error) };
      void stop.then(() => stream.end());
      subscribers.add(subscriber);
      // A session's stream lasts no longer than the session (30 minutes at most).
      const endsInMs = subscription.credentials.endsInMs;
      const expiry = endsInMs != null ? setTimeout(() => stop(credentialsChanged()), Math.max(0, endsInMs)) : null;
      try {
        await stream.run();
      } catch (error) {
        options.log.warn(
          { err: { type: (error as Error).name, message: (error as Error).message } },
          'live events: a subscription failed to read',
        );
        stop(
          new GraphQLError('Events could not be read: reconnect with `after` set to the last event received.', {
            extensions: { code: 'SERVICE_UNAVAILABLE' },
          }),
        );
      } finally {
        if (expiry) clearTimeout(expiry);
        subscribers.delete(subscriber);
        release();
      }
    });

    // Returned before its first read, a Repeater never runs its executor: release here too.
    const iterator: AsyncIterableIterator<Event> = {
      [Symbol.asyncIterator]: () => iterator,
      next: () => events.next(),
      return: (value?: unknown) => {
        release();
        return events.return(value as never);
      },
      throw: (error?: unknown) => {
        release();
        return events.throw(error);
      },
    };
    return iterator;
  }

  let stopping: Promise<void> | null = null;
  return {
    open,
    size: () => perKey.total(),
    stop() {
      stopping ??= (async () => {
        stopped = true;
        // The server is going away: the clients reconnect (to another process) and resume with `after`.
        for (const subscriber of subscribers) subscriber.end(shuttingDown());
        await Promise.all([unlisten(), unwatch()]);
      })();
      return stopping;
    },
  };
}
