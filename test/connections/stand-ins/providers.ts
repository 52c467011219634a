// Small loopback stand-ins for the providers a connection checks its credentials against. Stripe,
// HubSpot and Flexprice answer with the recorded shapes in fixtures/ (each names the reference page
// it follows); S3 is a real S3-compatible server (s3rver) in this process. A stand-in can also go
// silent: it accepts the connection and never answers, as a provider that hangs.
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import AWSAccount from 's3rver/lib/models/account.js';

interface Answer {
  status: number;
  body: unknown;
}

/** A recorded answer, with `{placeholder}`s filled in. */
function fixture(name: string, fill: Record<string, string> = {}): Answer {
  const text = readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8');
  const filled = Object.entries(fill).reduce((json, [key, value]) => json.split(`{${key}}`).join(value), text);
  const { status, body } = JSON.parse(filled) as Answer & { $comment: string };
  return { status, body };
}

export interface StandIn {
  url: string;
  /** What was asked: method, path and the headers (a test checks which credential came). */
  requests: { method: string; path: string; headers: IncomingMessage['headers'] }[];
  /** From now on, accept and never answer. */
  goSilent(): void;
  /** From now on, answer after this long (so that concurrent checks overlap). */
  answerAfter(milliseconds: number): void;
  close(): Promise<void>;
}

async function startStandIn(answer: (request: IncomingMessage) => Answer): Promise<StandIn> {
  let silent = false;
  let delayMs = 0;
  const requests: StandIn['requests'] = [];
  const server = createServer((request, response) => {
    requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers });
    if (silent) return;
    const { status, body } = answer(request);
    setTimeout(() => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)), delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    goSilent: () => {
      silent = true;
    },
    answerAfter: (milliseconds) => {
      delayMs = milliseconds;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const notFound: Answer = { status: 404, body: { error: 'not found' } };

/** Stripe: GET /v1/account with `Authorization: Bearer <secret key>`. */
export const startStripe = (validKeys: string[]) =>
  startStandIn((request) => {
    if (request.method !== 'GET' || request.url !== '/v1/account') return notFound;
    const key = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    return validKeys.includes(key) ? fixture('stripe-account') : fixture('stripe-invalid-api-key', { last4: key.slice(-4) });
  });

/** HubSpot: GET /oauth/v1/access-tokens/{token}. */
export const startHubspot = (validTokens: string[]) =>
  startStandIn((request) => {
    const token = /^\/oauth\/v1\/access-tokens\/([^/?]+)$/.exec(request.url ?? '')?.[1];
    if (request.method !== 'GET' || !token) return notFound;
    const decoded = decodeURIComponent(token);
    return validTokens.includes(decoded) ? fixture('hubspot-access-token', { token: decoded }) : fixture('hubspot-expired-token');
  });

/** Flexprice: GET /v1/customers with `x-api-key`. */
export const startFlexprice = (validKeys: string[]) =>
  startStandIn((request) => {
    if (request.method !== 'GET' || !request.url?.startsWith('/v1/customers')) return notFound;
    return validKeys.includes(String(request.headers['x-api-key'] ?? ''))
      ? fixture('flexprice-customers')
      : fixture('flexprice-unauthorized');
  });

/** A server that accepts connections and never answers. */
export async function startSilent(): Promise<StandIn> {
  const standIn = await startStandIn(() => notFound);
  standIn.goSilent();
  return standIn;
}

export interface S3StandIn {
  endpoint: string;
  close(): Promise<void>;
}

/** A real S3-compatible server holding `buckets`, accepting the access key ids given (and no other). */
export async function startS3(buckets: string[], accessKeys: [id: string, secret: string][]): Promise<S3StandIn> {
  const directory = await mkdtemp(path.join(tmpdir(), 's3rver-'));
  for (const [id, secret] of accessKeys) AWSAccount.DUMMY_ACCOUNT.createKeyPair(id, secret);
  const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = await s3.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async close() {
      await s3.close();
      for (const [id] of accessKeys) AWSAccount.DUMMY_ACCOUNT.revokeAccessKey(id);
      await rm(directory, { recursive: true, force: true });
    },
  };
}
