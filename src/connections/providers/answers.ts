// What a provider check reports when the provider refuses: the HTTP status and the provider's own
// error code (a fixed identifier such as Stripe's `invalid_request_error` or S3's `InvalidAccessKeyId`),
// never its message.
import type { GuardedAgents } from '../../net/guarded-agents.ts';
import type { StoredSecrets } from '../secrets.ts';
import type { ConnectionSettings } from '../settings.ts';

export class ProviderAnswer extends Error {
  constructor(
    readonly httpStatus: number,
    readonly providerCode: string | null,
  ) {
    super(`HTTP ${httpStatus}`);
  }
}

/** The stored secrets lack what the check needs: only new credentials help. */
export class MissingCredential extends Error {}

export interface ProviderCheckInput {
  secrets: StoredSecrets;
  settings: ConnectionSettings;
  /** settings.endpoint, or the provider's public endpoint. */
  url: URL;
  agents: GuardedAgents;
  /** Aborts at the deadline. */
  signal: AbortSignal;
  timeoutMs: number;
}

/** Resolves when the provider accepts the credentials; throws ProviderAnswer when it refuses them. */
export type ProviderCheck = (input: ProviderCheckInput) => Promise<void>;

export function requiredSecret(secrets: StoredSecrets, field: string, where: string): string {
  const value = secrets[field];
  if (typeof value !== 'string' || value === '') throw new MissingCredential(`no ${where} is stored`);
  return value;
}
