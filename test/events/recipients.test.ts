// Who receives an event is one rule (src/db/event-recipients.ts): the Event confinement rule's
// `where` (run by the database) and `allows` (run on a loaded row) agree on generated events and
// callers, and so does the SQL function the recording SQL calls, which the migration must hold as
// the rule prints it.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { newId } from '../../src/core/ids.ts';
import { recipientFunctionSql } from '../../src/db/event-recipients.ts';
import { eventRecipient, modelRules, type TenantScope } from '../../src/db/confinement-rules.ts';
import { platformWorld } from '../support/world.ts';
import { withKey } from '../support/server.ts';
import { givenConnection, givenEndpoint } from '../support/givens/webhooks.ts';
import { refreshQueues } from '../../src/webhooks/queue/due.ts';
import { startReceiver } from '../webhooks/receiver.ts';

const MIGRATION = 'prisma/migrations/20261207201500_event_recipients/migration.sql';

const { test, world } = platformWorld({ environment: { WEBHOOK_POLL_MS: '3600000' } }, async (seed) => {
  const platform = await seed.connectPlatform('Recipient Platform');
  const other = await seed.organization('Recipient Other');
  const account = await platform.activeAccount();
  return { platform, other, account };
});

describe('who receives an event', () => {
  test('the migration holds the SQL function as the rule prints it', () => {
    expect(readFileSync(MIGRATION, 'utf8')).toContain(recipientFunctionSql());
  });

  test('where, allows and the SQL function agree on generated events and callers', async () => {
    const { platform, other, account } = world;
    const prisma = world.server.prisma;
    const organizations = [platform.organizationId, other.organizationId, account.organizationId];
    const tenants = [platform.tenantId, other.tenantId, account.tenantId];
    const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);
    const maybe = <T>(values: readonly T[]) => fc.option(pick(values), { nil: null });
    const eventArbitrary = fc.record({
      organizationId: pick(organizations),
      tenantId: maybe(tenants),
      connectedAccountId: maybe([account.accountId]),
      platformOrganizationId: maybe(organizations),
    });
    // Every combination the generator can make, written once: the property runs against these rows.
    const events = fc.sample(eventArbitrary, 120).map((place) => ({ id: newId('Event'), ...place }));
    await prisma.event.createMany({
      data: events.map((event) => ({
        ...event,
        type: 'tenant.created',
        objectId: 'obj_generated',
        data: {},
        actorType: 'SYSTEM' as const,
      })),
    });
    const ids = events.map((event) => event.id);

    const scopeArbitrary: fc.Arbitrary<TenantScope> = fc.record({
      organizationId: pick(organizations),
      tenantId: pick(tenants),
      organizationWide: fc.boolean(),
      environment: pick(['PRODUCTION', 'SANDBOX'] as const),
    });
    const rule = modelRules.Event ?? expect.fail('no Event rule');
    await fc.assert(
      fc.asyncProperty(scopeArbitrary, async (scope) => {
        const byWhere = await prisma.event.findMany({ where: { AND: [rule.where(scope), { id: { in: ids } }] }, select: { id: true } });
        const recipient = eventRecipient(scope);
        const bySql = await prisma.$queryRaw<{ id: string }[]>`
          SELECT "id" FROM "Event" WHERE "id" = ANY(${ids}::text[]) AND event_reaches("organizationId", "tenantId", "connectedAccountId",
            "platformOrganizationId", ${recipient.organizationId}, ${recipient.tenantId}, ${recipient.organizationWide}, ${recipient.sandbox}, 'all')`;
        const byAllows = events.filter((event) => rule.allows?.(scope, event)).map((event) => event.id);
        const sorted = (list: { id: string }[] | string[]) => list.map((item) => (typeof item === 'string' ? item : item.id)).sort();
        expect(sorted(byWhere)).toEqual(sorted(byAllows));
        expect(sorted(bySql)).toEqual(sorted(byAllows));
      }),
      { numRuns: 60 },
    );
  });

  test("the lease asks the rule again: a delivery of an event its endpoint's owner cannot read is never sent", async () => {
    const { platform, other } = world;
    const hooks = await startReceiver();
    try {
      const { endpoint } = await givenEndpoint(world.server, withKey(platform.apiKey), { url: hooks.url, eventTypes: ['*'] });
      await world.server.webhooks.deliverDue();
      const sent = hooks.receipts.length;
      const foreign = await givenConnection(world.server, other.apiKey);
      const event = await world.server.prisma.event.findFirstOrThrow({ where: { objectId: foreign.id } });
      // A delivery no rule would queue, written by hand.
      const delivery = await world.server.prisma.webhookDelivery.create({
        data: {
          id: newId('WebhookDelivery'),
          endpointId: endpoint.id,
          eventId: event.id,
          organizationId: platform.organizationId,
          tenantId: platform.tenantId,
          eventSequence: event.sequence,
        },
      });
      await world.server.prisma.$transaction((tx) => refreshQueues(tx, [endpoint.id]));
      await world.server.webhooks.deliverDue();
      expect(await world.server.prisma.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).toMatchObject({
        status: 'FAILED',
        lastError: "not sent: the endpoint's owner may not read this event",
      });
      expect(hooks.receipts.slice(sent).map((receipt) => receipt.event.id)).not.toContain(event.id);
    } finally {
      await hooks.close();
    }
  });
});
