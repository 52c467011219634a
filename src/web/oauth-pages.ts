// The pages a user sees while connecting an organization to a platform: sign in, then consent.
import { html, htmlResponse, page } from './html.ts';
import type { Brand } from '../connect/platform/branding.ts';
import type { AuthorizationRequest, OwnedOrganization } from '../connect/oauth/authorize.ts';
import { scopeDescriptions, type GrantScope } from '../auth/grant-scopes.ts';

/** The authorization request's own parameters, carried through the sign-in form unchanged. */
const REQUEST_PARAMETERS = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'code_challenge', 'code_challenge_method'];

const scopeList = (scopes: GrantScope[]) =>
  html`<ul>${scopes.map((scope) => html`<li>${scopeDescriptions[scope]} (<code>${scope}</code>)</li>`)}</ul>`;

export function signInPage(request: AuthorizationRequest, parameters: URLSearchParams, error: string | null): Response {
  const hidden = REQUEST_PARAMETERS.flatMap((name) => {
    const value = parameters.get(name);
    return value === null ? [] : [html`<input type="hidden" name="${name}" value="${value}">`];
  });
  const body = html`<p>${request.brand.name} asks to connect to your organization. It will be able to:</p>
${scopeList(request.scopes)}
<form method="post" action="/oauth/authorize">${hidden}
${error ? html`<p class="error" role="alert" id="sign-in-error">${error}</p>` : ''}
<label for="email">E-mail</label><input type="email" id="email" name="email" autocomplete="username" required
 ${error ? html`aria-invalid="true" aria-describedby="sign-in-error"` : ''}>
<label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">Sign in to continue</button></form>`;
  return htmlResponse(page({ title: `Connect to ${request.brand.name}`, brand: request.brand, body }), error ? 401 : 200);
}

export interface ConsentView {
  brand: Brand;
  scopes: GrantScope[];
  consentToken: string;
  organizations: OwnedOrganization[];
  /** Who signed in, and the query that starts the request again for someone else ("not you?"). */
  signedIn: { email: string; restartQuery: string };
}

export function consentPage(view: ConsentView, error: string | null): Response {
  const single = view.organizations.length === 1;
  // A choice of one is made already: the only organization, and its only tenant, come ticked.
  const organizations = view.organizations.map(
    (organization) => html`<fieldset><legend>
<label class="checkbox"><input type="radio" name="organization_id" value="${organization.id}" ${single ? 'checked' : ''} required> ${organization.name}</label></legend>
${organization.tenants.map(
  (tenant) =>
    html`<label class="checkbox"><input type="checkbox" name="tenant_id" value="${tenant.id}" ${single && organization.tenants.length === 1 ? 'checked' : ''}> ${tenant.name} (${tenant.environment.toLowerCase()})</label>`,
)}</fieldset>`,
  );
  const body = html`<p class="who">Signed in as <strong>${view.signedIn.email}</strong>. <a href="/oauth/authorize?${view.signedIn.restartQuery}">Not you?</a></p>
<p>${view.brand.name} will be able to:</p>${scopeList(view.scopes)}
<form method="post" action="/oauth/consent"><input type="hidden" name="consent_token" value="${view.consentToken}">
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<p>Choose the organization and the tenants to grant. You can revoke access at any time.</p>${organizations}
<button type="submit" name="decision" value="approve">Allow access</button>
<button type="submit" name="decision" value="deny" class="secondary" formnovalidate>Deny</button></form>`;
  return htmlResponse(page({ title: `Allow ${view.brand.name} access?`, brand: view.brand, body }), error ? 400 : 200);
}
