// The GraphQL type of a sub-account, shared by its queries, its mutations and its keys' mutations.
import type { SubAccount } from '../generated/prisma/client.ts';
import { LegalEntityType, SubAccountStatus, SubAccountStatusReason } from '../generated/prisma/enums.ts';
import { ApiKeyType } from '../api-keys/schema.ts';
import { builder } from '../graphql/builder.ts';
import { requestLoader } from '../graphql/request-loaders.ts';
import { AccountPackageType, PermissiblePurposeType } from './catalog-schema.ts';
import { keysOfSubAccounts } from './keys.ts';

export const LegalEntityTypeEnum = builder.enumType(LegalEntityType, { name: 'LegalEntityType' });
export const SubAccountStatusEnum = builder.enumType(SubAccountStatus, { name: 'SubAccountStatus' });
export const SubAccountStatusReasonEnum = builder.enumType(SubAccountStatusReason, { name: 'SubAccountStatusReason' });

const SubAccountAddressType = builder.objectRef<SubAccount>('SubAccountAddress').implement({
  fields: (t) => ({
    line1: t.string({ resolve: (account) => account.addressLine1 }),
    line2: t.string({ nullable: true, resolve: (account) => account.addressLine2 }),
    city: t.string({ resolve: (account) => account.addressCity }),
    state: t.string({ nullable: true, resolve: (account) => account.addressState }),
    postalCode: t.string({ resolve: (account) => account.addressPostalCode }),
    country: t.field({ type: 'CountryCode', resolve: (account) => account.addressCountry }),
  }),
});

/**
 * A sub-account's keys live in its own tenant, which its platform manages (the named cross-tenant
 * flow): a list of sub-accounts reads the keys of the whole page in one query.
 */
const keysLoader = requestLoader((context, accounts: readonly SubAccount[]) =>
  keysOfSubAccounts(context.crossTenant('sub-account-provisioning'), accounts),
);

/** The optional profile fields, by the scalar they are shown as. */
const optionalEmails = [
  'techEmailAddress',
  'supportEmailAddress',
  'complianceEmailAddress',
  'actionsEmailAddress',
  'billingEmail',
] as const;
const optionalPhones = ['supportPhone', 'companyPhoneNumber'] as const;
const optionalTexts = [
  'additionalCompanyInfo',
  'ownerTitle',
  'legalBusinessName',
  'stateOfIncorporation',
  'ein',
  'billingContactFirstName',
  'billingContactLastName',
] as const;

export const SubAccountType = builder.prismaNode('SubAccount', {
  id: { field: 'id' },
  description: 'A child account of the platform, with its own organization, tenant and API keys.',
  fields: (t) => ({
    accountName: t.exposeString('accountName', {
      description: 'Unique per platform tenant (production and each sandbox apart), in any letter case.',
    }),
    firstName: t.exposeString('firstName'),
    lastName: t.exposeString('lastName'),
    emailAddress: t.expose('emailAddress', { type: 'EmailAddress' }),
    address: t.field({ type: SubAccountAddressType, resolve: (account) => account }),
    url: t.expose('url', { type: 'URL', nullable: true }),
    ...Object.fromEntries(optionalEmails.map((name) => [name, t.expose(name, { type: 'EmailAddress', nullable: true })])),
    ...Object.fromEntries(
      optionalPhones.map((name) => [name, t.expose(name, { type: 'PhoneNumber', nullable: true, description: 'E.164.' })]),
    ),
    ...Object.fromEntries(optionalTexts.map((name) => [name, t.exposeString(name, { nullable: true })])),
    legalEntityType: t.expose('legalEntityType', { type: LegalEntityTypeEnum, nullable: true }),
    status: t.expose('status', {
      type: SubAccountStatusEnum,
      description: 'DEACTIVATED: its keys are refused (403 SUB_ACCOUNT_DEACTIVATED) until reactivated.',
    }),
    statusReason: t.expose('statusReason', {
      type: SubAccountStatusReasonEnum,
      nullable: true,
      description: 'Why it was deactivated, when the platform said; null once reactivated.',
    }),
    deactivatedAt: t.expose('deactivatedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was deactivated; null while ACTIVE.',
    }),
    permissiblePurposes: t.field({
      type: [PermissiblePurposeType],
      description: 'Every purpose it may use, given directly or through its packages.',
      // Through the link table, with what is selected of each purpose: loaded with the page, not per row.
      select: (_args, _context, nestedSelection) => ({ purposes: { select: { permissiblePurpose: nestedSelection(true) } } }),
      resolve: (account) => account.purposes.map((link) => link.permissiblePurpose),
    }),
    accountPackages: t.field({
      type: [AccountPackageType],
      // With each package's own purposes when they are selected: otherwise Pothos loads every package again, one query each.
      select: (_args, _context, nestedSelection) => ({ packages: { select: { accountPackage: nestedSelection(true) } } }),
      resolve: (account) => account.packages.map((link) => link.accountPackage),
    }),
    provisionedApiKeyId: t.exposeID('provisionedApiKeyId', {
      nullable: true,
      description: 'The key createSubAccount issued last: createSubAccount with the same name replaces this key, and no named key.',
    }),
    apiKeys: t.field({
      type: [ApiKeyType],
      description: 'Its keys, metadata only (never secrets).',
      resolve: (account, _args, context) => keysLoader(context).load(account),
    }),
    platformOrganizationId: t.exposeID('platformOrganizationId'),
    organizationId: t.exposeID('organizationId'),
    tenantId: t.exposeID('tenantId'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

/** `{ subAccount }`, the payload of the mutations that change one. */
export const subAccountPayload = (name: string) =>
  builder.objectRef<{ subAccount: SubAccount }>(name).implement({
    fields: (t) => ({ subAccount: t.expose('subAccount', { type: SubAccountType }) }),
  });
