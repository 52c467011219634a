// The outbox as a page, outside production and to this machine only (its links sign people up):
// what would have been sent (or was), links clickable, so a developer without an SMTP server can
// follow a verification e-mail.
import type { Prisma } from '../db/database.ts';
import { html, htmlResponse, page } from './html.ts';
import type { PageRoute } from './page-routes.ts';

const URL_PATTERN = /(https?:\/\/[^\s<>"]+)/;

const withLinks = (text: string) =>
  text.split(URL_PATTERN).map((part, index) => (index % 2 === 1 ? html`<a href="${part}">${part}</a>` : part));

export function devOutboxRoute(prisma: Prisma): PageRoute {
  return {
    method: 'GET',
    path: /^\/dev\/outbox$/,
    loopbackOnly: true,
    handle: async () => {
      const emails = await prisma.outboxEmail.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: 50 });
      const body = emails.length
        ? html`${emails.map(
            (email) =>
              html`<article><h2>${email.subject}</h2><p class="hint">To ${email.to} · ${email.status} · ${email.attempts} attempt(s) · ${email.createdAt.toISOString()}${email.lastError ? ` · last error: ${email.lastError}` : ''}</p><pre>${withLinks(email.text)}</pre></article>`,
          )}`
        : html`<p>No e-mail yet.</p>`;
      return htmlResponse(page({ title: 'Outbox (development)', brand: null, body }));
    },
  };
}
