// The account's provider connections, as <connect-connections> lists and changes them. No document
// selects a secret: the schema has none to select, and secretHints stay out of the browser too.
import { graphql } from '../generated/gql.ts';

export const connectionFieldsFragment = graphql(`
  fragment EmbeddedConnection on Connection {
    id
    name
    providerType
    status
    health { status lastError lastVerifiedAt }
    settings { endpoint bucket region }
  }
`);

export const connectionsDocument = graphql(`
  query EmbeddedConnections {
    connections(first: 100, filter: { status: [PUBLISHED, ARCHIVED] }) {
      nodes { ...EmbeddedConnection }
    }
  }
`);

export const createConnectionDocument = graphql(`
  mutation EmbeddedCreateConnection($input: CreateConnectionInput!) {
    createConnection(input: $input) {
      __typename
      ... on CreateConnectionPayload { connection { ...EmbeddedConnection } }
      ... on Error { code message }
      ... on ValidationError { fields }
    }
  }
`);

export const replaceSecretsDocument = graphql(`
  mutation EmbeddedReplaceConnectionSecrets($input: UpdateConnectionInput!) {
    updateConnection(input: $input) {
      __typename
      ... on UpdateConnectionPayload { connection { ...EmbeddedConnection } }
      ... on Error { code message }
      ... on ValidationError { fields }
    }
  }
`);

export const verifyConnectionDocument = graphql(`
  mutation EmbeddedVerifyConnection($input: VerifyConnectionInput!) {
    verifyConnection(input: $input) {
      __typename
      ... on VerifyConnectionPayload { connection { ...EmbeddedConnection } }
      ... on Error { code message }
    }
  }
`);

export const archiveConnectionDocument = graphql(`
  mutation EmbeddedArchiveConnection($input: ArchiveConnectionInput!) {
    archiveConnection(input: $input) {
      __typename
      ... on ArchiveConnectionPayload { connection { ...EmbeddedConnection } }
      ... on Error { code message }
    }
  }
`);

export const unarchiveConnectionDocument = graphql(`
  mutation EmbeddedUnarchiveConnection($input: UnarchiveConnectionInput!) {
    unarchiveConnection(input: $input) {
      __typename
      ... on UnarchiveConnectionPayload { connection { ...EmbeddedConnection } }
      ... on Error { code message }
    }
  }
`);
