// Checks a connection's stored credentials against its provider (providers/*.ts, one per provider,
// each through its official SDK or documented HTTP API) and turns the outcome into a health. The
// whole check has VERIFY_TIMEOUT_MS: every SDK gets that timeout, and at the deadline its sockets
// are destroyed (net/guarded-agents.ts), so no verification holds a request longer. `lastError` is
// our own wording from status codes and provider error codes, never a provider's message (Stripe's
// echoes part of the key), and any stored secret value is cut out of it all the same.
import type { ProviderType } from '../generated/prisma/enums.ts';
import { RefusedAddressError, type AddressPolicy } from '../net/address-guard.ts';
import { guardedAgents, type GuardedAgents } from '../net/guarded-agents.ts';
import type { StoredSecrets } from './secrets.ts';
import type { ConnectionSettings } from './settings.ts';
import { MissingCredential, MissingSetting, ProviderAnswer, type ProviderCheck } from './providers/answers.ts';

export const VERIFY_TIMEOUT_MS = 5_000;

export type VerifiedHealth = 'HEALTHY' | 'FAILING' | 'NEEDS_REAUTH';

export interface VerificationOutcome {
  status: VerifiedHealth;
  /** Null when HEALTHY. */
  error: string | null;
}

/**
 * Each provider's check, its public endpoint (used when settings.endpoint is not set) and its name
 * in `lastError`. The SDKs load on the first check (about 2 s and 70 MB for the three), not at start.
 */
const providers: Record<ProviderType, { load: () => Promise<ProviderCheck>; endpoint: string; label: string }> = {
  STRIPE: { load: async () => (await import('./providers/stripe.ts')).checkStripe, endpoint: 'https://api.stripe.com', label: 'Stripe' },
  // The SDK's own regional endpoint is the default; this one only serves the address guard.
  S3: { load: async () => (await import('./providers/s3.ts')).checkS3, endpoint: 'https://s3.amazonaws.com', label: 'S3' },
  HUBSPOT: { load: async () => (await import('./providers/hubspot.ts')).checkHubspot, endpoint: 'https://api.hubapi.com', label: 'HubSpot' },
  // Flexprice's base URLs include the API version (US region; India is https://api.cloud.flexprice.io/v1).
  FLEXPRICE: { load: async () => (await import('./providers/flexprice.ts')).checkFlexprice, endpoint: 'https://us.api.flexprice.io/v1', label: 'Flexprice' },
};

class DeadlineReached extends Error {}

/** Runs `work` with a signal that aborts at the deadline, and gives up waiting on it then. */
async function withinDeadline<T>(timeoutMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const reached = new DeadlineReached();
      controller.abort(reached);
      reject(reached);
    }, timeoutMs);
  });
  try {
    return await Promise.race([work(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

const ERROR_CODE = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Every stored secret value cut out of `text`, whatever the provider put in the parts we quote. */
function withoutSecrets(text: string, secrets: StoredSecrets): string {
  const values = Object.values(secrets).filter((value): value is string => typeof value === 'string' && value.length >= 4);
  return values.reduce((kept, value) => kept.split(value).join('…'), text);
}

function outcomeOf(error: unknown, label: string, timeoutMs: number): VerificationOutcome {
  if (error instanceof MissingCredential) return { status: 'NEEDS_REAUTH', error: error.message };
  if (error instanceof MissingSetting) return { status: 'FAILING', error: error.message };
  if (error instanceof ProviderAnswer) {
    const code = error.providerCode && ERROR_CODE.test(error.providerCode) ? ` (${error.providerCode})` : '';
    const status = error.httpStatus === 401 || error.httpStatus === 403 ? 'NEEDS_REAUTH' : 'FAILING';
    return { status, error: `${label} answered HTTP ${error.httpStatus}${code}` };
  }
  if (error instanceof DeadlineReached) return { status: 'FAILING', error: `${label} did not answer within ${timeoutMs / 1000} s` };
  if (error instanceof RefusedAddressError) {
    return { status: 'FAILING', error: 'refused: the endpoint is a private, loopback, link-local or metadata address' };
  }
  // An SDK may wrap the socket's error: Stripe in `detail`, others in `cause`.
  const wrapped = error as { code?: unknown; name?: unknown; detail?: { code?: unknown }; cause?: { code?: unknown } } | null;
  const code = [wrapped?.code, wrapped?.detail?.code, wrapped?.cause?.code].find((candidate) => typeof candidate === 'string');
  const name = wrapped?.name;
  if (name === 'AbortError' || name === 'TimeoutError') return { status: 'FAILING', error: `${label} did not answer within ${timeoutMs / 1000} s` };
  if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return { status: 'FAILING', error: `${label} could not be reached: ${code}` };
  return { status: 'FAILING', error: `${label} could not be reached` };
}

export interface VerificationRequest {
  providerType: ProviderType;
  secrets: StoredSecrets;
  settings: ConnectionSettings;
  policy: AddressPolicy;
  timeoutMs?: number;
}

/** Never throws: a failure of any kind is an outcome. */
export async function verifyCredentials(request: VerificationRequest): Promise<VerificationOutcome> {
  const { load, endpoint, label } = providers[request.providerType];
  const timeoutMs = request.timeoutMs ?? VERIFY_TIMEOUT_MS;
  const url = new URL(request.settings.endpoint ?? endpoint);
  try {
    const check = await load();
    await withinDeadline(timeoutMs, (signal) => {
      const agents: GuardedAgents = guardedAgents(url, request.policy, signal);
      return check({ secrets: request.secrets, settings: request.settings, url, agents, signal, timeoutMs });
    });
    return { status: 'HEALTHY', error: null };
  } catch (error) {
    const outcome = outcomeOf(error, label, timeoutMs);
    return { ...outcome, error: outcome.error && withoutSecrets(outcome.error, request.secrets) };
  }
}
