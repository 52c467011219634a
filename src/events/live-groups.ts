// How live events are read for the streams of `subscription { events }` (live.ts holds the hub
// around it: the LISTEN, the limits, the endings). Each stream used to read on its own at each
// event: 200 streams of one key were 200 reads per event (p99 1.3 s, docs/reliability.md). Now the
// streams of one confinement scope form a group, and the group reads for them all: one read per
// scope and batch of events.
//
// - The group key is the stream's confined client itself (OpenSubscription.db), by identity.
//   Streams share a read only when they hold the very same client object, so the group's read is
//   exactly the read each of them would have made (less its `types`, applied in memory): what a
//   stream receives is still what its caller's `events` shows. Clients are built once per scope and
//   kept (tenant-scope.ts, transaction-turns.ts), so the streams of one scope hold one; should two
//   objects exist for one scope, that makes two groups, never a shared one across scopes.
// - Each stream keeps its own cursor: the last sequence it dealt with. The group reads after the
//   lowest cursor of its members and hands an event to each member it is past, if of its types. A
//   stream that replays (`after`) or fell behind reads alone, its `types` in the query, at its own
//   pace, until one of its reads comes back short of a batch: it is then within one read of the
//   present, and joins.
// - Back-pressure: a group never waits for a client. A member with MAX_UNTAKEN events handed to it
//   and not yet taken by its client leaves the group at the next event it should get, and goes on
//   alone from there, one push at a time: a slow client holds at most MAX_UNTAKEN events (the
//   rows themselves are shared with the other members) and never slows the others.
// - Never a gap: events commit in sequence order (record.ts), so a read after a cursor sees every
//   event past it that will ever exist up to the last one it returns, and, when it returns less
//   than a batch, up to the notified high-water mark taken before it started.
import type { TenantDb } from '../db/tenant-scope.ts';
import type { Event } from '../generated/prisma/client.ts';

/** Events read per query; a stream or group that is behind reads batch after batch. */
export const BATCH = 100;
/**
 * Reads in flight at once, across the process's groups and lone streams. Under a burst, a read
 * that waits for its turn gathers every event committed meanwhile, and the database keeps room for
 * the writes (PGlite has a single connection).
 */
const CONCURRENT_READS = 4;
/** Events a member may have been handed and its client not yet taken, before it goes on alone. */
export const MAX_UNTAKEN = 4 * BATCH;

/** Rung when there may be something to do; `wait` returns at once while it is rung, until `clear`. */
class Bell {
  private rung = false;
  private waiter: (() => void) | null = null;

  ring(): void {
    this.rung = true;
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }

  clear(): void {
    this.rung = false;
  }

  async wait(): Promise<void> {
    while (!this.rung) {
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }
}

/** What the groups and lone streams of one hub share. */
interface Shared {
  groups: Map<TenantDb, Group>;
  /** Streams reading on their own, woken by every notification. */
  alone: Set<Stream>;
  inTurn<T>(read: () => Promise<T>): Promise<T>;
  notified(): bigint;
}

interface Read {
  /** The notified high-water mark when the read started. */
  known: bigint;
  batch: Event[];
}

/** Runs a read when fewer than `limit` are in flight, first come first served. */
function readTurns(limit: number) {
  let reading = 0;
  const turns: (() => void)[] = [];
  return async <T>(read: () => Promise<T>): Promise<T> => {
    if (reading >= limit) await new Promise<void>((resolve) => turns.push(resolve));
    else reading += 1;
    try {
      return await read();
    } finally {
      const next = turns.shift();
      if (next) next();
      else reading -= 1;
    }
  };
}

/** The streams of one confined client, and the loop that reads for them. */
class Group {
  readonly members = new Set<Stream>();
  private readonly bell = new Bell();

  constructor(
    private readonly db: TenantDb,
    private readonly shared: Shared,
    first: Stream,
  ) {
    this.add(first);
    void this.run();
  }

  add(stream: Stream): void {
    this.members.add(stream);
    // Its cursor may be below the others': the next read starts there.
    this.bell.ring();
  }

  remove(stream: Stream): void {
    this.members.delete(stream);
    if (this.members.size > 0) return;
    // Gone from the map at once: a stream of this client that comes next starts a new group.
    if (this.shared.groups.get(this.db) === this) this.shared.groups.delete(this.db);
    this.bell.ring();
  }

  wake(): void {
    this.bell.ring();
  }

  private async run(): Promise<void> {
    while (this.members.size > 0) {
      await this.bell.wait();
      // The members when the read starts: one that joins meanwhile is served by the next read.
      const readers = [...this.members];
      const [first] = readers;
      if (!first) return;
      // After the lowest cursor (bigints: no Math.min).
      let from = first.cursor;
      for (const { cursor } of readers) if (cursor < from) from = cursor;
      let read: Read;
      try {
        read = await this.shared.inTurn(async () => {
          // Whatever rings from here on is read by this read, or the next one.
          this.bell.clear();
          const known = this.shared.notified();
          const batch = await this.db.event.findMany({ where: { sequence: { gt: from } }, orderBy: { sequence: 'asc' }, take: BATCH });
          return { known, batch };
        });
      } catch (error) {
        for (const reader of readers) if (reader.group === this) reader.fail(error);
        continue;
      }
      // A reader that left meanwhile (ended, or gone on alone) gets nothing more from the group.
      for (const event of read.batch) for (const reader of readers) if (reader.group === this) reader.offer(event);
      if (read.batch.length === BATCH) this.bell.ring();
      else for (const reader of readers) if (reader.group === this) reader.caughtUpTo(read.known);
    }
  }
}

export interface StreamOptions {
  db: TenantDb;
  /** Only these types; null for all. */
  types: readonly string[] | null;
  /** The last event already sent, or the present (the latest event visible when it opened). */
  cursor: bigint;
  /**
   * The cursor is the present: no `after`, and nothing notified since the starting point was read.
   * The stream joins its group at once. Otherwise it reads alone first: a replay, or a stream whose
   * first read came late (a Repeater starts when first read), would make its group read it all.
   */
  atPresent: boolean;
  /** Hands an event to the client; settles when the client took it (or the stream stopped). */
  push(event: Event): PromiseLike<unknown>;
}

/** One subscription's reading, alone or in its group. */
export class Stream {
  group: Group | null = null;
  cursor: bigint;
  private readonly db: TenantDb;
  private readonly types: ReadonlySet<string> | null;
  private readonly typeFilter: { type?: { in: string[] } };
  private readonly push: StreamOptions['push'];
  private readonly atPresent: boolean;
  private readonly bell = new Bell();
  /** Pushes made by its group that its client has not taken yet, and the last of them. */
  private untaken = 0;
  private lastPush: PromiseLike<unknown> = Promise.resolve();
  private ended = false;
  private failure: { error: unknown } | null = null;

