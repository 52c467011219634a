// The one place that confines reads and writes to what a request may see. Every query through a
// confined client gets its model's rule (confinement-rules.ts), and so does every relation it
// reads, at any depth: lists get the related model's condition in the query, single related rows
// are checked when they come back. A model or relation without a rule cannot be reached at all.
import { recentlyUsed } from '../core/recently-used.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { getDatamodel } from '../generated/pothos-types.ts';
import { modelRules, relationRules, type ModelRule, type RelationRule, type TenantScope } from './confinement-rules.ts';

export type { TenantScope } from './confinement-rules.ts';

type Args = Record<string, unknown>;
type Row = Record<string, unknown>;

interface Relation {
  target: string;
  isList: boolean;
}

/** Every relation of the schema: `Model.field` → the related model, and whether it is a list. */
const relations = new Map<string, Relation>(
  Object.entries(getDatamodel().datamodel.models).flatMap(([model, { fields }]) =>
    fields
      .filter((field) => field.kind === 'object')
      .map((field) => [`${model}.${field.name}`, { target: field.type, isList: field.isList }] as const),
  ),
);

const filteredOperations = new Set([
  'findUnique',
  'findUniqueOrThrow',
  'findFirst',
  'findFirstOrThrow',
  'findMany',
  'count',
  'aggregate',
  'groupBy',
  'update',
  'updateMany',
  'updateManyAndReturn',
  'delete',
  'deleteMany',
  'upsert',
]);
const stampedOperations = new Set(['create', 'createMany', 'createManyAndReturn']);
/** Operations whose `select` names columns or aggregates, never relations. */
const aggregateOperations = new Set(['count', 'aggregate', 'groupBy']);

class ConfinementError extends Error {}

function ruleOf(model: string): ModelRule {
  const rule = modelRules[model];
  if (!rule) throw new ConfinementError(`Model ${model} is not reachable through a confined client`);
  return rule;
}

function relationRuleOf(key: string): RelationRule {
  const rule = relationRules[key];
  if (!rule) throw new ConfinementError(`Relation ${key} has no confinement rule (src/db/confinement-rules.ts)`);
  return rule;
}

/**
 * The caller's where and the rule's condition, both required. Placed beside the caller's own keys
 * when none collides (Prisma answers `findUnique({ where: { id, tenantId } })` about 3× faster than
 * the same with `AND: [...]`); otherwise AND-ed, so a condition of the caller is never replaced.
 */
function withCondition(where: Args, condition: Args): Args {
  if (Object.keys(condition).every((key) => !(key in where))) return { ...where, ...condition };
  const and = where.AND === undefined ? [] : Array.isArray(where.AND) ? where.AND : [where.AND];
  return { ...where, AND: [...and, condition] };
}

/** Checks to run on a result: single related rows that must pass their model's rule, at any depth. */
interface RowChecks {
  single: { field: string; rule: ModelRule }[];
  nested: { field: string; checks: RowChecks }[];
}

/** A page's cursor, at the top or in a nested list: the arguments holding it, and their model. */
interface PagedArgs {
  model: string;
  args: Args;
}

const isObject = (value: unknown): value is Args => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Confines one `include` or `select` object of `model`, and says what to check on its rows. */
function confineSelection(model: string, selection: Args, scope: TenantScope, paged: PagedArgs[]): { selection: Args; checks: RowChecks } {
  const confined: Args = {};
  const checks: RowChecks = { single: [], nested: [] };
  for (const [field, value] of Object.entries(selection)) {
    if (field === '_count') {
      confined[field] = confineCount(model, value, scope);
      continue;
    }
    const relation = relations.get(`${model}.${field}`);
    if (!relation || value === false || value === undefined) {
      confined[field] = value;
      continue;
    }
    const rule = relationRuleOf(`${model}.${field}`);
    const targetRule = rule === 'target' ? ruleOf(relation.target) : null;
    let nested: Args = isObject(value) ? { ...value } : {};
    if (targetRule && relation.isList) nested.where = withCondition(isObject(nested.where) ? nested.where : {}, targetRule.where(scope));
    if (targetRule && !relation.isList) {
      if (!targetRule.allows) throw new ConfinementError(`Relation ${model}.${field} needs a row check its model's rule lacks`);
      checks.single.push({ field, rule: targetRule });
      if (isObject(nested.select))
        nested.select = { ...nested.select, ...Object.fromEntries((targetRule.columns ?? []).map((column) => [column, true])) };
    }
    const inner = confineNested(relation.target, nested, scope, paged);
    nested = inner.args;
    if (nested.cursor !== undefined) paged.push({ model: relation.target, args: nested });
    if (inner.checks.single.length > 0 || inner.checks.nested.length > 0) checks.nested.push({ field, checks: inner.checks });
    confined[field] = Object.keys(nested).length === 0 ? true : nested;
  }
  return { selection: confined, checks };
}

