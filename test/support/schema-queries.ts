// Queries generated from the schema itself: for every root query field, an operation that selects
// everything reachable below it (scalars, relations, lists at a small page size), so a test can
// read the whole graph a caller can see without listing fields by hand. A field added to the
// schema is selected by the next run.
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

function argumentsOf(field: AnyField): string {
  const first = field.args.find((arg) => arg.name === 'first');
  return first ? `(first: ${PAGE_SIZE})` : '';
}

/** `{ __typename field … }` for an object, recursively; null where the depth or a cycle stops it. */
function selectionOf(type: GraphQLNamedType, depth: number, seen: ReadonlySet<string>): string | null {
  if (isScalarType(type) || isEnumType(type)) return '';
  if (depth > MAX_OBJECT_DEPTH || seen.has(type.name)) return null;
  const inner = new Set([...seen, type.name]);
  if (isUnionType(type) || isInterfaceType(type)) {
    const members = isUnionType(type) ? type.getTypes() : [];
    const fragments = members.map((member) => {
      const selection = selectionOf(member, depth, inner);
      return selection ? `... on ${member.name} ${selection}` : '';
    });
    return `{ __typename ${isInterfaceType(type) ? 'id' : ''} ${fragments.join(' ')} }`;
  }
  if (!isObjectType(type)) return null;
  const fields = Object.values(type.getFields()).flatMap((field) => {
    // Connections are read through `nodes`; `edges` repeats the same objects one level deeper.
    if (field.name === 'edges' || hasRequiredArgs(field)) return [];
    const selection = selectionOf(getNamedType(field.type), depth + 1, inner);
    return selection === null ? [] : [`${field.name}${argumentsOf(field)} ${selection}`];
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
