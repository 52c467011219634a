// The pieces of the hosted pages' forms: a labelled field with its help and its own short error, a
// summary of the errors at the top, a form-wide error, and the business details a connected
// organization gives (on onboarding, and when it updates them later), marked with what the platform
// requires. The browser checks what it can before sending (`required`, input types, lengths); the
// server checks everything again and says, per field, what is wrong in the field's own words.
import { html, type Html } from './html.ts';
import type { ValidationError } from '../core/domain-errors.ts';
import type { BusinessDetail } from '../generated/prisma/enums.ts';
import { BUSINESS_DETAIL_FIELDS, type BusinessDetailValues } from '../connect/platform/requirements.ts';
import { COUNTRIES } from './countries.ts';

/** The steps of a page, in the sidebar, the current one marked. */
export const stepsSidebar = (names: readonly string[], current: string): Html =>
  html`<ol class="steps" aria-label="Steps">${names.map((name) => html`<li ${name === current ? html`aria-current="step"` : ''}>${name}</li>`)}</ol>`;

/** Errors keyed by the form field's name (`form`, `sign-in`, `sign-up`: the whole form's). */
export type FieldErrors = Record<string, string>;

/** How a field is named to a person, and what a valid value looks like. */
export interface FieldSpec {
  label: string;
  /** Said when the server refuses a value: "use the international form, e.g. +4930123456". */
  hint?: string;
}

/**
 * One short message per refused field, in the field's words (its label, never its API name): blank,
 * it is required; else the hint says what is expected. A field the form does not show goes to `form`.
 */
export function fieldErrors(
  error: ValidationError,
  values: Record<string, string | null | undefined>,
  specs: Record<string, FieldSpec>,
): FieldErrors {
  const errors: FieldErrors = {};
  for (const name of error.fields) {
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (!spec) {
      errors.form = error.message;
      continue;
    }
    errors[name] = values[name]
      ? `${spec.label} is not valid${spec.hint ? `: ${spec.hint}` : ''}.`
      : `${spec.label} is required${spec.hint ? `: ${spec.hint}` : ''}.`;
  }
  return errors;
}

