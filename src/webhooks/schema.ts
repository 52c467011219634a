// GraphQL for webhooks: endpoints (the secret shown on creation and rotation only), their delivery
// log, and redelivery. Rules are in service.ts; sending is the worker's (worker.ts).
import { WebhookDeliveryStatus, WebhookEndpointStatus } from '../generated/prisma/enums.ts';
import type { WebhookDelivery, WebhookEndpoint } from '../generated/prisma/client.ts';
import { InvalidStateError, LimitReachedError, NotFoundError, ValidationError } from '../core/domain-errors.ts';
import { builder } from '../graphql/builder.ts';
import { actorOf } from '../graphql/context.ts';
import { addressPolicyOf } from '../net/address-guard.ts';
import { eventCatalog, type EventTypeEntry } from '../events/catalog.ts';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  recoverWebhookDeliveries,
  redeliverWebhook,
  rotateWebhookEndpointSecret,
  updateWebhookEndpoint,
} from './service.ts';

const WebhookEndpointStatusEnum = builder.enumType(WebhookEndpointStatus, { name: 'WebhookEndpointStatus' });
const WebhookDeliveryStatusEnum = builder.enumType(WebhookDeliveryStatus, { name: 'WebhookDeliveryStatus' });

const WebhookEndpointType = builder.prismaNode('WebhookEndpoint', {
  id: { field: 'id' },
  description:
    'Where events are sent, signed by the Standard Webhooks specification. Its secret is never shown after creation or rotation.',
  fields: (t) => ({
    url: t.exposeString('url'),
    description: t.exposeString('description', { nullable: true }),
    eventTypes: t.exposeStringList('eventTypes', {
      description: 'The event types it receives: names, `<prefix>.*` patterns, or `*` for all.',
    }),
    connect: t.exposeBoolean('connect', { description: "true: the events of the platform's connected accounts instead of its own." }),
    status: t.expose('status', { type: WebhookEndpointStatusEnum }),
    payloadFragment: t.exposeString('payloadFragment', {
      nullable: true,
      description: "Shapes `data.object` for this endpoint: a fragment on the event object's type.",
    }),
    maxDeliveriesPerSecond: t.exposeInt('maxDeliveriesPerSecond', {
      nullable: true,
      description: 'At most this many deliveries a second to this endpoint; null: no limit.',
    }),
    disabledReason: t.exposeString('disabledReason', {
      nullable: true,
      description: 'Why it is DISABLED: by a key, or by failing deliveries.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const WebhookDeliveryType = builder.prismaNode('WebhookDelivery', {
  id: { field: 'id' },
  description: 'One event sent to one endpoint: retried with backoff until delivered, or FAILED after the last attempt.',
  fields: (t) => ({
    eventId: t.exposeID('eventId'),
    endpointId: t.exposeID('endpointId'),
    status: t.expose('status', { type: WebhookDeliveryStatusEnum }),
    attempts: t.exposeInt('attempts'),
    lastAttemptAt: t.expose('lastAttemptAt', { type: 'DateTime', nullable: true }),
    nextAttemptAt: t.expose('nextAttemptAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it is tried next; null once DELIVERED or FAILED.',
    }),
    lastResponseStatus: t.exposeInt('lastResponseStatus', {
      nullable: true,
      description: "The receiver's HTTP status at the last attempt.",
    }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'Why the last attempt failed.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const WebhookEventTypeRef = builder.objectRef<EventTypeEntry>('WebhookEventType').implement({
  description: 'One event type: what it means, the JSON Schema of its `data.object`, and an example event.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'e.g. `connected_account.activated`.' }),
    description: t.exposeString('description'),
    schema: t.field({ type: 'JSONObject', description: 'JSON Schema (2020-12) of `data.object`.', resolve: (entry) => entry.schema }),
    example: t.field({
      type: 'JSONObject',
      description: 'An event of this type, as a receiver gets it.',
      resolve: (entry) => entry.example,
    }),
  }),
});

builder.queryField('webhookEventTypes', (t) =>
  t.field({
    type: [WebhookEventTypeRef],
    description: "Every event type, to choose `eventTypes` from and to generate a receiver's types with.",
    resolve: () => [...eventCatalog],
  }),
);

builder.queryField('webhookEndpoints', (t) =>
  t.prismaConnection(
    {
      type: 'WebhookEndpoint',
      cursor: 'id',
      description: "The acting tenant's webhook endpoints, newest first.",
      resolve: (query, _root, _args, context) =>
        context.db.webhookEndpoint.findMany({ ...query, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
      totalCount: (_connection, _args, context) => context.db.webhookEndpoint.count(),
    },
    {},
  ),
);

builder.queryField('webhookEndpoint', (t) =>
  t.prismaField({
    type: WebhookEndpointType,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, context) => context.db.webhookEndpoint.findUnique({ ...query, where: { id } }),
  }),
);

const WebhookDeliveryFilter = builder.inputType('WebhookDeliveryFilter', {
  fields: (t) => ({ status: t.field({ type: [WebhookDeliveryStatusEnum], required: false, description: 'Any of these.' }) }),
});

builder.queryField('webhookDeliveries', (t) =>
  t.prismaConnection(
    {
      type: 'WebhookDelivery',
      cursor: 'id',
      description: "An endpoint's deliveries, newest event first.",
      args: {
        endpointId: t.arg.id({ required: true }),
        filter: t.arg({ type: WebhookDeliveryFilter, required: false }),
      },
      resolve: (query, _root, { endpointId, filter }, context) =>
        context.db.webhookDelivery.findMany({
          ...query,
          where: { endpointId, ...(filter?.status ? { status: { in: filter.status } } : {}) },
          orderBy: [{ eventSequence: 'desc' }, { id: 'desc' }],
        }),
      totalCount: (_connection, { endpointId, filter }, context) =>
        context.db.webhookDelivery.count({ where: { endpointId, ...(filter?.status ? { status: { in: filter.status } } : {}) } }),
    },
    {},
  ),
);

const EndpointWithSecret = (name: string) =>
  builder.objectRef<{ webhookEndpoint: WebhookEndpoint; secret: string }>(name).implement({
    fields: (t) => ({
      webhookEndpoint: t.expose('webhookEndpoint', { type: WebhookEndpointType }),
      secret: t.exposeString('secret', { description: '`whsec_…`: the signing secret, shown here and nowhere else.' }),
    }),
  });

const EndpointOnly = (name: string) =>
  builder.objectRef<{ webhookEndpoint: WebhookEndpoint }>(name).implement({
    fields: (t) => ({ webhookEndpoint: t.expose('webhookEndpoint', { type: WebhookEndpointType }) }),
  });

const FRAGMENT_DESCRIPTION =
  "A GraphQL fragment on the event object's type (`fragment on ConnectedAccount { id status }`), checked against the schema: at delivery it runs on the object as it is then, with what the endpoint's owner may read, and its result replaces `data.object`.";

const PACE_DESCRIPTION = 'At most this many deliveries a second (1 to 1000), for a small receiver.';

const CreateWebhookEndpointInput = builder.inputType('CreateWebhookEndpointInput', {
  fields: (t) => ({
    url: t.field({ type: 'URL', required: true, description: 'https (http only for localhost outside production).' }),
    eventTypes: t.stringList({
      required: true,
      description: 'Event types, `<prefix>.*` patterns (`connected_account.*`), or `["*"]` for all.',
    }),
    description: t.string({ required: false }),
    connect: t.boolean({
      required: false,
      description: "true: the events of the platform's connected accounts (a platform's own key only).",
    }),
    maxDeliveriesPerSecond: t.int({ required: false, description: PACE_DESCRIPTION }),
    payloadFragment: t.string({ required: false, description: FRAGMENT_DESCRIPTION }),
  }),
});

builder.mutationField('createWebhookEndpoint', (t) =>
  t.field({
    type: EndpointWithSecret('CreateWebhookEndpointPayload'),
    description:
      'An endpoint of the acting tenant; its signing secret is in this payload only. A tenant has at most WEBHOOK_ENDPOINTS_PER_TENANT (20 by default): LIMIT_REACHED past it.',
    errors: { types: [ValidationError, LimitReachedError] },
    args: { input: t.arg({ type: CreateWebhookEndpointInput, required: true }) },
    resolve: (_root, { input }, context, info) =>
      createWebhookEndpoint(
        context.db,
        actorOf(context),
        context.keyRing,
        addressPolicyOf(context.config),
        context.config.webhookLimits,
        info.schema,
        input,
      ),
  }),
);

const UpdateWebhookEndpointInput = builder.inputType('UpdateWebhookEndpointInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    url: t.field({ type: 'URL', required: false }),
    eventTypes: t.stringList({ required: false }),
    description: t.string({ required: false, description: 'Empty clears it.' }),
    enabled: t.boolean({ required: false, description: 'false disables it; true enables it again, its failure count reset.' }),
    maxDeliveriesPerSecond: t.int({ required: false, description: `${PACE_DESCRIPTION} null removes the limit.` }),
    payloadFragment: t.string({ required: false, description: `${FRAGMENT_DESCRIPTION} null or empty removes it.` }),
  }),
});

builder.mutationField('updateWebhookEndpoint', (t) =>
  t.field({
    type: EndpointOnly('UpdateWebhookEndpointPayload'),
    errors: { types: [ValidationError, NotFoundError] },
    args: { input: t.arg({ type: UpdateWebhookEndpointInput, required: true }) },
    resolve: async (_root, { input: { id, ...changes } }, context, info) => ({
      webhookEndpoint: await updateWebhookEndpoint(context.db, actorOf(context), addressPolicyOf(context.config), info.schema, id, changes),
    }),
  }),
);

const IdInput = (name: string) => builder.inputType(name, { fields: (t) => ({ id: t.id({ required: true }) }) });

builder.mutationField('deleteWebhookEndpoint', (t) =>
  t.field({
    type: EndpointOnly('DeleteWebhookEndpointPayload'),
    description: 'Deletes it and its deliveries.',
    errors: { types: [NotFoundError] },
    args: { input: t.arg({ type: IdInput('DeleteWebhookEndpointInput'), required: true }) },
    resolve: async (_root, { input }, context) => ({
      webhookEndpoint: await deleteWebhookEndpoint(context.db, actorOf(context), input.id),
    }),
  }),
);

const RotateWebhookEndpointSecretInput = builder.inputType('RotateWebhookEndpointSecretInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    expirePrevious: t.boolean({
      required: false,
      description:
        'true: the secrets rotated away stop signing now, after a leak (by default, each signs for 24 hours after its rotation).',
    }),
  }),
});

