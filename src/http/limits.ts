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

/**
 * A query over one of the limits, as clients see it: `QUERY_TOO_COMPLEX`, a request error (400 for
 * `application/graphql-response+json`, 200 for `application/json`, as GraphQL over HTTP says for
 * validation errors). graphql-armor's own says "Syntax Error: …" and carries no code; its ", found N"
 * is reworded, or the input value scrubbing would take it for a quoted value and cut it.
 */
const tooComplex = (refusal: GraphQLError) =>
  new GraphQLError(refusal.message.replace(/^Syntax Error: /, '').replace(/ exceeded, found (\d+)\.$/, ' exceeded: the query has $1.'), {
    extensions: { code: 'QUERY_TOO_COMPLEX', http: { spec: true, status: 400 } },
  });

/**
 * graphql-armor, its refusals made ours. Each limit still throws at its first sight of the excess,
 * so no more of the document is parsed or validated (reporting to the validation context instead
 * would let graphql-js's own rules run on the rest: 60 ms for a 490-alias document). What it threw,
 * noted by `onReject`, becomes the parse's or the validation's result: `QUERY_TOO_COMPLEX`.
 */
function armorLimits(): Plugin[] {
  const refusals = new WeakSet<GraphQLError>();
  const noted = { onReject: [(_context: unknown, refusal: GraphQLError) => void refusals.add(refusal)] };
  const isRefusal = (error: unknown): error is GraphQLError => error instanceof GraphQLError && refusals.has(error);
  const armor = new EnvelopArmor({
    blockFieldSuggestion: { enabled: false }, // decided per caller by schemaDisclosure
    maxDepth: { n: queryLimits.maxDepth, ignoreIntrospection: true, flattenFragments: true, ...noted },
    maxAliases: { n: queryLimits.maxAliases, ...noted },
    maxDirectives: { n: queryLimits.maxDirectives, ...noted },
    maxTokens: { n: queryLimits.maxTokens, ...noted },
    costLimit: { maxCost: queryLimits.maxCost, ignoreIntrospection: true, flattenFragments: true, ...noted },
  });
  const asTooComplex: Plugin = {
    onParse() {
      return ({ result, replaceParseResult }) => {
        if (isRefusal(result)) replaceParseResult(tooComplex(result));
      };
    },
    onValidate({ validateFn, setValidationFn }) {
      setValidationFn((...args) => {
        try {
          return validateFn(...args);
        } catch (error) {
          if (isRefusal(error)) return [tooComplex(error)];
          throw error;
        }
      });
    },
  };
  return [...(armor.protect().plugins as Plugin[]), asTooComplex];
}

export function useRequestLimits(config: Config): Plugin[] {
  return [schemaDisclosure(config) as Plugin, ...armorLimits()];
}