  constructor(
    private readonly shared: Shared,
    options: StreamOptions,
  ) {
    this.db = options.db;
    this.cursor = options.cursor;
    this.types = options.types ? new Set(options.types) : null;
    this.typeFilter = options.types ? { type: { in: [...options.types] } } : {};
    this.push = options.push;
    this.atPresent = options.atPresent;
  }

  /** Reads and pushes until `end()`; throws what a read threw. */
  async run(): Promise<void> {
    if (this.ended) return;
    if (this.atPresent) this.join();
    else this.goAlone();
    try {
      for (;;) {
        await this.bell.wait();
        if (this.failure) throw this.failure.error;
        if (this.ended) return;
        if (this.group) {
          this.bell.clear();
          continue;
        }
        // Left its group behind a slow client: what the group handed it is taken first.
        await this.lastPush;
        if (this.ended) return;
        await this.readAlone();
      }
    } finally {
      this.leaveGroup();
      this.shared.alone.delete(this);
    }
  }

  end(): void {
    this.ended = true;
    this.leaveGroup();
    this.bell.ring();
  }

  /** By its group: the group's read failed. */
  fail(error: unknown): void {
    this.failure = { error };
    this.leaveGroup();
    this.bell.ring();
  }

  /** By its group, for each event of its reads in order: pushed if past the cursor and of its types. */
  offer(event: Event): void {
    if (event.sequence <= this.cursor) return;
    if (this.types && !this.types.has(event.type)) {
      this.cursor = event.sequence;
      return;
    }
    if (this.untaken >= MAX_UNTAKEN) {
      // Too far behind: it reads on alone from here (the cursor stays before this event).
      this.goAlone();
      return;
    }
    this.cursor = event.sequence;
    this.untaken += 1;
    this.lastPush = this.push(event).then(() => {
      this.untaken -= 1;
    });
  }

  /** By its group, after a read short of a batch: nothing it may see exists up to `known` beyond what it got. */
  caughtUpTo(known: bigint): void {
    if (known > this.cursor) this.cursor = known;
  }

  /** Woken by a notification while reading alone. */
  wake(): void {
    this.bell.ring();
  }

  private async readAlone(): Promise<void> {
    const { known, batch } = await this.shared.inTurn(async (): Promise<Read> => {
      this.bell.clear();
      const known = this.shared.notified();
      const batch = await this.db.event.findMany({
        where: { sequence: { gt: this.cursor }, ...this.typeFilter },
        orderBy: { sequence: 'asc' },
        take: BATCH,
      });
      return { known, batch };
    });
    for (const event of batch) {
      if (this.ended) return;
      this.cursor = event.sequence;
      await this.push(event);
    }
    if (this.ended) return;
    if (batch.length === BATCH) return this.bell.ring();
    if (known > this.cursor) this.cursor = known;
    // Within one read of the present: its group reads for it from here.
    this.join();
  }

  private join(): void {
    const group = this.shared.groups.get(this.db);
    if (group) group.add(this);
    this.group = group ?? new Group(this.db, this.shared, this);
    if (!group) this.shared.groups.set(this.db, this.group);
    this.shared.alone.delete(this);
    this.bell.clear();
  }

  private goAlone(): void {
    this.leaveGroup();
    this.shared.alone.add(this);
    this.bell.ring();
  }

  private leaveGroup(): void {
    const group = this.group;
    this.group = null;
    group?.remove(this);
  }
}

/** The reading side of a hub: its groups, its lone streams, the notified high-water mark. */
export function liveReads() {
  let notified = 0n;
  const shared: Shared = {
    groups: new Map(),
    alone: new Set(),
    inTurn: readTurns(CONCURRENT_READS),
    notified: () => notified,
  };
  const wakeAll = () => {
    for (const group of shared.groups.values()) group.wake();
    for (const stream of shared.alone) stream.wake();
  };
  return {
    /** A stream to `run()` until `end()`. */
    stream: (options: StreamOptions) => new Stream(shared, options),
    /**
     * Something committed, up to `sequence` when the notification says so. Events commit in sequence
     * order, so once N is notified every event up to N that will ever exist has committed: a read
     * that started after it saw them all, and may move its cursors up to N even when none were for them.
     */
    notify(sequence: bigint | null): void {
      if (sequence !== null && sequence > notified) notified = sequence;
      wakeAll();
    },
    /** Read again, everyone (after a lost LISTEN). */
    wakeAll,
    /** The notified high-water mark. */
    notified: () => notified,
    /** Groups reading now: for the tests. */
    groups: () => shared.groups.size,
  };
}
