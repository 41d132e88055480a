import { createRequire } from 'node:module';
import isoCountries from 'i18n-iso-countries';

const require = createRequire(import.meta.url);
isoCountries.registerLocale(require('i18n-iso-countries/langs/en.json') as isoCountries.LocaleData);

export interface IsoCountry {
  code: string;
  alpha3: string;
  numeric: string;
  name: string;
}

// XK (Kosovo) is a user-assigned code that the package lists beside ISO 3166-1's own 249.
const USER_ASSIGNED = new Set(['XK']);

/** Every ISO 3166-1 country, from the maintained i18n-iso-countries package. */
export function isoCountryList(): IsoCountry[] {
  return Object.entries(isoCountries.getAlpha2Codes())
    .filter(([code]) => !USER_ASSIGNED.has(code))
    .map(([code, alpha3]) => ({
      code,
      alpha3,
      numeric: isoCountries.alpha2ToNumeric(code) ?? '',
      name: isoCountries.getName(code, 'en') ?? code,
    }))
    .sort((a, b) => a.code.localeCompare(b.code));
}
