// One organization's keys share one ceiling (RATE_LIMIT_PER_ORGANIZATION_PER_SECOND and _BURST):
// making more keys does not multiply its rate, and another organization is not affected. On
// PostgreSQL the ceiling is counted across server processes, like the per-key limit.
import { describe, expect, it } from 'vitest';
import { CreateApiKeyDocument, ViewerDocument } from '../generated/graphql.ts';
import { givenOrganization } from '../support/givens/organizations.ts';
import { startTestServer, withKey, type TestServer } from '../support/server.ts';
import { givenPurpose, givenSubAccount, subAccountInput } from '../support/givens/sub-accounts.ts';

/** The keys' own limit (50/s) never binds here: only the organization's, 1/s with a burst of 12. */
const ceiling = { RATE_LIMIT_PER_ORGANIZATION_PER_SECOND: '1', RATE_LIMIT_PER_ORGANIZATION_BURST: '12' };

/** An organization with five keys; making them took 4 of its requests. */
async function givenOrganizationWithKeys(server: TestServer, name: string) {
  const organization = await givenOrganization(server, name);
  const keys = [organization.apiKey];
  for (let key = 1; key < 5; key += 1) {
    const response = await server.request(CreateApiKeyDocument, { input: { name: `Key ${key}` } }, withKey(organization.apiKey));
    const result = response.data?.createApiKey;
    if (result?.__typename !== 'CreateApiKeyPayload') return expect.fail(JSON.stringify(response));
    keys.push(result.apiKey.secret ?? expect.fail('no secret'));
  }
  return keys;
}

describe('the per-organization ceiling', () => {
  it("holds over all of an organization's keys together; another organization keeps its own", async () => {
    const server = await startTestServer({ environment: ceiling });
    try {
      const keys = await givenOrganizationWithKeys(server, 'Many Keys');
      const answers = [];
      for (let request = 0; request < 30; request += 1)
        answers.push(await server.request(ViewerDocument, {}, withKey(keys[request % keys.length]!)));
      const served = answers.filter((answer) => answer.status === 200).length;
      // 12 in the burst, 4 of them spent making the keys; one more per second the loop may cross.
      expect(served).toBeGreaterThanOrEqual(8);
      expect(served).toBeLessThanOrEqual(10);
      const refused = answers.filter((answer) => answer.status === 429);
      expect(refused).toHaveLength(30 - served);
      expect(refused[0]?.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
      expect(refused[0]?.errors?.[0]?.message).toMatch(/^Too many requests for this organization's API keys together/);
      expect(Number(refused[0]?.headers.get('retry-after'))).toBeGreaterThan(0);

      const other = await givenOrganization(server, 'Bystander');
      expect((await server.request(ViewerDocument, {}, withKey(other.apiKey))).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('the ceiling of a platform with sub-accounts', () => {
  // Issue 23, found by an outsider's probe: each sub-account is an organization of its own, so 10
  // sub-account keys of one platform were served at 662 requests a second against its ceiling of 150.
  it("holds over its sub-accounts' keys too: they answer to their platform", async () => {
    const server = await startTestServer({ environment: ceiling });
    try {
      const platform = await givenOrganization(server, 'Platform With Branches');
      const purpose = await givenPurpose(server, platform, 'Lending');
      const keys = [];
      for (let branch = 0; branch < 3; branch += 1) {
        const created = await givenSubAccount(server, platform.apiKey, subAccountInput({ permissiblePurposeIds: [purpose] }));
        keys.push(created.apiKey?.secret ?? expect.fail('no sub-account key'));
      }
      const statuses = [];
      for (let request = 0; request < 30; request += 1)
        statuses.push((await server.request(ViewerDocument, {}, withKey(keys[request % keys.length]!))).status);
      // 12 in the burst, 4 of them spent on the purpose and the sub-accounts; one more per second the loop may cross.
      const served = statuses.filter((status) => status === 200).length;
      expect(served).toBeGreaterThanOrEqual(8);
      expect(served).toBeLessThanOrEqual(10);
    } finally {
      await server.close();
    }
  });
});

describe.runIf(process.env.TEST_DATABASE === 'postgres')('two server processes on one PostgreSQL', () => {
  it("share one organization's ceiling", async () => {
    const first = await startTestServer({ environment: ceiling });
    const second = await startTestServer({ environment: ceiling, databaseUrl: first.databaseUrl ?? expect.fail('no PostgreSQL URL') });
    try {
      const keys = await givenOrganizationWithKeys(first, 'Spread Keys');
      const statuses = [];
      for (let request = 0; request < 20; request += 1) {
        statuses.push((await [first, second][request % 2]!.request(ViewerDocument, {}, withKey(keys[request % keys.length]!))).status);
      }
      const served = statuses.filter((status) => status === 200).length;
      expect(served).toBeGreaterThanOrEqual(8);
      expect(served).toBeLessThanOrEqual(10);
    } finally {
      await second.close();
      await first.close();
    }
  });
});
