import { asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { pageLimit, preparedPages, preparedPer } from '../../db/prepared.js';
import { countries } from '../../db/schema/index.js';

export type CountryRow = typeof countries.$inferSelect;

// A page: the first, or the one after a code (prepared statements, see src/db/prepared.ts).
export const listCountries = preparedPages('list_countries', (db, after) =>
  db
    .select()
    .from(countries)
    .where(after && gt(countries.code, after))
    .orderBy(asc(countries.code))
    .limit(pageLimit),
);

const findCountryStatement = preparedPer((db) =>
  db
    .select()
    .from(countries)
    .where(eq(countries.code, sql.placeholder('code')))
    .prepare('find_country'),
);

export async function findCountry(db: Db, code: string): Promise<CountryRow | undefined> {
  const [row] = await findCountryStatement(db).execute({ code });
  return row;
}
