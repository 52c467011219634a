// Webhook endpoints: where a tenant's events are sent. The signing secret is made here, returned
// once (creation, rotation) and stored only encrypted; deliveries are queued by recordEvent and sent
// by the worker (worker.ts).
import type { Actor } from '../auth/actor.ts';
import { CONNECT_PRODUCTION_ONLY } from '../auth/request-errors.ts';
import { InvalidStateError, LimitReachedError, NotFoundError, ValidationError } from '../core/domain-errors.ts';
import { newId } from '../core/ids.ts';
import { optionalText } from '../core/validation.ts';
import type { KeyRing } from '../crypto/key-ring.ts';
import type { TenantDb } from '../db/tenant-scope.ts';
import { ALL_TYPES, isKnownPattern } from '../events/type-patterns.ts';
import { recordChange, webhookEndpointObject } from '../events/public-objects.ts';
import { byKey, placeOfRequest, takeEventOrder, type EventWriter } from '../events/record.ts';
import type { EventType } from '../events/event-types.ts';
import type { WebhookDelivery, WebhookEndpoint } from '../generated/prisma/client.ts';
import { checkOutboundUrl, type AddressPolicy } from '../net/address-guard.ts';
import { livePreviousSecrets, MAX_SIGNING_SECRETS, newWebhookSecret, PREVIOUS_SECRET_MS, sealSecret } from './signing.ts';
import { closeBreaker, refreshQueues } from './queue/due.ts';
import { validPayloadFragment } from './payload-fragment.ts';
import type { GraphQLSchema } from 'graphql';

const MAX_EVENT_TYPES = 100;

/** The pace a receiver may ask for: one send a second at least, and no more than a sender process's. */
const MAX_PACE = 1000;

/** undefined: unchanged; null: no limit. */
function validPace(pace: number | null | undefined, field: string): number | null | undefined {
  if (pace == null) return pace;
  if (!Number.isInteger(pace) || pace < 1 || pace > MAX_PACE) {
    throw new ValidationError(`${field} must be a whole number of deliveries per second from 1 to ${MAX_PACE}, or null for no limit.`, [
      field,
    ]);
  }
  return pace;
}

/** Known event types and `<prefix>.*` patterns, or `*` alone; duplicates dropped. */
function validEventTypes(types: readonly string[], field: string): string[] {
  if (types.length === 0) throw new ValidationError(`${field} must name at least one event type, or "*" for all.`, [field]);
  if (types.length > MAX_EVENT_TYPES) throw new ValidationError(`${field} may name at most ${MAX_EVENT_TYPES} event types.`, [field]);
  const unknown = types.map((type, index) => [type, index] as const).filter(([type]) => !isKnownPattern(type));
  if (unknown.length > 0) {
    throw new ValidationError(
      `${field}: unknown event type ${unknown.map(([type]) => JSON.stringify(type.slice(0, 100))).join(', ')}.`,
      unknown.map(([, index]) => `${field}[${index}]`),
    );
  }
  const unique = [...new Set(types)];
  if (unique.includes(ALL_TYPES) && unique.length > 1)
    throw new ValidationError(`${field}: "*" already means every type; name it alone.`, [field]);
  return unique;
}

export interface IssuedWebhookEndpoint {
  webhookEndpoint: WebhookEndpoint;
  secret: string;
}

export interface CreateWebhookEndpointInput {
  url: URL;
  eventTypes: readonly string[];
  description?: string | null | undefined;
  connect?: boolean | null | undefined;
  maxDeliveriesPerSecond?: number | null | undefined;
  payloadFragment?: string | null | undefined;
}

/**
 * Endpoints a tenant may have (WEBHOOK_ENDPOINTS_PER_TENANT, 20; Stripe allows 16): each one costs
 * every event a fan-out row and the worker a queue, and an endpoint's creation is itself an event to
 * the tenant's other endpoints.
 */
export interface EndpointLimits {
  endpointsPerTenant: number;
}

