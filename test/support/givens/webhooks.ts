// Givens for webhook stories: an endpoint made over GraphQL, and changes that record events.
import { expect } from 'vitest';
import {
  CreateConnectionDocument,
  CreateWebhookEndpointDocument,
  UpdateConnectionDocument,
  WebhookDeliveriesDocument,
  type CreateWebhookEndpointInput,
} from '../../generated/graphql.ts';
import { withKey, type TestServer } from '../server.ts';
import { createLogger } from '../../../src/core/logger.ts';
import { startWebhookWorker, type WebhookWorkerDependencies } from '../../../src/webhooks/worker.ts';

export async function givenEndpoint(server: TestServer, headers: Record<string, string>, input: CreateWebhookEndpointInput) {
  const response = await server.request(CreateWebhookEndpointDocument, { input }, headers);
  const result = response.data?.createWebhookEndpoint;
  if (result?.__typename !== 'CreateWebhookEndpointPayload') return expect.fail(JSON.stringify(response));
  return { endpoint: result.webhookEndpoint, secret: result.secret };
}

let connections = 0;

/** A connection of the key's tenant: records `connection.created`. Returns a function recording `connection.updated`. */
export async function givenConnection(server: TestServer, apiKey: string) {
  connections += 1;
  const response = await server.request(
    CreateConnectionDocument,
    { input: { name: `Flexprice ${connections}`, providerType: 'FLEXPRICE', secrets: { generic: { data: { apiKey: 'fp_test_key' } } } } },
    withKey(apiKey),
  );
  const result = response.data?.createConnection;
  if (result?.__typename !== 'CreateConnectionPayload') return expect.fail(JSON.stringify(response));
  const id = result.connection.id;
  let updates = 0;
  return {
    id,
    /** One `connection.updated` event. */
    async touch() {
      updates += 1;
      const updated = await server.request(UpdateConnectionDocument, { input: { id, metadata: { n: updates } } }, withKey(apiKey));
      expect(updated.data?.updateConnection.__typename, JSON.stringify(updated)).toBe('UpdateConnectionPayload');
    },
  };
}

export async function deliveriesOf(server: TestServer, apiKey: string, endpointId: string) {
  const response = await server.request(WebhookDeliveriesDocument, { endpointId, first: 100 }, withKey(apiKey));
  return response.data?.webhookDeliveries.nodes ?? expect.fail(JSON.stringify(response));
}

/** A webhook worker of the test's own on the server's database, beside the server's: polling only when told (deliverDue). */
export function startTestWorker(server: TestServer, overrides: Partial<WebhookWorkerDependencies> = {}) {
  return startWebhookWorker({
    prisma: server.prisma,
    keyRing: server.keyRing,
    clock: server.clock,
    log: createLogger('silent'),
    pollMs: 3_600_000,
    addressPolicy: { production: false, allowPrivateNetworks: false },
    disableAfterFailures: 50,
    sends: server.config.webhookSends,
    active: () => true,
    ...overrides,
  });
}
