// Checks a connection's stored credentials against its provider (the check in providers/<name>.ts,
// each through its official SDK or documented HTTP API) and turns the outcome into a health. The
// whole check has its deadline (CONNECTION_VERIFY_TIMEOUT_MS): every SDK gets that timeout, and at the deadline its sockets
// are destroyed (net/guarded-agents.ts), so no verification holds a request longer. `lastError` is
// our own wording from status codes and provider error codes, never a provider's message (Stripe's
// echoes part of the key): a code is quoted only when it has the shape the provider documents and
// shares no 8-character run with a stored secret, and any stored secret value is cut out all the same.
// A check never follows a redirect (a 3xx is FAILING) and reads at most 1 MiB of answer.
import type { ProviderType } from '../generated/prisma/enums.ts';
import { RefusedAddressError, type AddressPolicy } from '../net/address-guard.ts';
import { AnswerTooLargeError, guardedAgents, MAX_ANSWER_BYTES, RedirectRefusedError } from '../net/guarded-agents.ts';
import type { StoredSecrets } from './secrets.ts';
import type { ConnectionSettings } from './settings.ts';
import { MissingCredential, ProviderAnswer } from './providers/answers.ts';
import { providers } from './providers/registry.ts';

export type VerifiedHealth = 'HEALTHY' | 'FAILING' | 'NEEDS_REAUTH';

export interface VerificationOutcome {
  status: VerifiedHealth;
  /** Null when HEALTHY. */
  error: string | null;
}

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

const MAX_CODE_LENGTH = 64;
/** A quoted code sharing a run this long with a secret may be echoing it: it is not quoted. */
const SECRET_RUN = 8;

/** Every string in the stored secrets (Flexprice's generic data may nest). */
function secretValues(secrets: unknown): string[] {
  if (typeof secrets === 'string') return [secrets];
  if (secrets === null || typeof secrets !== 'object') return [];
  return Object.values(secrets).flatMap(secretValues);
}

/** Every stored secret value cut out of `text`, whatever the provider put in the parts we quote. */
function withoutSecrets(text: string, secrets: StoredSecrets): string {
  const values = secretValues(secrets).filter((value) => value.length >= 4);
  return values.reduce((kept, value) => kept.split(value).join('…'), text);
}

function echoesSecret(code: string, secrets: StoredSecrets): boolean {
  return secretValues(secrets).some((value) => {
    for (let start = 0; start + SECRET_RUN <= value.length; start += 1) {
      if (code.includes(value.slice(start, start + SECRET_RUN))) return true;
    }
    return false;
  });
}

/** ` (invalid_api_key)`: a provider code of its documented shape that repeats nothing of a secret, or nothing. */
function quotedCode(code: string | null, shape: RegExp | null, secrets: StoredSecrets): string {
  if (!code || !shape || code.length > MAX_CODE_LENGTH || !shape.test(code) || echoesSecret(code, secrets)) return '';
  return ` (${code})`;
}

function outcomeOf(error: unknown, request: VerificationRequest): VerificationOutcome {
  const { timeoutMs } = request;
  const { label, errorCode: shape } = providers[request.providerType];
  if (error instanceof MissingCredential) return { status: 'NEEDS_REAUTH', error: error.message };
  if (error instanceof ProviderAnswer) {
    const code = quotedCode(error.providerCode, shape, request.secrets);
    const status = error.httpStatus === 401 || error.httpStatus === 403 ? 'NEEDS_REAUTH' : 'FAILING';
    return { status, error: `${label} answered HTTP ${error.httpStatus}${code}` };
  }
  if (error instanceof AnswerTooLargeError)
    return { status: 'FAILING', error: `${label}'s answer was too large (over ${MAX_ANSWER_BYTES} bytes)` };
  if (error instanceof RedirectRefusedError)
    return { status: 'FAILING', error: `${label} answered with a redirect, which a check never follows` };
  if (error instanceof DeadlineReached) return { status: 'FAILING', error: `${label} did not answer within ${timeoutMs / 1000} s` };
  if (error instanceof RefusedAddressError) {
    return { status: 'FAILING', error: 'refused: the endpoint is a private, loopback, link-local or metadata address' };
  }
  // An SDK may wrap the socket's error: Stripe in `detail`, others in `cause`.
  const wrapped = error as { code?: unknown; name?: unknown; detail?: { code?: unknown }; cause?: { code?: unknown } } | null;
  const code = [wrapped?.code, wrapped?.detail?.code, wrapped?.cause?.code].find((candidate) => typeof candidate === 'string');
  const name = wrapped?.name;
  if (name === 'AbortError' || name === 'TimeoutError')
    return { status: 'FAILING', error: `${label} did not answer within ${timeoutMs / 1000} s` };
  if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return { status: 'FAILING', error: `${label} could not be reached: ${code}` };
  return { status: 'FAILING', error: `${label} could not be reached` };
}

export interface VerificationRequest {
  providerType: ProviderType;
  secrets: StoredSecrets;
  settings: ConnectionSettings;
  policy: AddressPolicy;
  /** The whole check's deadline. */
  timeoutMs: number;
}

/** Never throws: a failure of any kind is an outcome. */
export async function verifyCredentials(request: VerificationRequest): Promise<VerificationOutcome> {
  const { loadSdk, check, endpoint } = providers[request.providerType];
  const { timeoutMs } = request;
  const url = new URL(request.settings.endpoint ?? endpoint);
  try {
    // The first check of a provider loads its SDK (about 2 s): before the deadline starts.
    await loadSdk?.();
    await withinDeadline(timeoutMs, (signal) => {
      const agents = guardedAgents(url, request.policy, signal);
      // The agents' own refusal wins over whatever the SDK makes of the socket it destroyed.
      return Promise.race([
        check({ secrets: request.secrets, settings: request.settings, url, agents, signal, timeoutMs }),
        agents.refusal,
      ]);
    });
    return { status: 'HEALTHY', error: null };
  } catch (error) {
    const outcome = outcomeOf(error, request);
    return { ...outcome, error: outcome.error && withoutSecrets(outcome.error, request.secrets) };
  }
}
