// What an account session can reach, read from the schema the way the gate reads it: the review of
// the allowlist (src/auth/session-components.ts) as assertions. A field added to a type a component
// reaches is allowed to it at once; these say which kinds of fields must never be.
import { describe, expect, test } from 'vitest';
import { schema } from '../../src/schema.ts';
import { reachableCoordinates } from '../../src/graphql/session-gate.ts';
import { EVERY_SESSION_ROOTS, sessionComponents } from '../../src/auth/session-components.ts';

const everyComponent = Object.entries(sessionComponents).map(([name, component]) => ({
  name,
  roots: component.roots,
  coordinates: [...reachableCoordinates(schema, component.roots), ...reachableCoordinates(schema, EVERY_SESSION_ROOTS)],
}));

describe('what an account session may reach', () => {
  test('every root it names exists in the schema', () => {
    for (const { roots } of everyComponent) {
      for (const root of roots) {
        const [type = '', field = ''] = root.split('.');
        const fields = (schema.getType(type) as { getFields?: () => Record<string, unknown> } | undefined)?.getFields?.();
        expect(fields?.[field], root).toBeDefined();
      }
    }
  });

  test('no root field but its own, and never keys, tenants, organizations, sessions, sub-accounts, webhooks or secrets', () => {
    const closed =
      /^(ApiKey|Tenant|Organization|AccountSession|ConnectPlatform|SubAccount|WebhookEndpoint|WebhookDelivery|PermissiblePurpose|AccountPackage|OnboardingLink|AccountLink)\./;
    for (const { name, roots, coordinates } of everyComponent) {
      const ownRoots = new Set([...roots, ...EVERY_SESSION_ROOTS]);
      const otherRoots = coordinates.filter(
        (coordinate) => /^(Query|Mutation|Subscription)\./.test(coordinate) && !ownRoots.has(coordinate),
      );
      expect(otherRoots, name).toEqual([]);
      expect(
        coordinates.filter((coordinate) => closed.test(coordinate)),
        name,
      ).toEqual([]);
      expect(
        coordinates.filter((coordinate) => /secret(?!Hints)|token|password/i.test(coordinate)),
        name,
      ).toEqual([]);
      // Who asks (the minting key, the tenant) and the account's organization and grants stay hidden.
      expect(
        coordinates.filter((coordinate) => /^Viewer\.(?!actingAs$)/.test(coordinate)),
        name,
      ).toEqual([]);
      expect(
        coordinates.filter((coordinate) =>
          /^ConnectedAccount\.(connectedOrganization|grantedScopes|grantedTenantIds|metadata|platformCustomerId)/.test(coordinate),
        ),
        name,
      ).toEqual([]);
    }
  });

  test('no component deletes anything, and none mints', () => {
    for (const { name, coordinates } of everyComponent) {
      expect(
        coordinates.filter((coordinate) => /^Mutation\.(delete|create(ApiKey|AccountSession|.*Link)|revoke|rotate)/.test(coordinate)),
        name,
      ).toEqual([]);
    }
  });
});
