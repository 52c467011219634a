// HubSpot: the access token is one HubSpot knows and has not expired (GET
// /oauth/v1/access-tokens/{token}, "Retrieve OAuth token metadata"), through the official SDK with
// settings.endpoint as its basePath.
import { Client } from '@hubspot/api-client';
import { ProviderAnswer, requiredSecret, type ProviderCheck } from './answers.ts';

interface HubspotApiException {
  code: number;
  body?: { category?: unknown } | null;
}

const isApiException = (error: unknown): error is HubspotApiException =>
  typeof (error as { code?: unknown } | null)?.code === 'number' && 'body' in (error as object);

export const checkHubspot: ProviderCheck = async ({ secrets, url, agents }) => {
  const accessToken = requiredSecret(secrets, 'accessToken', 'secrets.hubspot.accessToken');
  // The SDK's own retries would wait past the deadline: none. Its fetch has no timeout of its own;
  // the deadline destroys the agent's socket.
  const client = new Client({ basePath: url.href.replace(/\/+$/, ''), httpAgent: agents.forUrl, numberOfApiCallRetries: 0 });
  try {
    // The SDK (13.5) applies its configured middleware, which sets `httpAgent`, only to a call given
    // options: without them the request would bypass the guarded agents (no address guard, no
    // byte cap, and node-fetch following redirects freely). With them, a redirect is refused.
    await client.oauth.accessTokensApi.get(accessToken, { middleware: [], middlewareMergeStrategy: 'append' });
  } catch (error) {
    if (isApiException(error)) {
      const category = error.body?.category;
      throw new ProviderAnswer(error.code, typeof category === 'string' ? category : null);
    }
    throw error;
  }
};
