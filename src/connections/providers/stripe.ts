// Stripe: its keys in secrets.stripe, and its check: the secret key may read the account it belongs
// to (GET /v1/account, "Retrieve account"), through the official SDK pointed at settings.endpoint's
// host, port and protocol.
import { ProviderAnswer, requiredSecret, type ProviderCheck } from './answers.ts';
import type { Provider } from './provider.ts';

const loadSdk = () => import('stripe');

export const checkStripe: ProviderCheck = async ({ secrets, url, agents, timeoutMs }) => {
  const { default: Stripe } = await loadSdk();
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  const stripe = new Stripe(requiredSecret(secrets, 'secretKey', 'secrets.stripe.secretKey'), {
    host: url.hostname,
    port: url.port || (protocol === 'http' ? 80 : 443),
    protocol,
    httpAgent: agents.forUrl,
    timeout: timeoutMs,
    maxNetworkRetries: 0,
    telemetry: false,
  });
  try {
    await stripe.accounts.retrieveCurrent();
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError && error.statusCode) {
      throw new ProviderAnswer(error.statusCode, error.code ?? error.rawType ?? null);
    }
    throw error;
  }
};

export const stripe: Provider = {
  label: 'Stripe',
  secrets: {
    kind: 'fields',
    member: 'stripe',
    inputTypeName: 'StripeSecretsInput',
    fields: {
      accountId: { pattern: /^acct_[A-Za-z0-9]+$/, format: 'acct_…' },
      publishableKey: { pattern: /^pk_(live|test)_[A-Za-z0-9]+$/, required: true, format: 'pk_live_… or pk_test_…' },
      secretKey: { pattern: /^(sk|rk)_(live|test)_[A-Za-z0-9]+$/, required: true, format: 'sk_… or rk_… (restricted)' },
      webhookSecret: { pattern: /^whsec_[A-Za-z0-9+/=]+$/, format: 'whsec_…' },
    },
  },
  publicPrefix: /^(?:(?:sk|rk|pk)_(?:live|test)_|whsec_|acct_)/,
  endpoint: 'https://api.stripe.com',
  // api_key_expired, invalid_request_error
  errorCode: /^[a-z]+(?:_[a-z]+)*$/,
  loadSdk,
  check: checkStripe,
  form: {
    secrets: {
      secretKey: {
        label: 'Secret key',
        help: 'In the Stripe Dashboard under Developers, API keys: starts with sk_live_ (or rk_live_ for a restricted key).',
      },
      publishableKey: { label: 'Publishable key', help: 'On the same page: starts with pk_live_.', shown: true },
      accountId: { label: 'Account ID', help: 'Optional: starts with acct_, under Settings, Business.', shown: true },
      webhookSecret: { label: 'Webhook signing secret', help: 'Optional: starts with whsec_, on the webhook endpoint’s page.' },
    },
  },
};
