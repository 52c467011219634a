// HubSpot: its access token (and app credentials) in secrets.hubspot, and its check: the access
// token is one HubSpot knows and has not expired (GET /oauth/v1/access-tokens/{token}, "Retrieve
// OAuth token metadata"), through the official SDK with settings.endpoint as its basePath.
import { ProviderAnswer, requiredSecret, type ProviderCheck } from './answers.ts';
import type { Provider } from './provider.ts';

const loadSdk = () => import('@hubspot/api-client');

interface HubspotApiException {
  code: number;
  body?: { category?: unknown } | null;
}

const isApiException = (error: unknown): error is HubspotApiException =>
  typeof (error as { code?: unknown } | null)?.code === 'number' && 'body' in (error as object);

export const checkHubspot: ProviderCheck = async ({ secrets, url, agents }) => {
  const accessToken = requiredSecret(secrets, 'accessToken', 'secrets.hubspot.accessToken');
  const { Client } = await loadSdk();
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

export const hubspot: Provider = {
  label: 'HubSpot',
  secrets: {
    kind: 'fields',
    member: 'hubspot',
    inputTypeName: 'HubspotSecretsInput',
    fields: {
      accessToken: { pattern: /^\S{8,1024}$/, required: true },
      appId: { pattern: /^\d{1,20}$/ },
      clientSecret: { pattern: /^\S{8,256}$/ },
    },
  },
  endpoint: 'https://api.hubapi.com',
  // EXPIRED_AUTHENTICATION
  errorCode: /^[A-Z]+(?:_[A-Z]+)*$/,
  loadSdk,
  check: checkHubspot,
  form: {
    secrets: {
      accessToken: { label: 'Access token', help: 'Your private app’s access token, under Settings, Integrations, Private apps.' },
      appId: { label: 'App ID', help: 'Optional: the number of your public app.', shown: true },
      clientSecret: { label: 'Client secret', help: 'Optional: your public app’s client secret, under Auth.' },
    },
  },
};
