// `subscription { events(types, after) }`: the events the caller's `events` query would show, as
// they commit, over Server-Sent Events (graphql-yoga; `Accept: text/event-stream` on /graphql).
// Authorized once, when it starts (builder.ts: authorizeOnSubscribe), by the same scopes as `events`.
import { GraphQLError } from 'graphql';
import type { Event } from '../generated/prisma/client.ts';
import { builder } from '../graphql/builder.ts';
import { actorOf, type Context } from '../graphql/context.ts';
import { ALL_TYPES, isKnownPattern, typesNamedBy } from './type-patterns.ts';
import { EventType } from './schema.ts';

/** null: every type; `<prefix>.*` names the types under it. Unknown names are refused, so that a typo does not silently match nothing. */
function typesOf(types: readonly string[] | null | undefined): string[] | null {
  if (!types || types.includes(ALL_TYPES)) return null;
  const unknown = types.filter((type) => !isKnownPattern(type));
  if (types.length === 0 || unknown.length > 0) {
    throw new GraphQLError(
      types.length === 0 ? 'Name at least one event type, or leave `types` out for all.' : `Unknown event types: ${unknown.join(', ')}.`,
      { extensions: { code: 'VALIDATION', fields: ['types'], http: { status: 400 } } },
    );
  }
  return typesNamedBy(types);
}

/** What the subscription's caller authenticated with, watched for changes while it is open (live.ts). */
function credentialsOf(context: Context) {
  const actor = actorOf(context);
  return {
    keyHash: actor.apiKey.hash,
    actingForAccountId: actor.actingAs?.id ?? null,
    actingAsRow: actor.actingAs ? JSON.stringify(actor.actingAs) : null,
    endsInMs: actor.session ? actor.session.expiresAt.getTime() - actor.now.getTime() : null,
    sessionPlatformId: actor.session ? actor.keyScope.organizationId : null,
  };
}

builder.subscriptionField('events', (t) =>
  t.field({
    type: EventType,
    description:
      'Every event `events` would show the caller, in the order they committed, as they commit. With `after`, first every such ' +
      'event after that one: a client that lost its connection resumes from the last event it received without a gap.',
    args: {
      types: t.arg.stringList({ required: false, description: 'Only these types, or `<prefix>.*` patterns (`*` or none: all).' }),
      after: t.arg.id({
        required: false,
        description: 'The last event received: replay every later one first. An id the caller cannot see is NOT_FOUND.',
      }),
    },
    subscribe: (_root, args, context) =>
      context.liveEvents.open({
        db: context.db,
        // A session's streams count as its own, not its minting key's: a leaked one cannot take the key's slots.
        apiKeyId: actorOf(context).session?.id ?? actorOf(context).apiKeyId,
        accountableOrganizationId: actorOf(context).accountableOrganizationId,
        types: typesOf(args.types),
        after: args.after ?? null,
        credentials: credentialsOf(context),
      }),
    resolve: (event: Event) => event,
  }),
);
