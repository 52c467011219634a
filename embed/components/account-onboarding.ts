// <connect-account-onboarding>: a PENDING EXPRESS account signs in (or signs up and enters the code
// it was e-mailed, with a password), gives its business details, and is done, without leaving the
// platform's page. Each step's heading takes the focus, so a keyboard or screen reader user lands on it.
import { html, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import type { SessionView } from '../session/session-view.ts';
import { completeDocument, signInDocument, signUpDocument, verifyEmailDocument } from './account-onboarding-documents.ts';
import {
  type BusinessDetailName,
  businessDetailFields,
  businessDetailsInput,
  renderBusinessDetailFields,
} from './business-details-fields.ts';
import { ConnectElement } from './connect-element.ts';
import { FormController } from './form-controller.ts';
import { outcome } from './mutation-outcome.ts';

type Progress = NonNullable<SessionView['onboarding']>;

const COMPLETED: Progress = { step: 'COMPLETED', email: null, organizationName: null, country: null };

export class AccountOnboardingElement extends ConnectElement {
  readonly componentName = 'connect-account-onboarding';
  protected readonly componentTitle = 'Account setup';
  protected readonly sessionComponent = 'ACCOUNT_ONBOARDING';

  @state() private accessor progress: Progress | null = null;
  @state() private accessor platformName = '';
  @state() private accessor codeResent = false;

  readonly #signUp = new FormController(
    this,
    'sign-up',
    () => [{ name: 'email', label: 'E-mail address', type: 'email', required: true, autocomplete: 'email' }],
    (e) => this.report(e),
  );
  readonly #signIn = new FormController(
    this,
    'sign-in',
    () => [
      { name: 'email', label: 'E-mail address', type: 'email', required: true, autocomplete: 'username' },
      { name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'current-password' },
    ],
    (e) => this.report(e),
  );
  readonly #verify = new FormController(
    this,
    'verify',
    () => [
      {
        name: 'code',
        label: '6-digit code',
        required: true,
        inputMode: 'numeric',
        autocomplete: 'one-time-code',
        hint: 'From the e-mail we just sent you.',
      },
      { name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'new-password', hint: '8 to 200 characters.' },
    ],
    (e) => this.report(e),
  );
  readonly #details = new FormController<BusinessDetailName>(this, 'details', businessDetailFields, (e) => this.report(e));

  protected override waitingFor(view: SessionView): string | null {
    if (view.accountStatus === 'ACTIVE') return null;
    if (view.accountStatus !== 'PENDING') return 'Your account is not active, so it cannot be set up.';
    return view.onboarding ? null : 'This account cannot be set up from this page.';
  }

  protected async load(view: SessionView): Promise<void> {
    this.platformName = view.branding.platformName;
    this.progress = view.accountStatus === 'ACTIVE' ? COMPLETED : (view.onboarding ?? null);
  }

  async #moveTo(progress: Progress): Promise<void> {
    this.progress = progress;
    await this.updateComplete;
    (this.renderRoot.querySelector('h2') as HTMLElement | null)?.focus();
  }

  #submitSignUp = (event: SubmitEvent) =>
    this.#signUp.submit(event, async ({ email }) => {
      const { embeddedOnboardingSignUp: result } = await this.client.execute(signUpDocument, { input: { email: email ?? '' } });
      const { payload, error } = outcome(result, 'EmbeddedOnboardingSignUpPayload');
      if (payload) await this.#moveTo(payload.onboarding);
      return error;
    });

  #submitSignIn = (event: SubmitEvent) =>
    this.#signIn.submit(event, async ({ email, password }) => {
      const { embeddedOnboardingSignIn: result } = await this.client.execute(signInDocument, {
        input: { email: email ?? '', password: password ?? '' },
      });
      const { payload, error } = outcome(result, 'EmbeddedOnboardingSignInPayload');
      if (payload) await this.#moveTo(payload.onboarding);
      return error;
    });

  #submitCode = (event: SubmitEvent) =>
    this.#verify.submit(event, async ({ code, password }) => {
      const { embeddedOnboardingVerifyEmail: result } = await this.client.execute(verifyEmailDocument, {
        input: { code: code ?? '', password: password ?? '' },
      });
      const { payload, error } = outcome(result, 'EmbeddedOnboardingVerifyEmailPayload');
      if (payload) await this.#moveTo(payload.onboarding);
      return error;
    });

  #resendCode = async () => {
    const email = this.progress?.email;
    if (!email) return;
    try {
      await this.client.execute(signUpDocument, { input: { email } });
      this.codeResent = true;
    } catch (error) {
      this.#verify.formError = this.report(error);
      this.requestUpdate();
    }
  };

  #submitDetails = (event: SubmitEvent) =>
    this.#details.submit(event, async (values) => {
      const { embeddedOnboardingComplete: result } = await this.client.execute(completeDocument, { input: businessDetailsInput(values) });
      const { payload, error } = outcome(result, 'EmbeddedOnboardingCompletePayload');
      if (payload) {
        await this.#moveTo(COMPLETED);
        this.emit('connect:onboarding-complete', { connectedAccountId: payload.connectedAccountId });
        this.accountChanged();
      }
      return error;
    });

  protected renderContent(): TemplateResult {
    switch (this.progress?.step) {
      case 'VERIFY_EMAIL':
        return this.#renderVerify();
      case 'BUSINESS_DETAILS':
        return this.#renderDetails();
      case 'COMPLETED':
        return this.#renderDone();
      default:
        return this.#renderSignInOrSignUp();
    }
  }

  #renderSignInOrSignUp(): TemplateResult {
    return html`<h2 tabindex="-1">Set up your account with ${this.platformName}</h2>
      <form novalidate @submit=${this.#submitSignUp} aria-labelledby="sign-up-title">
        <h3 id="sign-up-title">New here? Create your account</h3>
        ${this.#signUp.renderSummary()} ${this.#signUp.renderField('email', this.progress?.email)}
        <div class="actions"><button ?disabled=${this.#signUp.submitting}>Send me a code</button></div>
      </form>
      <form novalidate @submit=${this.#submitSignIn} aria-labelledby="sign-in-title">
        <h3 id="sign-in-title">Already have an account? Sign in</h3>
        ${this.#signIn.renderSummary()} ${this.#signIn.renderField('email')} ${this.#signIn.renderField('password')}
        <div class="actions"><button ?disabled=${this.#signIn.submitting}>Sign in</button></div>
      </form>`;
  }

  #renderVerify(): TemplateResult {
    return html`<h2 tabindex="-1">Check your inbox</h2>
      <p>We sent a 6-digit code to <strong>${this.progress?.email}</strong>. Enter it, and choose a password.</p>
      <form novalidate @submit=${this.#submitCode}>
        ${this.#verify.renderSummary()} ${this.#verify.renderField('code')} ${this.#verify.renderField('password')}
        <div class="actions"><button ?disabled=${this.#verify.submitting}>Continue</button></div>
      </form>
      <p aria-live="polite">
        ${this.codeResent ? 'We sent a new code.' : html`No e-mail? <button class="link" type="button" @click=${this.#resendCode}>Send the code again</button>`}
      </p>`;
  }

  #renderDetails(): TemplateResult {
    const values = { organizationName: this.progress?.organizationName, country: this.progress?.country };
    return html`<h2 tabindex="-1">Your business</h2>
      <p class="muted">${this.platformName} uses these details on your invoices.</p>
      <form novalidate @submit=${this.#submitDetails}>
        ${this.#details.renderSummary()} ${renderBusinessDetailFields(this.#details, values)}
        <div class="actions"><button ?disabled=${this.#details.submitting}>Finish</button></div>
      </form>`;
  }

  #renderDone(): TemplateResult {
    return html`<h2 tabindex="-1">Your account is ready</h2>
      <p role="status">You can now use ${this.platformName || 'the platform'} with your account.</p>
      <div class="actions">
        <button type="button" @click=${() => this.emit('connect:exit', { component: this.componentName })}>Done</button>
      </div>`;
  }
}
