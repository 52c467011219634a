// The one place that confines reads and writes to the tenant a request acts in. Every model the
// API reaches through a request must say here which column ties its rows to a tenant or an
// organization; a model that says nothing cannot be reached through a scoped client at all.
import type { PrismaClient } from '../generated/prisma/client.ts';

export interface TenantScope {
  organizationId: string;
  tenantId: string;
}

type ScopeFilter = (scope: TenantScope) => Record<string, string>;

const scopeFilters: Record<string, ScopeFilter> = {
  Organization: (scope) => ({ id: scope.organizationId }),
  Tenant: (scope) => ({ organizationId: scope.organizationId }),
  ApiKey: (scope) => ({ tenantId: scope.tenantId }),
  InvoicingEntity: (scope) => ({ tenantId: scope.tenantId }),
  // Connect belongs to the platform organization: every tenant of the platform manages its accounts.
  ConnectPlatform: (scope) => ({ organizationId: scope.organizationId }),
  ConnectedAccount: (scope) => ({ platformOrganizationId: scope.organizationId }),
  OnboardingLink: (scope) => ({ platformOrganizationId: scope.organizationId }),
  ConnectedAccountEvent: (scope) => ({ platformOrganizationId: scope.organizationId }),
};

const filteredOperations = new Set([
  'findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow', 'findMany', 'count', 'aggregate',
  'groupBy', 'update', 'updateMany', 'updateManyAndReturn', 'delete', 'deleteMany', 'upsert',
]);
const stampedOperations = new Set(['create', 'createMany', 'createManyAndReturn']);

type Args = Record<string, unknown>;

function scopedArgs(operation: string, args: Args, filter: Record<string, string>): Args {
  if (filteredOperations.has(operation)) {
    // AND-ed with the caller's own conditions (never merged into them, which could replace one);
    // a unique where keeps its unique field at the top level, as Prisma requires.
    const where = (args.where ?? {}) as Args;
    const and = where.AND === undefined ? [] : Array.isArray(where.AND) ? where.AND : [where.AND];
    const scoped: Args = { ...args, where: { ...where, AND: [...and, filter] } };
    if (operation === 'upsert') scoped.create = { ...(args.create as Args), ...filter };
    return scoped;
  }
  if (stampedOperations.has(operation)) {
    const data = args.data as Args | Args[];
    return { ...args, data: Array.isArray(data) ? data.map((row) => ({ ...row, ...filter })) : { ...data, ...filter } };
  }
  throw new Error(`Operation ${operation} is not supported on a tenant-scoped client`);
}

export function scopeToTenant(prisma: PrismaClient, scope: TenantScope) {
  return prisma.$extends({
    name: 'tenant-scope',
    query: {
      $allModels: {
        $allOperations({ model, operation, args, query }) {
          const scopeFilter = scopeFilters[model];
          if (!scopeFilter) throw new Error(`Model ${model} is not reachable through a tenant-scoped client`);
          return query(scopedArgs(operation, args as Args, scopeFilter(scope)) as typeof args);
        },
      },
    },
  });
}

export type TenantDb = ReturnType<typeof scopeToTenant>;

/** The client inside `db.$transaction(async (tx) => ...)`: still confined to the tenant. */
export type TenantTx = Parameters<Parameters<TenantDb['$transaction']>[0]>[0];

/** For requests that act in no tenant: every scoped query matches nothing. */
export const nowhere: TenantScope = { organizationId: '', tenantId: '' };
