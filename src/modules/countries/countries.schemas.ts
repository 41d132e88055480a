import { z } from 'zod';
import { isoCountryList } from '../../lib/countries.js';
import { csvParams } from '../../formats/csv.js';
import { cursorParam, limitParam, listSchema } from '../../lib/pagination.js';

const byCode = new Map<string, string>();
for (const c of isoCountryList()) {
  byCode.set(c.code, c.code);
  byCode.set(c.alpha3, c.code);
}

/** An ISO 3166-1 alpha-2 or alpha-3 code in any case, resolved to alpha-2; unknown codes fail. */
export const countryCodeParam = z
  .string()
  .regex(/^[A-Za-z]{2,3}$/, 'must be an ISO 3166-1 alpha-2 or alpha-3 code, e.g. KZ or KAZ')
  .transform((value, ctx) => {
    const code = byCode.get(value.toUpperCase());
    if (!code) {
      ctx.addIssue({ code: 'custom', message: `'${value}' is not an ISO 3166-1 country code` });
      return z.NEVER;
    }
    return code;
  })
  .describe('ISO 3166-1 alpha-2 or alpha-3 code, any case (KZ, kz, KAZ).');

export const countrySchema = z
  .object({
    code: z.string().length(2).describe('ISO 3166-1 alpha-2 code: the key.'),
    alpha3: z.string().length(3),
    numeric: z.string().length(3).describe('ISO 3166-1 numeric code, zero-padded.'),
    name: z.string(),
    ocdId: z.string().describe('Open Civic Data division id, e.g. ocd-division/country:kz.'),
  })
  .meta({ id: 'Country' });

export const countryListQuery = z.strictObject({
  ...csvParams,
  limit: limitParam(50, 250),
  cursor: cursorParam(z.tuple([z.string().length(2)])).optional(),
});

export const countryParams = z.object({ code: countryCodeParam });

export const countryList = listSchema(countrySchema).meta({ id: 'CountryList' });
