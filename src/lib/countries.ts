import { iso31661 } from 'iso-3166';

export interface IsoCountry {
  code: string;
  alpha3: string;
  numeric: string;
  name: string;
}

/**
 * Every ISO 3166-1 country with ISO's own English short name ("Côte d'Ivoire", "Réunion",
 * "Curaçao", "Korea, Republic of"), from the maintained iso-3166 package (the one the ISO 3166-2
 * codes come from). i18n-iso-countries, used before, mixed ISO names with colloquial ones and
 * dropped diacritics from some but not others.
 */
export function isoCountryList(): IsoCountry[] {
  return iso31661
    .map((c) => ({ code: c.alpha2, alpha3: c.alpha3, numeric: c.numeric, name: c.name }))
    .sort((a, b) => a.code.localeCompare(b.code));
}
