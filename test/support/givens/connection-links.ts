// Givens for connection links: a link made by a key (acting for an account or not), an S3 store
// with a key pair the provider check accepts, and the page's credentials form as a browser posts it.
import { expect } from 'vitest';
import { CreateConnectionLinkDocument, type CreateConnectionLinkInput } from '../../generated/graphql.ts';
import { startS3, type S3StandIn } from '../../connections/stand-ins/providers.ts';
import type { TestServer } from '../server.ts';

export const LINK_RETURN_URL = 'https://platform.example/integrations/done?from=link';
export const LINK_REFRESH_URL = 'https://platform.example/integrations/new-link';

/** An access key pair in AWS's format (the S3 provider checks it), which the store accepts. */
export const S3_KEY = { id: 'AKIACONNECTLINK00001', secret: 'connect/link/secret/0000000000000000000001' };
export const S3_BUCKET = 'invoices';

export const givenS3Store = (): Promise<S3StandIn> => startS3([S3_BUCKET], [[S3_KEY.id, S3_KEY.secret]]);

export async function givenConnectionLink(
  server: TestServer,
  headers: Record<string, string>,
  input: Partial<CreateConnectionLinkInput> = {},
) {
  const response = await server.request(
    CreateConnectionLinkDocument,
    { input: { providerType: 'S3', returnUrl: LINK_RETURN_URL, refreshUrl: LINK_REFRESH_URL, ...input } },
    headers,
  );
  const result = response.data?.createConnectionLink;
  if (result?.__typename !== 'CreateConnectionLinkPayload') return expect.fail(`createConnectionLink failed: ${JSON.stringify(response)}`);
  const { url, expiresAt } = result.connectionLink;
  const path = new URL(url).pathname;
  return { url, expiresAt, path, token: path.split('/').at(-1) ?? '' };
}

/** The credentials form of an S3 link, filled with the store's key (or what `overrides` says). */
export const s3Form = (endpoint: string, overrides: Record<string, string> = {}) => ({
  awsAccessKeyId: S3_KEY.id,
  awsSecretAccessKey: S3_KEY.secret,
  bucket: S3_BUCKET,
  endpoint,
  forcePathStyle: 'on',
  ...overrides,
});
