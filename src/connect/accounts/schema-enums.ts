// The connected-account enums, built from Prisma's enum objects (one source for both).
import { ConnectedAccountStatus, ConnectedAccountStatusReason, ConnectionType, OnboardingMode } from '../../generated/prisma/enums.ts';
import { builder } from '../../graphql/builder.ts';

export const ConnectionTypeEnum = builder.enumType(ConnectionType, { name: 'ConnectionType' });
export const OnboardingModeEnum = builder.enumType(OnboardingMode, { name: 'OnboardingMode' });
export const ConnectedAccountStatusEnum = builder.enumType(ConnectedAccountStatus, { name: 'ConnectedAccountStatus' });
export const ConnectedAccountStatusReasonEnum = builder.enumType(ConnectedAccountStatusReason, {
  name: 'ConnectedAccountStatusReason',
  description: 'Why the platform suspended or revoked an account (REQUESTED_BY_ACCOUNT also when the organization disconnected).',
});
