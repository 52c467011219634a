// The one way to record an event: inside the transaction of the change it records (an outbox), so
// an event exists exactly when its change committed. In the same statements it queues a delivery
// for every enabled webhook endpoint that wants it, and notifies the listening processes.
import { newId } from '../core/ids.ts';
import type { Actor } from '../auth/actor.ts';
import type { EventType } from './event-types.ts';
import { patternsMatching } from './type-patterns.ts';
import { endpointReachesSql, type EventColumnsSql } from '../db/event-recipients.ts';
import { ACCOUNTABLE_FOR_ENDPOINT, SENDABLE_ENDPOINT } from '../webhooks/queue/due.ts';

/** Who made the change: an API key, a user (onboarding, consent), or the server itself. */
export type EventActor = { type: 'API_KEY'; id: string } | { type: 'USER'; id: string } | { type: 'SYSTEM' };

/** Where an event belongs, which decides who sees it (confinement-rules.ts) and which endpoints get it. */
export interface EventPlace {
  organizationId: string;
  /** Null for organization-level objects (connected accounts, sub-accounts). */
  tenantId: string | null;
  connectedAccountId: string | null;
  platformOrganizationId: string | null;
}

export interface EventData {
  /** The object's public fields after the change (public-objects.ts): never a secret. */
  object: Record<string, unknown>;
  /** The changed fields as they were before. */
  previous?: Record<string, unknown>;
}

export interface NewEvent {
  type: EventType;
  objectId: string;
  data: EventData;
  place: EventPlace;
  actor: EventActor;
}

/** The PostgreSQL channel every process listens on; the payload is the event's sequence. */
export const EVENTS_CHANNEL = 'connect_events';

/**
 * Any transaction client: the confined one of a service (raw SQL is not confined, and the place is
 * explicit) or an unconfined one (onboarding, the OAuth exchange).
 */
export interface EventWriter {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
}

/**
 * Taken before the insert and held until commit: events commit in the order of their sequence, so
 * a reader that has seen sequence N never sees a smaller one appear later (replay from `after`, and
 * per-endpoint delivery order, rely on it). Held for the end of a transaction only: milliseconds.
 */
const ORDER_LOCK = 'SELECT pg_advisory_xact_lock(7212873465)';

const INSERT_EVENT = `
  INSERT INTO "Event" ("id", "type", "organizationId", "tenantId", "connectedAccountId", "platformOrganizationId",
                       "objectId", "data", "actorType", "actorId")
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::"EventActorType", $10)
  RETURNING "sequence"`;

/**
 * One delivery per endpoint that wants an event (one of its types is among the patterns that match
 * the event's type, $1: type-patterns.ts) and may be sent to (SENDABLE_ENDPOINT: enabled, its
 * account ACTIVE when made while acting, not a DEACTIVATED sub-account's; what happens meanwhile is
 * not queued for it, even after a reactivation). Which endpoint gets what is the one rule of
 * src/db/event-recipients.ts (the SQL function event_reaches), for the endpoint's owner as it made
 * it: a `connect` endpoint the events of the platform's connected accounts (production only); one
 * made while acting for an account that account's tenant; any other its organization's own events
 * in its tenant or at organization level (what a STANDARD grantor's platform changed under the grant
 * included), not those a platform records about its connected accounts.
 * Each endpoint that got one has its queue armed (src/webhooks/queue/due.ts): due now, or when its
 * breaker closes or its pacing step ends. Delivery ids are `whd_` and 22 base62 characters, like
 * every id (random_base62, migration 20261207195537_webhook_pacing_signals_fragments).
 * `events` is where the events come from: the parameters of one, or the rows of a batch.
 */
