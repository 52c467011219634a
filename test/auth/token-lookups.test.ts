// Lookups by a token presented without an API key (onboarding and account update links, e-mail
// verifications, OAuth clients, consents and codes) that find nothing usable are limited per client:
// a client trying random tokens is refused (429, Retry-After) past UNKNOWN_TOKENS_PER_MINUTE, another
// client is not, and a valid token is still served to the refused one.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompleteOnboardingDocument, OnboardingSessionDocument } from '../generated/graphql.ts';
import { givenConnectPlatform, givenExpressAccount, onboardingForm } from '../support/givens/connect.ts';
import type { OrganizationFixture } from '../support/givens/organizations.ts';
import { authorizeQuery, givenOAuthPlatform, OAUTH_REDIRECT_URI, pkcePair } from '../support/givens/oauth.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const from = (address: string) => ({ 'x-forwarded-for': address });
const randomToken = (length: number) => randomBytes(length).toString('base64url').replace(/[-_]/g, 'A').slice(0, length);
const form = (fields: Record<string, string>, client: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...from(client) },
  body: new URLSearchParams(fields).toString(),
});

describe('onboardingSession with random tokens', () => {
  let server: TestServer;
  let platform: OrganizationFixture;

  beforeAll(async () => {
    // The default: 30 per client and minute (the test server raises it for everything else).
    server = await startTestServer({ environment: { TRUST_PROXY: 'true', UNKNOWN_TOKENS_PER_MINUTE: '30' } });
    platform = await givenConnectPlatform(server, 'Looked-up Platform');
  });
  afterAll(() => server?.close());

  const lookUp = (token: string, client: string) => server.request(OnboardingSessionDocument, { token }, from(client));

  it('cuts 300 lookups from one client at the limit; another client is unaffected, and a valid link is still served', async () => {
    const answers = [];
    for (let batch = 0; batch < 10; batch += 1) {
      answers.push(...(await Promise.all(Array.from({ length: 30 }, () => lookUp(randomToken(44), '198.51.100.20')))));
    }
    const invalid = answers.filter((answer) => answer.status === 200);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(invalid).toHaveLength(30);
    expect(invalid.every((answer) => answer.data?.onboardingSession.__typename === 'LinkInvalidError')).toBe(true);
    expect(refused).toHaveLength(270);
    expect(refused[0]?.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
    expect(Number(refused[0]?.headers.get('retry-after'))).toBeGreaterThan(0);

    expect((await lookUp(randomToken(44), '198.51.100.21')).data?.onboardingSession.__typename).toBe('LinkInvalidError');
    const { token } = await givenExpressAccount(server, platform);
    expect((await lookUp(token, '198.51.100.20')).data?.onboardingSession.__typename).toBe('OnboardingSession');
  });
});

describe('every public door that looks a token up', () => {
  let server: TestServer;
  let platform: Awaited<ReturnType<typeof givenOAuthPlatform>>;
  let clients = 0;

  beforeAll(async () => {
    server = await startTestServer({ environment: { TRUST_PROXY: 'true', UNKNOWN_TOKENS_PER_MINUTE: '2' } });
    platform = await givenOAuthPlatform(server, 'Door Platform');
  });
  afterAll(() => server?.close());

  /** Three failed lookups through one door from a new client: the first two answered as before, the third refused. */
  async function threeFrom(door: (client: string) => PromiseLike<{ status: number }> | { status: number }) {
    clients += 1;
    const client = `192.0.2.${clients}`;
    const statuses = [];
    for (let attempt = 0; attempt < 3; attempt += 1) statuses.push((await door(client)).status);
    return statuses;
  }

  it('counts failures and refuses the third with 429', async () => {
    const { token } = await givenExpressAccount(server, platform);
    const pkce = pkcePair();
    const doors = {
      completeOnboarding: (client: string) =>
        server.request(CompleteOnboardingDocument, { input: onboardingForm(randomToken(44)) }, from(client)),
      onboardingPage: (client: string) => server.fetch(`/onboarding/${randomToken(44)}`, { headers: from(client) }),
      accountUpdatePage: (client: string) => server.fetch(`/account-update/${randomToken(44)}`, { headers: from(client) }),
      emailVerification: (client: string) => server.fetch(`/onboarding/${token}/verify/${randomToken(43)}`, { headers: from(client) }),
      oauthClient: (client: string) =>
        server.fetch(`/oauth/authorize?${authorizeQuery(platform, { client_id: `ca_${randomToken(24)}` })}`, { headers: from(client) }),
      oauthConsent: (client: string) =>
        server.fetch('/oauth/consent', form({ consent_token: randomToken(43), decision: 'approve' }, client)),
      oauthCode: (client: string) =>
        server.fetch(
          '/oauth/token',
          form(
            {
              grant_type: 'authorization_code',
              code: randomToken(43),
              redirect_uri: OAUTH_REDIRECT_URI,
              client_id: platform.clientId,
              client_secret: platform.clientSecret,
              code_verifier: pkce.verifier,
            },
            client,
          ),
        ),
      oauthClientSecret: (client: string) =>
        server.fetch(
          '/oauth/token',
          form(
            {
              grant_type: 'authorization_code',
              code: randomToken(43),
              redirect_uri: OAUTH_REDIRECT_URI,
              client_id: platform.clientId,
              client_secret: 'wrong',
              code_verifier: pkce.verifier,
            },
            client,
          ),
        ),
    };
    const answered: Record<string, number[]> = {};
    for (const [name, door] of Object.entries(doors)) answered[name] = await threeFrom(door);
    expect(answered).toEqual({
      completeOnboarding: [200, 200, 429],
      onboardingPage: [404, 404, 429],
      accountUpdatePage: [404, 404, 429],
      emailVerification: [400, 400, 429],
      oauthClient: [400, 400, 429],
      oauthConsent: [400, 400, 429],
      oauthCode: [400, 400, 429],
      oauthClientSecret: [401, 401, 429],
    });

    // The token endpoint answers in its own format, with Retry-After.
    const refused = await doors.oauthCode('192.0.2.1');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: 'rate_limited' });
    // A page says to try again, with Retry-After.
    const page = await doors.onboardingPage('192.0.2.2');
    expect(page.headers.get('retry-after')).not.toBeNull();
    expect(await page.text()).toContain('Too many requests with unknown or unusable tokens');
    // The valid link is still served to a refused client.
    expect((await server.fetch(`/onboarding/${token}`, { headers: from('192.0.2.2') })).status).toBe(200);
  });
});
