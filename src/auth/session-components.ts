// What an account session may do: its components, each a static list of root fields (schema
// coordinates) and the account state it works in. Everything else is FORBIDDEN to a session
// (src/graphql/session-gate.ts checks each document against this before execution). A reviewer reads
// here what a leaked client secret can reach.
import type { ConnectedAccount } from '../generated/prisma/client.ts';
import type { AccountSessionComponent } from '../generated/prisma/enums.ts';

export interface SessionComponent {
  /** The Query, Mutation and Subscription fields it uses. */
  roots: readonly string[];
  /** Whether the account is in the state the component is for. */
  worksFor: (account: Pick<ConnectedAccount, 'status' | 'connectionType'>) => boolean;
}

const isActive = (account: Pick<ConnectedAccount, 'status'>) => account.status === 'ACTIVE';

export const sessionComponents: Record<AccountSessionComponent, SessionComponent> = {
  ACCOUNT_ONBOARDING: {
    roots: [
      'Mutation.embeddedOnboardingSignIn',
      'Mutation.embeddedOnboardingSignUp',
      'Mutation.embeddedOnboardingVerifyEmail',
      'Mutation.embeddedOnboardingComplete',
    ],
    worksFor: (account) => account.status === 'PENDING' && account.connectionType === 'EXPRESS',
  },
  ACCOUNT_MANAGEMENT: {
    roots: ['Query.businessDetails', 'Mutation.updateBusinessDetails'],
    worksFor: (account) => isActive(account) && account.connectionType === 'EXPRESS',
  },
  NOTIFICATION_BANNER: { roots: ['Query.viewer'], worksFor: isActive },
  CONNECTIONS: {
    roots: [
      'Query.connections',
      'Query.connection',
      'Query.node',
      'Query.nodes',
      'Mutation.createConnection',
      'Mutation.updateConnection',
      'Mutation.verifyConnection',
      'Mutation.archiveConnection',
      'Mutation.unarchiveConnection',
    ],
    worksFor: isActive,
  },
  EVENTS: { roots: ['Query.events', 'Query.event', 'Query.node', 'Query.nodes', 'Subscription.events'], worksFor: isActive },
};

/** Every session may ask what it is (its components, its account's state, the onboarding's step). */
export const EVERY_SESSION_ROOTS = ['Query.accountSession'] as const;

/**
 * Types a session reaches only in part: the fields listed, and what those lead to. Any other type
 * reached from an allowed root is allowed whole: the confined client already keeps its rows to the
 * account's tenant, and none of them holds a secret (a connection shows hints, never secrets).
 * `Viewer` shows only the account acted for (not the minting key's id, the tenant, the organization);
 * the account shows its state and what is due, not its organization or grants.
 */
export const NARROWED_TYPES: Record<string, readonly string[]> = {
  Viewer: ['actingAs'],
  ConnectedAccount: ['id', 'status', 'connectionType', 'requirements', 'detailsSubmitted', 'createdAt', 'updatedAt'],
  // Never reached by a session, whatever field leads to them.
  Organization: [],
  Tenant: [],
  ApiKey: [],
  ConnectPlatform: [],
  AccountSession: [],
};

/** The components that work for the account now: none, and the session has ended. */
export const usableComponents = (
  components: readonly AccountSessionComponent[],
  account: Pick<ConnectedAccount, 'status' | 'connectionType'>,
) => components.filter((component) => sessionComponents[component].worksFor(account));
