// Imports every domain so its types register on the builder, then builds the schema.
import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.ts';
import './errors.ts';
import '../api-keys/schema.ts';
import '../organizations/schema.ts';
import '../viewer/schema.ts';

export const schema = lexicographicSortSchema(builder.toSchema());
