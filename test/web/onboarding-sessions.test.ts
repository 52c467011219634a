// The onboarding page's sessions over HTTP: scoped to one link, a verification link used once, and
// forms accepted only from this server's own pages. Sign-ups with a known e-mail: sign-up.test.ts.
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';

const { test, world } = platformWorld({}, async (seed) => {
  const platform = await seed.connectPlatform();
  return { platform };
});

const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  world.server.fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });

const cookieOf = (response: Response) => (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
const title = async (response: Response) => /<h1>([^<]*)<\/h1>/.exec(await response.text())?.[1];

async function verificationLink(email: string) {
  await expect.poll(async () => (await world.server.prisma.outboxEmail.findFirst({ where: { to: email } }))?.text).toBeTruthy();
  const { text } = await world.server.prisma.outboxEmail.findFirstOrThrow({ where: { to: email } });
  return new URL(/(http\S+\/verify\/\S+)/.exec(text)?.[1] ?? expect.fail('no link')).pathname;
}

describe('onboarding page sessions', () => {
  test('keeps a session to its own link, in an HttpOnly, SameSite cookie', async () => {
    const a = await world.platform.expressAccount();
    const b = await world.platform.expressAccount();
    const signUp = await post(`/onboarding/${a.token}/sign-up`, { email: 'scoped@shop.example' });
    expect(signUp.status).toBe(303);
    expect(signUp.headers.get('set-cookie')).toMatch(new RegExp(`Path=/onboarding/${a.token}; HttpOnly; SameSite=Lax`));
    const cookie = cookieOf(signUp);
    expect(await title(await world.server.fetch(`/onboarding/${a.token}`, { headers: { cookie } }))).toBe('Check your inbox');
    expect(await title(await world.server.fetch(`/onboarding/${b.token}`, { headers: { cookie } }))).toBe('Welcome');
  });

  test('accepts a verification link once, in any browser', async () => {
    const { token } = await world.platform.expressAccount();
    await post(`/onboarding/${token}/sign-up`, { email: 'once@shop.example' });
    const path = await verificationLink('once@shop.example');
    const first = await world.server.fetch(path, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(await title(await world.server.fetch(`/onboarding/${token}`, { headers: { cookie: cookieOf(first) } }))).toBe(
      'Choose a password',
    );
    expect((await world.server.fetch(path)).status).toBe(400);
  });

  test('refuses forms from other sites, an unknown e-mail format, and methods it does not serve', async () => {
    const { token } = await world.platform.expressAccount();
    expect((await post(`/onboarding/${token}/sign-up`, { email: 'x@shop.example' }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await post(`/onboarding/${token}/sign-up`, { email: 'not an e-mail' })).status).toBe(400);
    const wrongMethod = await world.server.fetch(`/onboarding/${token}/sign-in`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });
});
