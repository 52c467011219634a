// <connect-events>: the account's activity, newest first, growing live as changes commit. The list is
// a `log` (announced politely as it grows); a dropped stream resumes after the last event it showed,
// so nothing is missed, and a session that ended resumes with a new one.
import { html, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import type { EmbeddedRecentEventsQuery } from '../generated/graphql.ts';
import type { ConnectApiError } from '../session/api-error.ts';
import type { Subscription } from '../session/session-client.ts';
import { ConnectElement } from './connect-element.ts';
import { liveEventsDocument, recentEventsDocument } from './events-documents.ts';

type ActivityEvent = EmbeddedRecentEventsQuery['events']['nodes'][number];

const SHOWN = 50;
/** How long to wait before opening a stream that failed again (doubling up to a minute). */
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 60_000;

/** `connected_account.requirements_updated` → `Connected account requirements updated`. */
export const describeEventType = (type: string): string => {
  const words = type.replaceAll(/[._]/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const timeFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium' });

export class EventsElement extends ConnectElement {
  readonly componentName = 'connect-events';
  protected readonly componentTitle = 'Activity';
  protected readonly sessionComponent = 'EVENTS';

  @state() private accessor events: ActivityEvent[] = [];
  @state() private accessor live = false;

  #subscription: Subscription | null = null;
  #retryMs = FIRST_RETRY_MS;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;

  protected async load(): Promise<void> {
    this.stopped();
    this.events = (await this.client.execute(recentEventsDocument)).events.nodes;
    this.#follow();
  }

  #follow(): void {
    this.#subscription = this.client.subscribe(
      liveEventsDocument,
      { after: this.events[0]?.id ?? null },
      {
        next: ({ events: event }) => {
          this.live = true;
          this.#retryMs = FIRST_RETRY_MS;
          if (!this.events.some(({ id }) => id === event.id)) this.events = [event, ...this.events].slice(0, SHOWN);
        },
        ended: () => this.#resume(),
        failed: (error: ConnectApiError) => {
          // A session that ended gets a new one on the next attempt; anything else is told to the page.
          if (!error.sessionEnded) this.report(error);
          this.#resume();
        },
      },
    );
  }

  #resume(): void {
    this.live = false;
    this.#retryTimer = setTimeout(() => this.#follow(), this.#retryMs);
    this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
  }

  protected override stopped(): void {
    clearTimeout(this.#retryTimer);
    this.#subscription?.stop();
    this.#subscription = null;
    this.live = false;
  }

  protected renderContent(): TemplateResult {
    return html`<h2>${this.componentTitle}</h2>
      <p class="muted">${this.live ? 'Updates appear here as they happen.' : 'Connecting for live updates…'}</p>
      ${this.events.length === 0 ? html`<p class="muted">Nothing has happened yet.</p>` : ''}
      <ol class="items" role="log" aria-label="Account activity">
        ${this.events.map(
          (event) => html`<li data-event-id=${event.id} data-event-type=${event.type}>
            <strong>${describeEventType(event.type)}</strong>
            <br /><time datetime=${event.createdAt} class="muted">${timeFormat.format(new Date(event.createdAt))}</time>
          </li>`,
        )}
      </ol>`;
  }
}
