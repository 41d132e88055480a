import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { openDatabase } from '../src/db/client.js';
import { readSeedFiles, seed } from '../src/db/seed.js';
import { runImport } from '../src/import/import.js';
import { ImportError, type ImportPlan, planFromCsv, planFromJson } from '../src/import/plan.js';
import { loadResults } from '../src/modules/results/results.service.js';
import { lineColumns } from '../src/modules/vote-shares/vote-shares.columns.js';
import { forEachEngine, get } from './helpers/app.js';
import { snapshot } from './helpers/snapshot.js';

const example = await readFile(new URL('../docs/examples/kazakhstan-2022.csv', import.meta.url), 'utf8');
const oldHeader = example.split('\n')[0]!;
const KZ2022 = 'kz.presidential.2022-11-20';
const SOURCE = 'kazinform-2022-cec-final-results';

/** Rows for a new election in the old columns (no contest, areaId or seats). */
const oldRows = (lines: string[]) => [oldHeader, ...lines].join('\n');
const fr = (version: number, status: string, line: string) =>
  `fr.presidential.2027-04-11,FR,2027-04-11,presidential,${version},${status},2027-04-11,true,lines-total,tass-2019-final-results,,,,,,${line}`;

type Row = Partial<Record<(typeof lineColumns)[number], string | number | boolean | null>>;
/** A CSV in the import's columns (quoted where a cell needs it); a cell left out is empty. */
const csvOf = (rows: Row[]) =>
  stringify([[...lineColumns], ...rows.map((r) => lineColumns.map((c) => r[c] ?? ''))], {
    cast: { boolean: String }, // csv-stringify's default writes false as ''
  });
/** The tables an import writes to; a snapshot covers every table, and must hold these. */
const WRITTEN = [
  'result_versions',
  'result_areas',
  'vote_shares',
  'result_version_sources',
  'contests',
  'areas',
  'elections',
  'candidates',
  'organisations',
  'sources',
  'data_version',
];
const table = (body: unknown) => parse<Record<string, string>>(String(body), { columns: true });

/** The problems an import refuses with; fails the test when it is accepted. */
async function refused(t: Test, app: FastifyInstance, plan: () => ImportPlan) {
  try {
    await runImport(app.database.primary, plan());
  } catch (err) {
    if (err instanceof ImportError) return err.problems.map((p) => `${p.where}: ${p.message}`).join('\n');
    throw err;
  }
  t.fail('the import should be refused');
  return '';
}