const queueDeliveries = (events: { from: string; id: string; sequence: string } & EventColumnsSql) => `
  WITH ${events.from}queued AS (
    INSERT INTO "WebhookDelivery" ("id", "endpointId", "eventId", "organizationId", "tenantId", "eventSequence")
    SELECT 'whd_' || random_base62(22), e."id", ${events.id}, e."organizationId", e."tenantId", ${events.sequence}
    FROM ${events.from ? 'batch, ' : ''}"WebhookEndpoint" e
    WHERE e."eventTypes" && $1::text[]
      AND ${SENDABLE_ENDPOINT}
      -- Implied by the rule (every branch wants one of them): lets the endpoints' indexes find the few
      -- candidates, where the rule alone, a function call, would be asked of every endpoint there is.
      AND (e."organizationId" = ${events.organizationId} OR e."organizationId" = ${events.platformOrganizationId}
           OR e."tenantId" = ${events.tenantId})
      AND ${endpointReachesSql(events)}
    RETURNING "endpointId", "nextAttemptAt"
  )
  INSERT INTO "WebhookQueue" ("endpointId", "accountableOrganizationId", "dueAt")
  SELECT e."id", ${ACCOUNTABLE_FOR_ENDPOINT}, min(queued."nextAttemptAt")
  FROM queued JOIN "WebhookEndpoint" e ON e."id" = queued."endpointId"
  GROUP BY e."id"
  ON CONFLICT ("endpointId") DO UPDATE
  SET "dueAt" = GREATEST(LEAST(COALESCE("WebhookQueue"."dueAt", EXCLUDED."dueAt"), EXCLUDED."dueAt"), "WebhookQueue"."openUntil",
                        "WebhookQueue"."pacedUntil")`;

/** For one event: $2 its id, $3 its sequence, $4 to $7 where it belongs. */
const QUEUE_DELIVERIES = queueDeliveries({
  from: '',
  id: '$2',
  sequence: '$3',
  organizationId: '$4',
  platformOrganizationId: '$5',
  tenantId: '$6',
  connectedAccountId: '$7',
});

/** For a batch of events of one type: $2 a JSON array of their ids, sequences and places. */
const QUEUE_BATCH_DELIVERIES = queueDeliveries({
  from: `batch AS (
    SELECT b."id", b."sequence", b."organizationId", b."platformOrganizationId", b."tenantId", b."connectedAccountId"
    FROM jsonb_to_recordset($2::jsonb) AS b("id" text, "sequence" bigint, "organizationId" text, "platformOrganizationId" text,
                                            "tenantId" text, "connectedAccountId" text)
  ),
  `,
  id: 'batch."id"',
  sequence: 'batch."sequence"',
  organizationId: 'batch."organizationId"',
  platformOrganizationId: 'batch."platformOrganizationId"',
  tenantId: 'batch."tenantId"',
  connectedAccountId: 'batch."connectedAccountId"',
});

/** A batch of events of one type, inserted in the order given ($2: a JSON array of their columns). */
const INSERT_EVENTS = `
  INSERT INTO "Event" ("id", "type", "organizationId", "tenantId", "connectedAccountId", "platformOrganizationId",
                       "objectId", "data", "actorType", "actorId")
  SELECT b."id", $1, b."organizationId", b."tenantId", b."connectedAccountId", b."platformOrganizationId",
         b."objectId", b."data", b."actorType"::"EventActorType", b."actorId"
  FROM ROWS FROM (jsonb_to_recordset($2::jsonb) AS ("id" text, "organizationId" text, "tenantId" text, "connectedAccountId" text,
       "platformOrganizationId" text, "objectId" text, "data" jsonb, "actorType" text, "actorId" text)) WITH ORDINALITY
       AS b("id", "organizationId", "tenantId", "connectedAccountId", "platformOrganizationId", "objectId", "data", "actorType",
            "actorId", "position")
  ORDER BY b."position"
  RETURNING "id", "sequence"`;

/**
 * Takes the event order lock now (recordEvent takes it again, harmlessly). A transaction that changes
 * or deletes a webhook endpoint row and then records an event takes it first: recordEvent, holding it,
 * may wait for that endpoint's row (a delivery's foreign key, its queue row), so taking it after the
 * endpoint's row could deadlock (src/webhooks/queue/due.ts states the lock order). Changes to
 * endpoints are thereby one at a time, which their services rely on (the cap, rotations).
 */
export async function takeEventOrder(tx: EventWriter): Promise<void> {
  await tx.$executeRawUnsafe(ORDER_LOCK);
}

