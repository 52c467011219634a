// Typed documents generated from the checked-in schema.graphql: the operations under test/, the
// typed-client example (examples/typed-client/) that shows a frontend how to call the API, the
// embedded components (embed/, bundled into the server's /embed/v1/connect.js) and the platform
// frontend example that mounts them (examples/platform-frontend/).
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
    // Bundled by esbuild (scripts/build-embed.mjs), which resolves `.ts` imports as written. The
    // documents sit in *-documents.ts files beside their component: the document reader's parser does
    // not take the components' decorated `accessor` fields.
    'embed/generated/': {
      ...clientPreset,
      documents: ['embed/**/*-documents.ts'],
    },
    'examples/platform-frontend/generated/': {
      ...clientPreset,
      documents: ['examples/platform-frontend/**/*-documents.ts'],
    },
  },
};

export default config;
