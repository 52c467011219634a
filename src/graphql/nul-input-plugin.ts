// PostgreSQL refuses a NUL character in text and JSON; reaching the database with one is an
// "Unexpected error." and a stack trace in the log. This plugin checks, before any resolver or
// service runs, the arguments of every root field once coerced and those of every field selected
// beneath it (a nested connection's arguments are read by its parent's query). A NUL is then a
// VALIDATION error naming every input path at fault: the member of the field's result union (every
// union has ValidationError, see builder.ts), or a top-level error for a field without a union.
import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import {
  GraphQLError,
  Kind,
  valueFromASTUntyped,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';
import { ValidationError } from '../core/domain-errors.ts';
import { pathsWithNul } from '../core/validation.ts';

const pluginName = 'nulInput';

declare global {
  export namespace PothosSchemaTypes {
    interface Plugins<Types extends SchemaTypes> {
      nulInput: NulInputPlugin<Types>;
    }
  }
}

/**
 * The arguments of the fields selected beneath a root field, from the document and the variables:
 * `connectedAccount.events(after)` for `connectedAccount(id:) { events(after: "…") }`.
 */
function nestedArgumentPathsWithNul(info: GraphQLResolveInfo): string[] {
  const found: string[] = [];
  const visited = new Set<string>();
  const walk = (selectionSet: SelectionSetNode | undefined, path: string) => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        const at = `${path}.${selection.alias?.value ?? selection.name.value}`;
        for (const argument of selection.arguments ?? []) {
          found.push(...pathsWithNul(valueFromASTUntyped(argument.value, info.variableValues), `${at}(${argument.name.value})`));
        }
        walk(selection.selectionSet, at);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, path);
      } else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value);
        walk(info.fragments[selection.name.value]?.selectionSet, path);
      }
    }
  };
  for (const node of info.fieldNodes) walk(node.selectionSet, info.path.key.toString());
  return found;
}

export class NulInputPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    // Beneath a root field, arguments were already checked with the root's: no wrapper needed.
    if (fieldConfig.kind !== 'Query' && fieldConfig.kind !== 'Mutation' && fieldConfig.kind !== 'Subscription') return resolver;
    const errorTypes = fieldConfig.extensions?.pothosErrors as unknown[] | undefined;
    const inUnion = errorTypes?.includes(ValidationError) ?? false;
    return (parent, args, context, info) => {
      const fields = [...Object.entries(args).flatMap(([name, value]) => pathsWithNul(value, name)), ...nestedArgumentPathsWithNul(info)];
      if (fields.length === 0) return resolver(parent, args, context, info);
      const message = `${fields.join(', ')} must not contain NUL characters.`;
      if (inUnion) throw new ValidationError(message, fields);
      throw new GraphQLError(message, { extensions: { code: 'VALIDATION', fields } });
    };
  }
}

SchemaBuilder.registerPlugin(pluginName, NulInputPlugin);

export default pluginName;