builder.mutationField('rotateWebhookEndpointSecret', (t) =>
  t.field({
    type: EndpointWithSecret('RotateWebhookEndpointSecretPayload'),
    description:
      'A new signing secret, in this payload only. The old one still signs, as one more signature, for 24 hours, as do those rotated away before it within 24 hours; with 5 signing at once, INVALID_STATE until the oldest expires, unless expirePrevious ends them now.',
    errors: { types: [NotFoundError, InvalidStateError] },
    args: { input: t.arg({ type: RotateWebhookEndpointSecretInput, required: true }) },
    resolve: (_root, { input }, context) =>
      rotateWebhookEndpointSecret(context.db, actorOf(context), context.keyRing, input.id, {
        expirePrevious: input.expirePrevious ?? false,
      }),
  }),
);

const RedeliverWebhookInput = builder.inputType('RedeliverWebhookInput', {
  fields: (t) => ({ deliveryId: t.id({ required: true }) }),
});

builder.mutationField('redeliverWebhook', (t) =>
  t.field({
    type: builder.objectRef<{ webhookDelivery: WebhookDelivery }>('RedeliverWebhookPayload').implement({
      fields: (f) => ({ webhookDelivery: f.expose('webhookDelivery', { type: WebhookDeliveryType }) }),
    }),
    description: 'Queues a delivery again, to be sent now (one more attempt; a DISABLED endpoint gets it once enabled again).',
    errors: { types: [NotFoundError, InvalidStateError] },
    args: { input: t.arg({ type: RedeliverWebhookInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      webhookDelivery: await redeliverWebhook(context.db, actorOf(context), input.deliveryId),
    }),
  }),
);

const RecoverWebhookDeliveriesInput = builder.inputType('RecoverWebhookDeliveriesInput', {
  fields: (t) => ({
    endpointId: t.id({ required: true }),
    since: t.field({ type: 'DateTime', required: true, description: 'Deliveries created at or after this time.' }),
    until: t.field({ type: 'DateTime', required: false, description: 'Deliveries created before this time (default: now).' }),
  }),
});

builder.mutationField('recoverWebhookDeliveries', (t) =>
  t.field({
    type: builder.objectRef<{ requeued: number }>('RecoverWebhookDeliveriesPayload').implement({
      fields: (f) => ({ requeued: f.exposeInt('requeued', { description: 'How many FAILED deliveries were queued again.' }) }),
    }),
    description:
      "After a receiver's outage: queues every FAILED delivery of the endpoint created in the window again, sent in their order. A delivery is queued once, however often this is called.",
    errors: { types: [NotFoundError] },
    args: { input: t.arg({ type: RecoverWebhookDeliveriesInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      requeued: await recoverWebhookDeliveries(context.db, actorOf(context), input),
    }),
  }),
);
