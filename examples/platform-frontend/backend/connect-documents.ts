// What the platform's backend asks Connect with its API key: a new EXPRESS account for a customer,
// and account sessions for that account's page.
import { graphql } from '../generated/gql.ts';

export const createExpressAccountDocument = graphql(`
  mutation PlatformCreateExpressAccount($input: CreateConnectedAccountInput!) {
    createConnectedAccount(input: $input) {
      __typename
      ... on CreateConnectedAccountPayload { connectedAccount { id status } }
      ... on Error { code message }
    }
  }
`);

export const createAccountSessionDocument = graphql(`
  mutation PlatformCreateAccountSession($input: CreateAccountSessionInput!) {
    createAccountSession(input: $input) {
      __typename
      ... on CreateAccountSessionPayload {
        clientSecret
        accountSession { id expiresAt }
      }
      ... on Error { code message }
    }
  }
`);
