// The "raw" reference of the benchmark: node:http, the same API-key authentication (SHA-256 of the
// key, then its tenant, kept in memory per key as our server keeps it), the same tenant filter, and
// hand-written SQL through pg (pool of 20, as ours) for Q1 (list) and Q2 (get by id), answered with
// JSON.stringify. As fast as Node and PostgreSQL go on this machine, with no GraphQL at all.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });

const ACCOUNT_COLUMNS = `a.id, a."connectionType", a."onboardingMode", a.status, a."platformOrganizationId",
  a."connectedOrganizationId", a."connectedTenantId", a."platformCustomerId", a."pendingEmail",
  a."pendingOrganizationName", a."pendingCountry", a."createdAt", a."updatedAt"`;

/** Platform by key hash. Ours invalidates its cache when a key is revoked; a benchmark revokes none. */
const platforms = new Map<string, string>();

async function platformOf(authorization: string | undefined): Promise<string | null> {
  const key = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
  if (!key) return null;
  const hash = createHash('sha256').update(key).digest('hex');
  const cached = platforms.get(hash);
  if (cached) return cached;
  const found = await pool.query<{ organizationId: string }>(
    `SELECT t."organizationId" FROM "ApiKey" k JOIN "Tenant" t ON t.id = k."tenantId" WHERE k."secretHash" = $1 AND k."revokedAt" IS NULL`,
    [hash],
  );
  const platformId = found.rows[0]?.organizationId ?? null;
  if (platformId) platforms.set(hash, platformId);
  return platformId;
}

async function list(platformId: string, first: number) {
  const [count, rows] = await Promise.all([
    pool.query<{ count: string }>(`SELECT count(*) FROM "ConnectedAccount" WHERE "platformOrganizationId" = $1 AND status = 'ACTIVE'`, [
      platformId,
    ]),
    pool.query(
      `SELECT ${ACCOUNT_COLUMNS}, o.id AS "orgId", o.name AS "orgName" FROM "ConnectedAccount" a
       LEFT JOIN "Organization" o ON o.id = a."connectedOrganizationId"
       WHERE a."platformOrganizationId" = $1 AND a.status = 'ACTIVE' ORDER BY a."createdAt", a.id LIMIT $2`,
      [platformId, first],
    ),
  ]);
  const nodes = rows.rows.map(({ orgId, orgName, ...account }) => ({
    ...account,
    connectedOrganization: orgId ? { id: orgId, name: orgName } : null,
  }));
  return { data: { connectedAccounts: { totalCount: Number(count.rows[0]?.count), nodes } } };
}

async function get(platformId: string, id: string) {
  const rows = await pool.query(`SELECT ${ACCOUNT_COLUMNS} FROM "ConnectedAccount" a WHERE a.id = $1 AND a."platformOrganizationId" = $2`, [
    id,
    platformId,
  ]);
  return { data: { connectedAccount: rows.rows[0] ?? null } };
}

createServer(async (request, response) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as {
    operationName?: string;
    variables?: { id?: string; first?: number };
  };
  const platformId = await platformOf(request.headers.authorization);
  if (!platformId) {
    response.writeHead(401, { 'content-type': 'application/json' }).end('{"errors":[{"message":"unauthenticated"}]}');
    return;
  }
  const result =
    body.operationName === 'Q2' ? await get(platformId, body.variables?.id ?? '') : await list(platformId, body.variables?.first ?? 50);
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('raw ready'));
