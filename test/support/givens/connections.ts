// Givens for connections, in GraphQL written as text (the attack tests' way): a Stripe connection
// whose provider checks go to a stand-in at `endpoint`.
import { expect } from 'vitest';
import type { TestServer } from '../server.ts';
import { outcome, untypedRequest } from '../untyped-graphql.ts';
import { unique } from '../unique.ts';

export const CREATE_CONNECTION = `mutation($input: CreateConnectionInput!) { createConnection(input: $input) {
  __typename ... on Error { code message } ... on CreateConnectionPayload { connection { id health { status lastError } } } } }`;
export const UPDATE_CONNECTION = `mutation($input: UpdateConnectionInput!) { updateConnection(input: $input) {
  __typename ... on Error { code message } ... on UpdateConnectionPayload { connection { id secretHints settings { endpoint } } } } }`;
export const VERIFY = `mutation($id: ID!) { verifyConnection(input: { id: $id }) {
  __typename ... on Error { code } ... on VerifyConnectionPayload { connection { id health { status lastError } } } } }`;

export const stripeInput = (endpoint: string, secretKey: string) => ({
  name: `Stripe ${unique()}`,
  providerType: 'STRIPE',
  secrets: { stripe: { publishableKey: 'pk_test_51Publishable0001', secretKey } },
  settings: { endpoint },
});

export async function givenStripeConnection(server: TestServer, headers: Record<string, string>, endpoint: string, secretKey: string) {
  const answer = await untypedRequest(server, CREATE_CONNECTION, { input: stripeInput(endpoint, secretKey) }, headers);
  expect(outcome(answer, 'createConnection')).toBe('CreateConnectionPayload');
  return answer.data!.createConnection.connection.id as string;
}
