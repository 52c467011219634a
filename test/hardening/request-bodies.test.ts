// Request bodies: every route reads its body through a byte cap (MAX_BODY_BYTES for /graphql,
// 64 KiB for the pages' forms) and answers 413 having read little more than the cap, whether or not
// the client said how long the body is; a malformed JSON body is located, never quoted.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import { givenConnectPlatform, givenExpressAccount } from '../support/givens/connect.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const { test, world } = platformWorld();

const CHUNK = 64 * 1024;

/** An endless chunked body (no Content-Length), counting what the server pulled from it. */
function endlessBody() {
  const pulled = { bytes: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled.bytes += CHUNK;
      controller.enqueue(new Uint8Array(CHUNK).fill(0x61));
    },
  });
  return { stream, pulled };
}

async function postEndless(path: string, contentType: string, accept = 'application/json') {
  const { stream, pulled } = endlessBody();
  const response = await world.server.fetch(path, {
    method: 'POST',
    headers: { 'content-type': contentType, accept },
    body: stream,
    duplex: 'half',
  } as RequestInit);
  return { response, pulled: pulled.bytes };
}

describe('a body without Content-Length', () => {
  test('gets 413 on /graphql once past MAX_BODY_BYTES, the rest left unread', async () => {
    const { response, pulled } = await postEndless('/graphql', 'application/json');
    expect(response.status).toBe(413);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('PAYLOAD_TOO_LARGE');
    expect(pulled).toBeLessThanOrEqual(world.server.config.maxBodyBytes + 4 * CHUNK);
  });

  test('gets 413 on the OAuth sign-in form once past 64 KiB', async () => {
    const { response, pulled } = await postEndless('/oauth/authorize', 'application/x-www-form-urlencoded', 'text/html');
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('Request too large');
    expect(pulled).toBeLessThanOrEqual(64 * 1024 + 4 * CHUNK);
  });

  test('gets 413 on the hosted onboarding page once past 64 KiB', async () => {
    const platform = await givenConnectPlatform(world.server, 'Bodies Platform');
    const { token } = await givenExpressAccount(world.server, platform);
    for (const step of ['sign-in', 'sign-up']) {
      const { response, pulled } = await postEndless(`/onboarding/${token}/${step}`, 'application/x-www-form-urlencoded', 'text/html');
      expect(response.status, step).toBe(413);
      expect(pulled).toBeLessThanOrEqual(64 * 1024 + 4 * CHUNK);
    }
  });

  test('gets 413 on any other path too, with the form cap', async () => {
    const { response, pulled } = await postEndless('/oauth/token', 'application/x-www-form-urlencoded');
    expect(response.status).toBe(413);
    expect(pulled).toBeLessThanOrEqual(64 * 1024 + 4 * CHUNK);
  });
});

describe('a body whose Content-Length is above the cap', () => {
  test('gets 413 before any of it is read', async () => {
    const { stream, pulled } = endlessBody();
    const response = await world.server.fetch('/oauth/authorize', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(10 * 1024 * 1024) },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(pulled.bytes).toBeLessThanOrEqual(CHUNK); // a stream may pull its first chunk before anyone reads
  });
});

