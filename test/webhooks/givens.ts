// Givens for webhook stories: an endpoint made over GraphQL, and changes that record events.
import { expect } from 'vitest';
import {
  CreateConnectionDocument,
  CreateWebhookEndpointDocument,
  UpdateConnectionDocument,
  WebhookDeliveriesDocument,
  type CreateWebhookEndpointInput,
} from '../generated/graphql.ts';
import { withKey, type TestServer } from '../support/server.ts';

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
