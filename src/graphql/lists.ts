// The shared vocabulary of lists (API.md "Lists"): created-at ranges, ordering, and how both
// become Prisma arguments. Every connection orders by a field and then by id, so cursors are stable.
import { builder } from './builder.ts';

export const OrderDirection = builder.enumType('OrderDirection', { values: ['ASC', 'DESC'] as const });

export const DateTimeFilter = builder.inputType('DateTimeFilter', {
  description: 'A range of instants; every bound given must hold.',
  fields: (t) => ({
    gt: t.field({ type: 'DateTime', required: false }),
    gte: t.field({ type: 'DateTime', required: false }),
    lt: t.field({ type: 'DateTime', required: false }),
    lte: t.field({ type: 'DateTime', required: false }),
  }),
});

interface DateTimeRange {
  gt?: Date | null | undefined;
  gte?: Date | null | undefined;
  lt?: Date | null | undefined;
  lte?: Date | null | undefined;
}

export function dateTimeRange(range: DateTimeRange | null | undefined) {
  if (!range) return undefined;
  return {
    ...(range.gt ? { gt: range.gt } : {}),
    ...(range.gte ? { gte: range.gte } : {}),
    ...(range.lt ? { lt: range.lt } : {}),
    ...(range.lte ? { lte: range.lte } : {}),
  };
}

/**
 * `<Type>OrderField` and `<Type>OrderBy` for a list, with the Prisma column behind each field.
 * Returns the input type and a function that turns an argument into Prisma's orderBy.
 */
export function orderByInput<Field extends string, Column extends string>(typeName: string, columns: Record<Field, Column>) {
  const fields = Object.keys(columns) as Field[];
  const OrderField = builder.enumType(`${typeName}OrderField`, { values: fields });
  const OrderBy = builder.inputType(`${typeName}OrderBy`, {
    fields: (t) => ({
      field: t.field({ type: OrderField, required: true }),
      direction: t.field({ type: OrderDirection, required: false, defaultValue: 'ASC' }),
    }),
  });
  const toPrisma = (orderBy: { field: Field; direction?: 'ASC' | 'DESC' | null } | null | undefined) => {
    const direction: 'asc' | 'desc' = orderBy?.direction === 'DESC' ? 'desc' : 'asc';
    const column = orderBy ? columns[orderBy.field] : 'createdAt';
    return [{ [column]: direction }, { id: direction }] as Partial<Record<Column | 'createdAt' | 'id', 'asc' | 'desc'>>[];
  };
  return { OrderBy, toPrisma };
}
