// The profile of a sub-account (the fields of API.md) and its validation. Every field at fault is
// reported in one VALIDATION error, so a form can mark them all at once.
import { ValidationError } from '../core/domain-errors.ts';
import type { LegalEntityType } from '../generated/prisma/enums.ts';
import { countryCode, displayedName, emailAddress, optional, optionalText, phoneNumber, requiredText, webUrl } from '../core/validation.ts';

export interface AddressInput {
  line1: string;
  line2?: string | null | undefined;
  city: string;
  state?: string | null | undefined;
  postalCode: string;
  country: string;
}

type Maybe<T> = T | null | undefined;

export interface ProfileInput {
  accountName?: Maybe<string>;
  firstName?: Maybe<string>;
  lastName?: Maybe<string>;
  emailAddress?: Maybe<string>;
  address?: Maybe<AddressInput>;
  url?: Maybe<string>;
  techEmailAddress?: Maybe<string>;
  supportEmailAddress?: Maybe<string>;
  supportPhone?: Maybe<string>;
  complianceEmailAddress?: Maybe<string>;
  actionsEmailAddress?: Maybe<string>;
  companyPhoneNumber?: Maybe<string>;
  additionalCompanyInfo?: Maybe<string>;
  ownerTitle?: Maybe<string>;
  legalBusinessName?: Maybe<string>;
  stateOfIncorporation?: Maybe<string>;
  ein?: Maybe<string>;
  legalEntityType?: Maybe<LegalEntityType>;
  billingContactFirstName?: Maybe<string>;
  billingContactLastName?: Maybe<string>;
  billingEmail?: Maybe<string>;
}

const NAME = 100;
const REQUIRED_ON_CREATE = ['accountName', 'firstName', 'lastName', 'emailAddress', 'address'] as const;

const ein = (value: string, field: string) => {
  if (!/^\d{2}-?\d{7}$/.test(value.trim())) throw new ValidationError(`${field} must be an EIN like 12-3456789.`, [field]);
  return value.trim();
};
const url = (value: string, field: string) => {
  try {
    return webUrl(new URL(value.trim()), field);
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw new ValidationError(`${field} must be an absolute http or https URL.`, [field]);
  }
};
const text = (max: number) => (value: string, field: string) => requiredText(value, max, field);
/** Names people read (in dashboards, e-mails, the hosted pages): no control or bidirectional characters. */
const name = (max: number) => (value: string, field: string) => displayedName(value, max, field);

/** The check of each optional profile field; the required ones are checked by the same function when present. */
const fieldChecks: { [Field in Exclude<keyof ProfileInput, 'address' | 'legalEntityType'>]: (value: string, field: string) => string } = {
  accountName: name(NAME),
  firstName: name(NAME),
  lastName: name(NAME),
  emailAddress,
  url,
  techEmailAddress: emailAddress,
  supportEmailAddress: emailAddress,
  supportPhone: phoneNumber,
  complianceEmailAddress: emailAddress,
  actionsEmailAddress: emailAddress,
  companyPhoneNumber: phoneNumber,
  additionalCompanyInfo: text(2000),
  ownerTitle: name(NAME),
  legalBusinessName: name(200),
  stateOfIncorporation: text(NAME),
  ein,
  billingContactFirstName: name(NAME),
  billingContactLastName: name(NAME),
  billingEmail: emailAddress,
};

function addressColumns(address: AddressInput, collect: Collector) {
  return {
    addressLine1: collect(() => requiredText(address.line1, 200, 'input.address.line1')),
    addressLine2: collect(() => optionalText(address.line2, 200, 'input.address.line2')),
    addressCity: collect(() => requiredText(address.city, NAME, 'input.address.city')),
    addressState: collect(() => optionalText(address.state, NAME, 'input.address.state')),
    addressPostalCode: collect(() => requiredText(address.postalCode, 20, 'input.address.postalCode')),
    addressCountry: collect(() => countryCode(address.country, 'input.address.country')),
  };
}

/** Runs a check; a VALIDATION failure is recorded and the other checks still run. */
type Collector = <T>(check: () => T) => T;

/**
 * The columns to write for the fields present in the input. On create the required fields must be
 * there; on update an absent field stays as it is and null clears an optional one.
 */
export function profileColumns(input: ProfileInput, mode: 'create' | 'update') {
  const faults: string[] = [];
  const messages: string[] = [];
  const collect: Collector = (check) => {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      faults.push(...error.fields);
      messages.push(error.message);
      return undefined as never;
    }
  };

  const columns: Record<string, unknown> = {};
  for (const required of REQUIRED_ON_CREATE) {
    const value = input[required];
    if ((mode === 'create' && value == null) || (mode === 'update' && value === null)) {
      collect(() => {
        throw new ValidationError(`input.${required} is required.`, [`input.${required}`]);
      });
    }
  }
  for (const [name, check] of Object.entries(fieldChecks)) {
    const value = input[name as keyof typeof fieldChecks];
    const field = `input.${name}`;
    // A required field is checked as given (blank fails); an optional one may be blank or null to clear it.
    const isRequired = (REQUIRED_ON_CREATE as readonly string[]).includes(name);
    if (value === undefined || (isRequired && value === null)) continue;
    columns[name] = collect(() => (isRequired && value !== null ? check(value, field) : optional(check)(value, field)));
  }
  if (input.address) Object.assign(columns, addressColumns(input.address, collect));
  if (input.legalEntityType !== undefined) columns.legalEntityType = input.legalEntityType;

  if (faults.length > 0) throw new ValidationError(messages.join(' '), faults);
  return columns;
}
