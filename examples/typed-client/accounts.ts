// What a platform's frontend (or its backend-for-frontend) asks Connect: who am I, and onboard a new
// customer as an EXPRESS connected account. Each operation sits next to the function that sends it;
// `npm run codegen` reads the graphql() calls and types them.
import type { Execute } from './client.js';
import { graphql } from './generated/gql.js';
import type { CreateConnectedAccountInput } from './generated/graphql.js';

const viewerDocument = graphql(`
  query Viewer {
    viewer {
      organizationId
      tenantId
      apiKeyId
      organization {
        name
      }
    }
  }
`);

const createConnectedAccountDocument = graphql(`
  mutation CreateConnectedAccount($input: CreateConnectedAccountInput!) {
    createConnectedAccount(input: $input) {
      __typename
      ... on CreateConnectedAccountPayload {
        connectedAccount {
          id
          status
        }
        onboardingLink {
          url
          expiresAt
        }
      }
      ... on Error {
        code
        message
      }
      ... on ValidationError {
        fields
      }
    }
  }
`);

/** The organization and tenant the API key acts in. */
export async function whoAmI(execute: Execute) {
  const { viewer } = await execute(viewerDocument);
  return viewer;
}

/** What the screen shows after "Create account": one case per member of CreateConnectedAccountResult. */
export type AccountCreation =
  | { outcome: 'created'; accountId: string; status: string; onboardingUrl: string | null }
  | { outcome: 'invalid-input'; message: string; fields: string[] }
  | { outcome: 'connect-not-enabled'; message: string };

export async function createExpressAccount(
  execute: Execute,
  input: Omit<CreateConnectedAccountInput, 'connectionType'>,
): Promise<AccountCreation> {
  const { createConnectedAccount: result } = await execute(createConnectedAccountDocument, {
    input: { ...input, connectionType: 'EXPRESS' },
  });
  switch (result.__typename) {
    case 'CreateConnectedAccountPayload':
      return {
        outcome: 'created',
        accountId: result.connectedAccount.id,
        status: result.connectedAccount.status,
        onboardingUrl: result.onboardingLink?.url ?? null,
      };
    case 'ValidationError':
      return { outcome: 'invalid-input', message: result.message, fields: result.fields };
    case 'ConnectNotEnabledError':
      return { outcome: 'connect-not-enabled', message: result.message };
    default: {
      // A new member of the union in schema.graphql fails the type check here until it is handled.
      const unhandled: never = result;
      throw new Error(`unexpected result ${JSON.stringify(unhandled)}`);
    }
  }
}