describe('a malformed JSON body', () => {
  const SECRET = 'sk_live_FAKE4242secretDoNotEcho';

  test('is refused with where it breaks, never with what it says (response and logs)', async () => {
    const body = `{"query":"mutation { createConnection }",\n  "variables": { "secret": ${SECRET} } }`;
    const response = await world.server.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const text = await response.text();
    expect(response.status).toBe(400);
    const parsed = JSON.parse(text) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(parsed.errors[0]?.message).toBe('The request body is not valid JSON at line 2, column 28 (character 70).');
    expect(parsed.errors[0]?.extensions).toEqual({ code: 'BAD_REQUEST' });
    expect(text).not.toContain('sk_live');
    expect(world.server.logs()).not.toContain('sk_live');
  });

  test('names where an unterminated string starts, or that the body ends too early', async () => {
    const post = (body: string) =>
      world.server.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const unterminated = await post(`{"query":"{ __typename }","password":"${SECRET}`);
    const text = await unterminated.text();
    expect(unterminated.status).toBe(400);
    expect(text).toContain('The request body is not valid JSON at line 1, column 38 (character 38).');
    expect(text).not.toContain(SECRET);
    expect(await (await post('{"query":"{ __typename }","variables":')).text()).toContain(
      'The request body is not valid JSON: it ends too early.',
    );

    const fine = await world.server.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await fine.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

// Over a real socket, node's HTTP parser frames a body by its Content-Length: the cap is not counted
// again for such bodies (a stream pipeline per request saved), so these check that nothing past the
// declared length ever reaches a reader, and that a chunked body is still counted.
describe('over HTTP', () => {
  let http: TestServer;
  test.beforeAll(async () => {
    http = await startTestServer({ listen: true, environment: { MAX_BODY_BYTES: '4096' } });
  });
  test.afterAll(() => http?.close());

  /** Sends raw bytes on one connection and returns everything the server answers until it closes. */
  async function exchange(bytes: string): Promise<string> {
    const { port } = new URL(http.config.publicUrl);
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.write(bytes);
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    return Buffer.concat(chunks).toString('utf8');
  }

  test('reads a body only up to its Content-Length: what follows is the next request, never the body', async () => {
    const first = JSON.stringify({ query: '{ __typename }' });
    // Bytes that would break the JSON, and be far past the cap, if they were read as part of the first body.
    const next = `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 8192\r\nConnection: close\r\n\r\n${'a'.repeat(8192)}`;
    const answer = await exchange(
      `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${first.length}\r\n\r\n${first}${next}`,
    );
    const responses = answer.split('HTTP/1.1 ').slice(1);
    expect(responses[0]).toMatch(/^200 /);
    expect(responses[0]).toContain('{"data":{"__typename":"Query"}}');
    // What follows the body was parsed as a request of its own, and refused by its own declared length.
    expect(responses[1]).toMatch(/^413 /);
  });

  test('refuses a body declaring both Content-Length and Transfer-Encoding', async () => {
    const answer = await exchange(
      `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
  });

  const MiB = 1024 * 1024;
  const residentBytes = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;

  /**
   * Offers a 200 MiB body as fast as the server takes it, whatever it answers meanwhile (as a client
   * that reads the answer only once it has sent everything would), chunked or with its length
   * declared; returns the status line, how much the server took, and how this process's resident
   * memory (the server's, here) grew.
   */
  async function offerWhole(path: string, framing: 'chunked' | 'declared') {
    const { port } = new URL(http.config.publicUrl);
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    let closed = false;
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => {}); // the cut: an ECONNRESET under a client still writing
    const done = new Promise<void>((resolve) =>
      socket.on('close', () => {
        closed = true;
        resolve();
      }),
    );
    const before = residentBytes();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, residentBytes())), 20);
    const started = Date.now();
    const total = 200 * MiB;
    const data = Buffer.alloc(64 * 1024, 'a');
    const frame = framing === 'chunked' ? Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')]) : data;
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${framing === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${total}`}\r\n\r\n`,
    );
    let sent = 0;
    while (sent < total && !closed) {
      sent += data.length;
      if (!socket.write(frame)) await new Promise((resolve) => socket.once('drain', resolve).once('close', resolve));
    }
    if (!closed && framing === 'chunked') socket.end('0\r\n\r\n');
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    clearInterval(sampler);
    socket.destroy();
    return {
      status: answer.split('\r\n')[0],
      sentBytes: sent,
      seconds: (Date.now() - started) / 1000,
      growthBytes: Math.max(peak, residentBytes()) - before,
    };
  }

  // yoga answers /health before any plugin of ours runs, so the cap never saw its body: a 200 MiB
  // chunked POST was answered 200, and node then read all of it (in 1.4 s, +41 MB resident).
  test('refuses a body to /health and /ready (they take none) with 413, and takes no more than the cap of any unread body', async () => {
    for (const [path, framing] of [
      ['/health', 'chunked'],
      ['/health', 'declared'],
      ['/ready', 'chunked'],
      ['/graphql', 'declared'],
    ] as const) {
      const result = await offerWhole(path, framing);
      console.info(
        `${path} (${framing}): ${result.status} after ${(result.sentBytes / MiB).toFixed(1)} MiB sent, cut after ${result.seconds.toFixed(1)} s; resident memory +${(result.growthBytes / 1e6).toFixed(1)} MB`,
      );
      expect(result.status, `${path} ${framing}`).toBe('HTTP/1.1 413 Payload Too Large');
      // What the kernel's buffers hold on loopback, and at most the cap (4096 bytes here) discarded: never the whole body.
      expect(result.sentBytes, `${path} ${framing}`).toBeLessThan(32 * MiB);
      expect(result.seconds).toBeLessThan(4);
      expect(result.growthBytes).toBeLessThan(32e6);
    }
    // And a probe without a body is still answered.
    expect((await fetch(`${http.config.publicUrl}/health`)).status).toBe(200);
    expect((await fetch(`${http.config.publicUrl}/ready`, { method: 'POST' })).status).toBe(200);
  }, 60_000);

  test('still counts a chunked body, and answers 413 past the cap', async () => {
    const chunk = 'a'.repeat(1024);
    const chunks = Array.from({ length: 8 }, () => `${(1024).toString(16)}\r\n${chunk}\r\n`).join('');
    const answer = await exchange(
      `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunks}0\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('PAYLOAD_TOO_LARGE');
  });
});