export async function createWebhookEndpoint(
  db: TenantDb,
  actor: Actor,
  keyRing: KeyRing,
  policy: AddressPolicy,
  limits: EndpointLimits,
  schema: GraphQLSchema,
  input: CreateWebhookEndpointInput,
): Promise<IssuedWebhookEndpoint> {
  const connect = input.connect ?? false;
  if (connect && (actor.actingAs !== null || actor.subAccountId !== null)) {
    throw new ValidationError(
      "input.connect: only a platform's own key makes an endpoint for its connected accounts' events (not while acting for an account, not a sub-account's key).",
      ['input.connect'],
    );
  }
  if (connect && actor.keyScope.environment !== 'PRODUCTION') {
    throw new ValidationError(`input.connect: ${CONNECT_PRODUCTION_ONLY} A sandbox endpoint gets no connected account's events.`, [
      'input.connect',
    ]);
  }
  const eventTypes = validEventTypes(input.eventTypes, 'input.eventTypes');
  const description = optionalText(input.description, 500, 'input.description');
  const maxDeliveriesPerSecond = validPace(input.maxDeliveriesPerSecond, 'input.maxDeliveriesPerSecond') ?? null;
  const payloadFragment = validPayloadFragment(schema, input.payloadFragment, 'input.payloadFragment') ?? null;
  const url = await checkOutboundUrl(input.url, policy, 'input.url');
  const id = newId('WebhookEndpoint');
  const secret = newWebhookSecret();
  const { organizationId, tenantId } = actor.actingScope;
  return db.$transaction(async (tx) => {
    // Counted under the event order lock, which every change to an endpoint takes first: concurrent creations cannot pass the cap together.
    await takeEventOrder(tx);
    if ((await tx.webhookEndpoint.count({ where: { tenantId } })) >= limits.endpointsPerTenant) {
      throw new LimitReachedError(
        `This tenant has ${limits.endpointsPerTenant} webhook endpoints, the most it may have: delete one, or send more event types to an existing one.`,
        limits.endpointsPerTenant,
      );
    }
    const webhookEndpoint = await tx.webhookEndpoint.create({
      data: {
        id,
        // The confined client stamps these (confinement-rules.ts); named here for the types.
        organizationId,
        tenantId,
        actingForAccountId: actor.actingAs?.id ?? null,
        url,
        description,
        eventTypes,
        connect,
        maxDeliveriesPerSecond,
        payloadFragment,
        secretCiphertext: sealSecret(keyRing, { id, tenantId }, secret),
      },
    });
    await recordEndpointEvent(tx, 'webhook_endpoint.created', actor, webhookEndpoint);
    return { webhookEndpoint, secret };
  });
}

/** Records a change to an endpoint (its object never holds a secret). */
function recordEndpointEvent(tx: EventWriter, type: EventType, actor: Actor, after: WebhookEndpoint, before?: WebhookEndpoint) {
  return recordChange(tx, { type, show: webhookEndpointObject, after, before, place: placeOfRequest(actor), actor: byKey(actor) });
}

async function endpointOf(db: Pick<TenantDb, 'webhookEndpoint'>, id: string): Promise<WebhookEndpoint> {
  const endpoint = await db.webhookEndpoint.findUnique({ where: { id } });
  if (!endpoint) throw new NotFoundError(`No webhook endpoint ${id}.`);
  return endpoint;
}

export interface UpdateWebhookEndpointInput {
  url?: URL | null | undefined;
  eventTypes?: readonly string[] | null | undefined;
  description?: string | null | undefined;
  enabled?: boolean | null | undefined;
  /** null: no limit; absent: unchanged. */
  maxDeliveriesPerSecond?: number | null | undefined;
  /** null or empty: payloads as before; absent: unchanged. */
  payloadFragment?: string | null | undefined;
}

/**
 * Changes what is given. `enabled: false` disables it (nothing is queued for it, and what was queued
 * waits); `enabled: true` enables it again with its failure counters reset, and what waited is sent.
 */
export async function updateWebhookEndpoint(
  db: TenantDb,
  actor: Actor,
  policy: AddressPolicy,
  schema: GraphQLSchema,
  id: string,
  input: UpdateWebhookEndpointInput,
): Promise<WebhookEndpoint> {
  const existing = await endpointOf(db, id);
  const eventTypes = input.eventTypes ? validEventTypes(input.eventTypes, 'input.eventTypes') : undefined;
  const description = input.description === undefined ? undefined : optionalText(input.description, 500, 'input.description');
  const maxDeliveriesPerSecond = validPace(input.maxDeliveriesPerSecond, 'input.maxDeliveriesPerSecond');
  const payloadFragment = validPayloadFragment(schema, input.payloadFragment, 'input.payloadFragment');
  const url = input.url ? await checkOutboundUrl(input.url, policy, 'input.url') : undefined;
  const status = input.enabled == null ? undefined : input.enabled ? ('ENABLED' as const) : ('DISABLED' as const);
  const disabling = status === 'DISABLED' && existing.status === 'ENABLED';
  return db.$transaction(async (tx) => {
    await takeEventOrder(tx);
    const updated = await tx.webhookEndpoint.update({
      where: { id: existing.id },
      data: {
        ...(url ? { url } : {}),
        ...(eventTypes ? { eventTypes } : {}),
        ...(description !== undefined ? { description } : {}),
        ...(maxDeliveriesPerSecond !== undefined ? { maxDeliveriesPerSecond } : {}),
        ...(payloadFragment !== undefined ? { payloadFragment } : {}),
        ...(status === 'ENABLED' ? { status, disabledReason: null, failingSince: null, consecutiveFailures: 0 } : {}),
        ...(disabling ? { status, disabledReason: `disabled by ${actor.apiKeyId}` } : {}),
        updatedAt: actor.now,
      },
    });
    await recordEndpointEvent(tx, disabling ? 'webhook_endpoint.disabled' : 'webhook_endpoint.updated', actor, updated, existing);
    // Last, after the event's lock (queue/due.ts): a new address, or an endpoint enabled again, starts with its breaker closed.
    if (url || status === 'ENABLED') await closeBreaker(tx, existing.id);
    await refreshQueues(tx, [existing.id]);
    return updated;
  });
}

