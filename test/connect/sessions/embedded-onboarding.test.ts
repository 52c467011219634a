// The embedded onboarding and account management: a PENDING EXPRESS account is onboarded inside the
// platform's page with an account session, then its business details are read and edited there.
import { describe, expect } from 'vitest';
import { platformWorld } from '../../support/world.ts';
import {
  EmbeddedCompleteDocument,
  EmbeddedSignInDocument,
  EmbeddedSignUpDocument,
  EmbeddedVerifyEmailDocument,
  SessionBannerDocument,
  SessionBusinessDetailsDocument,
  SessionItselfDocument,
  SessionUpdateBusinessDetailsDocument,
  UpdateConnectPlatformDocument,
} from '../../generated/graphql.ts';
import { fromPage, givenAccountSession, givenAllowedOrigins } from '../../support/givens/account-sessions.ts';
import { withKey } from '../../support/server.ts';

const { test, world } = platformWorld({}, async (seed) => {
  const platform = await seed.connectPlatform('Embedding Platform');
  await givenAllowedOrigins(seed.server, platform);
  return { platform };
});

const codeOf = (response: { errors?: { extensions?: { code?: string } }[] }) => response.errors?.[0]?.extensions?.code;
const details = { organizationName: 'Embedded GmbH', country: 'DE', legalName: 'Embedded GmbH', city: 'Berlin' };

async function onboardingSession() {
  const { account } = await world.platform.expressAccount();
  const session = await givenAccountSession(world.server, world.platform, account.id, ['ACCOUNT_ONBOARDING', 'ACCOUNT_MANAGEMENT']);
  return { accountId: account.id, page: fromPage(session.clientSecret) };
}

async function codeSentTo(email: string) {
  const mail = await world.server.prisma.outboxEmail.findFirstOrThrow({ where: { to: email }, orderBy: { createdAt: 'desc' } });
  return /\b(\d{6})\b/.exec(mail.subject)?.[1] ?? expect.fail(`no code in ${mail.subject}`);
}

describe('embedded onboarding', () => {
  test('sign up, the code from the outbox, a password, the details: the account is ACTIVE', async () => {
    const { accountId, page } = await onboardingSession();
    const start = await world.server.request(SessionItselfDocument, {}, page);
    expect(start.data?.accountSession).toMatchObject({ accountStatus: 'PENDING', onboarding: { step: 'SIGN_IN_OR_SIGN_UP' } });
    // Nothing but onboarding works for a PENDING account.
    expect(codeOf(await world.server.request(SessionBusinessDetailsDocument, {}, page))).toBe('FORBIDDEN');

    const email = `embedded-${Date.now()}@merchant.example`;
    const signUp = await world.server.request(EmbeddedSignUpDocument, { input: { email } }, page);
    expect(signUp.data?.embeddedOnboardingSignUp).toMatchObject({ onboarding: { step: 'VERIFY_EMAIL', email } });
    const code = await codeSentTo(email);

    const wrong = await world.server.request(
      EmbeddedVerifyEmailDocument,
      { input: { code: code === '000000' ? '111111' : '000000', password: 'correct horse battery staple' } },
      page,
    );
    expect(wrong.data?.embeddedOnboardingVerifyEmail).toMatchObject({ code: 'VALIDATION', fields: ['input.code'] });
    const verified = await world.server.request(
      EmbeddedVerifyEmailDocument,
      { input: { code, password: 'correct horse battery staple' } },
      page,
    );
    expect(verified.data?.embeddedOnboardingVerifyEmail).toMatchObject({ onboarding: { step: 'BUSINESS_DETAILS' } });

    const missing = await world.server.request(EmbeddedCompleteDocument, { input: { ...details, organizationName: ' ' } }, page);
    expect(missing.data?.embeddedOnboardingComplete).toMatchObject({ code: 'VALIDATION', fields: ['input.organizationName'] });
    const completed = await world.server.request(EmbeddedCompleteDocument, { input: details }, page);
    expect(completed.data?.embeddedOnboardingComplete).toMatchObject({ connectedAccountId: accountId });
    const row = await world.server.prisma.connectedAccount.findUniqueOrThrow({ where: { id: accountId } });
    expect(row.status).toBe('ACTIVE');
    expect(await world.server.prisma.user.count({ where: { email } })).toBe(1);
    const activated = await world.server.prisma.event.count({ where: { objectId: accountId, type: 'connected_account.activated' } });
    expect(activated).toBe(1);

    // The same session now manages the ACTIVE account; onboarding is over.
    const after = await world.server.request(SessionItselfDocument, {}, page);
    expect(after.data?.accountSession).toMatchObject({ accountStatus: 'ACTIVE', onboarding: { step: 'COMPLETED' } });
    const read = await world.server.request(SessionBusinessDetailsDocument, {}, page);
    expect(read.data?.businessDetails).toMatchObject({ organizationName: 'Embedded GmbH', legalName: 'Embedded GmbH', city: 'Berlin' });
    expect(codeOf(await world.server.request(EmbeddedSignUpDocument, { input: { email } }, page))).toBe('FORBIDDEN');
  });

  test('five wrong codes end the code; a known address gets the sign-in mail and the same answer', async () => {
    const { page } = await onboardingSession();
    const email = `tries-${Date.now()}@merchant.example`;
    await world.server.request(EmbeddedSignUpDocument, { input: { email } }, page);
    const code = await codeSentTo(email);
    const other = code === '123456' ? '654321' : '123456';
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const wrong = await world.server.request(
        EmbeddedVerifyEmailDocument,
        { input: { code: other, password: 'correct horse battery staple' } },
        page,
      );
      expect(wrong.data?.embeddedOnboardingVerifyEmail).toMatchObject({ code: 'VALIDATION' });
    }
    const late = await world.server.request(
      EmbeddedVerifyEmailDocument,
      { input: { code, password: 'correct horse battery staple' } },
      page,
    );
    expect(late.data?.embeddedOnboardingVerifyEmail).toMatchObject({ code: 'VALIDATION', fields: ['input.code'] });

    // The first user's address, again: the same answer, and a mail telling its owner to sign in.
    const { page: second } = await onboardingSession();
    const user = await world.platform.onboardedUser();
    const known = await world.server.request(EmbeddedSignUpDocument, { input: { email: user.email } }, second);
    expect(known.data?.embeddedOnboardingSignUp).toMatchObject({ onboarding: { step: 'VERIFY_EMAIL', email: user.email } });
    const mail = await world.server.prisma.outboxEmail.findFirstOrThrow({ where: { to: user.email }, orderBy: { createdAt: 'desc' } });
    expect(mail.subject).toContain('You already have an account');
    // The existing user signs in instead, and completes.
    const wrong = await world.server.request(
      EmbeddedSignInDocument,
      { input: { email: user.email, password: 'not the password' } },
      second,
    );
    expect(wrong.data?.embeddedOnboardingSignIn).toMatchObject({ code: 'INVALID_CREDENTIALS' });
    const signedIn = await world.server.request(EmbeddedSignInDocument, { input: { email: user.email, password: user.password } }, second);
    expect(signedIn.data?.embeddedOnboardingSignIn).toMatchObject({ onboarding: { step: 'BUSINESS_DETAILS' } });
    const completed = await world.server.request(EmbeddedCompleteDocument, { input: details }, second);
    expect(completed.data?.embeddedOnboardingComplete.__typename).toBe('EmbeddedOnboardingCompletePayload');
  });

  test('an API key cannot use the embedded onboarding', async () => {
    const response = await world.server.request(
      EmbeddedSignUpDocument,
      { input: { email: 'x@merchant.example' } },
      withKey(world.platform.apiKey),
    );
    expect(response.status).toBe(403);
    expect(codeOf(response)).toBe('FORBIDDEN');
  });
});

