// What a request may ask for: query shape (depth, aliases, directives, tokens, cost), schema
// introspection, and "Did you mean …" suggestions. Sized so that every operation in test/
// passes with a wide margin (the deepest is 5 levels, the costliest about 300).
import { EnvelopArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.ts';

export const queryLimits = {
  maxDepth: 12,
  maxAliases: 15,
  maxDirectives: 20,
  maxTokens: 3000,
  maxCost: 5000,
};

/** A caller that presents no credential at all; an invalid one is refused (401) before execution. */
const presentsCredentials = (request: Request) => request.headers.has('authorization') || request.headers.has('x-api-key');

/**
 * Introspection as GRAPHQL_INTROSPECTION says (open in development by default, else for callers
 * presenting a key, whom the context then authenticates); "Did you mean" suggestions only for
 * those callers, and never in production.
 */
function schemaDisclosure(config: Config): Plugin<{ request: Request }> {
  return {
    onValidate({ context, addValidationRule }) {
      const authenticated = presentsCredentials(context.request);
      const introspection = config.introspection === 'always' || (config.introspection === 'authenticated' && authenticated);
      if (!introspection) addValidationRule(NoSchemaIntrospectionCustomRule);
      const suggestions = authenticated && config.env !== 'production';
      return ({ result, setResult }) => {
        if (suggestions || result.length === 0) return;
        setResult(
          result.map((error) =>
            error instanceof GraphQLError && error.message.includes('Did you mean')
              ? new GraphQLError(error.message.replace(/ Did you mean .*$/s, ''), { nodes: error.nodes, extensions: error.extensions })
              : error,
          ),
        );
      };
    },
  };
}

export function useRequestLimits(config: Config): Plugin[] {
  const armor = new EnvelopArmor({
    blockFieldSuggestion: { enabled: false }, // decided per caller by schemaDisclosure
    maxDepth: { n: queryLimits.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: queryLimits.maxAliases },
    maxDirectives: { n: queryLimits.maxDirectives },
    maxTokens: { n: queryLimits.maxTokens },
    costLimit: { maxCost: queryLimits.maxCost, ignoreIntrospection: true, flattenFragments: true },
  });
  return [schemaDisclosure(config) as Plugin, ...(armor.protect().plugins as Plugin[])];
}
