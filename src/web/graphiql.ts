// What GraphiQL shows on first open: an operation to run and the one header it needs. The schema
// itself (the Docs explorer) needs no key in development (GRAPHQL_INTROSPECTION, src/config.ts).
import type { GraphiQLOptions } from 'graphql-yoga';

const WHO_AM_I = `# Welcome to Connect. Docs (top left) lists every type and field.
#
# Data needs an API key: put yours in the Headers tab below, in place of
# <your API key>, then run this query (Ctrl+Enter).
# No key yet? The server's start-up banner shows the createOrganization
# call that returns an organization and its first key.
query WhoAmI {
  viewer {
    organizationId
    tenantId
    apiKeyId
  }
}
`;

export const graphiqlOptions: GraphiQLOptions = {
  title: 'Connect GraphiQL',
  defaultQuery: WHO_AM_I,
  headers: JSON.stringify({ Authorization: 'Bearer <your API key>' }, null, 2),
  // The key stays out of the browser's storage: pasted again in each new session.
  shouldPersistHeaders: false,
};
