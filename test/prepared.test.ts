// Prepared list statements (src/db/prepared.ts): on each engine, every page size gives the same rows
// as the same query run plainly; on PostgreSQL, read from the connection's own
// pg_prepared_statements, a page size the clients use is written into the statement's text and the
// server then keeps one plan for it instead of planning it again on every execution, and sizes past
// the first LITERAL_LIMITS share one statement with the size as a parameter. (Drizzle's PGlite
// driver sends every statement unnamed: PGlite has no prepared statements to read.)
import { asc, sql } from 'drizzle-orm';
import t from 'tap';
import { openDatabase } from '../src/db/client.js';
import { LITERAL_LIMITS } from '../src/db/prepared.js';
import { countries } from '../src/db/schema/index.js';
import { listCountries } from '../src/modules/countries/countries.repository.js';
import { listElections } from '../src/modules/elections/elections.repository.js';
import { engines, freshDatabase } from './helpers/databases.js';

interface PreparedRow extends Record<string, unknown> {
  name: string;
  statement: string;
  generic_plans: number;
  custom_plans: number;
}

for (const engine of engines) {
  t.test(engine, async (t) => {
    const testDb = await freshDatabase(engine);
    // One connection, so that the prepared statements read below are the ones the calls made.
    const database = await openDatabase({ ...testDb.options, poolMax: 1 });
    t.teardown(async () => {
      await database.close();
      await testDb.drop();
    });
    const db = database.primary;
    const prepared = async (like: string) => {
      const result = await db.execute<PreparedRow>(
        sql`select name, statement, generic_plans::int, custom_plans::int from pg_prepared_statements
            where name like ${like} order by name`,
      );
      return (result as { rows: PreparedRow[] }).rows;
    };

    await t.test('a page size is written into the statement, whose plan is then kept', async (t) => {
      const page = await listElections(db, { limit: 3 });
      t.equal(page.length, 3);
      for (let i = 0; i < 9; i++) t.same(await listElections(db, { limit: 3 }), page, 'the same page each time');
      const filtered = await listElections(db, { limit: 3, country: 'KZ' });
      t.ok(filtered.length > 0 && filtered.every((r) => r.election.countryCode === 'KZ'), 'a filter still applies');
      if (engine === 'pglite') return;
      const [statement, ...others] = await prepared('list_elections%');
      t.equal(others.length, 1, 'one statement per set of filters');
      t.match(statement?.name, /^list_elections_\w+_l3$/, 'named for its size');
      t.match(statement?.statement, /\blimit 3\s*$/, 'the size in the text');
      t.notMatch(statement?.statement, /limit \$/, 'not a parameter');
      t.equal((statement?.generic_plans ?? 0) + (statement?.custom_plans ?? 0), 10, 'ten executions');
      t.ok((statement?.generic_plans ?? 0) >= 4, 'the plan is kept: no planning after the first executions');
    });

    await t.test(`sizes past the first ${LITERAL_LIMITS} share one statement`, async (t) => {
      const all = await db.select({ code: countries.code }).from(countries).orderBy(asc(countries.code)).limit(20);
      const sizes = Array.from({ length: LITERAL_LIMITS + 3 }, (_, i) => i + 1);
      for (const size of sizes) {
        const page = await listCountries(db, { limit: size });
        t.same(
          page.map((c) => c.code),
          all.slice(0, size).map((c) => c.code),
          `limit ${size}: the first ${size} countries`,
        );
      }
      // Again, in another order: each size still gets its own rows from whichever statement it uses.
      for (const size of [...sizes].reverse()) t.equal((await listCountries(db, { limit: size })).length, size);
      if (engine === 'pglite') return;
      const statements = await prepared('list_countries%');
      const literal = statements.filter((s) => /_l\d+$/.test(s.name));
      t.equal(literal.length, LITERAL_LIMITS, `${LITERAL_LIMITS} sizes written in`);
      t.same(
        literal.map((s) => Number(/_l(\d+)$/.exec(s.name)![1])).sort((a, b) => a - b),
        sizes.slice(0, LITERAL_LIMITS),
        'the first sizes asked for',
      );
      const shared = statements.filter((s) => !/_l\d+$/.test(s.name));
      t.equal(shared.length, 1, 'the others share one statement');
      t.match(shared[0]?.statement, /limit \$1\s*$/, 'with the size as a parameter');
      t.equal((shared[0]?.generic_plans ?? 0) + (shared[0]?.custom_plans ?? 0), 6, 'run for the 3 other sizes, twice');
    });
  });
}
