// What the session itself says (Query.accountSession): its account's state, its components, the
// platform's branding and the onboarding's progress. Read once and shared by the components of one
// loadConnect; read again after a change of the account (onboarding completed, details saved),
// which the components hear as `account-changed` on the context's `changes`.
import type { SessionViewQuery } from '../generated/graphql.ts';
import type { SessionClient } from './session-client.ts';
import { sessionViewDocument } from './session-view-documents.ts';

export type SessionView = NonNullable<SessionViewQuery['accountSession']>;

export const ACCOUNT_CHANGED = 'account-changed';

export class SessionViewCache {
  #view: Promise<SessionView> | null = null;
  /** Dispatches ACCOUNT_CHANGED after `accountChanged()`. */
  readonly changes = new EventTarget();

  constructor(private readonly client: SessionClient) {}

  read(): Promise<SessionView> {
    this.#view ??= this.client.execute(sessionViewDocument).then((data) => {
      if (!data.accountSession) throw new Error('Connect did not recognise the client secret as an account session');
      return data.accountSession;
    });
    this.#view.catch(() => {
      this.#view = null;
    });
    return this.#view;
  }

  /** The account changed: every component reads what it shows again. */
  accountChanged(): void {
    this.#view = null;
    this.changes.dispatchEvent(new Event(ACCOUNT_CHANGED));
  }
}