describe('business details', () => {
  test('a MANAGEMENT session edits them, checked against what the platform requires, and the platform is told', async () => {
    const account = await world.platform.activeAccount();
    const session = await givenAccountSession(world.server, world.platform, account.accountId, ['ACCOUNT_MANAGEMENT']);
    const page = fromPage(session.clientSecret);
    await world.server.request(
      UpdateConnectPlatformDocument,
      { input: { requiredBusinessDetails: ['VAT_NUMBER'] } },
      withKey(world.platform.apiKey),
    );
    try {
      const cleared = await world.server.request(SessionUpdateBusinessDetailsDocument, { input: { vatNumber: null } }, page);
      expect(cleared.data?.updateBusinessDetails).toMatchObject({ code: 'VALIDATION', fields: ['input.vatNumber'] });
      const bad = await world.server.request(SessionUpdateBusinessDetailsDocument, { input: { phone: 'call me' } }, page);
      expect(bad.data?.updateBusinessDetails).toMatchObject({ code: 'VALIDATION', fields: ['input.phone'] });
      const saved = await world.server.request(
        SessionUpdateBusinessDetailsDocument,
        { input: { legalName: 'Renamed GmbH', vatNumber: 'DE999999999', organizationName: 'Renamed' } },
        page,
      );
      expect(saved.data?.updateBusinessDetails).toMatchObject({
        businessDetails: { organizationName: 'Renamed', legalName: 'Renamed GmbH', vatNumber: 'DE999999999' },
      });
      const read = await world.server.request(SessionBusinessDetailsDocument, {}, page);
      expect(read.data?.businessDetails).toMatchObject({ legalName: 'Renamed GmbH', vatNumber: 'DE999999999' });
      const updated = await world.server.prisma.event.findFirstOrThrow({
        where: { objectId: account.accountId, type: 'connected_account.updated' },
        orderBy: { sequence: 'desc' },
      });
      expect(updated.actorType).toBe('API_KEY');
      expect(JSON.stringify(updated.data)).not.toContain('DE999999999');
      // Its banner is not among its components.
      expect(codeOf(await world.server.request(SessionBannerDocument, {}, page))).toBe('FORBIDDEN');
    } finally {
      await world.server.request(UpdateConnectPlatformDocument, { input: { requiredBusinessDetails: [] } }, withKey(world.platform.apiKey));
    }
  });

  test('the platform acting for the account reads and edits them too', async () => {
    const account = await world.platform.activeAccount();
    const acting = world.platform.actingFor(account.accountId);
    const saved = await world.server.request(SessionUpdateBusinessDetailsDocument, { input: { city: 'Köln' } }, acting);
    expect(saved.data?.updateBusinessDetails).toMatchObject({ businessDetails: { city: 'Köln' } });
    const own = await world.server.request(SessionBusinessDetailsDocument, {}, withKey(world.platform.apiKey));
    expect(own.data?.businessDetails?.organizationName).toBe('Embedding Platform');
  });
});
