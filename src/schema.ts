// Imports every domain so its types register on the builder, then builds the schema.
import { lexicographicSortSchema } from 'graphql';
import { builder } from './graphql/builder.ts';
import './graphql/error-types.ts';
import './graphql/nodes.ts';
import './api-keys/schema.ts';
import './connect/accounts/schema.ts';
import './connect/platform/schema.ts';
import './connect/onboarding/schema.ts';
import './connect/account-updates/schema.ts';
import './connect/accounts/business-details-schema.ts';
import './connect/sessions/schema.ts';
import './connect/sessions/onboarding-schema.ts';
import './sub-accounts/schema.ts';
import './connections/schema.ts';
import './connections/link-schema.ts';
import './events/schema.ts';
import './webhooks/schema.ts';
import './events/live-schema.ts';
import './connect/oauth/schema.ts';
import './organizations/schema.ts';
import './organizations/viewer-schema.ts';
import './organizations/tenant-schema.ts';

export const schema = lexicographicSortSchema(builder.toSchema());
