import { describe, expect } from 'vitest';
import { platformWorld } from '../../support/world.ts';
import {
  CompleteOnboardingDocument,
  ConnectedAccountDocument,
  CreateConnectedAccountDocument,
  OnboardingSessionDocument,
  RegenerateOnboardingLinkDocument,
  UpdateConnectPlatformDocument,
} from '../../generated/graphql.ts';
import { onboardingForm, REDIRECT_URL } from '../../support/givens/connect.ts';
import { withKey } from '../../support/server.ts';

const { test, world } = platformWorld({}, async (seed) => {
  const platform = await seed.connectPlatform('Billing Platform');
  return { platform };
});

const DAY_MS = 24 * 60 * 60 * 1000;

describe('creating an express account', () => {
  test('starts PENDING with its pending details and a first single-use link under PUBLIC_URL', async () => {
    const { account, link, token } = await world.platform.expressAccount({
      email: 'Owner@Shop.example',
      organizationName: '  Shop One  ',
      country: 'FR',
      platformCustomerId: 'cus_7n42DGM5Tflk9n8mt7Fhc7',
      metadata: { plan: 'gold', seats: 3 },
    });
    expect(account).toMatchObject({
      connectionType: 'EXPRESS',
      onboardingMode: 'EXPRESS',
      status: 'PENDING',
      platformOrganizationId: world.platform.organizationId,
      connectedOrganizationId: null,
      connectedTenantId: null,
      platformCustomerId: 'cus_7n42DGM5Tflk9n8mt7Fhc7',
      metadata: { plan: 'gold', seats: 3 },
      pendingEmail: 'owner@shop.example',
      pendingOrganizationName: 'Shop One',
      pendingCountry: 'FR',
    });
    expect(account.id).toMatch(/^cacc_/);
    expect(link.id).toMatch(/^olink_/);
    expect(token).toMatch(/^[0-9A-Za-z]{44}$/);
    expect(link.url).toBe(`http://connect.test/onboarding/${token}`);
    expect(new Date(link.expiresAt).getTime() - world.server.clock.now().getTime()).toBeGreaterThan(7 * DAY_MS - 60_000);

    const stored = await world.server.prisma.onboardingLink.findUniqueOrThrow({ where: { id: link.id } });
    expect(JSON.stringify(stored)).not.toContain(token);
  });

  test('rejects missing details, oversized metadata and a bare STANDARD account with typed errors', async () => {
    const cases = [
      [{ connectionType: 'EXPRESS' as const, organizationName: 'Shop' }, 'input.email'],
      [{ connectionType: 'EXPRESS' as const, email: 'a@b.example', organizationName: ' ' }, 'input.organizationName'],
      [
        { connectionType: 'EXPRESS' as const, email: 'a@b.example', organizationName: 'Shop', metadata: { blob: 'x'.repeat(9000) } },
        'input.metadata',
      ],
      [{ connectionType: 'STANDARD' as const, connectedOrganizationId: world.platform.organizationId }, 'input.connectionType'],
    ] as const;
    for (const [input, field] of cases) {
      const response = await world.server.request(CreateConnectedAccountDocument, { input }, withKey(world.platform.apiKey));
      expect(response.data?.createConnectedAccount, field).toMatchObject({ __typename: 'ValidationError', fields: [field] });
    }
  });
});

