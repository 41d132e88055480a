import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { openDatabase } from '../src/db/client.js';
import { readSeedFiles, seed, seedIfChanged } from '../src/db/seed.js';
import { sql } from 'drizzle-orm';
import { forEachEngine } from './helpers/app.js';
import { TEST_SHARED_BUFFERS_MB } from './helpers/databases.js';
import { rowsOf } from './helpers/sql.js';
import { snapshot } from './helpers/snapshot.js';

forEachEngine(t, async (t, app, engine) => {
  if (engine === 'pglite')
    t.test('the embedded engine takes shared_buffers from its options (PGLITE_SHARED_BUFFERS_MB)', async (t) => {
      const [row] = await rowsOf<{ shared_buffers: string }>(app.database.primary, sql`show shared_buffers`);
      t.equal(row?.shared_buffers, `${TEST_SHARED_BUFFERS_MB}MB`);
    });

  t.test('seeding again changes nothing', async (t) => {
    const before = await snapshot(app.database.primary);
    t.match(before, {
      countries: /^249:/,
      areas: /^269:/, // a country area for each country, and the 20 top areas of Kazakhstan
      sources: /^58:/, // 47 for the figures, 10 for names, ISO 3166-1
      organisations: /^16:/,
      candidates: /^13:/,
      elections: /^4:/,
      contests: /^5:/,
      result_versions: /^25:/,
      result_areas: /^268:/,
      result_version_sources: /^20:/,
      vote_shares: /^69:/,
      names: /^351:/, // every record's own (269 areas, 13 people, 16 organisations and 8 short forms) and 45 from sources
      external_ids: /^2:/, // ElectionGuide's ids of the 2019 and 2023 elections
    });
    await seed(app.database.primary);
    await seed(app.database.primary);
    t.same(await snapshot(app.database.primary), before);
  });

  t.test('a start skips a seed this database has had, and runs one whose files changed', async (t) => {
    const db = app.database.primary;
    const before = await snapshot(db);
    t.match(before, { seed_runs: /^1:/ }, 'the template was seeded once, and that seed recorded');
    t.equal(await seedIfChanged(db), false, 'the same seed files: skipped');
    t.same(await snapshot(db), before, 'and nothing written');

    // The same files with one more source: that seed runs (and adds the source) once.
    const folder = await mkdtemp(join(tmpdir(), 'seeds-'));
    t.teardown(() => rm(folder, { recursive: true, force: true }));
    const file = JSON.parse(await readFile('seeds/kazakhstan.json', 'utf8')) as { sources: object[] };
    file.sources.push({ ...file.sources[0], id: 'seed-test-added-source' });
    await writeFile(join(folder, 'kazakhstan.json'), JSON.stringify(file));
    t.equal(await seedIfChanged(db, folder), true, 'changed seed files: seeded');
    t.match(await snapshot(db), { sources: /^59:/, seed_runs: /^2:/ });
    t.equal(await seedIfChanged(db, folder), false, 'and only once');
  });

  t.test('migrating again changes nothing', async (t) => {
    const before = await snapshot(app.database.primary);
    await app.database.migrate();
    t.same(await snapshot(app.database.primary), before);
  });

  t.test('seeding keeps what an editor added', async (t) => {
    const { contests, resultVersions } = await import('../src/db/schema/index.js');
    const { eq } = await import('drizzle-orm');
    const [main] = await app.database.primary
      .select()
      .from(contests)
      .where(eq(contests.electionId, 'kz.presidential.2022-11-20'));
    await app.database.primary.insert(resultVersions).values({
      electionId: 'kz.presidential.2022-11-20',
      contestId: main!.id,
      number: main!.currentVersion! + 1,
      status: 'correction',
      complete: false,
      percentBase: 'unknown',
      sourceId: 'tass-2019-final-results',
    });
    const before = await snapshot(app.database.primary);
    await seed(app.database.primary);
    t.same(await snapshot(app.database.primary), before);
  });
});

t.test('a fresh embedded database: migrate then seed from nothing', async (t) => {
  const database = await openDatabase({ dataDir: 'memory://' });
  t.teardown(() => database.close());
  await database.migrate();
  await seed(database.primary);
  t.match(await snapshot(database.primary), { vote_shares: /^69:/, countries: /^249:/ });
});

t.test('seed files cite only sources they define, and name no figure without one', async (t) => {
  for (const file of await readSeedFiles()) {
    const sources = new Set(file.sources.map((s) => s.id));
    const cited = [
      ...file.organisations.map((o) => o.sourceId),
      ...file.candidates.map((c) => c.sourceId),
      ...file.elections.flatMap((e) => [
        e.sourceId,
        ...e.results.flatMap((r) => [r.sourceId, ...r.additionalSources.map((s) => s.sourceId)]),
      ]),
    ];
    for (const id of cited) t.ok(sources.has(id), `${id} is defined`);
    for (const e of file.elections)
      for (const r of e.results) {
        if (!r.complete) continue;
        const sum = r.lines.reduce((s, l) => s + (l.percent ?? 0), 0);
        t.ok(Math.abs(sum - 100) <= 0.1, `${e.id} v${r.number}: a complete version sums to 100 (${sum})`);
      }
  }
});
