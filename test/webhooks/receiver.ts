// A real webhook receiver on loopback: records every request, answers as the test says, and
// checks signatures with the Standard Webhooks package, as a platform would.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Receipt {
  headers: IncomingHttpHeaders;
  body: string;
  /** The parsed body: the event. */
  event: { id: string; type: string; createdAt: string; data: Record<string, unknown> };
}

export type Answer = { status: number; body?: string; headers?: Record<string, string>; delayMs?: number };

export async function startReceiver(answer: (receipt: Receipt, index: number) => Answer = () => ({ status: 204 })) {
  const receipts: Receipt[] = [];
  const load = { inFlight: 0, maxInFlight: 0 };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const receipt: Receipt = { headers: request.headers, body, event: JSON.parse(body) as Receipt['event'] };
      receipts.push(receipt);
      const { status, body: answerBody = '', headers = {}, delayMs = 0 } = answer(receipt, receipts.length - 1);
      load.inFlight += 1;
      load.maxInFlight = Math.max(load.maxInFlight, load.inFlight);
      setTimeout(() => {
        load.inFlight -= 1;
        response.writeHead(status, headers).end(answerBody);
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    receipts,
    /** The most requests it was answering at once. */
    get maxInFlight() {
      return load.maxInFlight;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** What a receiver's verification returns: the event, or throws WebhookVerificationError. */
export function verify(secret: string, receipt: Receipt): unknown {
  const headers = Object.fromEntries(
    ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, String(receipt.headers[name] ?? '')]),
  );
  return new Webhook(secret).verify(receipt.body, headers);
}
