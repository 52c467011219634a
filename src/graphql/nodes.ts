// `node(id:)` and `nodes(ids:)`. An id the caller may read resolves to its object; any other id (of
// another tenant, unknown, of a type no API caller sees such as a user's `usr_`, or no id at all) is
// null, like a row that does not exist, so the answer never tells them apart and nothing is logged.
import { resolveNodes } from '@pothos/plugin-relay';
import { GraphQLError, isObjectType, type GraphQLResolveInfo } from 'graphql';
import { typeOfId } from '../core/ids.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';

/** As many as a page of a connection: each id is one lookup. */
export const MAX_NODE_IDS = 100;

/** Prisma's "no record found" of findUniqueOrThrow: the confined client finds no row of another tenant. */
function isRecordNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'P2025';
}

async function visibleNode(id: string, context: Context, info: GraphQLResolveInfo): Promise<unknown> {
  const typename = typeOfId(id);
  const type = typename === undefined ? undefined : info.schema.getType(typename);
  if (!isObjectType(type) || !type.getInterfaces().some((contract) => contract.name === 'Node')) return null;
  try {
    const [node] = await resolveNodes(builder, context, info, [{ typename: type.name, id }]);
    return node ?? null;
  } catch (error) {
    if (isRecordNotFound(error)) return null;
    throw error;
  }
}

builder.queryFields((t) => ({
  node: t.field({
    type: builder.nodeInterfaceRef(),
    nullable: true,
    description: 'The object with this id, or null when it does not exist or the caller may not see it.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context, info) => visibleNode(id, context, info),
  }),
  nodes: t.field({
    type: [builder.nodeInterfaceRef()],
    nullable: { list: false, items: true },
    description: `The objects with these ids (at most ${MAX_NODE_IDS}), in order; null for each that does not exist or the caller may not see.`,
    args: { ids: t.arg.idList({ required: true }) },
    resolve: (_root, { ids }, context, info) => {
      if (ids.length > MAX_NODE_IDS) {
        throw new GraphQLError(`ids may hold at most ${MAX_NODE_IDS} ids.`, { extensions: { code: 'VALIDATION', fields: ['ids'] } });
      }
      return Promise.all(ids.map((id) => visibleNode(id, context, info)));
    },
  }),
}));
