import { asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { preparedPer } from '../../db/prepared.js';
import { countries } from '../../db/schema/index.js';

export type CountryRow = typeof countries.$inferSelect;

export function listCountries(db: Db, opts: { after?: string; limit: number }) {
  return db
    .select()
    .from(countries)
    .where(opts.after ? gt(countries.code, opts.after) : undefined)
    .orderBy(asc(countries.code))
    .limit(opts.limit);
}

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
