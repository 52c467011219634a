// Imports every domain so its types register on the builder, then builds the schema.
import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.ts';
import './errors.ts';
import './nodes.ts';
import '../api-keys/schema.ts';
import '../connected-accounts/schema.ts';
import '../connected-accounts/platform-schema.ts';
import '../connected-accounts/onboarding-schema.ts';
import '../sub-accounts/schema.ts';
import '../connections/schema.ts';
import '../oauth/schema.ts';
import '../organizations/schema.ts';
import '../viewer/schema.ts';

export const schema = lexicographicSortSchema(builder.toSchema());
