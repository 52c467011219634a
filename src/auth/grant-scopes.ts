// What a STANDARD connection can grant a platform: read or write access per resource. A request made
// on behalf of a STANDARD account may do only what its grant names; operations no scope covers
// (API keys, Connect settings, ...) stay with the organization itself.
export const grantScopes = ['connections:read', 'connections:write', 'subaccounts:read', 'subaccounts:write'] as const;

export type GrantScope = (typeof grantScopes)[number];

const known = new Set<string>(grantScopes);
export const isGrantScope = (scope: string): scope is GrantScope => known.has(scope);

/** The OAuth `scope` parameter (space-delimited, RFC 6749 §3.3): the scopes, or null when one is unknown or none is given. */
export function parseScopeParameter(parameter: string | null): GrantScope[] | null {
  const scopes = [...new Set((parameter ?? '').split(' ').filter(Boolean))];
  if (scopes.length === 0 || !scopes.every(isGrantScope)) return null;
  return grantScopes.filter((scope) => scopes.includes(scope));
}

export const scopeDescriptions: Record<GrantScope, string> = {
  'connections:read': 'See your connections to providers (never their secrets)',
  'connections:write': 'Create, change and delete your connections to providers',
  'subaccounts:read': 'See your sub-accounts',
  'subaccounts:write': 'Create and change your sub-accounts and their API keys',
};
