// S3-compatible stores: with settings.endpoint, the store's own key formats (s3rver's default pair,
// MinIO's `minioadmin`, Cloudflare R2's 32-character ids) are taken and checked against a real
// S3-compatible server; without an endpoint, AWS's formats are held as before.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  CreateConnectionDocument,
  UpdateConnectionDocument,
  VerifyConnectionDocument,
  type CreateConnectionInput,
  type UpdateConnectionInput,
} from '../generated/graphql.ts';
import { platformWorld } from '../support/world.ts';
import { withKey } from '../support/server.ts';
import { unique } from '../support/unique.ts';
import { startS3, type S3StandIn } from './stand-ins/providers.ts';

/** s3rver's own default key pair, which it accepts out of the box. */
const S3RVER_KEY = ['S3RVER', 'S3RVER'] as const;
/** MinIO's default root credentials. */
const MINIO_KEY = ['minioadmin', 'minioadmin'] as const;
/** The shape of a Cloudflare R2 access key id (32 lower-case hex characters) and secret (64). */
const R2_KEY = ['0123456789abcdef0123456789abcdef', 'f'.repeat(64)] as const;

const { test, world } = platformWorld({}, async (seed) => ({ owner: await seed.organization('Compatible Stores') }));

let store: S3StandIn;
beforeAll(async () => {
  store = await startS3(['invoices'], [[MINIO_KEY[0], MINIO_KEY[1]]]);
});
afterAll(() => store?.close());

const s3Input = ([awsAccessKeyId, awsSecretAccessKey]: readonly [string, string], endpoint: string | null): CreateConnectionInput => ({
  name: `Store ${unique()}`,
  providerType: 'S3',
  secrets: { s3: { awsAccessKeyId, awsSecretAccessKey } },
  settings: { bucket: 'invoices', forcePathStyle: true, ...(endpoint ? { endpoint } : {}) },
});

const create = async (input: CreateConnectionInput) =>
  (await world.server.request(CreateConnectionDocument, { input }, withKey(world.owner.apiKey))).data?.createConnection;

async function verified(id: string) {
  const result = (await world.server.request(VerifyConnectionDocument, { input: { id } }, withKey(world.owner.apiKey))).data
    ?.verifyConnection;
  if (result?.__typename !== 'VerifyConnectionPayload') return expect.fail(JSON.stringify(result));
  return result.connection;
}

describe('an S3 connection to an S3-compatible store (settings.endpoint)', () => {
  test.for([
    ["s3rver's default pair", S3RVER_KEY],
    ["MinIO's minioadmin", MINIO_KEY],
  ] as const)("takes %s in the store's own format, and the store finds it HEALTHY", async ([, key]) => {
    const created = await create(s3Input(key, store.endpoint));
    if (created?.__typename !== 'CreateConnectionPayload') return expect.fail(JSON.stringify(created));
    expect((await verified(created.connection.id)).health).toMatchObject({ status: 'HEALTHY', lastError: null });
  });

  test('takes an R2-shaped key, and refuses an empty one, or one longer than 128 (id) or 256 (secret) characters', async () => {
    expect((await create(s3Input(R2_KEY, store.endpoint)))?.__typename).toBe('CreateConnectionPayload');
    for (const [key, fields] of [
      [['x'.repeat(129), 'secret'], ['input.secrets.s3.awsAccessKeyId']],
      [['minio', 's'.repeat(257)], ['input.secrets.s3.awsSecretAccessKey']],
      [['has space', 'secret'], ['input.secrets.s3.awsAccessKeyId']],
      [['', 'secret'], ['input.secrets.s3.awsAccessKeyId']],
    ] as const) {
      expect(await create(s3Input(key, store.endpoint))).toMatchObject({ __typename: 'ValidationError', fields });
    }
    expect((await create(s3Input(['x'.repeat(128), 's'.repeat(256)], store.endpoint)))?.__typename).toBe('CreateConnectionPayload');
  });

  test("holds AWS's formats without an endpoint, and when an update moves the connection back to AWS", async () => {
    expect(await create(s3Input(MINIO_KEY, null))).toMatchObject({
      __typename: 'ValidationError',
      fields: ['input.secrets.s3.awsAccessKeyId', 'input.secrets.s3.awsSecretAccessKey'],
    });
    const created = await create(s3Input(S3RVER_KEY, store.endpoint));
    if (created?.__typename !== 'CreateConnectionPayload') return expect.fail(JSON.stringify(created));
    const update = (input: Omit<UpdateConnectionInput, 'id'>) =>
      world.server.request(UpdateConnectionDocument, { input: { id: created.connection.id, ...input } }, withKey(world.owner.apiKey));

    // The stored endpoint stays: the store's own format is checked for new secrets.
    const rotated = await update({ secrets: { s3: { awsAccessKeyId: MINIO_KEY[0], awsSecretAccessKey: MINIO_KEY[1] } } });
    expect(rotated.data?.updateConnection.__typename).toBe('UpdateConnectionPayload');
    expect((await verified(created.connection.id)).health.status).toBe('HEALTHY');

    const backToAws = await update({
      settings: { endpoint: null },
      secrets: { s3: { awsAccessKeyId: MINIO_KEY[0], awsSecretAccessKey: MINIO_KEY[1] } },
    });
    expect(backToAws.data?.updateConnection).toMatchObject({
      __typename: 'ValidationError',
      fields: expect.arrayContaining(['input.secrets.s3.awsAccessKeyId']),
    });
  });
});
