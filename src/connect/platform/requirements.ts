// The business details a platform requires of its connected organizations. Both the completion of
// onboarding (what is submitted) and `requirements.currentlyDue` (what the organization's invoicing
// entity holds now) are checked against the same table, so they never disagree about a detail.
import { ValidationError } from '../../core/domain-errors.ts';
import type { BusinessDetail } from '../../generated/prisma/enums.ts';

/** What a business detail is made of, as the invoicing entity (and the onboarding form) names it. */
export interface BusinessDetailValues {
  legalName?: string | null | undefined;
  addressLine1?: string | null | undefined;
  city?: string | null | undefined;
  postalCode?: string | null | undefined;
  vatNumber?: string | null | undefined;
  phone?: string | null | undefined;
}

/** The fields each detail needs, all of them present and not blank. */
export const BUSINESS_DETAIL_FIELDS: Record<BusinessDetail, readonly (keyof BusinessDetailValues)[]> = {
  LEGAL_NAME: ['legalName'],
  ADDRESS: ['addressLine1', 'city', 'postalCode'],
  VAT_NUMBER: ['vatNumber'],
  PHONE: ['phone'],
};

const present = (value: string | null | undefined) => typeof value === 'string' && value.trim() !== '';

/** The required details these values lack, in the order the platform lists them. */
export function missingBusinessDetails(required: readonly BusinessDetail[], values: BusinessDetailValues): BusinessDetail[] {
  return required.filter((detail) => !BUSINESS_DETAIL_FIELDS[detail].every((field) => present(values[field])));
}

/** VALIDATION naming every missing field (`<prefix><field>`), or nothing when all required details are given. */
export function assertRequiredBusinessDetails(required: readonly BusinessDetail[], values: BusinessDetailValues, prefix = 'input.'): void {
  const fields = missingBusinessDetails(required, values).flatMap((detail) =>
    BUSINESS_DETAIL_FIELDS[detail].filter((field) => !present(values[field])),
  );
  if (fields.length === 0) return;
  throw new ValidationError(
    `The platform requires these business details: ${fields.join(', ')}.`,
    fields.map((field) => `${prefix}${field}`),
  );
}