t.test('the example file loads into a database that has only the sources, and serves the seeded figures', async (t) => {
  const database = await openDatabase({ dataDir: 'memory://' });
  await database.migrate();
  const [kazakhstan] = await readSeedFiles();
  await seed(database.primary, [
    { ...kazakhstan!, organisations: [], candidates: [], elections: [], names: [], identifiers: [] },
  ]);
  const summary = await runImport(database.primary, planFromCsv(example));
  t.match(summary, {
    versions: 2,
    lines: 8,
    created: { elections: 1, contests: 1, candidates: 6, organisations: 6, sources: 0, areas: 0 },
  });
  const results = await loadResults(database.primary, { electionId: KZ2022 });
  t.match(results, {
    version: 2,
    status: 'certified',
    contest: { id: 'president', main: true, kind: 'candidate' },
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
  t.match(await loadResults(database.primary, { electionId: KZ2022, number: 1 }), {
    status: 'unofficial-complete',
    lines: [{ percent: 81.3, votes: null }],
  });
  await database.close();
});

forEachEngine(t, async (t, app) => {
  const db = app.database.primary;

  t.test('old columns: a file with problems is refused whole, every problem with its row', async (t) => {
    const bad = oldRows([
      fr(1, 'unofficial-complete', 'candidate,Marine Example,marine-example,,,600,60,1,,false'),
      fr(1, 'unofficial-complete', 'candidate,Jean Example,jean-example,,,400,40,2,,false'),
      fr(2, 'certified', 'candidate,Marine Example,marine-example,,,600,61.5,1,,false'),
      fr(2, 'certified', 'candidate,Jean Example,jean-example,,,400,38.5,2,,false'),
      fr(4, 'certified', 'candidate,Marine Example,marine-example,,,lots,60,1,,false'),
      `${KZ2022},KZ,2022-11-20,presidential,1,certified,2022-11-22,true,lines-total,${SOURCE},,,,,,candidate,,kassym-jomart-tokayev,,,1,100,1,elected,false`,
    ]);
    const before = await snapshot(db);
    t.same(
      WRITTEN.filter((table) => !(table in before)),
      [],
      'the snapshot holds every table an import writes',
    );
    t.match(await refused(t, app, () => planFromCsv(bad)), /^row 6: votes: /, 'parsing problems come first, by row');
    t.same(await snapshot(db), before, 'nothing was written');

    const text = await refused(t, app, () => planFromCsv(bad.replace(',lots,', ',600,')));
    t.match(text, /row 4: percent: 61\.5 disagrees/, 'a percentage that disagrees with the votes, at its row');
    t.match(text, /row 5: percent: 38\.5 disagrees/);
    t.match(text, /row 6: .*version 4 would leave a gap: the next is 3/, 'a gap in the version numbers');
    t.match(text, /row 7: .*already has version 1: versions are append-only, so the next is 11/, 'an existing version');
    t.same(await snapshot(db), before, 'nothing was written');
  });

  t.test('old columns: a valid file, dry run first, then one transaction writes it all', async (t) => {
    const good = oldRows([
      fr(1, 'unofficial-complete', 'candidate,Marine Example,marine-example,,,600,60,1,,false'),
      fr(1, 'unofficial-complete', 'candidate,Jean Example,jean-example,,,400,40,2,,false'),
      fr(2, 'certified', 'candidate,Marine Example,marine-example,,,610,61,1,elected,false'),
      fr(2, 'certified', 'candidate,Jean Example,jean-example,,,390,39,2,defeated,false'),
    ]);
    const before = await snapshot(db);
    const dry = await runImport(db, planFromCsv(good), { dryRun: true });
    t.match(dry, { versions: 2, lines: 4, created: { elections: 1, contests: 1, candidates: 2 } });
    t.same(await snapshot(db), before, 'the dry run wrote nothing');
    const summary = await runImport(db, planFromCsv(good));
    t.same(summary, dry, 'the run did what the dry run said');
    const results = await get(app, '/v1/elections/fr.presidential.2027-04-11/results');
    t.match(results.body, {
      version: 2,
      status: 'certified',
      contest: { id: 'president', main: true },
      area: { id: 'fr' },
      lines: [{ name: 'Marine Example', votes: 610, percent: 61 }, { name: 'Jean Example' }],
    });
    t.equal((await get(app, '/v1/candidates?q=marine')).status, 200);
    t.match(
      (await get(app, '/v1/candidates?q=marine')).body,
      { data: [{ name: 'Marine Example' }] },
      'an imported person is searchable at once, not after a restart',
    );
  });

  const E29 = 'kz.presidential.2029-01-14';
  const at29 = { electionId: E29, asOf: '2029-01-16', percentBase: 'lines-total', sourceId: SOURCE };
  t.test("CSV per area: a region's rows, a turnout-only row, the national figures", async (t) => {
    const v1 = {
      ...at29,
      version: 1,
      status: 'unofficial-partial',
      asOf: '2029-01-14T12:00:00+06:00',
      complete: false,
    };
    const v2 = { ...at29, version: 2, status: 'certified', complete: true };
    const nation = { ...v2, registeredVoters: 2000, ballotsCast: 1050 };
    const abai = { ...v2, areaId: 'kz-abai', registeredVoters: 300, ballotsCast: 170 };
    const csv = csvOf([
      { ...v1, turnoutPercent: 20.5 },
      { ...v1, areaId: 'kz-abai', turnoutPercent: 25.1 },
      { ...v1, areaId: 'kz-astana', turnoutPercent: 18 },
      {
        ...nation,
        kind: 'candidate',
        name: 'Kassym-Jomart Tokayev',
        candidateId: 'kassym-jomart-tokayev',
        votes: 600,
        percent: 60,
        rank: 1,
        outcome: 'elected',
      },
      {
        ...nation,
        kind: 'candidate',
        candidateId: 'zhiguli-dairabayev',
        votes: 300,
        percent: 30,
        rank: 2,
        outcome: 'defeated',
      },
      { ...nation, kind: 'against-all', name: 'Against all', votes: 100, percent: 10 },
      { ...abai, kind: 'candidate', candidateId: 'kassym-jomart-tokayev', votes: 100, percent: 62.5 },
      { ...abai, kind: 'candidate', candidateId: 'zhiguli-dairabayev', votes: 50, percent: 31.25 },
      { ...abai, kind: 'against-all', name: 'Against all', votes: 10, percent: 6.25 },
      { ...v2, areaId: 'kz-astana', complete: false, registeredVoters: 500, ballotsCast: 260 },
    ]);
    const summary = await runImport(db, planFromCsv(csv));
    t.match(summary, { versions: 2, lines: 6, created: { elections: 1, contests: 1, areas: 0 } });

    const first = await get(app, `/v1/elections/${E29}/results/versions/1?level=region`);
    t.equal(first.status, 200);
    t.match(first.body, { turnout: { turnoutPercent: 20.5 }, lines: [] });
    t.same(
      (first.body as { areas: { area: { id: string }; turnout: { turnoutPercent: number } }[] }).areas.map((a) => [
        a.area.id,
        a.turnout.turnoutPercent,
      ]),
      [
        ['kz-abai', 25.1],
        ['kz-astana', 18],
      ],
      'the regions the file gives, and only those',
    );
    const res = await get(app, `/v1/elections/${E29}/results?level=region`);
    t.match(res.body, {
      version: 2,
      turnout: { registeredVoters: 2000, ballotsCast: 1050 },
      lines: [
        { name: 'Kassym-Jomart Tokayev', votes: 600 },
        { name: 'Zhiguli Dairabayev' },
        { name: 'Against all', kind: 'against-all' },
      ],
      areas: [
        {
          area: { id: 'kz-abai', isoCode: 'KZ-10' },
          complete: true,
          turnout: { registeredVoters: 300, ballotsCast: 170 },
          lines: [
            { name: 'Kassym-Jomart Tokayev', votes: 100, percent: 62.5 },
            { name: 'Zhiguli Dairabayev', votes: 50 },
            { name: 'Against all', votes: 10 },
          ],
        },
        { area: { id: 'kz-astana' }, complete: false, turnout: { ballotsCast: 260 }, lines: [] },
      ],
    });
  });

  t.test('CSV party lists: party lines with seats, a new party, a region', async (t) => {
    const v = {
      electionId: 'kz.parliamentary.2028-03-19',
      version: 1,
      status: 'certified',
      asOf: '2028-03-27',
      complete: true,
      percentBase: 'valid-votes',
      sourceId: SOURCE,
    };
    const nation = { ...v, registeredVoters: 12000, ballotsCast: 7000, validVotes: 6800, invalidVotes: 200 };
    const city = { ...v, areaId: 'kz-almaty-city', registeredVoters: 1000, ballotsCast: 600, validVotes: 580 };
    const csv = csvOf([
      {
        ...nation,
        kind: 'party',
        name: 'Amanat',
        nominatorId: 'amanat',
        votes: 4080,
        percent: 60,
        outcome: 'elected',
        seats: 45,
      },
      {
        ...nation,
        kind: 'party',
        name: 'Example "Party", Ltd.\nList',
        nominatorId: 'example-party',
        votes: 1700,
        percent: 25,
        outcome: 'elected',
        seats: 24,
      },
      { ...nation, kind: 'party', nominatorId: 'baytaq', votes: 680, percent: 10, outcome: 'defeated', seats: 0 },
      { ...nation, kind: 'against-all', name: 'Against all', votes: 340, percent: 5 },
      { ...city, kind: 'party', nominatorId: 'amanat', votes: 290, percent: 50 },
      { ...city, kind: 'party', nominatorId: 'example-party', votes: 232, percent: 40 },
      { ...city, kind: 'party', nominatorId: 'baytaq', votes: 29, percent: 5 },
      { ...city, kind: 'against-all', name: 'Against all', votes: 29, percent: 5 },
    ]);
    const summary = await runImport(db, planFromCsv(csv));
    t.match(summary, { versions: 1, lines: 8, created: { elections: 1, contests: 1, organisations: 1 } });
    const res = await get(app, '/v1/elections/kz.parliamentary.2028-03-19/results?level=region');
    t.match(res.body, {
      contest: { id: 'party-list', kind: 'party-list', main: true },
      lines: [
        { kind: 'party', name: 'AMANAT', seats: 45, outcome: 'elected' },
        { kind: 'party', name: 'Example "Party", Ltd.\nList', seats: 24, nominator: { id: 'example-party' } },
        { kind: 'party', seats: 0 },
        { kind: 'against-all', seats: null },
      ],
      areas: [{ area: { id: 'kz-almaty-city' }, lines: [{ votes: 290, seats: null }, { votes: 232 }, {}, {}] }],
    });
    t.match((await get(app, '/v1/organisations/example-party')).body, {
      name: 'Example "Party", Ltd.\nList',
      kind: 'party',
    });
  });

  t.test('CSV referendum: options and other counts, per region', async (t) => {
    const v = {
      electionId: 'kz.referendum.2029-06-02',
      contest: 'question-1',
      version: 1,
      status: 'certified',
      asOf: '2029-06-03',
      complete: true,
      percentBase: 'ballots-cast',
      sourceId: SOURCE,
    };
    const nation = { ...v, areaId: 'kz', registeredVoters: 1500, ballotsCast: 1000 };
    const region = { ...v, areaId: 'kz-shymkent', registeredVoters: 150, ballotsCast: 100 };
    const csv = csvOf([
      { ...nation, kind: 'option', name: 'Yes', votes: 700, percent: 70 },
      { ...nation, kind: 'option', name: 'No', votes: 250, percent: 25 },
      { ...nation, kind: 'other', name: 'Both options marked', votes: 20, percent: 2 },
      { ...nation, kind: 'other', name: 'Invalid', votes: 30, percent: 3 },
      { ...region, kind: 'option', name: 'Yes', votes: 80, percent: 80 },
      { ...region, kind: 'option', name: 'No', votes: 15, percent: 15 },
      { ...region, kind: 'other', name: 'Invalid', votes: 5, percent: 5 },
    ]);
    t.match(await runImport(db, planFromCsv(csv)), { versions: 1, lines: 7, created: { contests: 1 } });
    const res = await get(app, '/v1/elections/kz.referendum.2029-06-02/results?level=region');
    t.match(res.body, {
      contest: { id: 'question-1', kind: 'ballot-question' },
      percentBase: 'ballots-cast',
      lines: [
        { kind: 'option', name: 'Yes', votes: 700, percent: 70 },
        { kind: 'option', name: 'No' },
        { kind: 'other', name: 'Invalid' },
        { kind: 'other', name: 'Both options marked' },
      ],
      areas: [
        { area: { id: 'kz-shymkent' }, lines: [{ name: 'Yes', votes: 80 }, { name: 'No' }, { name: 'Invalid' }] },
      ],
    });
  });

  t.test('CSV problems: each names its row, and nothing is written', async (t) => {
    const before = await snapshot(db);
    const v = {
      electionId: 'kz.referendum.2022-06-05',
      version: 8,
      status: 'correction',
      asOf: '2022-06-08',
      complete: false,
      percentBase: 'unknown',
      sourceId: SOURCE,
    };
    const parsing = await refused(t, app, () =>
      planFromCsv(
        csvOf([
          { ...v, ballotsCast: 1000 },
          { ...v, status: 'recount', ballotsCast: 1000 },
          { ...v, areaId: 'kz-akmola', ballotsCast: 500, kind: 'option', name: 'Yes', votes: 10 },
          { ...v, areaId: 'kz-akmola', ballotsCast: 400, kind: 'option', name: 'No', votes: 10 },
          { ...v, areaId: 'kz-aktobe', votes: 5 },
          { ...v, kind: 'maybe', name: 'Yes' },
        ]),
      ),
    );
    t.match(parsing, /^row 3: status, asOf, percentBase or sourceId differ from row 2/m, 'version-level columns agree');
    t.match(
      parsing,
      /^row 5: complete or the turnout or counting columns differ from row 4: they are area kz-akmola's figures/m,
    );
    t.match(parsing, /^row 6: a row with no kind, name or candidateId gives turnout only; it cannot have votes/m);
    t.match(parsing, /^row 7: kind: must be one of candidate/m);

    t.match(
      await refused(t, app, () => planFromCsv(`${lineColumns.join(',')}\n"unclosed,1\n`)),
      /^file: not valid CSV: line 2: a quoted cell is never closed$/,
    );
    t.match(
      await refused(t, app, () => planFromCsv(`${lineColumns.join(',')}\nkz.presidential.2022-11-20,1\n`)),
      new RegExp(`^file: not valid CSV: line 2: 2 cells where the header has ${lineColumns.length}$`),
    );
    const header = await refused(t, app, () => planFromCsv('electionId,version,votes,colour\n'));
    t.match(header, /^header: unknown column 'colour'$/m);
    t.match(header, /^header: missing column 'status'$/m);

    const rules = await refused(t, app, () =>
      planFromCsv(
        csvOf([
          { ...v, registeredVoters: 2000, ballotsCast: 1000 },
          { ...v, areaId: 'kz-abai', turnoutPercent: 50 },
          { ...v, areaId: 'kz-akmola', ballotsCast: 1200, kind: 'option', name: 'Yes', votes: 10 },
          { ...v, areaId: 'kz-akmola', ballotsCast: 1200, kind: 'candidate', candidateId: 'nobody-at-all', votes: 10 },
          { ...v, areaId: 'kz-nowhere', turnoutPercent: 10 },
          { ...v, areaId: 'kz-aktobe', ballotsCast: 100, kind: 'option', name: 'Yes', votes: 150 },
          { ...v, version: 10, kind: 'option', name: 'Yes', votes: 1 },
          { ...v, contest: 'question-9', version: 1, kind: 'option', name: 'Yes', votes: 1 },
          {
            ...v,
            electionId: 'kz.presidential.2022-11-20',
            version: 11,
            percentBase: 'lines-total',
            complete: true,
            kind: 'candidate',
            candidateId: 'kassym-jomart-tokayev',
            votes: 60,
            percent: 70,
          },
          {
            ...v,
            electionId: 'kz.presidential.2022-11-20',
            version: 11,
            percentBase: 'lines-total',
            complete: true,
            kind: 'against-all',
            name: 'Against all',
            votes: 40,
            percent: 30,
          },
          { ...v, registeredVoters: 2000, ballotsCast: 1000, kind: 'option', name: 'Yes', votes: 5 },
          { ...v, areaId: 'kz-atyrau', kind: 'party', name: 'A party with no id' },
        ]),
      ),
    );
    t.match(rules, /^row 3: areaId: did not exist on polling day \(2022-06-05\)/m, 'an area created after polling day');
    t.match(rules, /^rows 4-5: ballotsCast: 1200 is more than kz's 1000/m, "an area's turnout above its parent's");
    t.match(
      rules,
      /^row 5: candidateId: no candidate has the id 'nobody-at-all'/m,
      'an unknown candidate in an area line',
    );
    t.match(rules, /^row 6: areaId: no area has the id 'kz-nowhere'/m, 'an unknown area');
    t.match(rules, /^row 7: the lines' votes \(150\) are more than the ballots cast \(100\)/m);
    t.match(rules, /^row 8: kz\.referendum\.2022-06-05 version 10 would leave a gap: the next is 9/m);
    t.match(rules, /^row 9: kz\.referendum\.2022-06-05 has no contest 'question-9'/m, 'a contest that does not exist');
    t.match(rules, /^row 10: percent: 70 disagrees with votes \/ lines-total = 60/m, 'a percentage, at its row');
    t.match(rules, /^row 11: percent: 30 disagrees/m);
    t.match(rules, /^row 4: votes: 10 is more than kz's 5/m, "an area's line above its parent's");
    t.match(rules, /^row 7: votes: 150 is more than kz's 5/m);
    t.match(rules, /^row 13: nominatorId: is required for a party line/m, 'a party line names its party');
    t.same(await snapshot(db), before, 'nothing was written');
  });

  t.test('JSON: new areas, a new contest, per-area versions, and the legacy results of the main contest', async (t) => {
    const [kazakhstan] = await readSeedFiles();
    const again = await refused(t, app, () => planFromJson(JSON.stringify(kazakhstan)));
    t.match(again, /^elections\.0\.contests\.0\.results\.0: kz\.presidential\.2022-11-20 already has version 1/m);

    const line = (label: string, votes: number, percent: number, kind = 'option') => ({
      kind,
      candidateId: null,
      label,
      nominatorId: null,
      votes,
      percent,
      rank: null,
      outcome: null,
    });
    const version = (number: number, status: string, extra: object) => ({
      number,
      status,
      asOf: '2022-06-07',
      complete: true,
      publishedBy: null,
      registeredVoters: null,
      ballotsCast: null,
      validVotes: null,
      invalidVotes: null,
      turnoutPercent: null,
      percentBase: 'ballots-cast',
      note: 'A test figure, not a real one.',
      sourceId: SOURCE,
      additionalSources: [],
      lines: [],
      ...extra,
    });
    const referendum = kazakhstan!.elections.find((e) => e.id === 'kz.referendum.2022-06-05')!;
    const file = {
      sources: [
        {
          id: 'import-test-source',
          publisher: 'Import test',
          title: null,
          url: null,
          published: null,
          kind: 'news',
          language: 'en',
          note: 'Not a real source.',
        },
      ],
      areas: [
        {
          id: 'kz-akmola-district-1',
          countryCode: 'KZ',
          parentId: 'kz-akmola',
          level: 'district',
          name: 'District 1',
          isoCode: null,
          authorityCode: '1',
          validFrom: null,
          validTo: null,
          note: 'Test area.',
          sourceId: 'import-test-source',
        },
        {
          id: 'kz-akmola-district-1-ps-7',
          countryCode: 'KZ',
          parentId: 'kz-akmola-district-1',
          level: 'polling-station',
          name: 'Polling station 7',
          isoCode: null,
          authorityCode: '7',
          validFrom: null,
          validTo: null,
          note: null,
          sourceId: 'import-test-source',
        },
        {
          id: 'kz-akmola',
          countryCode: 'KZ',
          parentId: 'kz',
          level: 'region',
          name: 'Akmola',
          isoCode: 'KZ-11',
          authorityCode: null,
          validFrom: null,
          validTo: null,
          note: null,
          sourceId: 'iso-3166-2-kz',
        },
      ],
      organisations: [],
      candidates: [],
      elections: [
        {
          ...referendum,
          contests: [
            {
              slug: 'question-2',
              kind: 'ballot-question',
              name: 'Question 2',
              areaId: 'kz',
              seats: null,
              thresholdPercent: null,
              main: false,
              note: 'A test contest.',
              sourceId: 'import-test-source',
              results: [
                version(1, 'certified', {
                  registeredVoters: 10000,
                  ballotsCast: 5000,
                  lines: [line('Yes', 4000, 80), line('No', 1000, 20)],
                  areas: [
                    {
                      areaId: 'kz-akmola',
                      registeredVoters: 800,
                      ballotsCast: 400,
                      validVotes: null,
                      invalidVotes: null,
                      turnoutPercent: 50,
                      complete: true,
                      lines: [line('Yes', 300, 75), line('No', 100, 25)],
                    },
                    // Not complete: the sums of Akmola's areas are not checked (it has others the source left out).
                    {
                      areaId: 'kz-akmola-district-1',
                      registeredVoters: 100,
                      ballotsCast: 40,
                      validVotes: null,
                      invalidVotes: null,
                      turnoutPercent: 40,
                      complete: false,
                      lines: [line('Yes', 30, 75), line('No', 10, 25)],
                    },
                    {
                      areaId: 'kz-akmola-district-1-ps-7',
                      registeredVoters: 100,
                      ballotsCast: 40,
                      validVotes: null,
                      invalidVotes: null,
                      turnoutPercent: 40,
                      complete: true,
                      lines: [line('Yes', 30, 75), line('No', 10, 25)],
                    },
                  ],
                }),
              ],
            },
          ],
        },
        {
          ...kazakhstan!.elections.find((e) => e.id === 'kz.presidential.2019-06-09')!,
          contests: [],
          results: [
            version(5, 'correction', {
              percentBase: 'unknown',
              complete: false,
              lines: [{ ...line('Against all', 1, 0.1, 'against-all') }],
            }),
          ],
        },
      ],
    };
    const summary = await runImport(db, planFromJson(JSON.stringify(file)));
    t.match(summary, {
      versions: 2,
      lines: 9,
      created: { sources: 1, areas: 2, contests: 1, elections: 0 },
      kept: { areas: 1, elections: 2, contests: 0 },
    });
    const q2 = await get(
      app,
      '/v1/elections/kz.referendum.2022-06-05/contests/question-2/results?area=kz-akmola&level=district',
    );
    t.match(q2.body, {
      contest: { id: 'question-2', main: false },
      area: { id: 'kz-akmola' },
      turnout: { ballotsCast: 400 },
      lines: [
        { name: 'Yes', votes: 300 },
        { name: 'No', votes: 100 },
      ],
      areas: [{ area: { id: 'kz-akmola-district-1', level: 'district' }, lines: [{ votes: 30 }, { votes: 10 }] }],
    });
    t.match((await get(app, '/v1/areas/kz-akmola-district-1-ps-7')).body, {
      parentId: 'kz-akmola-district-1',
      level: 'polling-station',
    });
    t.match((await get(app, '/v1/elections/kz.presidential.2019-06-09/results')).body, {
      version: 5,
      status: 'correction',
    });
  });

  // After the JSON test: kz-akmola-district-1 has one area within it, polling station 7.
  t.test("CSV: when every area within a parent is complete, they add up to the parent's figures", async (t) => {
    const v = {
      electionId: 'kz.referendum.2022-06-05',
      contest: 'question-2',
      version: 2,
      status: 'correction',
      asOf: '2022-06-08',
      complete: true,
      percentBase: 'ballots-cast',
      sourceId: SOURCE,
    };
    const district = { ...v, areaId: 'kz-akmola-district-1', registeredVoters: 100, ballotsCast: 40 };
    const station = { ...v, areaId: 'kz-akmola-district-1-ps-7', registeredVoters: 100, ballotsCast: 39 };
    const rows = (asIs: boolean) => [
      { ...district, publishedAsIs: asIs },
      { ...district, kind: 'option', name: 'Yes', votes: 30, percent: 75 },
      { ...district, kind: 'option', name: 'No', votes: 10, percent: 25 },
      { ...station, kind: 'option', name: 'Yes', votes: 29, percent: 74.359 },
      { ...station, kind: 'option', name: 'No', votes: 10, percent: 25.641 },
    ];
    const before = await snapshot(db);
    const text = await refused(t, app, () => planFromCsv(csvOf(rows(false))));
    t.match(text, /^rows 2-4: ballotsCast: 40 is not the sum of the areas within kz-akmola-district-1 \(39\)$/m);
    t.match(text, /^row 3: votes: 30 is not the sum of the areas within kz-akmola-district-1 \(29\)$/m);
    t.notMatch(text, /row 4: votes/, 'a line that adds up is not reported');
    t.same(await snapshot(db), before, 'nothing was written');

    // The same figures, marked as the source printed them.
    t.match(await runImport(db, planFromCsv(csvOf(rows(true)))), { versions: 1, lines: 4 });
    const res = await get(
      app,
      '/v1/elections/kz.referendum.2022-06-05/contests/question-2/results?area=kz-akmola-district-1&level=polling-station',
    );
    t.equal(res.status, 200);
    t.match(res.body, {
      version: 2,
      status: 'correction',
      turnout: { ballotsCast: 40 },
      lines: [{ name: 'Yes', votes: 30 }, { name: 'No' }],
      areas: [{ area: { id: 'kz-akmola-district-1-ps-7' }, turnout: { ballotsCast: 39 }, lines: [{ votes: 29 }, {}] }],
    });
  });

  t.test('JSON problems: each names its path, and nothing is written', async (t) => {
    const before = await snapshot(db);
    const area = (id: string, parentId: string | null, isoCode: string | null) => ({
      id,
      countryCode: 'KZ',
      parentId,
      level: 'region',
      name: id,
      isoCode,
      authorityCode: null,
      validFrom: null,
      validTo: null,
      note: null,
      sourceId: SOURCE,
    });
    const v = {
      number: 1,
      status: 'certified',
      asOf: null,
      complete: false,
      publishedBy: null,
      registeredVoters: 100,
      ballotsCast: 50,
      validVotes: null,
      invalidVotes: null,
      turnoutPercent: null,
      percentBase: 'unknown',
      note: null,
      sourceId: SOURCE,
      additionalSources: [],
      lines: [],
      areas: [
        {
          areaId: 'kz-abai',
          registeredVoters: 200,
          ballotsCast: null,
          validVotes: null,
          invalidVotes: null,
          turnoutPercent: null,
          lines: [],
        },
        {
          areaId: 'fr',
          registeredVoters: 1,
          ballotsCast: null,
          validVotes: null,
          invalidVotes: null,
          turnoutPercent: null,
          lines: [],
        },
        {
          areaId: 'kz-abai',
          registeredVoters: 10,
          ballotsCast: null,
          validVotes: null,
          invalidVotes: null,
          turnoutPercent: null,
          lines: [],
        },
      ],
    };
    const election = {
      id: 'kz.local.2029-09-09',
      countryCode: 'KZ',
      type: 'local',
      date: '2029-09-09',
      snap: null,
      round: 1,
      previousRoundId: null,
      termEndYear: null,
      candidateCount: null,
      note: null,
      sourceId: SOURCE,
      results: [v],
      contests: [
        {
          slug: 'mayor',
          kind: 'candidate',
          name: 'Mayor',
          areaId: 'kz-nowhere',
          seats: 1,
          thresholdPercent: null,
          main: false,
          note: null,
          sourceId: SOURCE,
          results: [],
        },
      ],
    };
    const file = {
      sources: [],
      areas: [
        area('kz-test-1', 'kz', 'KZ-99'),
        area('kz-test-2', 'kz-missing', null),
        area('kz-test-3', 'kz', 'KZ-10'),
      ],
      organisations: [],
      candidates: [],
      elections: [
        election,
        {
          ...election,
          id: 'kz.presidential.2022-11-20',
          type: 'presidential',
          date: '2022-11-20',
          results: [{ ...v, areas: [], number: 3, status: 'recount' }],
          contests: [],
        },
      ],
    };
    const text = await refused(t, app, () => planFromJson(JSON.stringify(file)));
    t.match(text, /^area kz-test-1: isoCode: KZ-99 is not an ISO 3166-2 code of KZ/m, 'ISO 3166-2 codes are checked');
    t.match(text, /^area kz-test-2: parentId: no area has the id 'kz-missing'/m);
    t.match(text, /^area kz-test-3: isoCode: KZ-10 is already area kz-abai's/m);
    t.match(text, /^contest kz\.local\.2029-09-09 mayor: areaId: no area has the id 'kz-nowhere'/m);
    t.match(
      text,
      /^elections\.0\.results\.0: areas\.0\.registeredVoters: 200 is more than kz's 100/m,
      'an area field by its path',
    );
    t.match(text, /^elections\.0\.results\.0: areas\.1\.areaId: is not within the contest's area \(kz\)/m);
    t.match(text, /^elections\.0\.results\.0: areas\.2\.areaId: repeats areas\.0/m, 'an area given twice');
    t.match(text, /^elections\.1\.results\.0: kz\.presidential\.2022-11-20 already has version 3: .* the next is 11/m);
    t.same(await snapshot(db), before, 'nothing was written');
    t.match(await refused(t, app, () => planFromJson('{"sources": 1')), /^file: not valid JSON/);
  });

  t.test('a region-level CSV export imports back as a new version with the same regional figures', async (t) => {
    const url = `/v1/elections/${KZ2022}/results/versions/3?level=region`;
    const exported = await get(app, `${url}&format=csv`);
    t.equal(exported.status, 200);
    const rows = table(exported.body);
    t.equal(rows.length, 21, 'the country and its 20 regions');
    t.match(rows[1], {
      contest: 'president',
      version: '3',
      areaId: 'kz-abai',
      areaIsoCode: 'KZ-10',
      kind: '',
      turnoutPercent: '69.32',
    });
    // After the certified version 10 only a recount or a correction may follow.
    const edited = String(exported.body).replaceAll(',president,3,unofficial-partial,', ',president,11,correction,');
    t.match(await runImport(db, planFromCsv(edited)), {
      versions: 1,
      lines: 0,
      created: { elections: 0, contests: 0 },
    });

    const [before, after] = [
      (await get(app, url)).body,
      (await get(app, `/v1/elections/${KZ2022}/results/versions/11?level=region`)).body,
    ] as {
      version: number;
      status: string;
      turnout: object;
      areas: { area: { id: string }; turnout: object; complete: boolean; lines: unknown[] }[];
    }[];
    t.match(after, { version: 11, status: 'correction' });
    t.same(after!.turnout, before!.turnout, "the country's figures");
    t.same(
      after!.areas.map((a) => [a.area.id, a.turnout, a.complete, a.lines]),
      before!.areas.map((a) => [a.area.id, a.turnout, a.complete, a.lines]),
      "every region's figures",
    );
    t.equal(after!.areas.length, 20);
  });

  t.test('a region-level CSV with lines at every level re-imports with the same figures', async (t) => {
    // Version 2 of E29 (the per-area CSV test): national lines, Abai's lines, Astana's turnout only.
    const url = `/v1/elections/${E29}/results/versions/2?level=region`;
    const exported = await get(app, `${url}&format=csv`);
    t.equal(exported.status, 200);
    t.match(exported.headers['content-type'], /^text\/csv/);
    t.same(
      table(exported.body).map((r) => [r.areaId, r.kind, r.candidateId, r.votes]),
      [
        ['kz', 'candidate', 'kassym-jomart-tokayev', '600'],
        ['kz', 'candidate', 'zhiguli-dairabayev', '300'],
        ['kz', 'against-all', '', '100'],
        ['kz-abai', 'candidate', 'kassym-jomart-tokayev', '100'],
        ['kz-abai', 'candidate', 'zhiguli-dairabayev', '50'],
        ['kz-abai', 'against-all', '', '10'],
        ['kz-astana', '', '', ''],
      ],
    );
    const edited = String(exported.body).replaceAll(',president,2,certified,', ',president,3,recount,');
    t.match(await runImport(db, planFromCsv(edited)), { versions: 1, lines: 6, created: { candidates: 0 } });

    type Doc = { version: number; status: string; turnout: object; complete: boolean; lines: { id?: number }[] };
    const figures = (d: Doc) => ({
      complete: d.complete,
      turnout: d.turnout,
      lines: d.lines.map(({ id: _id, ...line }) => line),
    });
    const [before, after] = [
      (await get(app, url)).body,
      (await get(app, `/v1/elections/${E29}/results/versions/3?level=region`)).body,
    ] as (Doc & { areas: (Doc & { area: { id: string } })[] })[];
    t.match(after, { version: 3, status: 'recount' });
    t.same(figures(after!), figures(before!), "the country's turnout and lines");
    t.same(
      after!.areas.map((a) => [a.area.id, figures(a)]),
      before!.areas.map((a) => [a.area.id, figures(a)]),
      "each region's turnout and lines",
    );
  });
});
