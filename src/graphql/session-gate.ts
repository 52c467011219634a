// The gate of account sessions: before a session's operation runs (query, mutation or subscription),
// every field the document names, in every operation and fragment, must be one its usable components
// allow (src/auth/session-components.ts); else the whole request is refused, 403 FORBIDDEN naming the
// fields. Introspection is refused to sessions. API keys pass untouched.
import {
  getNamedType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Actor } from '../auth/actor.ts';
import { forbidden } from '../auth/request-errors.ts';
import { EVERY_SESSION_ROOTS, NARROWED_TYPES, sessionComponents } from '../auth/session-components.ts';
import type { AccountSessionComponent } from '../generated/prisma/enums.ts';

/**
 * The types a field of `type` leads to: the type itself, or every member of a union. An interface
 * leads to its own fields only (`node` to `Node.id`, an error to `Error.code`): its implementations
 * count only where another allowed field leads to them, so `node(id:)` never opens a type.
 */
function concreteTypes(type: GraphQLNamedType): GraphQLNamedType[] {
  return isUnionType(type) ? [...type.getTypes()] : [type];
}

/** Every coordinate reachable from `roots`: all fields of the types reached, but only the listed ones of a narrowed type. */
export function reachableCoordinates(schema: GraphQLSchema, roots: readonly string[]): Set<string> {
  const coordinates = new Set<string>(roots);
  const seen = new Set<string>();
  const queue: GraphQLNamedType[] = [];
  const follow = (typeName: string, fieldName: string) => {
    const type = schema.getType(typeName);
    if (!type || !(isObjectType(type) || isInterfaceType(type))) return;
    const field = type.getFields()[fieldName];
    if (field) queue.push(...concreteTypes(getNamedType(field.type)));
  };
  for (const root of roots) {
    const [typeName = '', fieldName = ''] = root.split('.');
    follow(typeName, fieldName);
  }
  while (queue.length > 0) {
    const type = queue.pop() as GraphQLNamedType;
    if (seen.has(type.name) || !(isObjectType(type) || isInterfaceType(type))) continue;
    seen.add(type.name);
    const fields = NARROWED_TYPES[type.name] ?? Object.keys(type.getFields());
    for (const name of fields) {
      coordinates.add(`${type.name}.${name}`);
      follow(type.name, name);
      // The same field asked through an interface the type implements (`... on Error { code }`).
      for (const contract of type.getInterfaces()) {
        if (contract.getFields()[name]) coordinates.add(`${contract.name}.${name}`);
      }
    }
  }
  return coordinates;
}

/** What each component may name, computed once from the schema. */
export function sessionCoordinates(schema: GraphQLSchema) {
  const every = reachableCoordinates(schema, EVERY_SESSION_ROOTS);
  const byComponent = new Map(
    Object.entries(sessionComponents).map(([name, component]) => [
      name as AccountSessionComponent,
      reachableCoordinates(schema, component.roots),
    ]),
  );
  return (components: readonly AccountSessionComponent[]) => (coordinate: string) =>
    every.has(coordinate) || components.some((component) => byComponent.get(component)?.has(coordinate) === true);
}

/** The fields of the document a session with these components may not name, in document order, each once. */
function refusedFields(schema: GraphQLSchema, document: DocumentNode, allows: (coordinate: string) => boolean): string[] {
  const refused = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const name = node.name.value;
        if (name === '__typename') return;
        const parent = typeInfo.getParentType();
        const coordinate = `${parent?.name ?? '?'}.${name}`;
        if (name.startsWith('__') || !parent || !allows(coordinate)) refused.add(coordinate);
      },
    }),
  );
  return [...refused];
}

export function useSessionGate(schema: GraphQLSchema): Plugin {
  const allowed = sessionCoordinates(schema);
  const check = (document: DocumentNode, contextValue: unknown) => {
    const session = (contextValue as { actor?: Actor | null }).actor?.session;
    if (!session) return;
    const refused = refusedFields(schema, document, allowed(session.usableComponents));
    if (refused.length === 0) return;
    throw forbidden(
      `This account session may not use ${refused.join(', ')}: its components (${session.usableComponents.join(', ')}) do not include ${refused.length === 1 ? 'it' : 'them'}.`,
      { refusedFields: refused },
    );
  };
  return {
    onExecute({ args }) {
      check(args.document, args.contextValue);
    },
    onSubscribe({ args }) {
      check(args.document, args.contextValue);
    },
  };
}
