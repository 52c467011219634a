// The flows that cross tenants by design, each by name. The request context holds no unconfined
// client: a resolver that needs one asks for it by one of these names, so a reviewer can list every
// exception (`grep -rn "crossTenant("`) and read why each is one. The context factory
// (authentication, acting on behalf) and the public pages (OAuth, hosted onboarding) use the
// unconfined client outside GraphQL and are not listed here.
import type { Prisma } from '../db/database.ts';

export type CrossTenantFlow =
  /** `createOrganization` (admin secret): a new organization, its tenant, key and owner. */
  | 'organization-bootstrap'
  /** `onboardingSession`, `completeOnboarding`: the link's token is the credential; completion provisions an organization. */
  | 'onboarding-token'
  /** `connectedPlatforms`, `disconnectPlatform`: an organization's view of the platforms acting for it (their rows belong to the platforms). */
  | 'connected-organization-view'
  /**
   * `ConnectedAccount.requirements`: which required business details a connected tenant's default
   * invoicing entity lacks (connect/accounts/requirements.ts answers detail names, never values);
   * `updateConnectPlatform`: the deadlines and events of what its accounts newly owe.
   */
  | 'connected-account-requirements'
  /** Sub-account creation and its keys: the sub-account's own organization, tenant and API keys, which its platform manages. */
  | 'sub-account-provisioning'
  /**
   * An account session's own fields (`accountSession`, `embeddedOnboarding*`): its row, which its
   * platform owns, and for a PENDING account's onboarding the same completion as `completeOnboarding`.
   */
  | 'account-session'
  /**
   * `updateBusinessDetails` for a connected account (acting for it, or its session): the rule of the
   * hosted update page, which reads the account's row and its platform's required details.
   */
  | 'connected-account-business-details'
  /** `createTenant`: a new tenant of the caller's organization and its first key, which live outside the caller's tenant. */
  | 'tenant-provisioning';

export type CrossTenant = (flow: CrossTenantFlow) => Prisma;

/** The door to the unconfined client: the flow's name is the whole check, made visible. */
export const crossTenantAccess =
  (prisma: Prisma): CrossTenant =>
  (_flow) =>
    prisma;