export async function recordEvent(tx: EventWriter, event: NewEvent): Promise<{ id: string; sequence: bigint }> {
  const id = newId('Event');
  const { place, actor } = event;
  await takeEventOrder(tx);
  const [row] = await tx.$queryRawUnsafe<{ sequence: bigint }[]>(
    INSERT_EVENT,
    id,
    event.type,
    place.organizationId,
    place.tenantId,
    place.connectedAccountId,
    place.platformOrganizationId,
    event.objectId,
    JSON.stringify(event.data),
    actor.type,
    'id' in actor ? actor.id : null,
  );
  if (!row) throw new Error('the event insert returned no row');
  await tx.$executeRawUnsafe(
    QUEUE_DELIVERIES,
    patternsMatching(event.type),
    id,
    row.sequence,
    place.organizationId,
    place.platformOrganizationId,
    place.tenantId,
    place.connectedAccountId,
  );
  await notifyUpTo(tx, row.sequence);
  return { id, sequence: row.sequence };
}

/** Delivered at commit, and only if it commits: the highest sequence, which says every one up to it committed. */
async function notifyUpTo(tx: EventWriter, sequence: bigint): Promise<void> {
  await tx.$executeRawUnsafe(`SELECT pg_notify('${EVENTS_CHANNEL}', $1)`, String(sequence));
}

/**
 * Events of one type about many objects, as recordEvent would record each, in the order given, in
 * four statements whatever their number: a platform's change to a thousand accounts recorded one
 * event after the other held PGlite's one connection, every tenant's, for 12 s.
 */
export async function recordEvents(tx: EventWriter, type: EventType, events: readonly Omit<NewEvent, 'type'>[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map(({ objectId, data, place, actor }) => ({
    id: newId('Event'),
    ...place,
    objectId,
    data,
    actorType: actor.type,
    actorId: 'id' in actor ? actor.id : null,
  }));
  await takeEventOrder(tx);
  const inserted = await tx.$queryRawUnsafe<{ id: string; sequence: bigint }[]>(INSERT_EVENTS, type, JSON.stringify(rows));
  const sequences = new Map(inserted.map(({ id, sequence }) => [id, sequence]));
  const sequenceOf = (id: string) => {
    const sequence = sequences.get(id);
    if (sequence === undefined) throw new Error('an event insert returned no row');
    return String(sequence);
  };
  const batch = rows.map(({ id, organizationId, platformOrganizationId, tenantId, connectedAccountId }) => ({
    id,
    sequence: sequenceOf(id),
    organizationId,
    platformOrganizationId,
    tenantId,
    connectedAccountId,
  }));
  await tx.$executeRawUnsafe(QUEUE_BATCH_DELIVERIES, patternsMatching(type), JSON.stringify(batch));
  // Sequences are bigints, which Math.max does not take.
  let highest = 0n;
  for (const { sequence } of inserted) if (sequence > highest) highest = sequence;
  await notifyUpTo(tx, highest);
}

/** The request's key as the actor of what it changes. */
export const byKey = (actor: Pick<Actor, 'apiKeyId'>): EventActor => ({ type: 'API_KEY', id: actor.apiKeyId });

/**
 * Where a request's own changes belong: the tenant it acts in, and when it acts for a connected
 * account, that account (its platform sees the event).
 */
export function placeOfRequest(actor: Pick<Actor, 'actingScope' | 'actingAs'>): EventPlace {
  return {
    organizationId: actor.actingScope.organizationId,
    tenantId: actor.actingScope.tenantId,
    connectedAccountId: actor.actingAs?.id ?? null,
    platformOrganizationId: actor.actingAs?.platformOrganizationId ?? null,
  };
}

/**
 * Where a change to an organization-level object (a sub-account) belongs: with that organization,
 * in no tenant; when the request acts for a connected account, its platform sees it too.
 */
export function placeOfOrganizationObject(organizationId: string, actor: Pick<Actor, 'actingAs'>): EventPlace {
  return {
    organizationId,
    tenantId: null,
    connectedAccountId: actor.actingAs?.id ?? null,
    platformOrganizationId: actor.actingAs?.platformOrganizationId ?? null,
  };
}

/** Where an event about a connected account belongs: with its platform, about that account. */
export function placeOfAccount(account: { id: string; platformOrganizationId: string }): EventPlace {
  return {
    organizationId: account.platformOrganizationId,
    tenantId: null,
    connectedAccountId: account.id,
    platformOrganizationId: account.platformOrganizationId,
  };
}
