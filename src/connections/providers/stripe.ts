// Stripe: the secret key may read the account it belongs to (GET /v1/account, "Retrieve account"),
// through the official SDK pointed at settings.endpoint's host, port and protocol.
import Stripe from 'stripe';
import { ProviderAnswer, requiredSecret, type ProviderCheck } from './answers.ts';

export const checkStripe: ProviderCheck = async ({ secrets, url, agents, timeoutMs }) => {
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
