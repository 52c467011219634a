// Givens for account sessions: a platform whose pages are at PAGE_ORIGIN, a session it mints for one
// of its accounts, and the headers a page sends with the session's client secret.
import { expect } from 'vitest';
import { CreateAccountSessionDocument, SetAllowedOriginsDocument, type AccountSessionComponent } from '../../generated/graphql.ts';
import type { OrganizationFixture } from './organizations.ts';
import { withKey, type TestServer } from '../server.ts';

export const PAGE_ORIGIN = 'https://app.platform.example';
export const ALL_COMPONENTS: AccountSessionComponent[] = ['ACCOUNT_MANAGEMENT', 'NOTIFICATION_BANNER', 'CONNECTIONS', 'EVENTS'];

export async function givenAllowedOrigins(server: TestServer, platform: OrganizationFixture, origins = [PAGE_ORIGIN]) {
  const response = await server.request(SetAllowedOriginsDocument, { input: { allowedOrigins: origins } }, withKey(platform.apiKey));
  expect(response.data?.updateConnectPlatform.__typename, JSON.stringify(response)).toBe('UpdateConnectPlatformPayload');
}

/** A session minted by the platform's key (or `key`); its id and client secret. */
export async function givenAccountSession(
  server: TestServer,
  platform: OrganizationFixture,
  connectedAccountId: string,
  components: AccountSessionComponent[],
  key = platform.apiKey,
) {
  const response = await server.request(CreateAccountSessionDocument, { input: { connectedAccountId, components } }, withKey(key));
  const result = response.data?.createAccountSession;
  if (result?.__typename !== 'CreateAccountSessionPayload') return expect.fail(`createAccountSession failed: ${JSON.stringify(response)}`);
  return { id: result.accountSession.id, clientSecret: result.clientSecret, expiresAt: result.accountSession.expiresAt };
}

/** What the platform's page sends: the client secret, from its origin. */
export const fromPage = (clientSecret: string, origin: string | null = PAGE_ORIGIN): Record<string, string> => ({
  authorization: `Bearer ${clientSecret}`,
  ...(origin === null ? {} : { origin }),
});
