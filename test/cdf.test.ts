import { readFileSync } from 'node:fs';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import t, { type Test } from 'tap';
import {
  type Contest,
  type ElectionReport,
  electionReportSchema,
  type Selection,
  toElectionReport,
} from '../src/formats/cdf.js';
import { contestReportInput, electionReportInput } from '../src/modules/results/results-exports.service.js';
import { forEachEngine, get } from './helpers/app.js';

const KZ2022 = 'kz.presidential.2022-11-20';
const KZ2019 = 'kz.presidential.2019-06-09';
const REF2022 = 'kz.referendum.2022-06-05';
const KZ2023 = 'kz.parliamentary.2023-03-19';

// Every seeded contest and how many versions it has.
const CONTESTS: [election: string, contest: string, versions: number][] = [
  [KZ2022, 'president', 10],
  [KZ2019, 'president', 4],
  [REF2022, 'question-1', 7],
  [KZ2023, 'party-list', 3],
  [KZ2023, 'chamber', 1],
];

// NIST's own schema, as copied into standards/: the served report must satisfy all of it.
const nist = JSON.parse(
  readFileSync(new URL('../standards/nist-1500-100-v2.schema.json', import.meta.url), 'utf8'),
) as object;
const ajv = new AjvDraft04.default({ allErrors: true });
addFormats.default(ajv);
// `refTypes` is NIST's annotation of which class an id points at; it constrains nothing.
ajv.addKeyword({ keyword: 'refTypes', schemaType: 'array' });
const validateCdf = ajv.compile(nist);

function assertValid(t: Test, report: unknown, name: string) {
  const valid = validateCdf(report);
  t.ok(valid, `${name} is a valid NIST SP 1500-100 v2 ElectionReport`);
  if (!valid) t.comment(JSON.stringify(validateCdf.errors?.slice(0, 10), null, 2));
}

/** Every @id is unique, and every id the report points at is one of them. */
function assertReferencesResolve(t: Test, report: ElectionReport, name: string) {
  const ids = new Map<string, number>();
  const refs: string[] = [];
  const walk = (value: unknown, key = '') => {
    if (Array.isArray(value)) {
      for (const v of value) {
        if (typeof v === 'string' && /Ids$/.test(key)) refs.push(v);
        else walk(v, key);
      }
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === '@id') ids.set(v as string, (ids.get(v as string) ?? 0) + 1);
        // VendorApplicationId names the application, not an object.
        else if (typeof v === 'string' && /Id$/.test(k) && k !== 'VendorApplicationId') refs.push(v);
        else walk(v, k);
      }
    }
  };
  walk(report);
  t.same(
    [...ids].filter(([, n]) => n > 1),
    [],
    `${name}: every @id is unique`,
  );
  t.same(
    refs.filter((r) => !ids.has(r)),
    [],
    `${name}: every reference names an object of the report`,
  );
}

const votesOf = (s: Selection | undefined) => s?.VoteCounts?.map((v) => [v.Type, v.GpUnitId, v.Count]);
const idValue = (ids: { OtherType?: string; Value: string }[] | undefined, type: string) =>
  ids?.find((i) => i.OtherType === type)?.Value;
const textOf = (x: { Text: { Content: string }[] } | undefined) => x?.Text[0]?.Content;

