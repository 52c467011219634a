// Who is asking, as every other part of the code sees it: one value, decided once per request by
// the context factory (src/graphql/context.ts) and handed to the services with the confined client.
import type { TenantScope } from '../db/tenant-scope.ts';
import type { ConnectedAccount } from '../generated/prisma/client.ts';
import type { AccountSessionComponent } from '../generated/prisma/enums.ts';
import type { GrantScope } from './grant-scopes.ts';
import type { PresentedApiKey } from './presented-api-key.ts';

export interface Actor {
  apiKeyId: string;
  /** The key as presented: its hash, and keys derived from it; the secret itself is never readable. */
  apiKey: PresentedApiKey;
  /** The organization and tenant the key belongs to, with the tenant's environment (Connect is production-only). */
  keyScope: TenantScope;
  /** The organization and tenant this request reads and writes in. */
  actingScope: TenantScope;
  /** The sub-account the key belongs to: it manages itself, never Connect or other accounts. */
  subAccountId: string | null;
  /** Who answers for this request's load (the key's organization, or its platform's): the rate ceiling and the server's shared work count by it. */
  accountableOrganizationId: string;
  /** The connected account the request acts for, when it carries the connect header. */
  actingAs: ConnectedAccount | null;
  /** Acting for a STANDARD account: the scopes its organization granted. Null: no such limit. */
  grantedScopes: GrantScope[] | null;
  /** When the request happens: what services stamp on the changes they make. */
  now: Date;
  /**
   * Set when the caller is an account session (a platform's page): `apiKeyId` is then the key that
   * minted it, `actingAs` its account (PENDING while onboarding, with no tenant to act in).
   */
  session: SessionCaller | null;
}

export interface SessionCaller {
  id: string;
  components: AccountSessionComponent[];
  /** Its components that work in the account's state now (src/auth/session-components.ts). */
  usableComponents: AccountSessionComponent[];
  connectedAccountId: string;
  mintedByApiKeyId: string;
  expiresAt: Date;
}
