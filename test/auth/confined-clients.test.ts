// Confined clients are built once per scope and shared by the requests of that scope
// (src/db/tenant-scope.ts). Sharing must never cross scopes: a scope that differs in any field,
// nested values included, gets its own client, and each client still sees only its own rows.
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import { scopeToTenant, type TenantScope } from '../../src/db/tenant-scope.ts';
import { givenExpressAccount } from '../support/givens/connect.ts';
import type { OrganizationFixture } from '../support/givens/organizations.ts';

const { test, world } = platformWorld({}, async (seed) => {
  const first = await seed.connectPlatform('Confined First');
  const second = await seed.connectPlatform('Confined Second');
  const firstAccountId = (await givenExpressAccount(seed.server, first)).account.id;
  return { first, second, firstAccountId };
});

const scopeOf = (platform: OrganizationFixture): TenantScope => ({
  organizationId: platform.organizationId,
  tenantId: platform.tenantId,
  organizationWide: true,
});

describe('confined clients shared per scope', () => {
  test('gives one client to equal scopes, whatever their key order', () => {
    const scope = scopeOf(world.first);
    const reordered: TenantScope = { organizationWide: true, tenantId: world.first.tenantId, organizationId: world.first.organizationId };
    expect(scopeToTenant(world.server.prisma, reordered)).toBe(scopeToTenant(world.server.prisma, scope));
  });

  test('gives another client to a scope that differs in any one field', () => {
    const scope = scopeOf(world.first);
    const client = scopeToTenant(world.server.prisma, scope);
    const variants: TenantScope[] = [
      { ...scope, organizationId: world.second.organizationId },
      { ...scope, tenantId: world.second.tenantId },
      { ...scope, organizationWide: false },
      { ...scope, actingForAccountId: world.firstAccountId },
      { ...scope, environment: 'SANDBOX' },
    ];
    for (const variant of variants) expect(scopeToTenant(world.server.prisma, variant), JSON.stringify(variant)).not.toBe(client);
  });

  test('keeps nested values in the key: scopes differing only inside one never share', () => {
    // No field of TenantScope is an object today; a key that dropped nested keys would make one tomorrow a leak.
    const nested = (inner: string) => ({ ...scopeOf(world.first), extra: { inner } }) as TenantScope;
    expect(scopeToTenant(world.server.prisma, nested('a'))).not.toBe(scopeToTenant(world.server.prisma, nested('b')));
  });

  test('still confines each shared client to its own rows', async () => {
    const own = scopeToTenant(world.server.prisma, scopeOf(world.first));
    const other = scopeToTenant(world.server.prisma, scopeOf(world.second));
    for (let round = 0; round < 2; round += 1) {
      expect(await own.connectedAccount.findUnique({ where: { id: world.firstAccountId } })).not.toBeNull();
      expect(await other.connectedAccount.findUnique({ where: { id: world.firstAccountId } })).toBeNull();
    }
  });
});
