// The hosted onboarding page, one view per step, branded with the platform's name and logo.
// Plain forms: it works without script, on a phone, and with a screen reader.
import { html, htmlResponse, page, type Html } from './html.ts';
import type { Brand } from '../connect/platform/branding.ts';
import type { BusinessDetail } from '../generated/prisma/enums.ts';
import {
  businessDetailInputs,
  countryField,
  DETAIL_SPECS,
  errorSummary,
  field,
  formError,
  stepsSidebar,
  type DetailValues,
  type FieldErrors,
  type FieldSpec,
} from './forms.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../auth/passwords.ts';
import { ORGANIZATION_NAME_MAX_LENGTH } from '../organizations/service.ts';

const stepNames = { account: '1. Your account', business: '2. Your business' } as const;

type Step = keyof typeof stepNames;

function stepPage(brand: Brand, step: Step, title: string, body: Html, status = 200): Response {
  return htmlResponse(page({ title, brand, sidebar: stepsSidebar(Object.values(stepNames), stepNames[step]), body }), status);
}

/** Sign in, or start with an e-mail: step one's forms, also under "Check your inbox" to start again or sign in instead. */
function accountForms(base: string, email: string | null, errors: FieldErrors): Html {
  return html`<form method="post" action="${base}/sign-in" aria-labelledby="sign-in-title"><h2 id="sign-in-title">I have an account</h2>
${formError(errors['sign-in'])}
${field(errors, { name: 'email', id: 'sign-in-email', label: 'E-mail', type: 'email', value: email, required: true, autocomplete: 'username' })}
${field(errors, { name: 'password', id: 'sign-in-password', label: 'Password', type: 'password', required: true, autocomplete: 'current-password' })}
<button type="submit">Sign in</button></form>
<form method="post" action="${base}/sign-up" aria-labelledby="sign-up-title"><h2 id="sign-up-title">I am new here</h2>
${formError(errors['sign-up'])}
${field(errors, { name: 'email', id: 'sign-up-email', label: 'E-mail', type: 'email', value: email, required: true, autocomplete: 'email' })}
<button type="submit">Send me a verification link</button></form>`;
}

export function accountStep(brand: Brand, base: string, email: string | null, errors: FieldErrors, status = 200): Response {
  const body = html`<p>${brand.name} uses Connect to set up your account. Sign in if you already have an account, or start with your e-mail.</p>
${accountForms(base, email, errors)}`;
  return stepPage(brand, 'account', 'Welcome', body, status);
}

/**
 * The same page whether the address has an account or not (the e-mail it was sent tells which), so
 * the page tells no one which addresses are known.
 */
export function checkInboxStep(brand: Brand, base: string, email: string): Response {
  const body = html`<p role="status">We sent an e-mail to <strong>${email}</strong>. Open the link in it to continue; it works in this browser or any other.</p>
<p class="hint">If you already have an account, the e-mail says so: sign in below instead. Nothing arrived? Check your spam folder, or start again with another e-mail.</p>
${accountForms(base, email, {})}`;
  return stepPage(brand, 'account', 'Check your inbox', body);
}

export const PASSWORD_SPECS: Record<string, FieldSpec> = {
  password: { label: 'Password', hint: `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters` },
};

export function passwordStep(brand: Brand, base: string, email: string, errors: FieldErrors, status = 200): Response {
  const body = html`<p>Your e-mail <strong>${email}</strong> is verified. Choose a password for your account.</p>
<form method="post" action="${base}/password">${errorSummary(errors, PASSWORD_SPECS)}
<input type="text" name="username" value="${email}" autocomplete="username" hidden>
${field(errors, {
  name: 'password',
  label: 'Password',
  help: `At least ${PASSWORD_MIN_LENGTH} characters.`,
  type: 'password',
  required: true,
  minLength: PASSWORD_MIN_LENGTH,
  maxLength: PASSWORD_MAX_LENGTH,
  autocomplete: 'new-password',
})}
<button type="submit">Continue</button></form>`;
  return stepPage(brand, 'account', 'Choose a password', body, status);
}

/** The business step's fields as a person reads them. */
export const BUSINESS_SPECS: Record<string, FieldSpec> = {
  organizationName: { label: 'Organization name' },
  country: { label: 'Country', hint: 'choose it in the list' },
  ...DETAIL_SPECS,
};

export interface BusinessValues extends DetailValues {
  organizationName?: string | null;
  country?: string | null;
}

/** Step two; the fields of the details the platform requires are marked, and their errors shown next to them. */
export function businessStep(
  brand: Brand,
  base: string,
  values: BusinessValues,
  required: readonly BusinessDetail[],
  errors: FieldErrors,
  status = 200,
): Response {
  const body = html`<p>Tell ${brand.name} about your business. You can change these details later.</p>
<form method="post" action="${base}/complete">${errorSummary(errors, BUSINESS_SPECS)}${formError(errors.form)}
${field(errors, {
  name: 'organizationName',
  label: 'Organization name',
  value: values.organizationName,
  required: true,
  maxLength: ORGANIZATION_NAME_MAX_LENGTH,
  autocomplete: 'organization',
})}
${countryField(errors, { value: values.country })}
${businessDetailInputs(values, errors, required)}
<button type="submit">Finish</button></form>`;
  return stepPage(brand, 'business', 'Your business', body, status);
}
