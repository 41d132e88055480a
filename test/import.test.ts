import { readFile } from 'node:fs/promises';
import t from 'tap';
import { openDatabase } from '../src/db/client.js';
import { readSeedFiles, seed } from '../src/db/seed.js';
import { runImport } from '../src/import/import.js';
import { ImportError, planFromCsv, planFromJson } from '../src/import/plan.js';
import { loadResults } from '../src/modules/results/results.service.js';
import { forEachEngine, get } from './helpers/app.js';
import { snapshot } from './helpers/snapshot.js';

const example = await readFile(new URL('../docs/examples/kazakhstan-2022.csv', import.meta.url), 'utf8');
const header = example.split('\n')[0]!;
const KZ2022 = 'kz.presidential.2022-11-20';

/** Rows for a new election (Kazakhstan's 2019 one is seeded with only Tokayev's line). */
const rows = (lines: string[]) => [header, ...lines].join('\n');
const fr = (version: number, status: string, line: string) =>
  `fr.presidential.2027-04-11,FR,2027-04-11,presidential,${version},${status},2027-04-11,true,lines-total,tass-2019-final-results,,,,,,${line}`;

t.test('the example file loads into a database that has only the sources, and serves the seeded figures', async (t) => {
  const database = await openDatabase({ dataDir: 'memory://' });
  await database.migrate();
  const [kazakhstan] = await readSeedFiles();
  await seed(database.primary, [{ ...kazakhstan!, organisations: [], candidates: [], elections: [] }]);
  const summary = await runImport(database.primary, planFromCsv(example));
  t.match(summary, { versions: 2, lines: 8, created: { elections: 1, candidates: 6, organisations: 6, sources: 0 } });
  // Read back through the view /results serves.
  const results = await loadResults(database.primary, KZ2022);
  t.match(results, {
    version: 2,
    status: 'certified',
    turnout: { registeredVoters: 11_953_465, ballotsCast: 8_300_046 },
  });
  t.same(
    results?.lines.map((l) => [l.name, l.votes, l.percent, l.rank, l.nominator?.name ?? null]),
    [
      ['Kassym-Jomart Tokayev', 6_456_393, 81.31, 1, "People's Coalition"],
      ['Against all', 460_484, 5.8, null, null],
      ['Zhiguli Dairabayev', 271_641, 3.42, 2, 'Auyl Party'],
      ['Karakat Abden', 206_206, 2.6, 3, 'National Alliance of Professional Social Workers'],
      ['Meiram Kazhyken', 200_907, 2.53, 4, 'Amanat Commonwealth of Trade Unions'],
      ['Nurlan Auesbayev', 176_116, 2.22, 5, 'National Social Democratic Party'],
      ['Saltanat Tursynbekova', 168_731, 2.12, 6, 'Qazaq Analary – Dasturge Zhol'],
    ],
  );
  t.match(await loadResults(database.primary, KZ2022, 1), {
    status: 'unofficial-complete',
    lines: [{ percent: 81.3, votes: null }],
  });
  await database.close();
});

