// `npx connect` against a real server on a loopback port: the compiled command line as a process,
// talking to the server over HTTP only.
import { spawn } from 'node:child_process';
import { connect as tcpConnect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import { ADMIN_SECRET, withKey } from '../support/server.ts';
import { givenConnection } from '../support/givens/webhooks.ts';
import { startReceiver, verify } from '../webhooks/receiver.ts';
import { untypedRequest } from '../support/untyped-graphql.ts';

const { test, world } = platformWorld({ listen: true }, async (seed) => ({ platform: await seed.organization('Listening Platform') }));

/** A TCP relay to the server whose connections the test can cut: a stream that drops. */
async function relay(target: string) {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = tcpConnect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    drop: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Runs `connect <args>` to its end: its exit code and output. */
function connect(args: string[], environment: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['bin/connect.js', ...args], {
    env: { PATH: process.env.PATH ?? '', CONNECT_URL: world.server.url, ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, exited, output: () => output };
}

async function run(args: string[], environment: Record<string, string> = {}) {
  const process = connect(args, environment);
  return { code: await process.exited, output: process.output() };
}

describe('npx connect', () => {
  test('has --help for every command', async () => {
    const top = await run(['--help']);
    expect(top.code).toBe(0);
    for (const command of ['create-organization', 'seed-demo', 'listen']) expect(top.output).toContain(command);
    expect((await run(['create-organization', '--help'])).output).toMatch(/--name <name>[\s\S]*--country <cc>[\s\S]*--owner-email/);
    expect((await run(['listen', '--help'])).output).toMatch(/--forward-to <url>[\s\S]*--events <types>[\s\S]*--connect/);
    expect((await run(['seed-demo', '--help'])).code).toBe(0);
  });

  test('create-organization prints the organization and a key that works; without ADMIN_SECRET it says so', async () => {
    const created = await run(['create-organization', '--name', 'CLI Org', '--country', 'fr', '--owner-email', 'owner@cli.example'], {
      ADMIN_SECRET,
    });
    expect(created.code, created.output).toBe(0);
    const organizationId = /organization (org_\w+)/.exec(created.output)?.[1];
    const apiKey = /api key\s+(\S+)/.exec(created.output)?.[1] ?? expect.fail(created.output);
    const viewer = await untypedRequest(world.server, '{ viewer { organizationId } }', {}, withKey(apiKey));
    expect(viewer.data).toEqual({ viewer: { organizationId } });

    const refused = await run(['create-organization', '--name', 'No Secret', '--country', 'FR']);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('ADMIN_SECRET is not set');
  });

  test('seed-demo fills a platform and prints its key', async () => {
    const seeded = await run(['seed-demo'], { ADMIN_SECRET });
    expect(seeded.code, seeded.output).toBe(0);
    const apiKey = /api key\s+(\S+)/.exec(seeded.output)?.[1] ?? expect.fail(seeded.output);
    const response = await untypedRequest(
      world.server,
      '{ connectedAccounts(first: 10) { nodes { status } } subAccounts(first: 10) { totalCount } webhookEndpoints { totalCount } events(first: 100) { totalCount } }',
      {},
      withKey(apiKey),
    );
    const data = response.data as {
      connectedAccounts: { nodes: { status: string }[] };
      subAccounts: { totalCount: number };
      webhookEndpoints: { totalCount: number };
      events: { totalCount: number };
    };
    expect(data.connectedAccounts.nodes.map((node) => node.status).sort()).toEqual(['ACTIVE', 'PENDING', 'REVOKED', 'SUSPENDED']);
    expect(data.subAccounts.totalCount).toBe(2);
    expect(data.webhookEndpoints.totalCount).toBe(2);
    expect(data.events.totalCount).toBeGreaterThan(10);
  });

  test('listen forwards each event signed with the secret it printed, and prints the receiver status', async () => {
    const hooks = await startReceiver(() => ({ status: 202 }));
    const listener = connect(['listen', '--forward-to', hooks.url, '--events', 'connection.*'], { CONNECT_API_KEY: world.platform.apiKey });
    try {
      await expect.poll(() => listener.output(), { timeout: 15_000 }).toContain('Forwarding');
      const secret = /(whsec_\S+)/.exec(listener.output())?.[1] ?? expect.fail(listener.output());
      // The subscription is open once the server counts it; an event committed before would need `after`.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const connection = await givenConnection(world.server, world.platform.apiKey);
      await connection.touch();
      await expect.poll(() => hooks.receipts.length, { timeout: 15_000 }).toBe(2);
      for (const receipt of hooks.receipts) expect(verify(secret, receipt)).toMatchObject({ data: { object: { id: connection.id } } });
      expect(hooks.receipts.map((receipt) => receipt.event.type)).toEqual(['connection.created', 'connection.updated']);
      await expect.poll(() => listener.output(), { timeout: 5_000 }).toMatch(/connection\.updated\s+evt_\w+\s+→ 202/);
    } finally {
      listener.child.kill('SIGINT');
      await listener.exited;
      await hooks.close();
    }
  });

  test('listen resumes after the last event when the stream drops: nothing missed, nothing twice', async () => {
    const hooks = await startReceiver();
    const path = await relay(world.server.url);
    const listener = connect(['listen', '--forward-to', hooks.url, '--events', 'connection.*'], {
      CONNECT_API_KEY: world.platform.apiKey,
      CONNECT_URL: path.url,
    });
    try {
      await expect.poll(() => listener.output(), { timeout: 15_000 }).toContain('Forwarding');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const connection = await givenConnection(world.server, world.platform.apiKey);
      await expect.poll(() => hooks.receipts.length, { timeout: 15_000 }).toBe(1);
      path.drop();
      // Committed while the stream is down: replayed from `after` when it resumes.
      await connection.touch();
      await connection.touch();
      await expect.poll(() => hooks.receipts.length, { timeout: 15_000 }).toBe(3);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const events = await world.server.prisma.event.findMany({ where: { objectId: connection.id }, orderBy: { sequence: 'asc' } });
      expect(hooks.receipts.map((receipt) => receipt.event.id)).toEqual(events.map((event) => event.id));
      expect(listener.output()).toContain('stream dropped');
    } finally {
      listener.child.kill('SIGINT');
      await listener.exited;
      await path.close();
      await hooks.close();
    }
  });
});
