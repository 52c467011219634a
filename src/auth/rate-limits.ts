// The limits of who may ask how often, and what each counts by: API keys and their organizations,
// unknown keys and tokens per client, sign-in failures, sign-up e-mails. How a limit is counted
// (across processes, leased, refused after a delay) is ./rate-limit-counters.ts.
import type pg from 'pg';
import type { Config } from '../config.ts';
import { sha256Hex } from '../crypto/tokens.ts';
import { rateLimited } from './request-errors.ts';
import { counter, rateCeiling, RateLimitExceededError, refuseLater, secondsOf, spend, type Counter } from './rate-limit-counters.ts';

export { prepareRateLimitTable, RateLimitExceededError } from './rate-limit-counters.ts';

/** A sign-in attempt is counted under these keys: the e-mail, the client, and the onboarding link when there is one. */
export interface SignInKeys {
  email: string;
  client: string;
  linkId?: string | undefined;
}

export interface SignInAttempt {
  /** The password matched: the e-mail's failures are forgotten, the client and the link get their point back. */
  succeeded(): Promise<void>;
  /** The password could not be checked (the server was busy): the attempt does not count. */
  notChecked(): Promise<void>;
}

/** A sign-up e-mail is counted under the address it goes to, the link it was asked on, and the client that asked. */
export interface SignUpEmailKeys {
  email: string;
  client: string;
  linkId: string;
  /** The platform whose link it is: an address is counted per platform. */
  platformOrganizationId: string;
}

export interface RateLimits {
  /**
   * Every request made with an API key: the key's own rate (RATE_LIMIT_PER_SECOND, RATE_LIMIT_BURST),
   * then its organization's over all its keys (RATE_LIMIT_PER_ORGANIZATION_*).
   */
  takeApiKeyRequest(key: { apiKeyId: string; organizationId: string }): Promise<void>;
  /**
   * Every request made with an account session: the session's own rate (RATE_LIMIT_PER_SESSION_*),
   * then its platform's over all its keys and sessions: a page's load counts to the platform that minted it.
   */
  takeSessionRequest(session: { sessionId: string; organizationId: string }): Promise<void>;
  /**
   * Authenticates a presented key: a key that authenticates is served whatever else came from its
   * client; an unknown one counts against the client's limit of unknown keys, and past it is refused.
   */
  authenticatingKey<T>(client: string, authenticate: () => Promise<T | null>): Promise<T | null>;
  /** Counts a sign-in attempt before the password is checked; then say how it ended. */
  signInAttempt(keys: SignInKeys): Promise<SignInAttempt>;
  /** Counts a sign-up e-mail before it is queued; over a limit, RateLimitExceededError. */
  takeSignUpEmail(keys: SignUpEmailKeys): Promise<void>;
  /** A token presented without an API key found nothing usable: counted per client; past the limit, RateLimitExceededError. */
  unknownToken(client: string): Promise<void>;
  /** Refuses (RateLimitExceededError) after the refusal delay, as every limit here does. */
  refuse(retryAfterSeconds: number, message: string): Promise<never>;
}

/**
 * E-mails as hashes: no address is stored, and any length fits the key column. They arrive
 * normalized (src/auth/sign-in.ts), so every spelling of one address counts as one.
 */
const addressKey = (email: string) => sha256Hex(email);

/**
 * The inbox sign-up e-mails are counted for, per platform: the address with its +tag dropped (the
 * tags of one inbox are one inbox), with the platform whose link asked. Counted across platforms, an
 * outsider's 5 sign-ups with someone's address on the outsider's own link locked that person out of
 * signing up on every platform for an hour, renewable; each platform's links now count their own.
 */
const inboxKey = (platformOrganizationId: string, email: string) =>
  addressKey(`${platformOrganizationId}:${email.replace(/\+[^@]*@/, '@')}`);

