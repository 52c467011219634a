// The event catalog: every type the server records has a JSON Schema and an example that validates,
// and the events really recorded validate against their type's schema (the catalog and `data.object`
// come from one source, src/events/public-objects.ts).
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect } from 'vitest';
import { WebhookEventTypesDocument } from '../generated/graphql.ts';
import { eventTypes } from '../../src/events/event-types.ts';
import { platformWorld } from '../support/world.ts';
import { withKey } from '../support/server.ts';
import { givenConnection, givenEndpoint } from '../support/givens/webhooks.ts';
import { givenPurpose, givenPackage, givenSubAccount, subAccountInput } from '../support/givens/sub-accounts.ts';

const { test, world } = platformWorld({}, async (seed) => ({ platform: await seed.connectPlatform('Catalog Platform') }));

function validator() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  return ajv;
}

async function catalog() {
  const response = await world.server.request(WebhookEventTypesDocument, {}, withKey(world.platform.apiKey));
  return response.data?.webhookEventTypes ?? expect.fail(JSON.stringify(response));
}

describe('the event catalog', () => {
  test('names every event type, each with a description, a schema and an example that validates', async () => {
    const entries = await catalog();
    expect(entries.map((entry) => entry.name)).toEqual([...eventTypes]);
    const ajv = validator();
    for (const entry of entries) {
      expect(entry.description.length, entry.name).toBeGreaterThan(10);
      const validate = ajv.compile(entry.schema);
      expect(entry.example).toMatchObject({ type: entry.name, data: { object: expect.any(Object) } });
      const valid = validate((entry.example as { data: { object: unknown } }).data.object);
      expect(valid, `${entry.name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  test('every event really recorded validates against its type schema', async () => {
    const { platform } = world;
    const key = withKey(platform.apiKey);
    await platform.activeAccount();
    const connection = await givenConnection(world.server, platform.apiKey);
    await connection.touch();
    await givenEndpoint(world.server, key, { url: 'http://127.0.0.1:9/hooks', eventTypes: ['connected_account.*'] });
    const purpose = await givenPurpose(world.server, platform, 'Billing');
    await givenPackage(world.server, platform, 'Starter', [purpose]);
    await givenSubAccount(world.server, platform.apiKey, subAccountInput({ permissiblePurposeIds: [purpose] }));

    const schemas = new Map((await catalog()).map((entry) => [entry.name, entry.schema]));
    const ajv = validator();
    const events = await world.server.prisma.event.findMany({ where: { organizationId: platform.organizationId } });
    const types = new Set(events.map((event) => event.type));
    expect(types.size).toBeGreaterThanOrEqual(8);
    for (const event of events) {
      const schema = schemas.get(event.type) ?? expect.fail(`no schema for ${event.type}`);
      const validate = ajv.compile(schema);
      const object = (event.data as { object: unknown }).object;
      expect(validate(object), `${event.type}: ${JSON.stringify(validate.errors)} in ${JSON.stringify(object)}`).toBe(true);
    }
  });
});