forEachEngine(t, async (t, app) => {
  t.test('a file with problems is refused whole: every problem with its row, the database unchanged', async (t) => {
    const bad = rows([
      fr(1, 'unofficial-complete', 'candidate,Marine Example,marine-example,,,600,60,1,,false'),
      fr(1, 'unofficial-complete', 'candidate,Jean Example,jean-example,,,400,40,2,,false'),
      fr(2, 'certified', 'candidate,Marine Example,marine-example,,,600,61.5,1,,false'),
      fr(2, 'certified', 'candidate,Jean Example,jean-example,,,400,38.5,2,,false'),
      fr(4, 'certified', 'candidate,Marine Example,marine-example,,,lots,60,1,,false'),
      `${KZ2022},KZ,2022-11-20,presidential,1,certified,2022-11-22,true,lines-total,kazinform-2022-cec-final-results,,,,,,candidate,,kassym-jomart-tokayev,,,1,100,1,elected,false`,
    ]);
    const before = await snapshot(app.database.primary);
    let problems: { where: string; message: string }[] = [];
    try {
      await runImport(app.database.primary, planFromCsv(bad));
      t.fail('the import should fail');
    } catch (err) {
      t.ok(err instanceof ImportError);
      problems = (err as ImportError).problems;
    }
    t.match(problems, [{ where: 'row 6', message: /votes/ }], 'parsing problems are reported first, by row');
    t.same(await snapshot(app.database.primary), before, 'nothing was written');

    const fixedParse = bad.replace(',lots,', ',600,');
    try {
      await runImport(app.database.primary, planFromCsv(fixedParse));
      t.fail('the import should fail');
    } catch (err) {
      problems = (err as ImportError).problems;
    }
    const text = problems.map((p) => `${p.where}: ${p.message}`).join('\n');
    t.match(
      text,
      /row 4: lines\.0\.percent: 61\.5 disagrees/,
      'a percentage that disagrees with the votes, at its row',
    );
    t.match(text, /row 5: lines\.1\.percent: 38\.5 disagrees/);
    t.match(text, /row 6: .*version 4 would leave a gap: the next is 3/, 'a gap in the version numbers');
    t.match(text, /row 7: .*already has version 1: versions are append-only, so the next is 3/, 'an existing version');
    t.same(await snapshot(app.database.primary), before, 'nothing was written');
  });

  t.test('a valid file: dry run writes nothing, then one transaction writes it all', async (t) => {
    const good = rows([
      fr(1, 'unofficial-complete', 'candidate,Marine Example,marine-example,,,600,60,1,,false'),
      fr(1, 'unofficial-complete', 'candidate,Jean Example,jean-example,,,400,40,2,,false'),
      fr(2, 'certified', 'candidate,Marine Example,marine-example,,,610,61,1,elected,false'),
      fr(2, 'certified', 'candidate,Jean Example,jean-example,,,390,39,2,defeated,false'),
    ]);
    const before = await snapshot(app.database.primary);
    const dry = await runImport(app.database.primary, planFromCsv(good), { dryRun: true });
    t.match(dry, { versions: 2, lines: 4, created: { elections: 0 } });
    t.same(await snapshot(app.database.primary), before, 'the dry run wrote nothing');
    const summary = await runImport(app.database.primary, planFromCsv(good));
    t.match(summary, { versions: 2, lines: 4, created: { elections: 1, candidates: 2 } });
    const results = await get(app, '/v1/elections/fr.presidential.2027-04-11/results');
    t.match(results.body, {
      version: 2,
      status: 'certified',
      lines: [{ name: 'Marine Example', votes: 610, percent: 61 }, { name: 'Jean Example' }],
    });
    t.equal((await get(app, '/v1/candidates?q=marine')).status, 200);
  });

  t.test('JSON in the seed format, with problems reported by path', async (t) => {
    const [kazakhstan] = await readSeedFiles();
    const again = JSON.stringify(kazakhstan);
    try {
      await runImport(app.database.primary, planFromJson(again));
      t.fail('the import should fail');
    } catch (err) {
      t.match((err as ImportError).problems, [{ where: 'elections.0.results.0', message: /already has version 1/ }]);
    }
    const next = {
      ...kazakhstan!,
      elections: [
        {
          ...kazakhstan!.elections[0]!,
          results: [{ ...kazakhstan!.elections[0]!.results[1]!, number: 3, status: 'correction' }],
        },
      ],
    };
    const summary = await runImport(app.database.primary, planFromJson(JSON.stringify(next)));
    t.match(summary, { versions: 1, lines: 7, kept: { elections: 1, sources: 6, candidates: 7 } });
    t.match((await get(app, `/v1/elections/${KZ2022}/results`)).body, { version: 3, status: 'correction' });
    try {
      planFromJson('{"sources": 1');
      t.fail('malformed JSON should be refused');
    } catch (err) {
      t.match((err as ImportError).problems, [{ where: 'file', message: /not valid JSON/ }]);
    }
  });
});
