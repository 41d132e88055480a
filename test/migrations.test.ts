// Upgrading a database that holds results from before contests and areas (migration 0009): the
// versions move under a main contest, nothing is lost, and the append-only guard is back on; and
// the lines get their election's country (migration 0020), then and on every later insert.
// Both engines: PostgreSQL refuses some things in a migration's transaction that PGlite allows.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { sql } from 'drizzle-orm';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import t from 'tap';
import { migrationsFolder, type Db } from '../src/db/client.js';
import { engines, serverUrl, admin } from './helpers/databases.js';
import { answerTo, rowsOf } from './helpers/sql.js';

/** The migrations folder as it was before 0009: its journal cut after the first `count` entries. */
async function migrationsBefore(count: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
  await cp(migrationsFolder, dir, { recursive: true });
  const journalPath = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(journalPath, 'utf8')) as { entries: unknown[] };
  journal.entries = journal.entries.slice(0, count);
  await writeFile(journalPath, JSON.stringify(journal));
  return dir;
}

// Data as the API stored it at migration 0008: an election, two versions, their lines.
const before0009 = [
  `insert into sources (id, publisher, kind) values ('old-wire', 'Old Wire', 'news')`,
  `insert into candidates (id, name, search_key, source_id) values ('a-person', 'A Person', 'a-person', 'old-wire')`,
  `insert into elections (id, country_code, type, date, source_id)
     values ('kz.presidential.2022-11-20', 'KZ', 'presidential', '2022-11-20', 'old-wire'),
            ('fr.referendum.2005-05-29', 'FR', 'referendum', '2005-05-29', 'old-wire')`,
  `insert into result_versions (election_id, number, status, complete, percent_base, source_id)
     values ('kz.presidential.2022-11-20', 1, 'unofficial-complete', false, 'unknown', 'old-wire'),
            ('kz.presidential.2022-11-20', 2, 'certified', true, 'lines-total', 'old-wire')`,
  `insert into vote_shares (version_id, kind, candidate_id, votes, percent)
     select id, 'candidate', 'a-person', 10 * number, 100 from result_versions`,
];

for (const engine of engines) {
  t.test(`${engine}: 0009 moves existing versions under a main contest`, async (t) => {
    const folder = await migrationsBefore(9);
    t.teardown(() => rm(folder, { recursive: true, force: true }));
    let db: Db;
    let migrateTo: (folder: string) => Promise<void>;
    if (engine === 'pglite') {
      const client = new PGlite({ extensions: { pg_trgm } });
      t.teardown(() => client.close());
      const d = drizzlePglite(client);
      db = d as unknown as Db;
      migrateTo = (migrationsFolder) => migratePglite(d, { migrationsFolder });
    } else {
      const name = `migrations_${Date.now()}`;
      await admin(serverUrl!, `create database "${name}"`);
      const url = new URL(serverUrl!);
      url.pathname = `/${name}`;
      const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
      t.teardown(async () => {
        await pool.end();
        await admin(serverUrl!, `drop database if exists "${name}" with (force)`);
      });
      const d = drizzleNodePg(pool);
      db = d as unknown as Db;
      // One migration run is one transaction, as the API's start-up runs it.
      migrateTo = (migrationsFolder) => migrateNodePg(d, { migrationsFolder });
    }

    await migrateTo(folder);
    await db.execute(
      sql`insert into countries (code, alpha3, numeric, name) values ('KZ', 'KAZ', '398', 'Kazakhstan'), ('FR', 'FRA', '250', 'France') on conflict do nothing`,
    );
    for (const statement of before0009) await db.execute(sql.raw(statement));

    await migrateTo(migrationsFolder);

    t.same(
      await rowsOf(
        db,
        sql`select election_id, slug, kind::text, area_id, main, current_version from contests order by 1`,
      ),
      [
        {
          election_id: 'fr.referendum.2005-05-29',
          slug: 'question-1',
          kind: 'ballot-question',
          area_id: 'fr',
          main: true,
          current_version: null,
        },
        {
          election_id: 'kz.presidential.2022-11-20',
          slug: 'president',
          kind: 'candidate',
          area_id: 'kz',
          main: true,
          current_version: 2,
        },
      ],
      'each election has its main contest, at its country',
    );
    t.same(
      await rowsOf(
        db,
        sql`select v.number, c.slug, count(s.id)::int as lines from result_versions v join contests c on c.id = v.contest_id
            left join vote_shares s on s.version_id = v.id group by 1, 2 order by 1`,
      ),
      [
        { number: 1, slug: 'president', lines: 1 },
        { number: 2, slug: 'president', lines: 1 },
      ],
      'every version and line kept, under the main contest',
    );
    t.same(await rowsOf(db, sql`select current_version from elections where id = 'kz.presidential.2022-11-20'`), [
      { current_version: 2 },
    ]);
    t.match(
      await answerTo(db, sql`update result_versions set number = number + 10`),
      /append-only/,
      'the append-only guard is on again',
    );

    // 0020: each line carries its election's country, the lines stored before it included.
    t.same(
      await rowsOf(db, sql`select country_code, count(*)::int as lines from vote_shares group by 1`),
      [{ country_code: 'KZ', lines: 2 }],
      "0020 gave every line stored before it its election's country",
    );
    t.match(
      await answerTo(db, sql`update vote_shares set votes = votes + 1`),
      /append-only/,
      "the lines' append-only guard is on again after 0020 filled them",
    );
    await db.execute(
      sql`insert into vote_shares (version_id, kind, candidate_id, votes, country_code)
          select id, 'candidate', 'a-person', 1, 'FR' from result_versions where number = 2`,
    );
    t.same(
      await rowsOf(db, sql`select country_code, count(*)::int as lines from vote_shares group by 1`),
      [{ country_code: 'KZ', lines: 3 }],
      "a line inserted later gets its election's country, whatever the insert said",
    );
  });
}
