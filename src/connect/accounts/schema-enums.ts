// The connected-account enums, built from Prisma's enum objects (one source for both).
import { ConnectedAccountStatus, ConnectionType, OnboardingMode } from '../../generated/prisma/enums.ts';
import { builder } from '../../graphql/builder.ts';

export const ConnectionTypeEnum = builder.enumType(ConnectionType, { name: 'ConnectionType' });
export const OnboardingModeEnum = builder.enumType(OnboardingMode, { name: 'OnboardingMode' });
export const ConnectedAccountStatusEnum = builder.enumType(ConnectedAccountStatus, { name: 'ConnectedAccountStatus' });
