// Typed documents generated from the checked-in schema.graphql: the operations under test/, and the
// typed-client example (examples/typed-client/) that shows a frontend how to call the API.
import type { CodegenConfig } from '@graphql-codegen/cli';

/** Both targets type documents the same way: plain strings (no graphql runtime), scalars as sent over JSON. */
const clientPreset = {
  preset: 'client',
  presetConfig: { fragmentMasking: false },
  config: {
    documentMode: 'string',
    enumsAsTypes: true,
    useTypeImports: true,
    scalars: {
      DateTime: 'string',
      EmailAddress: 'string',
      CountryCode: 'string',
      URL: 'string',
      JSON: 'unknown',
      JSONObject: 'Record<string, unknown>',
    },
  },
} as const;

const config: CodegenConfig = {
  schema: 'schema.graphql',
  ignoreNoDocuments: false,
  // Documents are per target: operation names need only be unique within one target.
  generates: {
    'test/generated/': { ...clientPreset, documents: ['test/**/*.graphql'] },
    // What a client copies: its generated files import each other with `.js`, which Node's own ES module
    // resolution (moduleResolution NodeNext, error TS2835 without it) and bundlers both accept.
    'examples/typed-client/generated/': {
      ...clientPreset,
      config: { ...clientPreset.config, importExtension: '.js' },
      documents: ['examples/typed-client/**/*.ts'],
    },
  },
};

export default config;