/** Deletes it with its queued and past deliveries. */
export async function deleteWebhookEndpoint(db: TenantDb, actor: Actor, id: string): Promise<WebhookEndpoint> {
  const existing = await endpointOf(db, id);
  return db.$transaction(async (tx) => {
    await takeEventOrder(tx);
    await tx.webhookEndpoint.delete({ where: { id: existing.id } });
    await recordEndpointEvent(tx, 'webhook_endpoint.deleted', actor, existing);
    return existing;
  });
}

/**
 * A new secret; the current one goes on signing, as one more signature, for 24 hours, as do those
 * rotated away before it within the last 24 hours (up to MAX_SIGNING_SECRETS at once). With
 * `expirePrevious` (a leak), none of them signs any more.
 */
export async function rotateWebhookEndpointSecret(
  db: TenantDb,
  actor: Actor,
  keyRing: KeyRing,
  id: string,
  { expirePrevious }: { expirePrevious: boolean },
): Promise<IssuedWebhookEndpoint> {
  const secret = newWebhookSecret();
  return db.$transaction(async (tx) => {
    // Read under the event order lock, which every change to an endpoint takes first: of two rotations at once, each keeps the other's secret signing.
    await takeEventOrder(tx);
    const existing = await endpointOf(tx, id);
    const previous = expirePrevious ? [] : livePreviousSecrets(existing.previousSecrets, actor.now);
    if (previous.length + 1 >= MAX_SIGNING_SECRETS) {
      const oldest = previous.at(-1)?.expiresAt ?? '';
      throw new InvalidStateError(
        `Webhook endpoint ${id} has ${previous.length + 1} secrets signing, the most it may have: rotate again after ${oldest}, when the oldest stops, or with expirePrevious to end them now.`,
      );
    }
    const rotatedAway = {
      ciphertext: existing.secretCiphertext,
      expiresAt: new Date(actor.now.getTime() + PREVIOUS_SECRET_MS).toISOString(),
    };
    const webhookEndpoint = await tx.webhookEndpoint.update({
      where: { id: existing.id },
      data: {
        secretCiphertext: sealSecret(keyRing, existing, secret),
        previousSecrets: expirePrevious ? [] : [{ ...rotatedAway }, ...previous.map((kept) => ({ ...kept }))],
        updatedAt: actor.now,
      },
    });
    // The event says a rotation happened (updatedAt), never with which secret.
    await recordEndpointEvent(tx, 'webhook_endpoint.updated', actor, webhookEndpoint, existing);
    return { webhookEndpoint, secret };
  });
}

/** Queues a delivery again, to be sent now (one more attempt after its last). */
export async function redeliverWebhook(db: TenantDb, actor: Actor, deliveryId: string): Promise<WebhookDelivery> {
  const delivery = await db.webhookDelivery.findUnique({ where: { id: deliveryId } });
  if (!delivery) throw new NotFoundError(`No webhook delivery ${deliveryId}.`);
  if (delivery.leasedUntil && delivery.leasedUntil > actor.now) {
    throw new InvalidStateError(`Webhook delivery ${deliveryId} is being sent now.`);
  }
  const queued = await db.webhookDelivery.update({
    where: { id: delivery.id },
    data: { status: 'PENDING', nextAttemptAt: actor.now, leasedUntil: null },
  });
  // After the delivery's commit, in a transaction of its own: its queue is due by then (queue/due.ts's lock order).
  await db.$transaction((tx) => refreshQueues(tx, [delivery.endpointId]));
  return queued;
}

export interface RecoverWebhookDeliveriesInput {
  endpointId: string;
  since: Date;
  until?: Date | null | undefined;
}

/**
 * After a receiver's outage: every FAILED delivery of the endpoint created in [since, until) is
 * queued again now (one more attempt each), sent in event order like any other. Only FAILED ones:
 * a second call, or one while they are being sent, never queues a delivery twice.
 */
export async function recoverWebhookDeliveries(db: TenantDb, actor: Actor, input: RecoverWebhookDeliveriesInput): Promise<number> {
  const endpoint = await endpointOf(db, input.endpointId);
  const until = input.until ?? actor.now;
  if (until <= input.since) throw new ValidationError('input.until must come after input.since.', ['input.until']);
  const { count } = await db.webhookDelivery.updateMany({
    where: { endpointId: endpoint.id, status: 'FAILED', createdAt: { gte: input.since, lt: until } },
    data: { status: 'PENDING', nextAttemptAt: actor.now, leasedUntil: null },
  });
  // After the deliveries' commit, in a transaction of its own, as redeliverWebhook does.
  if (count > 0) await db.$transaction((tx) => refreshQueues(tx, [endpoint.id]));
  return count;
}
