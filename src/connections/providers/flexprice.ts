// Flexprice: its API key in secrets.generic.data.apiKey, and its check: the key is accepted (an
// authenticated GET /customers?limit=1 with the x-api-key header, as the API reference documents;
// there is no official Node SDK to call it through here). settings.endpoint is the base URL with its /v1.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ProviderAnswer, requiredSecret, type ProviderCheck } from './answers.ts';
import type { Provider } from './provider.ts';

export const checkFlexprice: ProviderCheck = async ({ secrets, url, agents, signal }) => {
  const apiKey = requiredSecret(secrets, 'apiKey', 'secrets.generic.data.apiKey');
  const target = new URL(`${url.href.replace(/\/+$/, '')}/customers?limit=1`);
  const status = await new Promise<number>((resolve, reject) => {
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing = send(target, {
      method: 'GET',
      headers: { 'x-api-key': apiKey, accept: 'application/json' },
      agent: agents.forUrl,
      signal,
    });
    outgoing.on('response', (response) => {
      // Only the status is used: the body is read to the end and dropped.
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
  if (status < 200 || status >= 300) throw new ProviderAnswer(status, null);
};

export const flexprice: Provider = {
  label: 'Flexprice',
  secrets: { kind: 'generic' },
  // Its base URLs include the API version (US region; India is https://api.cloud.flexprice.io/v1).
  endpoint: 'https://us.api.flexprice.io/v1',
  // Its error codes are not quoted.
  errorCode: null,
  check: checkFlexprice,
  form: {
    secrets: { apiKey: { label: 'API key', help: 'In Flexprice under Developers, API keys.' } },
  },
};
