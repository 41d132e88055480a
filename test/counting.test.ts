// Counting progress (issue 17): units reporting of total, ballots counted and a published expected
// vote, per contest and per area, in each version; shown in /results, the CSV, the chart and the
// CDF; checked on publish; carried through an export and re-import.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import t from 'tap';
import { runImport } from '../src/import/import.js';
import { type ImportError, planFromCsv } from '../src/import/plan.js';
import { forEachEngine, get } from './helpers/app.js';
import { snapshot } from './helpers/snapshot.js';
import { bearer, send, tokenFor } from './helpers/writes.js';

const nist = JSON.parse(
  readFileSync(new URL('../standards/nist-1500-100-v2.schema.json', import.meta.url), 'utf8'),
) as object;
const ajv = new AjvDraft04.default({ allErrors: true });
addFormats.default(ajv);
ajv.addKeyword({ keyword: 'refTypes', schemaType: 'array' });
const validateCdf = ajv.compile(nist);

const SOURCE = 'kazinform-2022-cec-final-results';

/** An election-night version of a fresh election: 6,262 of 10,101 polling stations, two regions' own progress. */
const night = {
  status: 'unofficial-partial',
  asOf: '2031-05-04T23:00:00+06:00',
  complete: false,
  sourceId: SOURCE,
  percentBase: 'ballots-cast',
  turnout: { registeredVoters: 11_953_465, ballotsCast: 5_000_000 },
  counting: {
    unitsLevel: 'polling-station',
    unitsReporting: 6262,
    unitsTotal: 10_101,
    ballotsCounted: 4_000_000,
    expectedVotes: 8_300_000,
  },
  lines: [
    { candidateId: 'kassym-jomart-tokayev', votes: 3_000_000, percent: 60 },
    { candidateId: 'zhiguli-dairabayev', votes: 1_000_000, percent: 20 },
  ],
  areas: [
    {
      areaId: 'kz-abai',
      turnout: { registeredVoters: 400_000 },
      counting: { unitsLevel: 'polling-station', unitsReporting: 475, unitsTotal: 475 },
    },
    {
      areaId: 'kz-akmola',
      turnout: { registeredVoters: 500_000 },
      counting: { unitsLevel: 'polling-station', unitsReporting: 0, unitsTotal: 717 },
    },
  ],
};

