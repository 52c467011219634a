// Where e-mail goes: an SMTP server (nodemailer) when SMTP_URL is set; in development and tests
// without one, the log (the message, link included, is also on the dev outbox page).
import nodemailer from 'nodemailer';
import type { Logger } from '../core/logger.ts';
import type { EmailMessage } from './outbox.ts';

export interface EmailSender {
  /** Resolves once the message is accepted; throws when it should be tried again later. */
  send(message: EmailMessage): Promise<void>;
  close(): void;
}

export function smtpSender(smtpUrl: string, from: string): EmailSender {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(message) {
      await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text });
    },
    close: () => transport.close(),
  };
}

export function logSender(log: Logger): EmailSender {
  return {
    async send(message) {
      log.info({ email: message }, 'e-mail (no SMTP_URL: logged instead of sent)');
    },
    close() {},
  };
}
