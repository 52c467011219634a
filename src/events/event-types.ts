// Every kind of event the server records (API.md, Events). A webhook endpoint or a subscription
// names some of them, or `*` for all.
export const eventTypes = [
  'connected_account.created',
  'connected_account.updated',
  'connected_account.onboarding_link.created',
  'connected_account.update_link.created',
  'connected_account.requirements_updated',
  'connected_account.session.created',
  'connected_account.session.revoked',
  'connected_account.activated',
  'connected_account.suspended',
  'connected_account.reactivated',
  'connected_account.revoked',
  'connected_account.deauthorized',
  'sub_account.created',
  'sub_account.updated',
  'sub_account.deactivated',
  'sub_account.reactivated',
  'sub_account.api_key.created',
  'sub_account.api_key.revoked',
  'permissible_purpose.updated',
  'permissible_purpose.archived',
  'account_package.updated',
  'account_package.archived',
  'connection.created',
  'connection.updated',
  'connection.archived',
  'connection.deleted',
  'connection.verification_failed',
  'connection.verification_succeeded',
  'connection.health_changed',
  'tenant.created',
  'webhook_endpoint.created',
  'webhook_endpoint.updated',
  'webhook_endpoint.disabled',
  'webhook_endpoint.deleted',
  'webhook_endpoint.failing',
  'webhook_endpoint.recovered',
] as const;

export type EventType = (typeof eventTypes)[number];

const known = new Set<string>(eventTypes);

export const isEventType = (value: string): value is EventType => known.has(value);
