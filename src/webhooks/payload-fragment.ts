// Shaped payloads: an endpoint's `payloadFragment` is a GraphQL fragment on the type of the objects
// it receives (`fragment on ConnectedAccount { id status }`). It is checked on save against the
// schema, with the limits a request has (graphql-armor's, sized in src/http/limits.ts), and run at
// delivery through `node(id:)` under the endpoint owner's confinement (app.ts builds that caller),
// on the object as it is then: what the owner cannot read, the fragment cannot reach.
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { execute, GraphQLError, isObjectType, Kind, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { typeOfId } from '../core/ids.ts';
import { ValidationError } from '../core/domain-errors.ts';
import { queryLimits } from '../http/limits.ts';

/** The longest fragment an endpoint keeps: far more than any useful selection. */
const MAX_FRAGMENT_LENGTH = 4000;
const NAME = 'WebhookPayload';

/** A checked fragment: the query that runs it, and the type it applies to. */
export interface PayloadQuery {
  document: DocumentNode;
  typeName: string;
}

/** `fragment on X` (the contract's short form) gets a name; a named fragment keeps its own. */
const named = (fragment: string) => fragment.replace(/^\s*fragment\s+on\s/, `fragment ${NAME} on `);

/** The limits of a request (depth, aliases, cost) as validation rules. */
const limitRules = [
  maxDepthRule({ n: queryLimits.maxDepth }),
  maxAliasesRule({ n: queryLimits.maxAliases }),
  costLimitRule({ maxCost: queryLimits.maxCost }),
];

/** Parses and checks a fragment against the schema: the query to run, or the GraphQL errors. */
export function payloadQuery(schema: GraphQLSchema, fragment: string): PayloadQuery | { errors: readonly GraphQLError[] } {
  let parsed: DocumentNode;
  try {
    parsed = parse(named(fragment), { maxTokens: queryLimits.maxTokens });
  } catch (error) {
    return { errors: [error instanceof GraphQLError ? error : new GraphQLError(String(error))] };
  }
  const definitions = parsed.definitions;
  const [definition] = definitions;
  if (definitions.length !== 1 || definition?.kind !== Kind.FRAGMENT_DEFINITION) {
    return { errors: [new GraphQLError('Give exactly one fragment: `fragment on <Type> { ... }`.')] };
  }
  const typeName = definition.typeCondition.name.value;
  const type = schema.getType(typeName);
  if (!isObjectType(type) || !type.getInterfaces().some((contract) => contract.name === 'Node')) {
    return {
      errors: [new GraphQLError(`${typeName} is not an object type with an id (Node): a fragment is on the type of an event's object.`)],
    };
  }
  const document = parse(`query ${NAME}Query($id: ID!) { node(id: $id) { ...${definition.name.value} } }`);
  const query: DocumentNode = { ...document, definitions: [...document.definitions, definition] };
  let errors: readonly GraphQLError[];
  try {
    errors = validate(schema, query, [...specifiedRules, ...limitRules]);
  } catch (error) {
    // graphql-armor's limits throw at their first sight of the excess.
    if (!(error instanceof GraphQLError)) throw error;
    errors = [error];
  }
  return errors.length > 0 ? { errors } : { document: query, typeName };
}

/** For create and update: the fragment as stored (null: none), or VALIDATION with the GraphQL error. */
export function validPayloadFragment(schema: GraphQLSchema, fragment: string | null | undefined, field: string): string | null | undefined {
  if (fragment == null) return fragment;
  if (fragment.length > MAX_FRAGMENT_LENGTH)
    throw new ValidationError(`${field} may be at most ${MAX_FRAGMENT_LENGTH} characters.`, [field]);
  if (fragment.trim() === '') return null;
  const checked = payloadQuery(schema, fragment);
  // "Syntax Error: …" is reworded: the request pipeline takes a message so opening for a refusal of the request itself.
  const messages = (errors: readonly GraphQLError[]) =>
    errors.map((error) => error.message.replace(/^Syntax Error: /, 'it does not parse: ')).join(' ');
  if ('errors' in checked) throw new ValidationError(`${field}: ${messages(checked.errors)}`, [field]);
  return fragment;
}

/** What a fragment made of an event's object: the new `data.object`, or why it could not (recorded on the delivery). */
export type ShapedObject = { object: unknown } | { error: string };

/**
 * Runs the fragment on the event's object as it is now, with `context` (the endpoint owner's; null
 * when the owner can read nothing any more: the object is then null, as for one it cannot see).
 * Null when the fragment is on another type than the object's: the payload is left as it was.
 */
export async function shapeObject(
  schema: GraphQLSchema,
  context: object | null,
  fragment: string,
  objectId: string,
): Promise<ShapedObject | null> {
  const checked = payloadQuery(schema, fragment);
  if ('errors' in checked) return { error: checked.errors.map((error) => error.message).join(' ') };
  if (typeOfId(objectId) !== checked.typeName) return null;
  if (!context) return { object: null };
  const result = await execute({ schema, document: checked.document, variableValues: { id: objectId }, contextValue: context });
  if (result.errors?.length) return { error: result.errors.map((error) => error.message).join(' ') };
  return { object: (result.data as { node: unknown } | null | undefined)?.node ?? null };
}
