// Per-client limits count clients as networks make them: an IPv4 address is one client, an IPv6
// address's /64 is one (CLIENT_IPV6_PREFIX), an IPv4-mapped IPv6 address is its IPv4 address. And
// what one client behind an address does wrong (unknown keys) never locks out the valid keys of the
// others behind it (an office, a NAT): only unknown keys are counted and refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ViewerDocument } from '../generated/graphql.ts';
import { givenOrganization, type OrganizationFixture } from '../support/givens/organizations.ts';
import { authorizeQuery, givenOAuthPlatform } from '../support/givens/oauth.ts';
import { startTestServer, withKey, type TestServer } from '../support/server.ts';

const from = (address: string) => ({ 'x-forwarded-for': `203.0.113.99, ${address}` });
const hex = (value: number) => value.toString(16);
/** The n-th of many addresses inside 2001:db8:<site>::/64, spread over its last 64 bits as a rotating device's are. */
const inSubnet = (site: string, n: number) =>
  `2001:db8:${site}:${hex(n)}:${hex((n * 7919) % 65536)}:${hex((n * 104729) % 65536)}:${hex(n + 1)}`;

function bogusKeys(server: TestServer) {
  let n = 0;
  return async (client: string) => {
    n += 1;
    return (await server.request(ViewerDocument, {}, { ...withKey(`mk_live_${String(n).padStart(40, 'x')}`), ...from(client) })).status;
  };
}

describe('unknown API keys per client', () => {
  let server: TestServer;
  let organization: OrganizationFixture;
  let bogus: (client: string) => Promise<number>;

  beforeAll(async () => {
    // The default limit: 30 unknown keys per client and minute.
    server = await startTestServer({ environment: { TRUST_PROXY: 'true' } });
    organization = await givenOrganization(server, 'Office Tenant');
    bogus = bogusKeys(server);
  });
  afterAll(() => server?.close());

  const valid = (client: string) => server.request(ViewerDocument, {}, { ...withKey(organization.apiKey), ...from(client) });

  it('lock out no valid key: after 31 bad keys from one address, a valid key from it is served', async () => {
    const statuses = [];
    for (let attempt = 0; attempt < 31; attempt += 1) statuses.push(await bogus('192.0.2.10'));
    expect(statuses).toEqual([...Array(30).fill(401), 429]);
    const served = await valid('192.0.2.10');
    expect(served.status).toBe(200);
    expect(served.data?.viewer.organizationId).toBe(organization.organizationId);
    // The unknown keys stay refused.
    expect(await bogus('192.0.2.10')).toBe(429);
  });

  it('from 60 addresses in one IPv6 /64 are limited like 60 from one address; the next /64 is another client', async () => {
    const statuses = [];
    for (let n = 0; n < 60; n += 1) statuses.push(await bogus(inSubnet('5:6', n)));
    expect(statuses).toEqual([...Array(30).fill(401), ...Array(30).fill(429)]);
    expect(await bogus('2001:db8:5:7::1')).toBe(401);
    expect((await valid(inSubnet('5:6', 99))).status).toBe(200);
  });

  it('count an IPv4-mapped IPv6 address, in any spelling, as its IPv4 address', async () => {
    const statuses = [];
    for (let attempt = 0; attempt < 15; attempt += 1) statuses.push(await bogus('198.51.100.7'));
    for (let attempt = 0; attempt < 15; attempt += 1) statuses.push(await bogus('::ffff:198.51.100.7'));
    expect(statuses).toEqual(Array(30).fill(401));
    expect(await bogus('::ffff:c633:6407')).toBe(429);
  });
});

describe('CLIENT_IPV6_PREFIX', () => {
  it('sets how much of an IPv6 address is one client', async () => {
    const server = await startTestServer({
      environment: { TRUST_PROXY: 'true', UNKNOWN_API_KEYS_PER_MINUTE: '2', CLIENT_IPV6_PREFIX: '48' },
    });
    try {
      const bogus = bogusKeys(server);
      expect([await bogus('2001:db8:9:1::1'), await bogus('2001:db8:9:2::1'), await bogus('2001:db8:9:ffff::1')]).toEqual([401, 401, 429]);
      expect(await bogus('2001:db8:a::1')).toBe(401);
    } finally {
      await server.close();
    }
  });
});

describe('failed sign-ins per client', () => {
  it('are counted per IPv6 /64: password guesses rotating addresses inside one are limited', async () => {
    // The default limit: 30 failed sign-ins per client in 15 minutes.
    const server = await startTestServer({ environment: { TRUST_PROXY: 'true' } });
    try {
      const platform = await givenOAuthPlatform(server, 'Guessed Platform');
      const guess = async (n: number) => {
        const form = new URLSearchParams({
          ...Object.fromEntries(authorizeQuery(platform)),
          email: `guess${n}@merchant.example`,
          password: 'wrong password',
        });
        const response = await server.fetch('/oauth/authorize', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...from(inSubnet('c:d', n)) },
          body: form.toString(),
        });
        return response.status;
      };
      const statuses = [];
      for (let n = 0; n < 40; n += 1) statuses.push(await guess(n));
      expect(statuses).toEqual([...Array(30).fill(401), ...Array(10).fill(429)]);
    } finally {
      await server.close();
    }
  });
});
