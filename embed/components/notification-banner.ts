// <connect-notification-banner>: what the account must still give and by when, or nothing at all when
// nothing is due (the element is then hidden, with `state="clear"` for the page's own styling).
import { html, nothing, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import type { BusinessDetail } from '../generated/graphql.ts';
import type { SessionView } from '../session/session-view.ts';
import { ConnectElement } from './connect-element.ts';
import { requirementsDocument } from './notification-banner-documents.ts';

const DETAIL_NAMES: Record<BusinessDetail, string> = {
  ADDRESS: 'your address',
  LEGAL_NAME: 'your legal name',
  PHONE: 'a phone number',
  VAT_NUMBER: 'your VAT number',
};

/** `a, b and c` */
const listed = (items: string[]) => (items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

export class NotificationBannerElement extends ConnectElement {
  readonly componentName = 'connect-notification-banner';
  protected readonly componentTitle = 'Notifications';
  protected readonly sessionComponent = 'NOTIFICATION_BANNER';

  @state() private accessor currentlyDue: readonly BusinessDetail[] = [];
  @state() private accessor pendingOnboarding = false;

  protected override waitingFor(view: SessionView): string | null {
    // An account still onboarding has one thing due: finishing it.
    this.pendingOnboarding = view.accountStatus === 'PENDING';
    return this.pendingOnboarding ? null : super.waitingFor(view);
  }

  protected async load(): Promise<void> {
    if (this.pendingOnboarding) {
      this.currentlyDue = [];
    } else {
      const { viewer } = await this.client.execute(requirementsDocument);
      this.currentlyDue = viewer.actingAs?.requirements.currentlyDue ?? [];
    }
    const clear = !this.pendingOnboarding && this.currentlyDue.length === 0;
    this.hidden = clear;
    this.setAttribute('state', clear ? 'clear' : 'due');
  }

  protected renderContent(): TemplateResult {
    if (this.pendingOnboarding) {
      return html`<div role="status"><strong>Finish setting up your account</strong> to start using it.</div>`;
    }
    if (this.currentlyDue.length === 0) return html`${nothing}`;
    return html`<div role="status">
      <strong>Your account needs ${listed(this.currentlyDue.map((detail) => DETAIL_NAMES[detail]))}.</strong>
      Add ${this.currentlyDue.length === 1 ? 'it' : 'them'} in your business details.
    </div>`;
  }
}
