// <connect-account-management>: an ACTIVE EXPRESS account reads and edits its business details.
// "Saved" is announced politely; a refused field shows its message next to it.
import { html, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import { businessDetailsDocument, updateBusinessDetailsDocument } from './account-management-documents.ts';
import {
  type BusinessDetailName,
  type BusinessDetailValues,
  businessDetailFields,
  businessDetailsInput,
  renderBusinessDetailFields,
} from './business-details-fields.ts';
import { ConnectElement } from './connect-element.ts';
import { FormController } from './form-controller.ts';
import { outcome } from './mutation-outcome.ts';

export class AccountManagementElement extends ConnectElement {
  readonly componentName = 'connect-account-management';
  protected readonly componentTitle = 'Business details';
  protected readonly sessionComponent = 'ACCOUNT_MANAGEMENT';

  @state() private accessor details: BusinessDetailValues = {};
  @state() private accessor saved = false;

  readonly #form = new FormController<BusinessDetailName>(this, 'details', businessDetailFields, (e) => this.report(e));

  protected async load(): Promise<void> {
    this.details = (await this.client.execute(businessDetailsDocument)).businessDetails ?? {};
  }

  #save = (event: SubmitEvent) => {
    this.saved = false;
    return this.#form.submit(event, async (values) => {
      const { updateBusinessDetails: result } = await this.client.execute(updateBusinessDetailsDocument, {
        input: businessDetailsInput(values),
      });
      const { payload, error } = outcome(result, 'UpdateBusinessDetailsPayload');
      if (payload) {
        this.details = payload.businessDetails;
        this.saved = true;
        this.accountChanged();
      }
      return error;
    });
  };

  protected renderContent(): TemplateResult {
    return html`<h2>${this.componentTitle}</h2>
      <form novalidate @submit=${this.#save}>
        ${this.#form.renderSummary()} ${renderBusinessDetailFields(this.#form, this.details)}
        <div class="actions"><button ?disabled=${this.#form.submitting}>Save</button></div>
      </form>
      <p role="status" class="status">${this.saved ? 'Your details are saved.' : ''}</p>`;
  }
}
