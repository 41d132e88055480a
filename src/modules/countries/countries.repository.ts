import { asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { preparedPer } from '../../db/prepared.js';
import { countries } from '../../db/schema/index.js';

export type CountryRow = typeof countries.$inferSelect;

// A page: the first, or the one after a code (prepared statements, see src/db/prepared.ts).
const listFirst = preparedPer((db) =>
  db.select().from(countries).orderBy(asc(countries.code)).limit(sql.placeholder('limit')).prepare('list_countries'),
);
const listAfter = preparedPer((db) =>
  db
    .select()
    .from(countries)
    .where(gt(countries.code, sql.placeholder('after')))
    .orderBy(asc(countries.code))
    .limit(sql.placeholder('limit'))
    .prepare('list_countries_after'),
);

export function listCountries(db: Db, opts: { after?: string; limit: number }) {
  return opts.after
    ? listAfter(db).execute({ after: opts.after, limit: opts.limit })
    : listFirst(db).execute({ limit: opts.limit });
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
