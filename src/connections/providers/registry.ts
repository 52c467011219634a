// Every provider a connection may have, by its ProviderType: the one list secrets, settings,
// verification and the GraphQL schema read. A ProviderType without an entry does not type-check.
import type { ProviderType } from '../../generated/prisma/enums.ts';
import { flexprice } from './flexprice.ts';
import { hubspot } from './hubspot.ts';
import type { Provider } from './provider.ts';
import { s3 } from './s3.ts';
import { stripe } from './stripe.ts';

export const providers: Record<ProviderType, Provider> = {
  STRIPE: stripe,
  S3: s3,
  HUBSPOT: hubspot,
  FLEXPRICE: flexprice,
};
