import { asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { preparedPages, preparedPer } from '../../db/prepared.js';
import { countries } from '../../db/schema/index.js';

/**
 * A country as the API shows it: its codes, its name, and its OCD division id, which is derived
 * from the alpha-2 code by the database (so a statement's rows are the JSON, with nothing to copy).
 */
const countryFields = {
  code: countries.code,
  alpha3: countries.alpha3,
  numeric: countries.numeric,
  name: countries.name,
  ocdId: sql<string>`'ocd-division/country:' || lower(${countries.code})`.as('ocdId'),
};

export interface CountryRow {
  code: string;
  alpha3: string;
  numeric: string;
  name: string;
  ocdId: string;
}

// A page: the first, or the one after a code (prepared statements, see src/db/prepared.ts).
export const listCountries = preparedPages('list_countries', (db, after, _since, limit) =>
  db
    .select(countryFields)
    .from(countries)
    .where(after && gt(countries.code, after))
    .orderBy(asc(countries.code))
    .limit(limit),
);

const findCountryStatement = preparedPer((db) =>
  db
    .select(countryFields)
    .from(countries)
    .where(eq(countries.code, sql.placeholder('code')))
    .prepare('find_country'),
);

export async function findCountry(db: Db, code: string): Promise<CountryRow | undefined> {
  const [row] = await findCountryStatement(db).execute({ code });
  return row;
}
