// Givens for account update links: a link made by the platform's key, and the hosted page's forms
// posted over HTTP the way a browser posts them.
import { expect } from 'vitest';
import { CreateAccountUpdateLinkDocument, type CreateAccountUpdateLinkInput } from '../../generated/graphql.ts';
import type { OrganizationFixture } from './organizations.ts';
import { withKey, type TestServer } from '../server.ts';

/** Where a platform sends its accounts back from an update link, and where a dead link sends them. */
export const UPDATE_RETURN_URL = 'https://platform.example/settings/done';
export const UPDATE_REFRESH_URL = 'https://platform.example/settings/new-link';

export async function givenUpdateLink(
  server: TestServer,
  platform: OrganizationFixture,
  connectedAccountId: string,
  input: Partial<CreateAccountUpdateLinkInput> = {},
) {
  const response = await server.request(
    CreateAccountUpdateLinkDocument,
    { input: { connectedAccountId, ...input } },
    withKey(platform.apiKey),
  );
  const result = response.data?.createAccountUpdateLink;
  if (result?.__typename !== 'CreateAccountUpdateLinkPayload')
    return expect.fail(`createAccountUpdateLink failed: ${JSON.stringify(response)}`);
  const { url, expiresAt } = result.accountLink;
  const path = new URL(url).pathname;
  return { url, expiresAt, path, token: path.split('/').at(-1) ?? '' };
}

/** A form post from the page itself (no Origin header from another site), optionally with the session's cookie. */
export const postForm = (server: TestServer, path: string, fields: Record<string, string>, cookie = '') =>
  server.fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(fields).toString(),
  });

/** The cookie a response sets, as the browser sends it back. */
export const sessionCookie = (response: Response) => (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

/** Signs in on the update page; returns the session's cookie. */
export async function signInToUpdatePage(server: TestServer, path: string, credentials: { email: string; password: string }) {
  const response = await postForm(server, `${path}/sign-in`, credentials);
  expect(response.status, await response.clone().text()).toBe(303);
  return sessionCookie(response);
}
