// The few JSON Schema (draft 2020-12) shapes the event catalog is written with, and an example value
// drawn from any of them: a schema written once gives the receiver its types and its sample event.

export type JsonSchema = Record<string, unknown>;

const EXAMPLE_TIME = '2026-01-15T09:30:00.000Z';

export const text: JsonSchema = { type: 'string' };
export const integer: JsonSchema = { type: 'integer' };
export const flag: JsonSchema = { type: 'boolean' };
export const dateTime: JsonSchema = { type: 'string', format: 'date-time' };
/** Free-form JSON chosen by the platform (metadata, settings). */
export const anyJson: JsonSchema = { description: 'Any JSON value.' };
export const jsonObject: JsonSchema = { type: 'object' };
export const textList: JsonSchema = { type: 'array', items: text };

export const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: 'null' }] });

/** One of a Prisma enum's values. */
export const oneOf = (values: Record<string, string>): JsonSchema => ({ type: 'string', enum: Object.values(values) });

/** An id of ours (`<prefix>_<base62>`), with an example of its shape. */
export const idOf = (prefix: string): JsonSchema => ({
  type: 'string',
  pattern: `^${prefix}_[A-Za-z0-9]+$`,
  examples: [`${prefix}_4Yq2nT8wKcR1sLm0PzXa7b`],
});

export const idList = (prefix: string): JsonSchema => ({ type: 'array', items: idOf(prefix) });

/** A closed object: every property present (null when it has no value), and nothing else. */
export const closedObject = (properties: Record<string, JsonSchema>): JsonSchema => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
});

/** A value the schema accepts, for the catalog's example events. */
export function exampleOf(schema: JsonSchema): unknown {
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (Array.isArray(schema.anyOf)) return exampleOf(schema.anyOf[0] as JsonSchema);
  switch (schema.type) {
    case 'object':
      return Object.fromEntries(
        Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>).map(([key, value]) => [key, exampleOf(value)]),
      );
    case 'array':
      return [exampleOf(schema.items as JsonSchema)];
    case 'string':
      return schema.format === 'date-time' ? EXAMPLE_TIME : 'text';
    case 'integer':
      return 1;
    case 'boolean':
      return false;
    default:
      return {};
  }
}
