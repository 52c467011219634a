// The typed-client example (examples/typed-client/) run as a frontend runs it: its own functions,
// over real HTTP, against a server on a loopback port. If the schema changes under it, this fails.
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import { createExpressAccount, whoAmI } from '../../examples/typed-client/accounts.ts';
import { connectClient, ConnectRequestError } from '../../examples/typed-client/client.ts';
import { EnableConnectPlatformDocument } from '../generated/graphql.ts';
import { givenOrganization } from '../support/givens/organizations.ts';
import { withKey } from '../support/server.ts';

const { test, world } = platformWorld({ listen: true });

async function givenPlatformClient(name: string, { connectEnabled }: { connectEnabled: boolean }) {
  const platform = await givenOrganization(world.server, name);
  if (connectEnabled) {
    const enabled = await world.server.request(
      EnableConnectPlatformDocument,
      { input: { redirectUrl: 'https://platform.example' } },
      withKey(platform.apiKey),
    );
    expect(enabled.data?.enableConnectPlatform.__typename).toBe('EnableConnectPlatformPayload');
  }
  return { platform, execute: connectClient({ url: world.server.url, apiKey: platform.apiKey }) };
}

describe('the typed-client example', () => {
  test('tells who the API key acts for', async () => {
    const { platform, execute } = await givenPlatformClient('Viewer Platform', { connectEnabled: false });
    expect(await whoAmI(execute)).toEqual({
      organizationId: platform.organizationId,
      tenantId: platform.tenantId,
      apiKeyId: platform.apiKeyId,
      organization: { name: 'Viewer Platform' },
    });
  });

  test('creates an express account and hands back its onboarding link', async () => {
    const { execute } = await givenPlatformClient('Created Platform', { connectEnabled: true });
    const creation = await createExpressAccount(execute, { email: 'owner@shop.example', organizationName: 'Shop', country: 'FR' });
    expect(creation).toEqual({
      outcome: 'created',
      accountId: expect.stringMatching(/^cacc_/),
      status: 'PENDING',
      onboardingUrl: expect.stringContaining(`${world.server.url}/onboarding/`),
    });
  });

  test('turns each typed error of the union into its own outcome', async () => {
    const { execute } = await givenPlatformClient('Erring Platform', { connectEnabled: true });
    expect(await createExpressAccount(execute, { email: 'owner@shop.example' })).toEqual({
      outcome: 'invalid-input',
      message: expect.any(String),
      fields: ['input.organizationName'],
    });

    const { execute: notEnabled } = await givenPlatformClient('Disabled Platform', { connectEnabled: false });
    expect(await createExpressAccount(notEnabled, { email: 'owner@shop.example', organizationName: 'Shop' })).toEqual({
      outcome: 'connect-not-enabled',
      message: expect.stringContaining('enableConnectPlatform'),
    });
  });

  test('throws a request error, with code and status, for a key the server does not know', async () => {
    const execute = connectClient({ url: world.server.url, apiKey: 'not-a-key' });
    const failure = await whoAmI(execute).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConnectRequestError);
    expect(failure).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });
});