describe('the onboarding session', () => {
  test('shows the branding and the pre-filled details to anyone holding the token, without an API key', async () => {
    const entity = await world.server.prisma.invoicingEntity.findFirstOrThrow({ where: { tenantId: world.platform.tenantId } });
    await world.server.prisma.invoicingEntity.update({
      where: { id: entity.id },
      data: { legalName: 'Billing Platform SAS', logoUrl: 'https://cdn.example/logo.png' },
    });
    await world.server.request(
      UpdateConnectPlatformDocument,
      { input: { brandingInvoicingEntityId: entity.id } },
      withKey(world.platform.apiKey),
    );

    const { account, link, token } = await world.platform.expressAccount({
      email: 'x@shop.example',
      organizationName: 'Shop X',
      country: 'IT',
    });
    const session = await world.server.request(OnboardingSessionDocument, { token });
    expect(session.data?.onboardingSession).toEqual({
      __typename: 'OnboardingSession',
      connectedAccountId: account.id,
      branding: { platformName: 'Billing Platform SAS', logoUrl: 'https://cdn.example/logo.png' },
      organizationName: 'Shop X',
      country: 'IT',
      email: 'x@shop.example',
      expiresAt: link.expiresAt,
    });
    await world.server.request(
      UpdateConnectPlatformDocument,
      { input: { brandingInvoicingEntityId: null } },
      withKey(world.platform.apiKey),
    );
  });

  test('answers LINK_INVALID for an unknown or malformed token', async () => {
    for (const token of ['', 'nope', 'A'.repeat(44)]) {
      const response = await world.server.request(OnboardingSessionDocument, { token });
      expect(response.data?.onboardingSession).toMatchObject({ __typename: 'LinkInvalidError', code: 'LINK_INVALID' });
    }
  });

  test('answers LINK_EXPIRED once the link lifetime has passed', async () => {
    await world.server.request(
      UpdateConnectPlatformDocument,
      { input: { onboardingLinkTtlSeconds: 3600 } },
      withKey(world.platform.apiKey),
    );
    const { token } = await world.platform.expressAccount();
    await world.server.request(
      UpdateConnectPlatformDocument,
      { input: { onboardingLinkTtlSeconds: 604800 } },
      withKey(world.platform.apiKey),
    );

    world.server.clock.advance(3599 * 1000);
    expect((await world.server.request(OnboardingSessionDocument, { token })).data?.onboardingSession.__typename).toBe('OnboardingSession');
    world.server.clock.advance(2 * 1000);
    const expired = await world.server.request(OnboardingSessionDocument, { token });
    expect(expired.data?.onboardingSession).toMatchObject({ __typename: 'LinkExpiredError', code: 'LINK_EXPIRED' });
    const completion = await world.server.request(CompleteOnboardingDocument, { input: onboardingForm(token) });
    expect(completion.data?.completeOnboarding).toMatchObject({ code: 'LINK_EXPIRED' });
  });

  test('stops working for every earlier link as soon as a new one is generated', async () => {
    const { account, token: first } = await world.platform.expressAccount();
    const regenerated = await world.server.request(
      RegenerateOnboardingLinkDocument,
      { input: { connectedAccountId: account.id } },
      withKey(world.platform.apiKey),
    );
    const result = regenerated.data?.regenerateOnboardingLink;
    if (result?.__typename !== 'RegenerateOnboardingLinkPayload') return expect.fail(JSON.stringify(regenerated));
    const second = result.onboardingLink?.token ?? expect.fail('no token');
    expect(second).not.toBe(first);

    expect((await world.server.request(OnboardingSessionDocument, { token: first })).data?.onboardingSession).toMatchObject({
      code: 'LINK_INVALID',
    });
    const completion = await world.server.request(CompleteOnboardingDocument, { input: onboardingForm(first) });
    expect(completion.data?.completeOnboarding).toMatchObject({ code: 'LINK_INVALID' });
    expect((await world.server.request(OnboardingSessionDocument, { token: second })).data?.onboardingSession.__typename).toBe(
      'OnboardingSession',
    );
  });
});