export function createRateLimits(
  pool: pg.Pool | null,
  config: Pick<
    Config,
    | 'rateLimit'
    | 'rateLimitPerOrganization'
    | 'rateLimitPerSession'
    | 'signInFailures'
    | 'unknownApiKeysPerMinute'
    | 'unknownTokensPerMinute'
    | 'verificationEmails'
    | 'refusalDelayMs'
  >,
): RateLimits {
  const perKey = rateCeiling(pool, 'api-key', config.rateLimit);
  const perOrganization = rateCeiling(pool, 'organization', config.rateLimitPerOrganization);
  const perSession = rateCeiling(pool, 'account-session', config.rateLimitPerSession);
  const unknownKeys = counter(pool, 'unknown-api-key', { points: config.unknownApiKeysPerMinute, durationSeconds: 60 });
  const unknownTokens = counter(pool, 'unknown-token', { points: config.unknownTokensPerMinute, durationSeconds: 60 });
  const signInWindow = config.signInFailures.windowSeconds;
  const signIns = {
    account: counter(pool, 'sign-in-account', { points: config.signInFailures.perAccount, durationSeconds: signInWindow }),
    client: counter(pool, 'sign-in-client', { points: config.signInFailures.perClient, durationSeconds: signInWindow }),
    link: counter(pool, 'sign-in-link', { points: config.signInFailures.perLink, durationSeconds: signInWindow }),
  };
  const { perAddress, perLink, perClient, windowSeconds } = config.verificationEmails;
  const signUps = {
    address: counter(pool, 'sign-up-address', { points: perAddress, durationSeconds: windowSeconds }),
    link: counter(pool, 'sign-up-link', { points: perLink, durationSeconds: windowSeconds }),
    client: counter(pool, 'sign-up-client', { points: perClient, durationSeconds: windowSeconds }),
  };
  const delayMs = config.refusalDelayMs;

  async function takeOrganizationRequest(organizationId: string): Promise<void> {
    const organizationWaitMs = (await perOrganization?.(organizationId)) ?? 0;
    if (organizationWaitMs > 0) {
      const seconds = secondsOf(organizationWaitMs);
      throw new RateLimitExceededError(seconds, `Too many requests for this organization's API keys together: retry in ${seconds} s.`);
    }
  }

  return {
    async takeApiKeyRequest({ apiKeyId, organizationId }) {
      const keyWaitMs = (await perKey?.(apiKeyId)) ?? 0;
      if (keyWaitMs > 0)
        throw new RateLimitExceededError(secondsOf(keyWaitMs), `Too many requests for this API key: retry in ${secondsOf(keyWaitMs)} s.`);
      await takeOrganizationRequest(organizationId);
    },

    async takeSessionRequest({ sessionId, organizationId }) {
      const sessionWaitMs = (await perSession?.(sessionId)) ?? 0;
      if (sessionWaitMs > 0) {
        const seconds = secondsOf(sessionWaitMs);
        throw new RateLimitExceededError(seconds, `Too many requests for this account session: retry in ${seconds} s.`);
      }
      await takeOrganizationRequest(organizationId);
    },

    async authenticatingKey(client, authenticate) {
      // Looked up first: refusing before the lookup would lock every valid key behind an address (a
      // NAT, an office) out for a minute because one client there sent unknown ones.
      const authenticated = await authenticate();
      if (authenticated === null) {
        await spend(
          [[unknownKeys, client]],
          delayMs,
          (seconds) => `Too many requests with unknown API keys from this address: retry in ${seconds} s.`,
        );
      }
      return authenticated;
    },

    async signInAttempt({ email, client, linkId }) {
      const account = addressKey(email);
      const entries: [Counter, string][] = [
        [signIns.account, account],
        [signIns.client, client],
        ...(linkId ? [[signIns.link, linkId] as [Counter, string]] : []),
      ];
      await spend(entries, delayMs, (seconds) => `Too many failed sign-ins: retry in ${seconds} s.`);
      const giveBack = (keepAccount: boolean) =>
        Promise.all([
          keepAccount ? signIns.account?.reward(account) : signIns.account?.delete(account),
          signIns.client?.reward(client),
          linkId ? signIns.link?.reward(linkId) : undefined,
        ]).then(() => undefined);
      return { succeeded: () => giveBack(false), notChecked: () => giveBack(true) };
    },

    async takeSignUpEmail({ email, client, linkId, platformOrganizationId }) {
      const entries: [Counter, string][] = [
        [signUps.address, inboxKey(platformOrganizationId, email)],
        [signUps.link, linkId],
        [signUps.client, client],
      ];
      await spend(entries, delayMs, (seconds) => `Too many e-mails were asked for: try again in ${Math.ceil(seconds / 60)} min.`);
    },

    refuse: (retryAfterSeconds, message) => refuseLater(delayMs, retryAfterSeconds, message),

    async unknownToken(client) {
      await spend(
        [[unknownTokens, client]],
        delayMs,
        (seconds) => `Too many requests with unknown or unusable tokens from this address: retry in ${seconds} s.`,
      );
    },
  };
}

/** The top-level GraphQL error for a refusal (RATE_LIMITED, 429, Retry-After). */
export const rateLimitedError = (error: RateLimitExceededError) => rateLimited(error.retryAfterSeconds, error.message);