forEachEngine(t, async (t, app) => {
  t.test("every seeded contest's CDF, at every version, and every election's, validates", async (t) => {
    for (const [election, contest, versions] of CONTESTS) {
      const current = await get(app, `/v1/elections/${election}/contests/${contest}/results/cdf`);
      t.equal(current.status, 200, `${election} ${contest}`);
      t.match(current.type, 'application/json');
      assertValid(t, current.body, `${election} ${contest}, current`);
      const report = current.body as ElectionReport;
      t.equal(idValue(report.ExternalIdentifier, 'result-version'), String(versions), 'the current version');
      for (let n = 1; n <= versions; n++) {
        const res = await get(app, `/v1/elections/${election}/contests/${contest}/results/cdf?version=${n}`);
        t.equal(res.status, 200);
        assertValid(t, res.body, `${election} ${contest} v${n}`);
        assertReferencesResolve(t, res.body as ElectionReport, `${election} ${contest} v${n}`);
      }
    }
    for (const election of [KZ2022, KZ2019, REF2022, KZ2023]) {
      const res = await get(app, `/v1/elections/${election}/results/cdf`);
      t.equal(res.status, 200, election);
      assertValid(t, res.body, `${election}, every contest`);
      assertReferencesResolve(t, res.body as ElectionReport, election);
    }
  });

  t.test('2022, certified: every line with its votes, turnout, parties and people', async (t) => {
    const res = await get(app, `/v1/elections/${KZ2022}/results/cdf`);
    t.equal(res.status, 200);
    const report = res.body as ElectionReport;

    t.match(report, {
      '@type': 'ElectionResults.ElectionReport',
      Format: 'summary-contest',
      Status: 'certified',
      SequenceStart: 1,
      SequenceEnd: 1,
      IsTest: false,
      VendorApplicationId: /^election-results-api \d+\.\d+\.\d+/,
    });
    t.same(
      report.ExternalIdentifier.map((i) => [i.OtherType, i.Value, i.Label]),
      [['result-version', '10', 'president']],
      'one contest, at version 10',
    );
    t.match(report.GeneratedDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'a date-time with zone, no fractions');

    t.equal(report.GpUnit.length, 1, 'the current version has national figures only: the country alone');
    t.match(report.GpUnit[0], {
      '@id': 'gpu-kz',
      '@type': 'ElectionResults.ReportingUnit',
      Type: 'country',
      Name: { Text: [{ Content: 'Kazakhstan', Language: 'en' }] },
      VotersRegistered: 11_953_465,
      ElectionAdministration: { Name: 'Central Election Commission of the Republic of Kazakhstan' },
    });
    t.same(
      report.GpUnit[0]!.ExternalIdentifier.map((i) => [i.Type, i.Value]),
      [
        ['ocd-id', 'ocd-division/country:kz'],
        ['other', 'KZ'],
      ],
    );

    const [election] = report.Election;
    t.match(election, {
      Name: { Text: [{ Content: 'Kazakhstan presidential election, 20 November 2022' }] },
      Type: 'special',
      StartDate: '2022-11-20',
      EndDate: '2022-11-20',
      ElectionScopeId: 'gpu-kz',
      BallotCounts: [{ Type: 'total', GpUnitId: 'gpu-kz', BallotsCast: 8_300_046 }],
    });
    t.equal(election!.Contest.length, 1);
    const contest = election!.Contest[0]!;
    t.match(contest, {
      '@type': 'ElectionResults.CandidateContest',
      Name: 'President',
      ElectionDistrictId: 'gpu-kz',
      VotesAllowed: 1,
      NumberElected: 1,
    });
    t.equal(idValue(contest.ExternalIdentifier, 'result-status'), 'certified');
    t.equal(contest.ContestSelection.length, 7, 'seven lines');

    const candidateOf = (s: Selection) =>
      s['@type'] === 'ElectionResults.CandidateSelection'
        ? election!.Candidate.find((c) => c['@id'] === s.CandidateIds[0])
        : undefined;
    const byName = (name: string) =>
      contest.ContestSelection.find((s) =>
        s['@type'] === 'ElectionResults.CandidateSelection'
          ? textOf(candidateOf(s)?.BallotName) === name
          : s['@type'] === 'ElectionResults.BallotMeasureSelection' && textOf(s.Selection) === name,
      );

    const tokayev = byName('Kassym-Jomart Tokayev');
    t.same(votesOf(tokayev), [['total', 'gpu-kz', 6_456_393]]);
    const candidate = candidateOf(tokayev!);
    t.match(candidate, {
      PostElectionStatus: 'winner',
      PersonId: 'per-kassym-jomart-tokayev',
      PartyId: 'par-peoples-coalition',
    });
    t.match(
      report.Party.find((p) => p['@id'] === candidate?.PartyId),
      {
        '@type': 'ElectionResults.Coalition',
        Name: { Text: [{ Content: "People's Coalition" }] },
        PartyIds: [],
        ContestIds: [contest['@id']],
      },
      'an alliance is a Coalition (no members in the seeds), naming the contest it stands in',
    );
    t.match(
      report.Person.find((p) => p['@id'] === candidate?.PersonId),
      {
        FullName: { Text: [{ Content: 'Kassym-Jomart Tokayev' }] },
        ExternalIdentifier: [{ Value: 'kassym-jomart-tokayev' }],
      },
    );

    const againstAll = byName('Against all');
    t.match(againstAll, {
      '@type': 'ElectionResults.BallotMeasureSelection',
      ExternalIdentifier: [{ OtherType: 'selection-kind', Value: 'against-all' }],
    });
    t.same(votesOf(againstAll), [['total', 'gpu-kz', 460_484]]);

    const expected: [string, number][] = [
      ['Zhiguli Dairabayev', 271_641],
      ['Karakat Abden', 206_206],
      ['Meiram Kazhyken', 200_907],
      ['Nurlan Auesbayev', 176_116],
      ['Saltanat Tursynbekova', 168_731],
    ];
    for (const [name, votes] of expected) {
      t.same(votesOf(byName(name)), [['total', 'gpu-kz', votes]], name);
      t.equal(candidateOf(byName(name)!)?.PostElectionStatus, 'defeated', `${name}: defeated`);
    }
    const sum = contest.ContestSelection.reduce((s, sel) => s + (sel.VoteCounts?.[0]?.Count ?? 0), 0);
    t.equal(sum, 7_940_478, 'the seven lines add up to the published total');
    t.equal(election!.Candidate.length, 6, 'six candidates');
    t.equal(report.Person.length, 6);
    t.equal(report.Party.length, 6, "each candidate's nominating organisation");
    t.match(
      report.Party.find((p) => p['@id'] === 'par-national-social-democratic-party'),
      {
        '@type': 'ElectionResults.Party',
        Abbreviation: { Text: [{ Content: 'JSDP' }] },
        ExternalIdentifier: [
          { Value: 'national-social-democratic-party' },
          { OtherType: 'organisation-kind', Value: 'party' },
        ],
      },
      'the abbreviation where the data has one',
    );
    t.notOk(
      report.Party.some((p) => 'Color' in p),
      'no colours: the seeds hold none',
    );

    t.match(report.Notes, /Kassym-Jomart Tokayev 81\.31%/, 'the published percentage is kept, in Notes');
    t.match(report.Notes, /Against all 5\.8%/);
    t.match(report.Notes, /of the sum of the votes of all lines/, 'with its base');
    t.match(report.Notes, /Turnout as published: 69\.44%/);
    t.match(report.Notes, /Kazinform/, 'and the sources');
    t.notMatch(report.Notes, /Incomplete/);
  });

  t.test('2022 at version 7: the 20 regions as ReportingUnits with their ISO codes', async (t) => {
    const res = await get(app, `/v1/elections/${KZ2022}/contests/president/results/cdf?version=7`);
    t.equal(res.status, 200);
    const report = res.body as ElectionReport;
    t.equal(report.Status, 'unofficial-partial');
    const [country, ...regions] = report.GpUnit;
    t.equal(country?.['@id'], 'gpu-kz', 'the country first');
    t.equal(regions.length, 20, 'twenty regions');
    t.same(
      country?.ComposingGpUnitIds,
      regions.map((r) => r['@id']),
      "the country's ComposingGpUnitIds are its regions",
    );
    t.same(
      regions.map((r) => [r.Type, r.OtherType]),
      regions.map(() => ['other', 'region']),
      'a region is a ReportingUnit of type other: region',
    );
    const iso = regions.map((r) => idValue(r.ExternalIdentifier, 'iso-3166-2'));
    t.ok(
      iso.every((code) => /^KZ-\d{2}$/.test(code ?? '')),
      'each with its ISO 3166-2 code',
    );
    t.equal(new Set(iso).size, 20, 'twenty distinct codes');
    const abai = regions.find((r) => textOf(r.Name) === 'Abai');
    t.same(
      abai?.ExternalIdentifier.map((i) => [i.OtherType, i.Value]),
      [
        ['iso-3166-2', 'KZ-10'],
        ['election-results-api', 'kz-abai'],
      ],
    );
    t.equal(report.Election[0]!.Contest[0]!.ContestSelection.length, 0, 'a turnout briefing: no lines');
    t.notOk('BallotCounts' in report.Election[0]!, 'turnout percentages only: no counts to give');
    t.match(
      report.Notes,
      /By area, as published: Abai: turnout 80\.18%; Akmola: turnout 78\.87%/,
      'the turnout by region, in Notes',
    );
    t.match(report.Notes, /22:00/);
  });

  t.test('2023 party list: a PartyContest with seven parties, their votes and seats', async (t) => {
    const res = await get(app, `/v1/elections/${KZ2023}/contests/party-list/results/cdf`);
    const report = res.body as ElectionReport;
    const contest: Contest = report.Election[0]!.Contest[0]!;
    t.equal(contest['@type'], 'ElectionResults.PartyContest');
    t.equal(contest.Name, 'Party lists (nationwide)');
    t.equal(idValue(contest.ExternalIdentifier, 'number-elected'), '69', 'the seats to fill');
    t.equal(idValue(contest.ExternalIdentifier, 'threshold-percent'), '5', 'the threshold');
    const parties = contest.ContestSelection.filter((s) => s['@type'] === 'ElectionResults.PartySelection');
    t.equal(parties.length, 7, 'seven party lists');
    const partyName = (s: Selection) =>
      s['@type'] === 'ElectionResults.PartySelection'
        ? textOf(report.Party.find((p) => p['@id'] === s.PartyIds[0])?.Name)
        : undefined;
    t.same(
      parties.map((s) => [partyName(s), ...(votesOf(s) ?? [])]),
      [
        ['AMANAT', ['total', 'gpu-kz', 3_431_510], ['seats', 'gpu-kz', 40]],
        ['Auyl Party', ['total', 'gpu-kz', 693_938], ['seats', 'gpu-kz', 8]],
        ['Respublica Party', ['total', 'gpu-kz', 547_154], ['seats', 'gpu-kz', 6]],
        ['Ak Zhol Democratic Party of Kazakhstan', ['total', 'gpu-kz', 535_139], ['seats', 'gpu-kz', 6]],
        ["People's Party of Kazakhstan", ['total', 'gpu-kz', 432_920], ['seats', 'gpu-kz', 5]],
        ['National Social Democratic Party', ['total', 'gpu-kz', 331_058], ['seats', 'gpu-kz', 4]],
        ['Baytaq Green Party of Kazakhstan', ['total', 'gpu-kz', 146_431], ['seats', 'gpu-kz', 0]],
      ],
      'the published votes, and the seats as VoteCounts of Type seats',
    );
    const seats = contest.ContestSelection.flatMap((s) => s.VoteCounts ?? []).filter((v) => v.Type === 'seats');
    t.equal(
      seats.reduce((sum, v) => sum + v.Count, 0),
      69,
      'the seats add up to the 69 to fill',
    );
    const againstAll = contest.ContestSelection.find((s) => s['@type'] === 'ElectionResults.BallotMeasureSelection');
    t.match(againstAll, {
      Selection: { Text: [{ Content: 'Against all' }] },
      ExternalIdentifier: [{ OtherType: 'selection-kind', Value: 'against-all' }],
      VoteCounts: [{ Type: 'total', Count: 248_291 }],
    });
    t.same(report.Election[0]!.Candidate, [], 'no candidates in a party-list contest');
    t.match(report.Notes, /69 seats to fill; threshold 5% of the vote/);
    t.match(report.Notes, /AMANAT 53\.9%/);
    t.match(
      report.Party.find((p) => p['@id'] === 'par-peoples-party-of-kazakhstan'),
      { Abbreviation: { Text: [{ Content: 'QHP' }] } },
    );
  });

  t.test('2023, the whole election: both contests, each at its version', async (t) => {
    const res = await get(app, `/v1/elections/${KZ2023}/results/cdf`);
    const report = res.body as ElectionReport;
    t.same(
      report.ExternalIdentifier.map((i) => [i.Label, i.Value]),
      [
        ['party-list', '3'],
        ['chamber', '1'],
      ],
      'the main contest first',
    );
    const [list, chamber] = report.Election[0]!.Contest;
    t.equal(list?.['@type'], 'ElectionResults.PartyContest');
    t.equal(chamber?.['@type'], 'ElectionResults.PartyContest');
    t.equal(idValue(chamber?.ExternalIdentifier, 'number-elected'), '98');
    const seats = (chamber?.ContestSelection ?? []).flatMap((s) => s.VoteCounts ?? []);
    t.ok(
      seats.every((v) => v.Type === 'seats'),
      'the chamber has seats, no votes',
    );
    t.equal(
      seats.reduce((sum, v) => sum + v.Count, 0),
      98,
      'the seats add up to 98',
    );
    t.match(
      chamber?.ContestSelection.find((s) => s['@type'] === 'ElectionResults.BallotMeasureSelection'),
      {
        Selection: { Text: [{ Content: 'Independents (self-nominated)' }] },
        ExternalIdentifier: [{ OtherType: 'selection-kind', Value: 'other' }],
        VoteCounts: [{ Type: 'seats', GpUnitId: 'gpu-kz', Count: 6 }],
      },
      'independents: a labelled selection of kind other',
    );
    const amanat = report.Party.filter((p) => p['@id'] === 'par-amanat');
    t.equal(amanat.length, 1, 'a party in both contests is listed once');
    t.match(report.Notes, /2 contests, each at its current result version/);
    t.match(report.Notes, /All 98 seats, by party: result version 1/);
    t.match(report.Notes, /No percentages were published in this version/);
    t.equal(report.Status, 'certified');
  });

  t.test('2022 referendum: a BallotMeasureContest with Yes and No, and the other counts labelled', async (t) => {
    const res = await get(app, `/v1/elections/${REF2022}/results/cdf`);
    const report = res.body as ElectionReport;
    const contest = report.Election[0]!.Contest[0]!;
    t.match(contest, {
      '@type': 'ElectionResults.BallotMeasureContest',
      Type: 'referendum',
      Name: 'Amendments to the Constitution',
      ElectionDistrictId: 'gpu-kz',
    });
    t.same(
      contest.ContestSelection.map((s) => [
        s['@type'],
        s['@type'] === 'ElectionResults.BallotMeasureSelection' ? textOf(s.Selection) : null,
        s['@type'] === 'ElectionResults.BallotMeasureSelection'
          ? idValue(s.ExternalIdentifier, 'selection-kind')
          : null,
        s.VoteCounts?.map((v) => v.Count) ?? [],
      ]),
      [
        ['ElectionResults.BallotMeasureSelection', 'Yes', 'option', [6_163_516]],
        ['ElectionResults.BallotMeasureSelection', 'No', 'option', [1_490_470]],
        ['ElectionResults.BallotMeasureSelection', 'Invalid', 'other', [205_924]],
      ],
      'Yes, No, then the invalid ballots, a selection named by its kind (the CDF has no field for them)',
    );
    t.same(
      contest.OtherCounts,
      [{ '@type': 'ElectionResults.OtherCounts', GpUnitId: 'gpu-kz', Overvotes: 125_859 }],
      "ballots with both options marked: NIST's Overvotes, not an option",
    );
    t.match(report.Notes, /Both options marked 1\.58%/, 'its published percentage stays in Notes');
    t.same(report.Election[0]!.Candidate, []);
    t.same(report.Party, []);
  });

  t.test('2022 referendum, version 6: figures for Almaty city and percentages for five regions', async (t) => {
    const res = await get(app, `/v1/elections/${REF2022}/contests/question-1/results/cdf?version=6`);
    const report = res.body as ElectionReport;
    const almaty = report.GpUnit.find((u) => u['@id'] === 'gpu-kz-almaty-city');
    t.match(
      almaty,
      { Type: 'other', OtherType: 'region', VotersRegistered: 1_129_117 },
      "Almaty city's registered voters",
    );
    t.same(
      report.Election[0]!.BallotCounts?.map((b) => [b.GpUnitId, b.BallotsCast]),
      [
        ['gpu-kz', 7_986_293],
        ['gpu-kz-almaty-city', 373_057],
      ],
      'ballots cast, for the country and for Almaty city',
    );
    t.equal(report.GpUnit[0]!.VotersRegistered, 11_734_642);
    t.equal(report.GpUnit.length, 7, 'the country and the six areas with figures');
    t.same(
      report.GpUnit[0]!.ComposingGpUnitIds,
      report.GpUnit.slice(1).map((u) => u['@id']),
    );
    t.match(report.Notes, /Almaty: .*Yes 65\.22%/, 'percentages by area stay in Notes');
    t.match(report.Notes, /Mangystau: No 26\.39%/);
    const yes = report.Election[0]!.Contest[0]!.ContestSelection[0]!;
    t.same(votesOf(yes), [['total', 'gpu-kz', 6_163_863]], 'no votes by area published: none invented');
  });

  t.test('preliminary versions map to projected winners, with what they have', async (t) => {
    const v8 = (await get(app, `/v1/elections/${KZ2022}/contests/president/results/cdf?version=8`))
      .body as ElectionReport;
    t.equal(v8.Status, 'unofficial-complete');
    t.match(v8.Election[0]!.Candidate, [{ PostElectionStatus: 'projected-winner' }]);
    t.notOk('VoteCounts' in v8.Election[0]!.Contest[0]!.ContestSelection[0]!, 'the article gave 81.3% only');
    t.match(v8.Notes, /Kassym-Jomart Tokayev 81\.3%/);
    t.match(v8.Notes, /percentage only/);

    const v9 = (await get(app, `/v1/elections/${KZ2022}/contests/president/results/cdf?version=9`))
      .body as ElectionReport;
    t.same(
      votesOf(v9.Election[0]!.Contest[0]!.ContestSelection[0]),
      [['total', 'gpu-kz', 6_456_392]],
      "the CEC's preliminary count",
    );

    const prelim2019 = (await get(app, `/v1/elections/${KZ2019}/contests/president/results/cdf?version=3`))
      .body as ElectionReport;
    t.match(prelim2019, { Status: 'unofficial-complete', GpUnit: [{ VotersRegistered: 11_960_364 }] });
    t.match(prelim2019.Election[0], { BallotCounts: [{ BallotsCast: 9_261_460 }], Type: 'general' });
    t.match(prelim2019.Notes, /Turnout as published: 77\.4%/);
  });

  t.test('the response schema lets every field of the report through', async (t) => {
    const issuer = (res: { body: unknown }) => ({
      name: 'Election results API',
      abbreviation: 'election-results-api',
      application: (res.body as ElectionReport).VendorApplicationId,
    });
    const db = app.database.primary;
    const whole = await get(app, `/v1/elections/${KZ2023}/results/cdf`);
    t.same(
      whole.body,
      JSON.parse(JSON.stringify(toElectionReport(await electionReportInput(db, KZ2023), issuer(whole)))),
      'served = built, nothing stripped',
    );
    const one = await get(app, `/v1/elections/${REF2022}/contests/question-1/results/cdf?version=6`);
    const built = toElectionReport(
      await contestReportInput(db, { electionId: REF2022, contest: 'question-1', number: 6 }),
      issuer(one),
    );
    t.same(one.body, JSON.parse(JSON.stringify(built)));
  });

  t.test('the documented example is a valid report, served in the OpenAPI document', async (t) => {
    const example = electionReportSchema.meta()?.example;
    assertValid(t, example, 'the example');
    t.ok(electionReportSchema.safeParse(example).success, 'and it passes the response schema');
    assertReferencesResolve(t, example as ElectionReport, 'the example');
    const doc = (await get(app, '/openapi.json')).body as {
      components: { schemas: Record<string, { example?: unknown }> };
      paths: Record<string, { get: { operationId: string; parameters?: { name: string; example?: unknown }[] } }>;
    };
    t.same(doc.components.schemas.ElectionReport?.example, example);
    const byContest = doc.paths['/v1/elections/{id}/contests/{contest}/results/cdf']?.get;
    t.equal(byContest?.operationId, 'getContestResultsCdf');
    t.same(
      byContest?.parameters?.find((p) => p.name === 'version')?.example,
      3,
      'the version parameter has an example',
    );
    const served = (await get(app, `/v1/elections/${KZ2023}/contests/party-list/results/cdf`)).body as ElectionReport;
    t.same(
      (example as ElectionReport).Election[0]!.Contest[0]!.ContestSelection[0],
      served.Election[0]!.Contest[0]!.ContestSelection[0],
      "the example's first selection is the seeded AMANAT line as served",
    );
  });

  t.test('cacheable: the same report, then 304', async (t) => {
    for (const url of [`/v1/elections/${KZ2022}/results/cdf`, `/v1/elections/${KZ2023}/contests/chamber/results/cdf`]) {
      const first = await get(app, url);
      t.ok(first.headers.etag);
      t.equal(
        first.headers['cache-control'],
        'public, max-age=300, stale-while-revalidate=300',
        'certified results: the longer max-age',
      );
      const again = await get(app, url, { 'if-none-match': String(first.headers.etag) });
      t.equal(again.status, 304);
    }
    const partial = await get(app, `/v1/elections/${KZ2022}/contests/president/results/cdf?version=7`);
    t.notMatch(String(partial.headers['cache-control']), /max-age=300/, 'a partial count: the shorter max-age');
  });

  t.test('problems: unknown election, contest or version 404, malformed ones 400', async (t) => {
    const cases: [string, number, string?][] = [
      ['/v1/elections/kz.presidential.2031-01-01/results/cdf', 404, 'Election kz.presidential.2031-01-01 not found.'],
      ['/v1/elections/not-an-id/results/cdf', 400],
      [`/v1/elections/${KZ2022}/contests/mayor/results/cdf`, 404, `Election ${KZ2022} has no contest 'mayor'.`],
      [`/v1/elections/${KZ2022}/contests/Not_A_Slug/results/cdf`, 400],
      [
        `/v1/elections/${KZ2022}/contests/president/results/cdf?version=99`,
        404,
        `${KZ2022} (president) has no result version 99.`,
      ],
      [`/v1/elections/${KZ2022}/contests/president/results/cdf?version=0`, 400],
      [`/v1/elections/${KZ2022}/contests/president/results/cdf?colour=red`, 400],
    ];
    for (const [url, status, detail] of cases) {
      const res = await get(app, url);
      t.equal(res.status, status, url);
      t.match(res.type, 'application/problem+json');
      if (detail) t.match(res.body, { status, detail }, url);
    }
  });
});
