// The business details an account gives when it onboards and edits later (the same fields and
// labels as the hosted pages), for a FormController; the country is a <select> named by the browser.
import { html, type TemplateResult } from 'lit';
import { countryOptions } from '../countries.ts';
import type { UpdateBusinessDetailsInput } from '../generated/graphql.ts';
import type { FieldSpec, FormController, FormValues } from './form-controller.ts';

export type BusinessDetailName = Extract<keyof UpdateBusinessDetailsInput, string>;

let fields: FieldSpec<BusinessDetailName>[] | null = null;

export const businessDetailFields = (): FieldSpec<BusinessDetailName>[] =>
  (fields ??= [
    { name: 'organizationName', label: 'Organization name', required: true, autocomplete: 'organization' },
    {
      name: 'country',
      label: 'Country',
      required: true,
      autocomplete: 'country',
      options: countryOptions().map(({ code, name }) => ({ value: code, label: name })),
    },
    { name: 'legalName', label: 'Legal name', hint: 'As registered, if it differs from the name above.' },
    { name: 'addressLine1', label: 'Address', autocomplete: 'address-line1' },
    { name: 'addressLine2', label: 'Address, second line', autocomplete: 'address-line2' },
    { name: 'city', label: 'City', autocomplete: 'address-level2' },
    { name: 'postalCode', label: 'Postal code', autocomplete: 'postal-code' },
    { name: 'vatNumber', label: 'VAT number' },
    { name: 'phone', label: 'Phone', type: 'tel', autocomplete: 'tel', hint: 'With the country code, e.g. +4930123456.' },
  ]);

export type BusinessDetailValues = Partial<Record<BusinessDetailName, string | null | undefined>>;

export const renderBusinessDetailFields = (form: FormController<BusinessDetailName>, values: BusinessDetailValues): TemplateResult =>
  html`${businessDetailFields().map(({ name }) => form.renderField(name, values[name]))}`;

/** The form's values as the API takes them: the required ones as given, the others null when blank. */
export function businessDetailsInput(values: FormValues<BusinessDetailName>) {
  return { ...values, organizationName: values.organizationName ?? '', country: values.country ?? '' };
}
