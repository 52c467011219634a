// GraphQL for the event log: the Event type, `events` (newest first) and `event(id)`. What a caller
// sees is Event's confinement rule (src/db/confinement-rules.ts).
import { EventActorType } from '../generated/prisma/enums.ts';
import type { Event } from '../generated/prisma/client.ts';
import { builder } from '../graphql/builder.ts';
import { dateTimeRange, DateTimeFilter } from '../graphql/lists.ts';

const EventActorTypeEnum = builder.enumType(EventActorType, { name: 'EventActorType' });

const EventActorRef = builder.objectRef<Pick<Event, 'actorType' | 'actorId'>>('EventActor').implement({
  description: 'Who made the change: an API key, a user (onboarding, consent), or the server itself.',
  fields: (t) => ({
    type: t.field({ type: EventActorTypeEnum, resolve: (actor) => actor.actorType }),
    id: t.id({ nullable: true, description: 'The key or user id; null for SYSTEM.', resolve: (actor) => actor.actorId }),
  }),
});

export const EventType = builder.prismaNode('Event', {
  id: { field: 'id' },
  description: 'One change a platform or account cares about, recorded in the transaction that made it.',
  fields: (t) => ({
    type: t.exposeString('type', { description: 'e.g. `connected_account.activated`.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    data: t.field({
      type: 'JSONObject',
      description: '`{ object, previous? }`: the object after the change, and the changed fields before it. Never a secret.',
      resolve: (event) => event.data as Record<string, unknown>,
    }),
    objectId: t.exposeID('objectId', { description: 'The object the event is about.' }),
    connectedAccountId: t.exposeID('connectedAccountId', {
      nullable: true,
      description: "Set when the event happened in a connected account's tenant, or is about one.",
    }),
    actor: t.field({ type: EventActorRef, resolve: (event) => event }),
  }),
});

const EventFilter = builder.inputType('EventFilter', {
  fields: (t) => ({
    type: t.stringList({ required: false, description: 'Any of these types.' }),
    objectId: t.id({ required: false }),
    connectedAccountId: t.id({ required: false }),
    createdAt: t.field({ type: DateTimeFilter, required: false }),
  }),
});

function eventWhere(filter: typeof EventFilter.$inferInput | null | undefined) {
  return {
    ...(filter?.type ? { type: { in: filter.type } } : {}),
    ...(filter?.objectId ? { objectId: filter.objectId } : {}),
    ...(filter?.connectedAccountId ? { connectedAccountId: filter.connectedAccountId } : {}),
    ...(filter?.createdAt ? { createdAt: dateTimeRange(filter.createdAt) } : {}),
  };
}

builder.queryField('events', (t) =>
  t.prismaConnection(
    {
      type: 'Event',
      cursor: 'id',
      description:
        "Newest first: the organization's events and those of its connected accounts; acting on behalf, that account's tenant only.",
      args: { filter: t.arg({ type: EventFilter, required: false }) },
      resolve: (query, _root, args, context) =>
        context.db.event.findMany({ ...query, where: eventWhere(args.filter), orderBy: { sequence: 'desc' } }),
      totalCount: (_connection, args, context) => context.db.event.count({ where: eventWhere(args.filter) }),
    },
    {},
  ),
);

builder.queryField('event', (t) =>
  t.prismaField({
    type: EventType,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, context) => context.db.event.findUnique({ ...query, where: { id } }),
  }),
);
