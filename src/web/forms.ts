// The pieces of the hosted pages' forms: a labelled field with its error next to it, a form-wide
// error, and the business details a connected organization gives (on onboarding, and when it
// updates them later), marked with what the platform requires.
import { html, type Html } from './html.ts';
import type { ValidationError } from '../core/domain-errors.ts';
import type { BusinessDetail } from '../generated/prisma/enums.ts';
import { BUSINESS_DETAIL_FIELDS, type BusinessDetailValues } from '../connect/platform/requirements.ts';

/** The steps of a page, in the sidebar, the current one marked. */
export const stepsSidebar = (names: readonly string[], current: string): Html =>
  html`<ol class="steps" aria-label="Steps">${names.map((name) => html`<li ${name === current ? html`aria-current="step"` : ''}>${name}</li>`)}</ol>`;

/** Field errors keyed by the form field's name. */
export type FieldErrors = Record<string, string>;

/** Every field error of a validation failure, under the form's own field names. */
export function fieldErrors(error: ValidationError): FieldErrors {
  return Object.fromEntries(error.fields.map((name) => [name, error.message]));
}

interface FieldOptions {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password' | 'tel';
  value?: string | null | undefined;
  /** The browser refuses to send the form without it. */
  required?: boolean;
  /** Required, but checked by the server, whose error then shows next to the field. */
  requiredOnSubmit?: boolean;
  autocomplete?: string;
  id?: string;
}

export function field(
  errors: FieldErrors,
  { name, label, type = 'text', value, required = false, requiredOnSubmit = false, autocomplete, id = name }: FieldOptions,
): Html {
  const error = errors[name];
  return html`<label for="${id}">${label}${required || requiredOnSubmit ? '' : html` <span class="hint">(optional)</span>`}</label>
<input type="${type}" id="${id}" name="${name}" ${value ? html`value="${value}"` : ''} ${required ? 'required' : ''} ${requiredOnSubmit ? html`aria-required="true"` : ''}
 ${autocomplete ? html`autocomplete="${autocomplete}"` : ''} ${error ? html`aria-invalid="true" aria-describedby="${id}-error"` : ''}>
${error ? html`<p class="error" id="${id}-error">${error}</p>` : ''}`;
}

export const formError = (message: string | undefined) => (message ? html`<p class="error" role="alert">${message}</p>` : '');

/** What the business details form holds (BusinessDetailValues, plus the optional second address line). */
export interface DetailValues extends BusinessDetailValues {
  addressLine2?: string | null | undefined;
}

export const DETAIL_FIELDS = ['legalName', 'addressLine1', 'addressLine2', 'city', 'postalCode', 'vatNumber', 'phone'] as const;

/** The posted values of `names`, trimmed, blank as null. */
export function formValues<Name extends string>(form: URLSearchParams | null, names: readonly Name[]): Record<Name, string | null> {
  return Object.fromEntries(names.map((name) => [name, form?.get(name)?.trim() || null])) as Record<Name, string | null>;
}

/**
 * The business details' inputs. `platformRequires` marks the fields of the details the platform
 * requires; `legalNameRequired` when the form cannot do without one (an existing invoicing entity).
 */
export function businessDetailInputs(
  values: DetailValues,
  errors: FieldErrors,
  platformRequires: readonly BusinessDetail[],
  legalNameRequired = false,
): Html {
  const needed = new Set(platformRequires.flatMap((detail) => BUSINESS_DETAIL_FIELDS[detail]));
  const input = (name: (typeof DETAIL_FIELDS)[number], label: string, options: Omit<FieldOptions, 'name' | 'label'> = {}) =>
    field(errors, { name, label, value: values[name], requiredOnSubmit: needed.has(name as keyof BusinessDetailValues), ...options });
  return html`${input('legalName', 'Legal name', { required: legalNameRequired })}
${input('addressLine1', 'Address', { autocomplete: 'address-line1' })}
${input('addressLine2', 'Address, second line', { autocomplete: 'address-line2' })}
${input('city', 'City', { autocomplete: 'address-level2' })}
${input('postalCode', 'Postal code', { autocomplete: 'postal-code' })}
${input('vatNumber', 'VAT number')}
${input('phone', 'Phone (international form, e.g. +4930123456)', { type: 'tel', autocomplete: 'tel' })}`;
}