/** The refused fields, listed at the top of the form, each a link to its field. */
export function errorSummary(
  errors: FieldErrors,
  specs: Record<string, FieldSpec>,
  idOf: (name: string) => string = (name) => name,
): Html | '' {
  const listed = Object.keys(specs).filter((name) => errors[name]);
  if (listed.length === 0) return '';
  const title = listed.length === 1 ? 'Please correct one field' : `Please correct ${listed.length} fields`;
  return html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title"><h2 id="error-summary-title">${title}</h2>
<ul>${listed.map((name) => html`<li><a href="#${idOf(name)}">${errors[name]}</a></li>`)}</ul></div>`;
}

interface FieldOptions {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password' | 'tel' | 'url';
  value?: string | null | undefined;
  /** The browser refuses to send the form without it. */
  required?: boolean;
  /** A sentence under the label: where to find the value, or what it looks like. */
  help?: string | undefined;
  maxLength?: number;
  minLength?: number;
  autocomplete?: string;
  id?: string;
}

/** The label, with "(optional)" when it may stay empty, and the ids that describe the input. */
function labelled(
  { id, label, required }: { id: string; label: string; required: boolean },
  help: string | undefined,
  error: string | undefined,
) {
  const described = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return {
    label: html`<label for="${id}">${label}${required ? '' : html` <span class="hint">(optional)</span>`}</label>
${help ? html`<p class="hint" id="${id}-help">${help}</p>` : ''}`,
    attributes: html`${error ? html`aria-invalid="true"` : ''} ${described ? html`aria-describedby="${described}"` : ''}`,
    error: error ? html`<p class="error" id="${id}-error">${error}</p>` : '',
  };
}

export function field(
  errors: FieldErrors,
  { name, label, type = 'text', value, required = false, help, maxLength, minLength, autocomplete, id = name }: FieldOptions,
): Html {
  const parts = labelled({ id, label, required }, help, errors[name]);
  // A secret is never written back into the page.
  const shown = type === 'password' ? null : value;
  return html`${parts.label}
<input type="${type}" id="${id}" name="${name}" ${shown ? html`value="${shown}"` : ''} ${required ? 'required' : ''}
 ${maxLength ? html`maxlength="${maxLength}"` : ''} ${minLength ? html`minlength="${minLength}"` : ''}
 ${autocomplete ? html`autocomplete="${autocomplete}"` : ''} ${parts.attributes}>
${parts.error}`;
}

/** A country, by its name in a list (Intl.DisplayNames, ./countries.ts); the form posts its two-letter code. */
export function countryField(
  errors: FieldErrors,
  { value, required = true }: { value: string | null | undefined; required?: boolean },
): Html {
  const parts = labelled({ id: 'country', label: 'Country', required }, undefined, errors.country);
  const selected = value?.toUpperCase();
  return html`${parts.label}
<select id="country" name="country" autocomplete="country" ${required ? 'required' : ''} ${parts.attributes}>
<option value="">Choose a country</option>
${COUNTRIES.map(({ code, name }) => html`<option value="${code}" ${code === selected ? 'selected' : ''}>${name}</option>`)}
</select>
${parts.error}`;
}

export function checkboxField(
  errors: FieldErrors,
  { name, label, help, checked }: { name: string; label: string; help?: string; checked: boolean },
): Html {
  const error = errors[name];
  const described = [help ? `${name}-help` : '', error ? `${name}-error` : ''].filter(Boolean).join(' ');
  return html`<label class="checkbox"><input type="checkbox" id="${name}" name="${name}" value="on" ${checked ? 'checked' : ''}
 ${described ? html`aria-describedby="${described}"` : ''}> ${label}</label>
${help ? html`<p class="hint" id="${name}-help">${help}</p>` : ''}${error ? html`<p class="error" id="${name}-error">${error}</p>` : ''}`;
}

export const formError = (message: string | undefined) => (message ? html`<p class="error" role="alert">${message}</p>` : '');

/** What the business details form holds (BusinessDetailValues, plus the optional second address line). */
export interface DetailValues extends BusinessDetailValues {
  addressLine2?: string | null | undefined;
}

export const DETAIL_FIELDS = ['legalName', 'addressLine1', 'addressLine2', 'city', 'postalCode', 'vatNumber', 'phone'] as const;

type DetailField = (typeof DETAIL_FIELDS)[number];

/** The business details as a person reads them; the lengths are the server's (organizations/service.ts). */
export const DETAIL_SPECS: Record<DetailField, FieldSpec & { maxLength: number }> = {
  legalName: { label: 'Legal name', maxLength: 200 },
  addressLine1: { label: 'Address', maxLength: 200 },
  addressLine2: { label: 'Address, second line', maxLength: 200 },
  city: { label: 'City', maxLength: 100 },
  postalCode: { label: 'Postal code', maxLength: 20 },
  vatNumber: { label: 'VAT number', maxLength: 32 },
  phone: { label: 'Phone', hint: 'use the international form, e.g. +4930123456', maxLength: 20 },
};

const DETAIL_AUTOCOMPLETE: Partial<Record<DetailField, string>> = {
  addressLine1: 'address-line1',
  addressLine2: 'address-line2',
  city: 'address-level2',
  postalCode: 'postal-code',
  phone: 'tel',
};

/** The posted values of `names`, trimmed, blank as null. */
export function formValues<Name extends string>(form: URLSearchParams | null, names: readonly Name[]): Record<Name, string | null> {
  return Object.fromEntries(names.map((name) => [name, form?.get(name)?.trim() || null])) as Record<Name, string | null>;
}

/**
 * The business details' inputs. The fields of the details `platformRequires` are required (the
 * browser asks for them before sending); `legalNameRequired` when the form cannot do without one.
 */
export function businessDetailInputs(
  values: DetailValues,
  errors: FieldErrors,
  platformRequires: readonly BusinessDetail[],
  legalNameRequired = false,
): Html {
  const needed = new Set<string>(platformRequires.flatMap((detail) => BUSINESS_DETAIL_FIELDS[detail]));
  if (legalNameRequired) needed.add('legalName');
  return html`${DETAIL_FIELDS.map((name) => {
    const { label, hint, maxLength } = DETAIL_SPECS[name];
    return field(errors, {
      name,
      label,
      value: values[name],
      required: needed.has(name),
      help: hint && `${hint[0]?.toUpperCase()}${hint.slice(1)}.`,
      maxLength,
      ...(name === 'phone' ? { type: 'tel' as const } : {}),
      ...(DETAIL_AUTOCOMPLETE[name] ? { autocomplete: DETAIL_AUTOCOMPLETE[name] } : {}),
    });
  })}`;
}