/** `_count: { select: { relation: true | { where } } }`: each counted list gets its model's condition. */
function confineCount(model: string, value: unknown, scope: TenantScope): unknown {
  if (!isObject(value) || !isObject(value.select)) throw new ConfinementError(`_count on ${model} must name the relations it counts`);
  const counted = Object.entries(value.select).map(([field, args]) => {
    const relation = relations.get(`${model}.${field}`);
    if (!relation) throw new ConfinementError(`${model}.${field} is not a relation`);
    const rule = relationRuleOf(`${model}.${field}`);
    if (rule !== 'target') return [field, args] as const;
    const where = isObject(args) && isObject(args.where) ? args.where : {};
    return [field, { ...(isObject(args) ? args : {}), where: withCondition(where, ruleOf(relation.target).where(scope)) }] as const;
  });
  return { ...value, select: Object.fromEntries(counted) };
}

/** The `include` and `select` of one level of a query, confined. */
function confineNested(model: string, args: Args, scope: TenantScope, paged: PagedArgs[]): { args: Args; checks: RowChecks } {
  const confined = { ...args };
  const checks: RowChecks = { single: [], nested: [] };
  for (const key of ['include', 'select'] as const) {
    const selection = args[key];
    if (!isObject(selection)) continue;
    const result = confineSelection(model, selection, scope, paged);
    confined[key] = result.selection;
    checks.single.push(...result.checks.single);
    checks.nested.push(...result.checks.nested);
  }
  return { args: confined, checks };
}

/** Nulls every single related row that fails its model's rule (Prisma cannot filter those in the query). */
function applyChecks(result: unknown, checks: RowChecks, scope: TenantScope): void {
  if (Array.isArray(result)) {
    for (const row of result) applyChecks(row, checks, scope);
    return;
  }
  if (!isObject(result)) return;
  const row: Row = result;
  for (const { field, rule } of checks.single) {
    const related = row[field];
    if (isObject(related) && !rule.allows?.(scope, related)) row[field] = null;
  }
  for (const { field, checks: inner } of checks.nested) applyChecks(row[field], inner, scope);
}

interface ScopedQuery {
  args: Args;
  checks: RowChecks | null;
  /** Every level of the query that pages from a cursor (the top one included). */
  paged: PagedArgs[];
}

function scopedArgs(model: string, operation: string, args: Args, scope: TenantScope): ScopedQuery {
  const rule = ruleOf(model);
  const paged: PagedArgs[] = [];
  const { args: selected, checks } = aggregateOperations.has(operation) ? { args, checks: null } : confineNested(model, args, scope, paged);
  if (filteredOperations.has(operation)) {
    const scoped: Args = { ...selected, where: withCondition(isObject(args.where) ? args.where : {}, rule.where(scope)) };
    if (operation === 'upsert') scoped.create = { ...(args.create as Args), ...stampOf(model, rule, scope) };
    if (scoped.cursor !== undefined) paged.push({ model, args: scoped });
    return { args: scoped, checks, paged };
  }
  if (stampedOperations.has(operation)) {
    const stamp = stampOf(model, rule, scope);
    const data = args.data as Args | Args[];
    return {
      args: { ...selected, data: Array.isArray(data) ? data.map((row) => ({ ...row, ...stamp })) : { ...data, ...stamp } },
      checks,
      paged,
    };
  }
  throw new ConfinementError(`Operation ${operation} is not supported on a confined client`);
}

