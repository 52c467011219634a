// Queries generated from the schema itself: for every root query field, an operation that selects
// everything reachable below it (scalars, relations, lists at a small page size), so a test can
// read the whole graph a caller can see without listing fields by hand. A field added to the
// schema is selected by the next run. `listQueriesOfSchema` does the same for the root lists alone,
// with the page size as a variable, so a test can read each one at two sizes.
import {
  getNamedType,
  isEnumType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';

export interface GeneratedQuery {
  field: string;
  /** The operation; `$id`/`$ids` stand for the ids to probe when the field needs them. */
  document: string;
  /** Which variable the field needs: none, one id, or a list of ids. */
  needs: 'nothing' | 'id' | 'ids';
  /**
   * The type a single-id field looks up, or selects `on` (`connection(id:)`, `node(id:) on
   * Connection`): an id of another type names no row there, or comes back as `{ __typename id }`
   * like under its own type. Absent (`nodes`, fields keyed by another object's id): every id.
   */
  idOf?: string;
}

const PAGE_SIZE = 5;
/** Levels of objects below a root field: deep enough for every relation of a relation. */
const MAX_OBJECT_DEPTH = 5;

type AnyField = GraphQLField<unknown, unknown>;

const hasRequiredArgs = (field: AnyField) => field.args.some((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined);

/** How a selection is written: the page size of every list (a number, or `$first`), and where it notes the lists it selects. */
interface SelectionOptions {
  first: string;
  /** `Type.field` of every list of objects selected (`QueryApiKeysConnection.nodes`, `SubAccount.apiKeys`). */
  lists?: Set<string>;
}
const smallPages: SelectionOptions = { first: String(PAGE_SIZE) };

function argumentsOf(field: AnyField, { first }: SelectionOptions = smallPages): string {
  return field.args.some((arg) => arg.name === 'first') ? `(first: ${first})` : '';
}

/** `{ __typename field … }` for an object, recursively; null where the depth or a cycle stops it. */
function selectionOf(
  type: GraphQLNamedType,
  depth: number,
  seen: ReadonlySet<string>,
  options: SelectionOptions = smallPages,
): string | null {
  if (isScalarType(type) || isEnumType(type)) return '';
  if (depth > MAX_OBJECT_DEPTH || seen.has(type.name)) return null;
  const inner = new Set([...seen, type.name]);
  if (isUnionType(type) || isInterfaceType(type)) {
    const members = isUnionType(type) ? type.getTypes() : [];
    const fragments = members.map((member) => {
      const selection = selectionOf(member, depth, inner, options);
      return selection ? `... on ${member.name} ${selection}` : '';
    });
    return `{ __typename ${isInterfaceType(type) ? 'id' : ''} ${fragments.join(' ')} }`;
  }
  if (!isObjectType(type)) return null;
  const fields = Object.values(type.getFields()).flatMap((field) => {
    // Connections are read through `nodes`; `edges` repeats the same objects one level deeper.
    if (field.name === 'edges' || hasRequiredArgs(field)) return [];
    const named = getNamedType(field.type);
    const selection = selectionOf(named, depth + 1, inner, options);
    if (selection === null) return [];
    if (selection !== '' && isListType(isNonNullType(field.type) ? field.type.ofType : field.type))
      options.lists?.add(`${type.name}.${field.name}`);
    return [`${field.name}${argumentsOf(field, options)} ${selection}`];
  });
  return `{ __typename ${fields.join(' ')} }`;
}

/**
 * The selections under an interface such as Node: one per object type implementing it (in one
 * operation, members' fields of the same name and different types would conflict).
 */
function selectionsOf(schema: GraphQLSchema, type: GraphQLNamedType): { label: string; selection: string }[] {
  if (!isInterfaceType(type)) return [{ label: '', selection: selectionOf(type, 1, new Set()) ?? '' }];
  return schema.getPossibleTypes(type).map((member) => ({
    label: ` on ${member.name}`,
    selection: `{ __typename id ... on ${member.name} ${selectionOf(member, 1, new Set()) ?? '{ __typename }'} }`,
  }));
}

/**
 * For a single-id field, the type whose ids are worth probing: `connection(id:)` looks up
 * Connection, and `node(id:)` selected `on Connection` shows more than `{ __typename id }` only for
 * a Connection id (every id still goes through `node` once, under its own type, and through `nodes`).
 */
function idOfField(field: GraphQLField<unknown, unknown>, argument: string, label: string): { idOf?: string } {
  if (argument !== 'id') return {};
  const type = getNamedType(field.type);
  if (isObjectType(type)) return { idOf: type.name };
  return label.startsWith(' on ') ? { idOf: label.slice(4) } : {};
}

/**
 * One operation per root query field. Fields with required arguments other than ids (for example a
 * public token) are returned in `skipped`, so the test names them instead of passing over them silently.
 */
export function queriesOfSchema(schema: GraphQLSchema): { queries: GeneratedQuery[]; skipped: string[] } {
  const queries: GeneratedQuery[] = [];
  const skipped: string[] = [];
  for (const field of Object.values(schema.getQueryType()?.getFields() ?? {})) {
    const required = field.args.filter((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined);
    const [only] = required;
    const argType = only && isNonNullType(only.type) ? only.type.ofType : null;
    const takesIds = required.length === 1 && only !== undefined && argType !== null && getNamedType(argType).name === 'ID';
    if (required.length > 0 && !takesIds) {
      skipped.push(field.name);
      continue;
    }
    const list = argType !== null && isListType(argType);
    const variable = list ? 'ids' : 'id';
    for (const { label, selection } of selectionsOf(schema, getNamedType(field.type))) {
      queries.push(
        takesIds && only
          ? {
              field: `${field.name}${label}`,
              document: `query($${variable}: ${String(only.type)}) { ${field.name}(${only.name}: $${variable}) ${selection} }`,
              needs: list ? 'ids' : 'id',
              ...(list ? {} : idOfField(field, only.name, label)),
            }
          : { field: `${field.name}${label}`, document: `query { ${field.name}${argumentsOf(field)} ${selection} }`, needs: 'nothing' },
      );
    }
  }
  return { queries, skipped };
}

export interface GeneratedListQuery {
  field: string;
  /** The operation; `$first` is the page size of the list and of every list below it. */
  document: string;
  /** The required ID arguments the list takes besides its page (`webhookDeliveries(endpointId:)`), as variables of the same name. */
  needs: string[];
  /** `Type.field` of every list of objects the operation reads, the root's own `nodes` included. */
  lists: string[];
  /** The root's own page: `QueryApiKeysConnection.nodes`. */
  page: string;
}

/** A Relay connection: the shape plugin-relay gives every paginated list. */
const isConnection = (type: GraphQLNamedType) =>
  isObjectType(type) && ['edges', 'nodes', 'pageInfo'].every((name) => name in type.getFields());

/**
 * One operation per root query field that returns a connection, reading its nodes with everything
 * below them, every list (nested connections included) at the page size `$first`. Arguments it
 * requires other than IDs cannot be generated: such a field throws, so it is not passed over.
 */
export function listQueriesOfSchema(schema: GraphQLSchema): GeneratedListQuery[] {
  return Object.values(schema.getQueryType()?.getFields() ?? {})
    .filter((field) => isConnection(getNamedType(field.type)))
    .map((field) => {
      const connection = getNamedType(field.type);
      const required = field.args.filter((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined);
      const unknown = required.filter((arg) => String(arg.type) !== 'ID!');
      if (unknown.length > 0)
        throw new Error(`${field.name} requires ${unknown.map((arg) => arg.name).join(', ')}: give the list generator a value for it`);
      const lists = new Set<string>();
      const selection = selectionOf(connection, 1, new Set(), { first: '$first', lists });
      const variables = ['$first: Int', ...required.map((arg) => `$${arg.name}: ID!`)].join(', ');
      const args = ['first: $first', ...required.map((arg) => `${arg.name}: $${arg.name}`)].join(', ');
      return {
        field: field.name,
        document: `query(${variables}) { ${field.name}(${args}) ${selection ?? ''} }`,
        needs: required.map((arg) => arg.name),
        lists: [...lists],
        page: `${connection.name}.nodes`,
      };
    });
}
