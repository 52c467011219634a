// E-mail through the outbox to a real SMTP server (smtp-server on loopback): delivered once, retried
// with backoff while the server is down, and marked FAILED (never silently dropped) after the last attempt.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, retryDelayMs } from '../../src/email/worker.ts';
import { givenConnectPlatform, givenExpressAccount } from '../support/givens/connect.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

interface Received {
  to: string[];
  data: string;
}

/** A loopback SMTP server that keeps what it accepts, or refuses every message. */
async function smtpServer(options: { port?: number; refuse?: boolean } = {}) {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      callback(options.refuse ? Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }) : undefined);
    },
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), data });
        callback();
      });
    },
  });
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server.server, 'listening');
  return {
    received,
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function serverSendingTo(port: number): Promise<TestServer> {
  const server = await startTestServer({ environment: { SMTP_URL: `smtp://127.0.0.1:${port}`, OUTBOX_POLL_MS: '3600000' } });
  closers.push(() => server.close());
  return server;
}

/** A new user asks for a verification e-mail on the onboarding page. */
async function signUp(server: TestServer, email: string) {
  const platform = await givenConnectPlatform(server);
  const { token } = await givenExpressAccount(server, platform);
  const response = await server.fetch(`/onboarding/${token}/sign-up`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email }).toString(),
  });
  expect(response.status).toBe(303);
  return token;
}

const outboxRow = (server: TestServer, to: string) => server.prisma.outboxEmail.findFirstOrThrow({ where: { to } });

describe('the e-mail outbox', () => {
  it('delivers the verification e-mail to the SMTP server once', async () => {
    const smtp = await smtpServer();
    closers.push(smtp.close);
    const server = await serverSendingTo(smtp.port);
    const token = await signUp(server, 'smtp.user@shop.example');

    await expect.poll(async () => (await outboxRow(server, 'smtp.user@shop.example')).status, { timeout: 15_000 }).toBe('SENT');
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]?.to).toEqual(['smtp.user@shop.example']);
    // Long lines arrive quoted-printable: undo the soft line breaks before looking for the link.
    expect(smtp.received[0]?.data.replace(/=\r\n/g, '')).toContain(`/onboarding/${token}/verify/`);
    expect(await server.outbox?.deliverDue()).toBe(0);
    expect(smtp.received).toHaveLength(1);
  });

  it('retries with backoff while the SMTP server is down, then delivers', async () => {
    const probe = await smtpServer();
    const port = probe.port;
    await probe.close();
    const server = await serverSendingTo(port);
    await signUp(server, 'later@shop.example');

    // The attempt counts when the message is leased; the failure is recorded once the send gave up.
    await expect.poll(async () => (await outboxRow(server, 'later@shop.example')).lastError, { timeout: 15_000 }).toBeTruthy();
    const afterFirst = await outboxRow(server, 'later@shop.example');
    expect(afterFirst).toMatchObject({ status: 'PENDING', attempts: 1, lastError: expect.stringMatching(/ECONNREFUSED/) });
    expect(afterFirst.nextAttemptAt.getTime() - server.clock.now().getTime()).toBeGreaterThan(retryDelayMs(1) - 2_000);
    expect(await server.outbox?.deliverDue()).toBe(0);

    server.clock.advance(retryDelayMs(1));
    expect(await server.outbox?.deliverDue()).toBe(0);
    expect(await outboxRow(server, 'later@shop.example')).toMatchObject({ status: 'PENDING', attempts: 2 });

    const smtp = await smtpServer({ port });
    closers.push(smtp.close);
    server.clock.advance(retryDelayMs(2));
    expect(await server.outbox?.deliverDue()).toBe(1);
    expect(await outboxRow(server, 'later@shop.example')).toMatchObject({ status: 'SENT', attempts: 3, lastError: null });
    expect(smtp.received).toHaveLength(1);
  });

  it(`marks a message FAILED after ${MAX_ATTEMPTS} refused attempts, keeping the last error`, async () => {
    const smtp = await smtpServer({ refuse: true });
    closers.push(smtp.close);
    const server = await serverSendingTo(smtp.port);
    await signUp(server, 'refused@shop.example');
    await expect.poll(async () => (await outboxRow(server, 'refused@shop.example')).lastError, { timeout: 15_000 }).toBeTruthy();
    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
      server.clock.advance(retryDelayMs(attempt - 1));
      await server.outbox?.deliverDue();
    }
    expect(await outboxRow(server, 'refused@shop.example')).toMatchObject({
      status: 'FAILED',
      attempts: MAX_ATTEMPTS,
      lastError: expect.stringContaining('550'),
    });
  });

  // Issue 23: one platform's sign-ups no longer queue ahead of every other platform's e-mail.
  it('takes turns between the platforms whose sign-ups queued the e-mail', async () => {
    const smtp = await smtpServer();
    closers.push(smtp.close);
    const server = await serverSendingTo(smtp.port);
    const [flooding, other] = [
      await givenConnectPlatform(server, 'Flooding Platform'),
      await givenConnectPlatform(server, 'Other Platform'),
    ];
    const queuedAt = (secondsAgo: number) => new Date(server.clock.now().getTime() - secondsAgo * 1000);
    // Twelve of the flooding platform's, queued first; then one of the other's.
    await server.prisma.outboxEmail.createMany({
      data: [
        ...Array.from({ length: 12 }, (_, index) => ({
          id: `email_flood_${index}`,
          to: `flood${index}@shop.example`,
          subject: 'Confirm',
          text: 'x',
          organizationId: flooding.organizationId,
          nextAttemptAt: queuedAt(60 - index),
        })),
        {
          id: 'email_other',
          to: 'other@shop.example',
          subject: 'Confirm',
          text: 'x',
          organizationId: other.organizationId,
          nextAttemptAt: queuedAt(1),
        },
      ],
    });
    expect(await server.outbox?.deliverDue()).toBe(13);
    const order = smtp.received.map((message) => message.to[0]);
    expect(order.slice(0, 2)).toEqual(['flood0@shop.example', 'other@shop.example']);
    expect(order).toHaveLength(13);
  });
});
