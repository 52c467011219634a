// What GraphiQL shows on first open: an operation to run, the one header it needs, and whether the
// Docs explorer works without a key (GRAPHQL_INTROSPECTION: open by default in development).
import type { GraphiQLOptions } from 'graphql-yoga';
import type { Config } from '../config.ts';

const SCHEMA_ACCESS: Record<Config['introspection'], string> = {
  always: 'open, no key needed',
  authenticated: 'shown to requests with a key',
  never: 'not served (GRAPHQL_INTROSPECTION=never)',
};

// Lines short enough for the editor's width on a laptop screen.
const whoAmI = (introspection: Config['introspection']) => `# Welcome to Connect.
#
# Docs (the top-left icon) lists every type and
# field; here the schema is ${SCHEMA_ACCESS[introspection]}.
#
# Data needs an API key. In Headers below,
# uncomment the Authorization line, put your key
# in place of <your API key>, then run (Ctrl+Enter).
#
# No key yet? The server's start-up banner shows
# how to create an organization and its first key.
query WhoAmI {
  viewer {
    organizationId
    tenantId
    apiKeyId
  }
}
`;

export function graphiqlOptions(introspection: Config['introspection']): GraphiQLOptions {
  return {
    title: 'Connect GraphiQL',
    defaultQuery: whoAmI(introspection),
    // Commented out (the editor reads JSON with comments): GraphiQL sends these headers with its
    // schema request too, and a placeholder key would be refused (401) where no key gets the schema.
    headers: '{\n  // "Authorization": "Bearer <your API key>"\n}',
    defaultEditorToolsVisibility: 'headers',
    // The key stays out of the browser's storage: pasted again in each new session.
    shouldPersistHeaders: false,
  };
}
