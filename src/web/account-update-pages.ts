// The hosted account update page, in the onboarding page's look: the connected organization's user
// signs in, then edits the business details, which the platform's requirements mark.
import { html, htmlResponse, page, type Html } from './html.ts';
import type { Brand } from '../connect/platform/branding.ts';
import type { BusinessDetail } from '../generated/prisma/enums.ts';
import {
  businessDetailInputs,
  DETAIL_SPECS,
  errorSummary,
  field,
  formError,
  stepsSidebar,
  type DetailValues,
  type FieldErrors,
} from './forms.ts';

const stepNames = { signIn: '1. Sign in', details: '2. Your business details' } as const;

function stepPage(brand: Brand, step: keyof typeof stepNames, title: string, body: Html, status: number): Response {
  return htmlResponse(page({ title, brand, sidebar: stepsSidebar(Object.values(stepNames), stepNames[step]), body }), status);
}

export function signInStep(brand: Brand, base: string, email: string | null, errors: FieldErrors, status = 200): Response {
  const body = html`<p>${brand.name} asks you to review your business details. Sign in with the account you use for it.</p>
<form method="post" action="${base}/sign-in">${formError(errors['sign-in'])}
${field(errors, { name: 'email', label: 'E-mail', type: 'email', value: email, required: true, autocomplete: 'username' })}
${field(errors, { name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'current-password' })}
<button type="submit">Sign in</button></form>`;
  return stepPage(brand, 'signIn', 'Sign in', body, status);
}

export function detailsStep(
  brand: Brand,
  base: string,
  values: DetailValues,
  required: readonly BusinessDetail[],
  errors: FieldErrors,
  status = 200,
): Response {
  const body = html`<p>These are the details ${brand.name} has for your business. Change what is out of date, then save.</p>
<form method="post" action="${base}/save">${errorSummary(errors, DETAIL_SPECS)}${formError(errors.form)}
${businessDetailInputs(values, errors, required, true)}
<button type="submit">Save</button></form>`;
  return stepPage(brand, 'details', 'Your business details', body, status);
}
