// The actor carries the API key a request presented; nothing that prints an actor prints the key.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PresentedApiKey } from '../../src/auth/presented-api-key.ts';

describe('the presented API key on an actor', () => {
  const secret = 'mk_live_0123456789abcdefghijKLMNOP';
  const actor = { apiKeyId: 'key_1', apiKey: new PresentedApiKey(secret) };

  it('shows a placeholder to JSON, util.inspect and template strings', () => {
    for (const printed of [JSON.stringify(actor), inspect(actor, { depth: 5, showHidden: true }), `${actor.apiKey}`]) {
      expect(printed).not.toContain(secret);
      expect(printed).not.toContain(secret.slice(8, 20));
    }
  });

  it('is identified by its hash and derives keys only its holder can make', () => {
    const again = new PresentedApiKey(secret);
    const other = new PresentedApiKey(`${secret}x`);
    expect(actor.apiKey.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(again.hash).toBe(actor.apiKey.hash);
    expect(actor.apiKey.derivedKey('purpose')).toEqual(again.derivedKey('purpose'));
    expect(actor.apiKey.derivedKey('purpose')).not.toEqual(actor.apiKey.derivedKey('another'));
    expect(actor.apiKey.derivedKey('purpose')).not.toEqual(other.derivedKey('purpose'));
  });
});
