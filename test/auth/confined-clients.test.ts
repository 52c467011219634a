// Confined clients are built once per scope and shared by the requests of that scope
// (src/db/tenant-scope.ts). Sharing must never cross scopes: a scope that differs in any field,
// nested values included, gets its own client, and each client still sees only its own rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scopeToTenant, type TenantScope } from '../../src/db/tenant-scope.ts';
import { givenConnectPlatform, givenExpressAccount } from '../support/givens/connect.ts';
import type { OrganizationFixture } from '../support/givens/organizations.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let first: OrganizationFixture;
let second: OrganizationFixture;
let firstAccountId: string;

beforeAll(async () => {
  server = await startTestServer();
  first = await givenConnectPlatform(server, 'Confined First');
  second = await givenConnectPlatform(server, 'Confined Second');
  firstAccountId = (await givenExpressAccount(server, first)).account.id;
});
afterAll(() => server?.close());

const scopeOf = (platform: OrganizationFixture): TenantScope => ({
  organizationId: platform.organizationId,
  tenantId: platform.tenantId,
  organizationWide: true,
});

describe('confined clients shared per scope', () => {
  it('gives one client to equal scopes, whatever their key order', () => {
    const scope = scopeOf(first);
    const reordered: TenantScope = { organizationWide: true, tenantId: first.tenantId, organizationId: first.organizationId };
    expect(scopeToTenant(server.prisma, reordered)).toBe(scopeToTenant(server.prisma, scope));
  });

  it('gives another client to a scope that differs in any one field', () => {
    const scope = scopeOf(first);
    const client = scopeToTenant(server.prisma, scope);
    const variants: TenantScope[] = [
      { ...scope, organizationId: second.organizationId },
      { ...scope, tenantId: second.tenantId },
      { ...scope, organizationWide: false },
      { ...scope, actingForAccountId: firstAccountId },
      { ...scope, environment: 'SANDBOX' },
    ];
    for (const variant of variants) expect(scopeToTenant(server.prisma, variant), JSON.stringify(variant)).not.toBe(client);
  });

  it('keeps nested values in the key: scopes differing only inside one never share', () => {
    // No field of TenantScope is an object today; a key that dropped nested keys would make one tomorrow a leak.
    const nested = (inner: string) => ({ ...scopeOf(first), extra: { inner } }) as TenantScope;
    expect(scopeToTenant(server.prisma, nested('a'))).not.toBe(scopeToTenant(server.prisma, nested('b')));
  });

  it('still confines each shared client to its own rows', async () => {
    const own = scopeToTenant(server.prisma, scopeOf(first));
    const other = scopeToTenant(server.prisma, scopeOf(second));
    for (let round = 0; round < 2; round += 1) {
      expect(await own.connectedAccount.findUnique({ where: { id: firstAccountId } })).not.toBeNull();
      expect(await other.connectedAccount.findUnique({ where: { id: firstAccountId } })).toBeNull();
    }
  });
});