function stampOf(model: string, rule: ModelRule, scope: TenantScope): Args {
  if (!rule.stamp) throw new ConfinementError(`Model ${model} cannot be created through a confined client`);
  return rule.stamp(scope);
}

type CountingDelegate = { count(args: { where: Args }): Promise<number> };

/**
 * Whether a page's cursor names a row the scope may see. Prisma finds the cursor's row with a
 * subquery that no `where` reaches, so a cursor of another tenant's row would serve as a pivot and
 * tell, page after page, where that row sorts. Our cursors are ids: any other value (a number, a
 * NUL, which PostgreSQL refuses) is not a row either. Asked outside any transaction: no paged read
 * runs inside one.
 */
async function cursorVisible(prisma: PrismaClient, { model, args }: PagedArgs, scope: TenantScope): Promise<boolean> {
  const { cursor } = args;
  if (!isObject(cursor)) return false;
  if (!Object.values(cursor).every((value) => typeof value === 'string' && !value.includes('\u0000'))) return false;
  const delegate = (prisma as unknown as Record<string, CountingDelegate>)[`${model.charAt(0).toLowerCase()}${model.slice(1)}`];
  if (!delegate) throw new ConfinementError(`No delegate for ${model}`);
  return (await delegate.count({ where: withCondition(cursor, ruleOf(model).where(scope)) })) > 0;
}

/** A page whose cursor is not a visible row matches nothing, like a page after an unknown cursor. */
async function emptyUnlessCursorVisible(prisma: PrismaClient, paged: PagedArgs, scope: TenantScope): Promise<void> {
  if (await cursorVisible(prisma, paged, scope)) return;
  paged.args.cursor = undefined;
  paged.args.where = withCondition(isObject(paged.args.where) ? paged.args.where : {}, { id: { in: [] } });
}

function confine(prisma: PrismaClient, scope: TenantScope) {
  return prisma.$extends({
    name: 'tenant-scope',
    query: {
      $allModels: {
        async $allOperations({ model, operation, args, query }) {
          const scoped = scopedArgs(model, operation, args as Args, scope);
          await Promise.all(scoped.paged.map((paged) => emptyUnlessCursorVisible(prisma, paged, scope)));
          const result = await query(scoped.args as typeof args);
          if (scoped.checks) applyChecks(result, scoped.checks, scope);
          return result;
        },
      },
    },
  });
}

export type TenantDb = ReturnType<typeof confine>;

/**
 * Confined clients already built, by base client and scope. Building one (`$extends`) costs about
 * 0.1 ms and its first query about 0.4 ms more, on every request; a caller's requests have the same
 * scope, so they share one. The key is the whole scope, every field of it, so two scopes that differ
 * in anything (a field added later included) never share a client. Least recently used first out.
 */
const confinedClients = new WeakMap<PrismaClient, Map<string, TenantDb>>();
const MAX_CONFINED_CLIENTS = 1_000;

/** The client confined to `scope`: every query through it, and through its transactions, gets the scope's rules. */
export function scopeToTenant(prisma: PrismaClient, scope: TenantScope): TenantDb {
  // Entries, not a replacer list: a replacer list would also filter the keys of a nested value.
  const key = JSON.stringify(Object.entries(scope).sort(([a], [b]) => (a < b ? -1 : 1)));
  let clients = confinedClients.get(prisma);
  if (!clients) {
    clients = new Map();
    confinedClients.set(prisma, clients);
  }
  return recentlyUsed(clients, key, MAX_CONFINED_CLIENTS, () => confine(prisma, Object.freeze({ ...scope })));
}

/** The client inside `db.$transaction(async (tx) => ...)`: still confined to the tenant. */
export type TenantTx = Parameters<Parameters<TenantDb['$transaction']>[0]>[0];

/** For requests that act in no tenant: every scoped query matches nothing. */
export const nowhere: TenantScope = { organizationId: '', tenantId: '' };