forEachEngine(t, async (t, app) => {
  const auth = bearer(await tokenFor(app, 'write'));
  const election = await send(
    app,
    'POST',
    '/v1/elections',
    { country: 'KZ', type: 'presidential', date: '2031-05-04', sourceId: SOURCE },
    auth,
  );
  t.equal(election.status, 201);
  const id = (election.body as { id: string }).id;
  const results = `/v1/elections/${id}/results`;

  await t.test('refused: more units reporting than in all, an area above its parent', async (t) => {
    const db = app.database.primary;
    const before = await snapshot(db);
    const cases: [string, unknown, RegExp][] = [
      [
        'reporting above the total',
        { ...night, counting: { unitsReporting: 10_102, unitsTotal: 10_101 }, areas: [] },
        /counting\.unitsReporting: is more than the units in all \(10101\)/,
      ],
      [
        'an area with more units than its country',
        { ...night, areas: [{ areaId: 'kz-abai', counting: { unitsReporting: 1, unitsTotal: 20_000 } }] },
        /areas\.0\.counting\.unitsTotal: 20000 is more than kz's 10101/,
      ],
      [
        'ballots counted above ballots cast',
        { ...night, counting: { ...night.counting, ballotsCounted: 5_000_001 }, areas: [] },
        /counting\.ballotsCounted: is more than the ballots cast \(5000000\)/,
      ],
    ];
    for (const [what, body, detail] of cases) {
      const res = await send(app, 'POST', results, body, auth);
      t.equal(res.status, 422, what);
      t.match((res.body as { detail: string }).detail, detail, `${what}: names the field`);
    }
    const negative = await send(app, 'POST', results, { ...night, counting: { unitsReporting: -1 } }, auth);
    t.equal(negative.status, 400, 'a negative count is a 400');
    t.match((negative.body as { errors: { name: string }[] }).errors[0]?.name, /counting\.unitsReporting/);
    const after = await snapshot(db);
    for (const table of ['result_versions', 'result_areas', 'vote_shares', 'changes', 'data_version'])
      t.equal(after[table], before[table], `${table}: nothing written`);
  });

  await t.test('/results: the progress as published, and its share derived', async (t) => {
    const published = await send(app, 'POST', results, night, auth);
    t.equal(published.status, 201, { body: published.body });
    const res = await get(app, `${results}?level=region`);
    t.equal(res.status, 200);
    const body = res.body as {
      counting: object;
      derived: { unitsReportingPercent: number | null };
      areas: { area: { id: string }; counting: object; derived: { unitsReportingPercent: number | null } }[];
    };
    t.same(body.counting, night.counting);
    t.equal(body.derived.unitsReportingPercent, 61.99, '6,262 / 10,101 = 61.99%, labelled derived');
    t.same(
      body.areas.map((a) => [a.area.id, a.counting, a.derived.unitsReportingPercent]),
      [
        [
          'kz-abai',
          {
            unitsLevel: 'polling-station',
            unitsReporting: 475,
            unitsTotal: 475,
            ballotsCounted: null,
            expectedVotes: null,
          },
          100,
        ],
        [
          'kz-akmola',
          {
            unitsLevel: 'polling-station',
            unitsReporting: 0,
            unitsTotal: 717,
            ballotsCounted: null,
            expectedVotes: null,
          },
          0,
        ],
      ],
    );
    const seeded = await get(app, '/v1/elections/kz.presidential.2022-11-20/results');
    t.same(
      (seeded.body as { counting: object }).counting,
      { unitsLevel: null, unitsReporting: null, unitsTotal: null, ballotsCounted: null, expectedVotes: null },
      'nothing published: all null, never made up',
    );
  });

  await t.test('the CSV: the progress in every row of its area', async (t) => {
    const res = await get(app, `${results}?level=region&format=csv`);
    t.equal(res.status, 200);
    const rows = parse<Record<string, string>>(res.body as string, { columns: true, bom: true });
    const national = rows.filter((r) => r.areaId === 'kz');
    t.equal(national.length, 2, 'a row per line');
    for (const row of national)
      t.match(row, {
        unitsLevel: 'polling-station',
        unitsReporting: '6262',
        unitsTotal: '10101',
        unitsReportingPercent: '61.99',
        ballotsCounted: '4000000',
        expectedVotes: '8300000',
      });
    t.match(
      rows.find((r) => r.areaId === 'kz-akmola'),
      { unitsReporting: '0', unitsTotal: '717', kind: '' },
    );
  });

  await t.test('the chart says how much is counted', async (t) => {
    const res = await get(app, `${results}/chart.svg`);
    t.equal(res.status, 200);
    t.match(res.body, '61.99% of polling stations counted (6,262 of 10,101).');
    t.match(res.body, '4,000,000 ballots counted.');
    t.match(res.body, 'Expected vote, as estimated by the source: 8,300,000.');
  });

  await t.test('the CDF: SubUnitsReported, TotalSubUnits and CountStatus, valid against NIST', async (t) => {
    const res = await get(app, `${results}/cdf`);
    t.equal(res.status, 200);
    const valid = validateCdf(res.body);
    t.ok(valid, 'valid against the NIST SP 1500-100 v2 schema');
    if (!valid) t.comment(JSON.stringify(validateCdf.errors?.slice(0, 5), null, 2));
    const report = res.body as {
      GpUnit: {
        '@id': string;
        SubUnitsReported?: number;
        TotalSubUnits?: number;
        CountStatus?: { Status: string }[];
      }[];
      Election: { Contest: { CountStatus?: { Status: string; Type: string }[] }[]; ContestNotes?: string }[];
      Notes?: string;
    };
    const unit = (gpu: string) => report.GpUnit.find((u) => u['@id'] === gpu);
    t.match(unit('gpu-kz'), { SubUnitsReported: 6262, TotalSubUnits: 10_101, CountStatus: [{ Status: 'in-process' }] });
    t.match(unit('gpu-kz-abai'), { SubUnitsReported: 475, TotalSubUnits: 475, CountStatus: [{ Status: 'completed' }] });
    t.match(unit('gpu-kz-akmola'), { SubUnitsReported: 0, CountStatus: [{ Status: 'not-processed' }] });
    t.same(report.Election[0]!.Contest[0]!.CountStatus, [
      { '@type': 'ElectionResults.CountStatus', Status: 'in-process', Type: 'total' },
    ]);
    t.match(report.Notes, 'ballots counted 4000000');
    t.match(report.Notes, "expected vote (the source's estimate) 8300000");
    const seeded = await get(app, '/v1/elections/kz.presidential.2022-11-20/results/cdf');
    t.notMatch(JSON.stringify(seeded.body), /SubUnitsReported|CountStatus/, 'none where none is published');
  });

  await t.test('exported as CSV and imported back: the same progress', async (t) => {
    const exported = await get(app, `${results}/versions/1?level=region&format=csv`);
    const edited = String(exported.body).replaceAll(',1,unofficial-partial,', ',2,unofficial-complete,');
    t.match(await runImport(app.database.primary, planFromCsv(edited)), { versions: 1 });
    const [before, after] = [
      (await get(app, `${results}/versions/1?level=region`)).body,
      (await get(app, `${results}/versions/2?level=region`)).body,
    ] as { counting: object; areas: { area: { id: string }; counting: object }[] }[];
    t.same(after!.counting, before!.counting);
    t.same(
      after!.areas.map((a) => [a.area.id, a.counting]),
      before!.areas.map((a) => [a.area.id, a.counting]),
    );
    const conflicting = String(exported.body)
      .replaceAll(',1,unofficial-partial,', ',3,unofficial-complete,')
      .replace(',6262,', ',6263,');
    const refused = (() => {
      try {
        planFromCsv(conflicting);
        return [];
      } catch (err) {
        return (err as ImportError).problems.map((p) => p.message);
      }
    })();
    t.match(refused, [/counting columns differ/], 'two rows of one area disagreeing: refused');
  });
});
