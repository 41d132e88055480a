// The compiled row mapper (src/db/row-mapper.ts) against Drizzle's own mapResultRow, on each engine:
// plain columns, SQL expressions, a nested object of a left-joined table that is absent (null) or
// present, and one that mixes two tables (never null). With the check on, a mapper that writes
// another value than Drizzle's is an error, not a wrong body.
import { asc, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import * as drizzleUtils from 'drizzle-orm/utils';
import t from 'tap';
import { openDatabase } from '../src/db/client.js';
import { checkCompiledRows, RowMapperMismatchError, withCompiledRows } from '../src/db/row-mapper.js';
import { candidates, organisations, sources, voteShares } from '../src/db/schema/index.js';
import { engines, freshDatabase } from './helpers/databases.js';

const { mapResultRow } = drizzleUtils as unknown as {
  mapResultRow: (fields: unknown, row: unknown[], joinsNotNullableMap?: Record<string, boolean>) => unknown;
};

for (const engine of engines) {
  t.test(engine, async (t) => {
    const testDb = await freshDatabase(engine);
    const database = await openDatabase(testDb.options);
    t.teardown(async () => {
      await database.close();
      await testDb.drop();
    });
    const db = database.primary;
    const nominator = alias(organisations, 'nominator');
    // Lines with and without a candidate and a nominator: both left joins are absent on some rows.
    const statement = db
      .select({
        id: voteShares.id,
        votes: voteShares.votes,
        label: sql<string | null>`${voteShares.label}`,
        double: sql<number>`${voteShares.id} * 2`.mapWith(Number),
        candidate: { id: candidates.id, name: candidates.name },
        party: { id: nominator.id, name: nominator.name, lines: sql<number>`1`.mapWith(Number) },
        mixed: { source: sources.id, candidate: candidates.id },
      })
      .from(voteShares)
      .leftJoin(candidates, eq(candidates.id, voteShares.candidateId))
      .leftJoin(nominator, eq(nominator.id, voteShares.nominatorId))
      .leftJoin(sources, eq(sources.id, candidates.sourceId))
      .orderBy(asc(voteShares.id))
      .limit(sql.placeholder('limit'))
      .prepare(`row_mapper_test_${engine}`);
    const internals = statement as unknown as {
      fields: unknown;
      joinsNotNullableMap: Record<string, boolean>;
      customResultMapper?: (rows: unknown[][]) => unknown;
    };
    t.equal(internals.customResultMapper, undefined, 'Drizzle maps the rows itself before');

    // What Drizzle gives, then the compiled mapper, from the same statement.
    const drizzleRows = await statement.execute({ limit: 500 });
    withCompiledRows(statement);
    t.type(internals.customResultMapper, 'function', 'the compiled mapper is installed');
    const compiledRows = await statement.execute({ limit: 500 });
    t.same(compiledRows, drizzleRows, 'the same objects as Drizzle, value for value');
    t.same(
      compiledRows.map((r) => Object.keys(r)),
      drizzleRows.map((r) => Object.keys(r)),
      'the same keys in the same order',
    );
    t.ok(
      compiledRows.some((r) => r.candidate === null),
      'a line without a candidate: the left-joined object is null',
    );
    t.ok(
      compiledRows.some((r) => r.candidate !== null && r.party !== null),
      'a line with both: the objects are there',
    );
    t.ok(
      compiledRows.every((r) => r.mixed !== null),
      'an object of two tables is never null',
    );
    t.ok(
      compiledRows.every((r) => typeof r.double === 'number' && r.double === r.id * 2),
      'decoders run',
    );

    // Mapped by hand from raw rows, the compiled mapper and Drizzle's agree on a null first column.
    const fields = internals.fields;
    const row = [1, 10, null, '2', null, null, 'party', 'Party', '1', 'src', null];
    const mapped = (internals.customResultMapper!([row]) as unknown[])[0];
    t.same(mapped, mapResultRow(fields, row, internals.joinsNotNullableMap));
  });
}

/** What withCompiledRows looks at on a Drizzle prepared select. */
interface Prepared {
  fields: unknown;
  customResultMapper?: (rows: unknown[][]) => unknown;
}

t.test('with the check on, a mapper that differs from Drizzle is an error', async (t) => {
  checkCompiledRows();
  let calls = 0;
  // A decoder that answers differently on each call: the compiled mapper and Drizzle's disagree.
  const decoder = { mapFromDriverValue: () => ++calls };
  const fields = [{ path: ['n'], field: sql`1`.mapWith(decoder) }];
  const fake: Prepared = withCompiledRows({ fields });
  let thrown: unknown;
  try {
    fake.customResultMapper!([[1]]);
  } catch (err) {
    thrown = err;
  }
  t.type(thrown, RowMapperMismatchError, 'the difference throws');
  t.equal(calls, 2, 'both mappings ran');
  // The same fields with a steady decoder pass.
  const steady: Prepared = withCompiledRows({ fields: [{ path: ['n'], field: sql`1`.mapWith(Number) }] });
  t.same(steady.customResultMapper!([['7'], [null]]), [{ n: 7 }, { n: null }]);
});
