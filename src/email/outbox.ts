// E-mail goes through an outbox table: the message is written in the same transaction as what
// made it necessary, and a worker (worker.ts) delivers it. Nothing is sent from a request.
import { newId } from '../core/ids.ts';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
}

/** Any client that can insert an outbox row: the unscoped client or one of its transactions. */
interface OutboxWriter {
  outboxEmail: { create(args: { data: EmailMessage & { id: string; organizationId: string } }): PromiseLike<unknown> };
}

/** Queues a message; `organizationId` is whose request it serves, which the worker takes turns between (worker.ts). */
export async function enqueueEmail(tx: OutboxWriter, message: EmailMessage, organizationId: string): Promise<void> {
  await tx.outboxEmail.create({ data: { id: newId('OutboxEmail'), ...message, organizationId } });
}