describe('completing onboarding', () => {
  test('signs a verified user in and creates the organization (user as read-only member), production tenant and invoicing entity, and activates the account', async () => {
    const user = await world.platform.onboardedUser();
    const { account, token } = await world.platform.expressAccount();
    const form = onboardingForm(token, {
      email: user.email,
      password: user.password,
      organizationName: 'Merchant AG',
      legalName: 'Merchant Aktiengesellschaft',
    });
    const response = await world.server.request(CompleteOnboardingDocument, { input: form });
    const result = response.data?.completeOnboarding;
    if (result?.__typename !== 'CompleteOnboardingPayload') return expect.fail(JSON.stringify(response));
    expect(result).toMatchObject({ redirectUrl: REDIRECT_URL, connectedAccountId: account.id });
    expect(result.organizationId).toMatch(/^org_/);
    expect(result.tenantId).toMatch(/^ten_/);

    const organization = await world.server.prisma.organization.findUniqueOrThrow({
      where: { id: result.organizationId },
      include: { tenants: { include: { invoicingEntities: true } }, members: { include: { user: true } } },
    });
    expect(organization.name).toBe('Merchant AG');
    expect(organization.tenants).toHaveLength(1);
    expect(organization.tenants[0]).toMatchObject({ id: result.tenantId, environment: 'PRODUCTION' });
    expect(organization.tenants[0]?.invoicingEntities[0]).toMatchObject({
      legalName: 'Merchant Aktiengesellschaft',
      country: 'DE',
      city: 'Berlin',
      vatNumber: 'DE123456789',
    });
    expect(organization.members).toHaveLength(1);
    expect(organization.members[0]).toMatchObject({ role: 'READ_ONLY', user: { email: form.email } });

    const read = await world.server.request(ConnectedAccountDocument, { id: account.id }, withKey(world.platform.apiKey));
    expect(read.data?.connectedAccount).toMatchObject({
      status: 'ACTIVE',
      connectedOrganizationId: result.organizationId,
      connectedTenantId: result.tenantId,
      connectedOrganization: { id: result.organizationId, name: 'Merchant AG' },
    });
    expect(read.data?.connectedAccount?.onboardingCompletedAt).not.toBeNull();
    expect(read.data?.connectedAccount?.events.nodes.map((event) => event.type)).toEqual([
      'CREATED',
      'ONBOARDING_LINK_CREATED',
      'ONBOARDING_COMPLETED',
    ]);

    const reused = await world.server.request(CompleteOnboardingDocument, { input: onboardingForm(token) });
    expect(reused.data?.completeOnboarding).toMatchObject({ __typename: 'LinkUsedError', code: 'LINK_USED' });
    expect((await world.server.request(OnboardingSessionDocument, { token })).data?.onboardingSession).toMatchObject({ code: 'LINK_USED' });
  });

  test('signs an existing user in when the password matches, and refuses a wrong one without using the link', async () => {
    const form = await world.platform.onboardedUser();

    const second = await world.platform.expressAccount();
    const wrong = await world.server.request(CompleteOnboardingDocument, {
      input: onboardingForm(second.token, { email: form.email.toUpperCase(), password: 'not the password' }),
    });
    expect(wrong.data?.completeOnboarding).toMatchObject({ __typename: 'InvalidCredentialsError', code: 'INVALID_CREDENTIALS' });
    expect((await world.server.request(OnboardingSessionDocument, { token: second.token })).data?.onboardingSession.__typename).toBe(
      'OnboardingSession',
    );

    const right = await world.server.request(CompleteOnboardingDocument, {
      input: onboardingForm(second.token, { email: form.email, password: form.password, organizationName: 'Second Shop' }),
    });
    expect(right.data?.completeOnboarding.__typename).toBe('CompleteOnboardingPayload');
    const user = await world.server.prisma.user.findUniqueOrThrow({ where: { email: form.email }, include: { memberships: true } });
    expect(user.memberships).toHaveLength(2);
  });

  test('creates no user for an unverified e-mail: an unknown e-mail and a wrong password get the same answer, and the link stays usable', async () => {
    const existing = await world.platform.onboardedUser();
    const { token } = await world.platform.expressAccount();
    const unknown = onboardingForm(token);
    const answers = [
      await world.server.request(CompleteOnboardingDocument, { input: unknown }),
      await world.server.request(CompleteOnboardingDocument, {
        input: onboardingForm(token, { email: existing.email, password: 'not the password' }),
      }),
    ].map((response) => response.data?.completeOnboarding);
    expect(answers[0]).toMatchObject({ __typename: 'InvalidCredentialsError', code: 'INVALID_CREDENTIALS' });
    expect(answers[1]).toEqual(answers[0]);
    expect(await world.server.prisma.user.count({ where: { email: unknown.email } })).toBe(0);
    expect((await world.server.request(OnboardingSessionDocument, { token })).data?.onboardingSession.__typename).toBe('OnboardingSession');
  });

  test('rejects a short password and bad business details with the fields at fault, leaving the link usable', async () => {
    const { token } = await world.platform.expressAccount();
    const short = await world.server.request(CompleteOnboardingDocument, { input: onboardingForm(token, { password: 'short' }) });
    expect(short.data?.completeOnboarding).toMatchObject({ __typename: 'ValidationError', fields: ['input.password'] });
    const longCity = await world.server.request(CompleteOnboardingDocument, { input: onboardingForm(token, { city: 'x'.repeat(101) }) });
    expect(longCity.data?.completeOnboarding).toMatchObject({ __typename: 'ValidationError', fields: ['input.city'] });
    const badCountry = await world.server.request(CompleteOnboardingDocument, { input: onboardingForm(token, { country: 'XX' }) });
    expect(badCountry.status).toBe(400);
    expect((await world.server.request(OnboardingSessionDocument, { token })).data?.onboardingSession.__typename).toBe('OnboardingSession');
  });

  test('lets exactly one of 10 concurrent submissions of one token succeed; the others get LINK_USED', async () => {
    const user = await world.platform.onboardedUser();
    const { account, token } = await world.platform.expressAccount();
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        world.server.request(CompleteOnboardingDocument, { input: onboardingForm(token, { email: user.email, password: user.password }) }),
      ),
    );
    const outcomes = responses.map((response) => response.data?.completeOnboarding.__typename ?? JSON.stringify(response.errors));
    expect(outcomes.filter((outcome) => outcome === 'CompleteOnboardingPayload')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'LinkUsedError')).toHaveLength(9);

    const row = await world.server.prisma.connectedAccount.findUniqueOrThrow({ where: { id: account.id } });
    expect(await world.server.prisma.organizationMember.count({ where: { organizationId: row.connectedOrganizationId! } })).toBe(1);
    const events = await world.server.prisma.event.count({
      where: { connectedAccountId: account.id, type: 'connected_account.activated' },
    });
    expect(events).toBe(1);
  });

  test('leaves no membership, organization or tenant behind when a step fails midway, and the link stays usable', async () => {
    const user = await world.platform.onboardedUser();
    const { account, token } = await world.platform.expressAccount();
    const form = onboardingForm(token, { email: user.email, password: user.password, organizationName: 'Doomed Shop' });
    // The database refuses the invoicing entity: the step after the user, organization and tenant.
    await world.server.prisma.$executeRawUnsafe(`
      CREATE FUNCTION refuse_invoicing_entity() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused by test'; END $$`);
    await world.server.prisma.$executeRawUnsafe(
      `CREATE TRIGGER refuse BEFORE INSERT ON "InvoicingEntity" FOR EACH ROW EXECUTE FUNCTION refuse_invoicing_entity()`,
    );
    try {
      const failed = await world.server.request(CompleteOnboardingDocument, { input: form });
      expect(failed.errors?.[0]?.message).toBe('Unexpected error.');
      expect(JSON.stringify(failed)).not.toContain('refused by test');
    } finally {
      await world.server.prisma.$executeRawUnsafe(`DROP TRIGGER refuse ON "InvoicingEntity"`);
      await world.server.prisma.$executeRawUnsafe(`DROP FUNCTION refuse_invoicing_entity`);
    }
    expect(await world.server.prisma.organizationMember.count({ where: { user: { email: form.email } } })).toBe(1);
    expect(await world.server.prisma.organization.count({ where: { name: 'Doomed Shop' } })).toBe(0);
    expect(await world.server.prisma.connectedAccount.findUniqueOrThrow({ where: { id: account.id } })).toMatchObject({
      status: 'PENDING',
      connectedOrganizationId: null,
    });
    const retried = await world.server.request(CompleteOnboardingDocument, { input: form });
    expect(retried.data?.completeOnboarding.__typename).toBe('CompleteOnboardingPayload');
  });
});
