// The countries a form offers: every code the server accepts as ISO 3166-1 alpha-2 (graphql-scalars'
// list, through core/validation.ts) that the runtime can name (Intl.DisplayNames), sorted by name.
// No list is kept by hand; a code the runtime cannot name is left out rather than shown bare.
import { countryCode } from '../core/validation.ts';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function isAccepted(code: string): boolean {
  try {
    countryCode(code, 'country');
    return true;
  } catch {
    return false;
  }
}

function namedCountries(locale: string): { code: string; name: string }[] {
  const names = new Intl.DisplayNames([locale], { type: 'region', fallback: 'none' });
  const codes = [...LETTERS].flatMap((first) => [...LETTERS].map((second) => first + second));
  return codes
    .filter(isAccepted)
    .flatMap((code) => {
      const name = names.of(code);
      return name ? [{ code, name }] : [];
    })
    .sort((a, b) => a.name.localeCompare(b.name, locale));
}

/** Worked out once, at first import: 676 candidates. */
export const COUNTRIES = namedCountries('en');
