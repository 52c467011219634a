// One form of a component: its fields with labels tied to inputs, one short message per field in
// plain words next to it, a summary of them at the top that takes the focus (announced, and a link
// to each field), and the API's answer mapped back onto the fields it names (`input.legalName`).
import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';

export interface FieldSpec<Name extends string> {
  name: Name;
  label: string;
  /** The API's path for the field when it is not `input.<name>`. */
  path?: string;
  type?: 'text' | 'email' | 'password' | 'tel' | 'url';
  /** A <select> of these instead of an <input>. */
  options?: readonly { value: string; label: string }[];
  autocomplete?: string;
  inputMode?: 'numeric' | 'email' | 'tel' | 'url';
  required?: boolean;
  hint?: string;
}

/** The shape every mutation result's error member selects (`... on Error`, `... on ValidationError`). */
export interface MutationError {
  code: string;
  message: string;
  fields?: readonly string[];
}

export type FormValues<Name extends string> = Record<Name, string | null>;

interface FormHost extends ReactiveControllerHost, HTMLElement {
  readonly renderRoot: HTMLElement | DocumentFragment;
}

/** The API's message about `path`, said with the field's label: `input.legalName is required.` → `Legal name is required.` */
function plainFieldMessage(message: string, path: string, label: string): string {
  const said = message.replaceAll(path, label);
  return said.charAt(0).toUpperCase() + said.slice(1);
}

// Inputs bind `.value` to the value given when the form was drawn: Lit sets it again only when that
// value changes, so what a person typed survives every redraw (errors shown, a button disabled).
export class FormController<Name extends string> implements ReactiveController {
  errors: Partial<Record<Name, string>> = {};
  formError: string | null = null;
  submitting = false;

  constructor(
    private readonly host: FormHost,
    /** Prefixes the ids, so that two forms of one component never share one. */
    private readonly id: string,
    private readonly fields: () => readonly FieldSpec<Name>[],
    /** Tells the page about a refused request and gives its plain words (ConnectElement.report). */
    private readonly report: (error: unknown) => string,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Forgets the last answer's errors (the form opens again). */
  reset(): void {
    this.errors = {};
    this.formError = null;
  }

  #inputId = (name: Name) => `${this.id}-${name}`;

  #spec(name: Name): FieldSpec<Name> {
    const spec = this.fields().find((field) => field.name === name);
    if (!spec) throw new Error(`no field ${name} in form ${this.id}`);
    return spec;
  }

  renderField(name: Name, value?: string | null): TemplateResult {
    const spec = this.#spec(name);
    const id = this.#inputId(name);
    const error = this.errors[name];
    const describedBy = [spec.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
    const common = {
      id,
      name,
      describedBy: describedBy || undefined,
      invalid: error ? 'true' : undefined,
      required: spec.required ? 'true' : undefined,
    };
    const control = spec.options
      ? html`<select id=${common.id} name=${common.name} aria-describedby=${ifDefined(common.describedBy)}
          aria-invalid=${ifDefined(common.invalid)} aria-required=${ifDefined(common.required)} autocomplete=${ifDefined(spec.autocomplete)}>
          <option value="" ?selected=${!value}>Choose…</option>
          ${spec.options.map((option) => html`<option value=${option.value} ?selected=${option.value === value}>${option.label}</option>`)}
        </select>`
      : html`<input id=${common.id} name=${common.name} type=${spec.type ?? 'text'} .value=${value ?? ''}
          aria-describedby=${ifDefined(common.describedBy)} aria-invalid=${ifDefined(common.invalid)}
          aria-required=${ifDefined(common.required)} autocomplete=${ifDefined(spec.autocomplete)} inputmode=${ifDefined(spec.inputMode)}>`;
    return html`<div class="field">
      <label for=${id}>${spec.label}${spec.required ? nothing : html` <span class="optional">(optional)</span>`}</label>
      ${spec.hint ? html`<span class="hint" id="${id}-hint">${spec.hint}</span>` : nothing}
      ${control}
      ${error ? html`<p class="field-error" id="${id}-error">${error}</p>` : nothing}
    </div>`;
  }

  /** The top of the form: nothing, or every error with a link to its field. */
  renderSummary(): TemplateResult | typeof nothing {
    const fieldErrors = (Object.entries(this.errors) as [Name, string][]).filter(([, message]) => message);
    if (!this.formError && fieldErrors.length === 0) return nothing;
    const focusField = (event: Event, name: Name) => {
      event.preventDefault();
      (this.host.renderRoot.querySelector(`#${this.#inputId(name)}`) as HTMLElement | null)?.focus();
    };
    return html`<div class="error-summary" id="${this.id}-summary" role="alert" tabindex="-1" aria-labelledby="${this.id}-summary-title">
      <h3 id="${this.id}-summary-title">${fieldErrors.length > 0 ? 'Please check the form' : 'That did not work'}</h3>
      <ul>
        ${this.formError ? html`<li>${this.formError}</li>` : nothing}
        ${fieldErrors.map(([name, message]) => html`<li><a href="#${this.#inputId(name)}" @click=${(event: Event) => focusField(event, name)}>${message}</a></li>`)}
      </ul>
    </div>`;
  }

  /**
   * Handles the form's submit: checks the required fields, then sends the values and shows the error
   * `send` returns, if any. Resolves to true when the values were accepted.
   */
  async submit(event: SubmitEvent, send: (values: FormValues<Name>) => Promise<MutationError | null>): Promise<boolean> {
    event.preventDefault();
    if (this.submitting) return false;
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const values = Object.fromEntries(
      this.fields().map((field) => [field.name, String(data.get(field.name) ?? '').trim() || null]),
    ) as FormValues<Name>;
    this.formError = null;
    this.errors = Object.fromEntries(
      this.fields()
        .filter((field) => field.required && !values[field.name])
        .map((field) => [field.name, `${field.options ? 'Choose' : 'Enter'} your ${field.label.toLowerCase()}.`]),
    ) as Partial<Record<Name, string>>;
    if (Object.keys(this.errors).length === 0) {
      this.submitting = true;
      this.host.requestUpdate();
      try {
        const error = await send(values);
        if (error) this.#show(error);
      } catch (refused) {
        this.formError = this.report(refused);
      }
      this.submitting = false;
    }
    this.host.requestUpdate();
    const failed = this.formError !== null || Object.keys(this.errors).length > 0;
    if (failed) {
      await this.host.updateComplete;
      (this.host.renderRoot.querySelector(`#${this.id}-summary`) as HTMLElement | null)?.focus();
    }
    return !failed;
  }

  #show(error: MutationError): void {
    const unmatched: string[] = [];
    for (const path of error.fields ?? []) {
      const spec = this.fields().find((field) => (field.path ?? `input.${field.name}`) === path);
      if (spec) this.errors[spec.name] = plainFieldMessage(error.message, path, spec.label);
      else unmatched.push(path);
    }
    if (unmatched.length > 0 || !error.fields?.length) this.formError = error.message;
  }
}
