// The hosted connection link page, in the other hosted pages' look: a member of the organization
// signs in, then types the provider's credentials, whose fields, labels and help come from the
// provider's module (connections/providers/<name>.ts). Secrets are typed hidden and never written
// back into the page; settings and identifiers are kept when a check fails.
import { html, htmlResponse, page, type Html } from './html.ts';
import type { Brand } from '../connect/platform/branding.ts';
import type { Provider, FormField, FormSettingName } from '../connections/providers/provider.ts';
import { checkboxField, errorSummary, field, formError, stepsSidebar, type FieldErrors, type FieldSpec } from './forms.ts';

export interface ConnectionLinkView {
  brand: Brand;
  base: string;
  provider: Provider;
  /** Reconnect: the connection whose secrets are replaced. Else the new connection's name. */
  reconnect: boolean;
  name: string;
}

const stepNames = (provider: Provider) => ({ signIn: '1. Sign in', credentials: `2. Your ${provider.label} credentials` });

function stepPage(view: ConnectionLinkView, step: 'signIn' | 'credentials', title: string, body: Html, status: number): Response {
  const steps = stepNames(view.provider);
  return htmlResponse(page({ title, brand: view.brand, sidebar: stepsSidebar(Object.values(steps), steps[step]), body }), status);
}

const purpose = (view: ConnectionLinkView) =>
  view.reconnect
    ? html`${view.brand.name} asks you to reconnect <strong>${view.name}</strong>, your ${view.provider.label} connection: its stored credentials no longer work, or are due for a change.`
    : html`${view.brand.name} asks you to connect your ${view.provider.label} account as <strong>${view.name}</strong>.`;

export function signInStep(view: ConnectionLinkView, email: string | null, errors: FieldErrors, status = 200): Response {
  const body = html`<p>${purpose(view)} Sign in with the account you use for it.</p>
<form method="post" action="${view.base}/sign-in">${formError(errors['sign-in'])}
${field(errors, { name: 'email', label: 'E-mail', type: 'email', value: email, required: true, autocomplete: 'username' })}
${field(errors, { name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'current-password' })}
<button type="submit">Sign in</button></form>`;
  return stepPage(view, 'signIn', 'Sign in', body, status);
}

/** The form's fields, in the provider's order: its secrets, then the settings it asks for. */
export function formSpecs(provider: Provider): Record<string, FieldSpec> {
  return Object.fromEntries(
    [...Object.entries(provider.form.secrets), ...Object.entries(provider.form.settings ?? {})].map(([name, spec]) => [
      name,
      { label: spec.label },
    ]),
  );
}

/** Whether the provider cannot do without the field: its module says so, and every field of generic data is needed. */
function isRequired(provider: Provider, name: string): boolean {
  return provider.secrets.kind === 'generic' || provider.secrets.fields[name]?.required === true;
}

function settingInput(name: FormSettingName, spec: FormField, values: Record<string, string | null>, errors: FieldErrors): Html {
  if (name === 'forcePathStyle') return checkboxField(errors, { name, label: spec.label, help: spec.help, checked: values[name] === 'on' });
  return field(errors, {
    name,
    label: spec.label,
    help: spec.help,
    value: values[name],
    ...(name === 'endpoint' ? { type: 'url' as const } : {}),
  });
}

export interface CredentialsForm {
  /** Who is signed in, shown with a way to sign in as someone else. */
  email: string;
  /** What the form shows again: settings and identifiers, never a hidden secret. */
  values: Record<string, string | null>;
  errors: FieldErrors;
  /** Why the provider did not accept the credentials, in plain words. */
  refusal?: string;
}

export function credentialsStep(view: ConnectionLinkView, form: CredentialsForm, status = 200): Response {
  const { provider } = view;
  const { values, errors } = form;
  const secrets = Object.entries(provider.form.secrets).map(([name, spec]) =>
    field(errors, {
      name,
      label: spec.label,
      help: spec.help,
      type: spec.shown ? 'text' : 'password',
      value: spec.shown ? values[name] : null,
      required: isRequired(provider, name),
      // Not a password of this site: a browser must not offer to save it or fill it in elsewhere.
      autocomplete: 'off',
    }),
  );
  const settings = Object.entries(provider.form.settings ?? {}).map(([name, spec]) =>
    settingInput(name as FormSettingName, spec, values, errors),
  );
  const body = html`<p>${purpose(view)}</p>
<form method="post" action="${view.base}/sign-out" class="who">Signed in as <strong>${form.email}</strong>. <button type="submit" class="link">Not you?</button></form>
<form method="post" action="${view.base}/save" autocomplete="off">${errorSummary(errors, formSpecs(provider))}${formError(form.refusal ?? errors.form)}
${secrets}${settings}
<p class="hint">The credentials are checked with ${provider.label} before they are saved. ${view.brand.name} never sees them.</p>
<button type="submit">${view.reconnect ? 'Check and replace' : 'Check and connect'}</button></form>`;
  return stepPage(view, 'credentials', `Connect ${provider.label}`, body, status);
}
