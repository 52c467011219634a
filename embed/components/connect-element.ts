// What every component shares: its loadConnect's context (session client, theming), the checks
// before it loads (is it among the session's components, is the account in the state it works in),
// loading again when the account changes, and the DOM events it tells the page with. The events
// bubble and cross the shadow root, so the page may listen on the element or on any ancestor.
import { html, LitElement, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import { applyAppearance } from '../appearance.ts';
import { type ConnectContext, latestContext } from '../connect-context.ts';
import type { AccountSessionComponent } from '../generated/graphql.ts';
import type { ConnectComponentName, ConnectErrorDetail, ExitDetail, OnboardingCompleteDetail } from '../public-types.ts';
import type { SessionClient } from '../session/session-client.ts';
import { ACCOUNT_CHANGED, type SessionView } from '../session/session-view.ts';
import { asApiError, plainWordsFor } from './refusals.ts';
import { baseStyles } from './styles.ts';

interface EventDetails {
  'connect:error': ConnectErrorDetail;
  'connect:onboarding-complete': OnboardingCompleteDetail;
  'connect:exit': ExitDetail;
}

export abstract class ConnectElement extends LitElement {
  static override styles = [baseStyles];

  abstract readonly componentName: ConnectComponentName;
  /** What the component is about, in a person's words: the heading of its messages. */
  protected abstract readonly componentTitle: string;
  /** The session component that grants this element's fields. */
  protected abstract readonly sessionComponent: AccountSessionComponent;

  /** Given by create(); a tag written in the page takes the latest loadConnect's. */
  context: ConnectContext | null = null;

  /** Why the component cannot show its content, in plain words; null when it can. */
  @state() protected accessor unavailable: string | null = null;
  @state() protected accessor loaded = false;

  #client: SessionClient | null = null;
  readonly #reload = () => void this.#load();

  protected get client(): SessionClient {
    if (!this.#client) throw new Error('used before its loadConnect context arrived');
    return this.#client;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.context?.elements.delete(this);
    this.context?.session.changes.removeEventListener(ACCOUNT_CHANGED, this.#reload);
    this.stopped();
  }

  async #start(): Promise<void> {
    this.context ??= await latestContext();
    this.context.elements.add(this);
    this.context.session.changes.addEventListener(ACCOUNT_CHANGED, this.#reload);
    applyAppearance(this, this.context.appearance);
    this.#client = this.context.client;
    await this.#load();
  }

  async #load(): Promise<void> {
    const context = this.context;
    if (!context) return;
    try {
      const view = await context.session.read();
      if (!view.components.includes(this.sessionComponent)) {
        this.emit('connect:error', {
          code: 'COMPONENT_NOT_IN_SESSION',
          message: `${this.componentName} needs ${this.sessionComponent} among the components of createAccountSession.`,
        });
        this.unavailable = 'This part of your account cannot be shown here.';
      } else {
        this.unavailable = this.waitingFor(view);
        if (this.unavailable === null) await this.load(view);
      }
    } catch (error) {
      this.unavailable = this.report(error);
    }
    this.loaded = true;
  }

  /** Why the account cannot use this component yet, or null. Most work for ACTIVE accounts only. */
  protected waitingFor(view: SessionView): string | null {
    if (view.accountStatus === 'PENDING') return 'This will be available once your account is set up.';
    if (view.accountStatus !== 'ACTIVE') return 'Your account is not active, so this is not available.';
    return null;
  }

  /** Reads what the component shows; called once in the page, and again when the account changed. */
  protected abstract load(view: SessionView): Promise<void>;

  /** The component's own content, once loaded and available. */
  protected abstract renderContent(): TemplateResult;

  override render(): TemplateResult {
    if (!this.loaded) return html`<p role="status" aria-busy="true" class="muted">Loading…</p>`;
    if (this.unavailable) return html`<h2>${this.componentTitle}</h2><p role="status">${this.unavailable}</p>`;
    return this.renderContent();
  }

  /** Undoes what load started (an open stream): the element left the page. */
  protected stopped(): void {}

  /** Tells every component of this loadConnect that the account changed (they load again). */
  protected accountChanged(): void {
    this.context?.session.accountChanged();
  }

  /** A refused request: told to the page as connect:error, and returned in plain words to show. */
  protected report(error: unknown): string {
    const refusal = asApiError(error);
    this.emit('connect:error', { code: refusal.code, message: refusal.message });
    return plainWordsFor(refusal);
  }

  protected emit<Name extends keyof EventDetails>(name: Name, detail: EventDetails[Name]): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }
}
