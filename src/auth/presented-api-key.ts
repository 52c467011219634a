// The API key a request presented, as the actor carries it. Read from the headers once, by
// resolveActor; what needs it afterwards (idempotency's sealed answers, a subscription watching for
// its key's revocation) asks the actor. The secret sits in a private field: a log line, JSON or
// util.inspect of an actor shows a placeholder, never the key.
import { hkdfSync } from 'node:crypto';
import { inspect } from 'node:util';
import { sha256Hex } from '../crypto/tokens.ts';

export class PresentedApiKey {
  readonly #secret: string;
  #hash: string | undefined;

  constructor(secret: string) {
    this.#secret = secret;
  }

  /**
   * sha256 of the secret, as the key's row stores it: what identifies the key without the secret.
   * Computed when first asked (idempotent mutations, subscriptions), not for every request.
   */
  get hash(): string {
    this.#hash ??= sha256Hex(this.#secret);
    return this.#hash;
  }

  /** 32 bytes only a holder of the secret can make, one set per `purpose` (HKDF-SHA256). */
  derivedKey(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.#secret, '', purpose, 32));
  }

  toJSON(): string {
    return '[API key]';
  }

  [inspect.custom](): string {
    return 'PresentedApiKey [redacted]';
  }
}
