import { readFileSync } from 'node:fs';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import t, { type Test } from 'tap';
import { type ElectionReport, toElectionReport } from '../src/formats/cdf.js';
import { findElection } from '../src/modules/elections/elections.repository.js';
import { toElection } from '../src/modules/elections/elections.view.js';
import { requireResults } from '../src/modules/results/results.service.js';
import { forEachEngine, get } from './helpers/app.js';

const KZ2022 = 'kz.presidential.2022-11-20';
const KZ2019 = 'kz.presidential.2019-06-09';

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

type Selection = ElectionReport['Election'][number]['Contest'][number]['ContestSelection'][number];
const votesOf = (s: Selection | undefined) => s?.VoteCounts?.map((v) => [v.Type, v.GpUnitId, v.Count]);

forEachEngine(t, async (t, app) => {
  t.test('2022, certified: every line with its votes, turnout, parties and people', async (t) => {
    const res = await get(app, `/v1/elections/${KZ2022}/results/cdf`);
    t.equal(res.status, 200);
    t.match(res.type, 'application/json');
    assertValid(t, res.body, KZ2022);
    const report = res.body as ElectionReport;

    t.match(report, {
      '@type': 'ElectionResults.ElectionReport',
      Format: 'summary-contest',
      Status: 'certified',
      SequenceStart: 1,
      SequenceEnd: 1,
      IsTest: false,
      VendorApplicationId: /^election-results-api \d+\.\d+\.\d+/,
      ExternalIdentifier: [{ OtherType: 'result-version', Value: '2' }],
    });
    t.match(report.GeneratedDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'a date-time with zone, no fractions');

    t.match(report.GpUnit, [
      {
        '@id': 'gpu-kz',
        '@type': 'ElectionResults.ReportingUnit',
        Type: 'country',
        Name: { Text: [{ Content: 'Kazakhstan', Language: 'en' }] },
        VotersRegistered: 11_953_465,
        ExternalIdentifier: [{ Type: 'ocd-id', Value: 'ocd-division/country:kz' }, { Value: 'KZ' }],
        ElectionAdministration: { Name: 'Central Election Commission of the Republic of Kazakhstan' },
      },
    ]);

    const [election] = report.Election;
    t.match(election, {
      Name: { Text: [{ Content: 'Kazakhstan presidential election, 20 November 2022' }] },
      Type: 'special',
      StartDate: '2022-11-20',
      EndDate: '2022-11-20',
      ElectionScopeId: 'gpu-kz',
      BallotCounts: [{ Type: 'total', GpUnitId: 'gpu-kz', BallotsCast: 8_300_046 }],
    });
    const contest = election!.Contest[0]!;
    t.match(contest, { '@type': 'ElectionResults.CandidateContest', ElectionDistrictId: 'gpu-kz', VotesAllowed: 1 });
    t.equal(contest.ContestSelection.length, 7, 'seven lines');

    const candidateOf = (s: Selection) =>
      s['@type'] === 'ElectionResults.CandidateSelection'
        ? election!.Candidate.find((c) => c['@id'] === s.CandidateIds[0])
        : undefined;
    const byName = (name: string) =>
      contest.ContestSelection.find((s) =>
        s['@type'] === 'ElectionResults.CandidateSelection'
          ? candidateOf(s)?.BallotName.Text[0]?.Content === name
          : s.Selection.Text[0]?.Content === name,
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
      { Name: { Text: [{ Content: "People's Coalition" }] } },
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

    t.match(report.Notes, /Kassym-Jomart Tokayev 81\.31%/, 'the published percentage is kept, in Notes');
    t.match(report.Notes, /Against all 5\.8%/);
    t.match(report.Notes, /of the sum of the votes of all lines/, 'with its base');
    t.match(report.Notes, /Turnout as published: 69\.44%/);
    t.match(report.Notes, /Kazinform/, 'and the sources');
    t.notMatch(report.Notes, /Incomplete/);
  });

  t.test('2019, current version: a percentage only, so no VoteCounts and no turnout', async (t) => {
    const res = await get(app, `/v1/elections/${KZ2019}/results/cdf`);
    t.equal(res.status, 200);
    assertValid(t, res.body, KZ2019);
    const report = res.body as ElectionReport;
    t.equal(report.Status, 'certified');
    const [election] = report.Election;
    t.equal(election?.Type, 'general', 'snap unknown: the regular case');
    t.notOk(election && 'BallotCounts' in election, 'no ballots cast published');
    t.notOk('VotersRegistered' in report.GpUnit[0]!, 'no registered voters published');
    const selections = election!.Contest[0]!.ContestSelection;
    t.equal(selections.length, 1, 'only the line the source gave');
    t.notOk('VoteCounts' in selections[0]!, 'no votes invented for a percentage-only line');
    t.match(election!.Candidate, [
      { BallotName: { Text: [{ Content: 'Kassym-Jomart Tokayev' }] }, PostElectionStatus: 'winner' },
    ]);
    t.notOk('PartyId' in election!.Candidate[0]!, 'no nominator in the source');
    t.same(report.Party, []);
    t.match(report.Notes, /Kassym-Jomart Tokayev 70\.96%/);
    t.match(report.Notes, /percentage only/);
    t.match(report.Notes, /Incomplete: the source published only the lines listed/);
    t.match(report.Notes, /a date the source does not give/, 'asOf unknown, said so');
  });

  t.test('preliminary versions map to projected winners, with what turnout they have', async (t) => {
    const issuer = { name: 'Election results API', abbreviation: 'test', application: 'test 0' };
    const row2022 = toElection((await findElection(app.database.primary, KZ2022))!);
    const v1 = toElectionReport(await requireResults(app.database.primary, KZ2022, 1), row2022, issuer);
    assertValid(t, v1, `${KZ2022} version 1`);
    t.equal(v1.Status, 'unofficial-complete');
    t.match(v1.Election[0]!.Candidate, [{ PostElectionStatus: 'projected-winner' }]);
    t.notOk('VoteCounts' in v1.Election[0]!.Contest[0]!.ContestSelection[0]!, 'the article gave 81.3% only');
    t.match(v1.Notes, /Kassym-Jomart Tokayev 81\.3%/);

    const row2019 = toElection((await findElection(app.database.primary, KZ2019))!);
    const prelim2019 = toElectionReport(await requireResults(app.database.primary, KZ2019, 1), row2019, issuer);
    assertValid(t, prelim2019, `${KZ2019} version 1`);
    t.match(prelim2019, { Status: 'unofficial-complete', GpUnit: [{ VotersRegistered: 11_960_364 }] });
    t.match(prelim2019.Election[0], { BallotCounts: [{ BallotsCast: 9_261_460 }] });
    t.notOk('VoteCounts' in prelim2019.Election[0]!.Contest[0]!.ContestSelection[0]!);
    t.match(prelim2019.Notes, /Turnout as published: 77\.4%/);
  });

  t.test('the response schema lets every field of the report through', async (t) => {
    const res = await get(app, `/v1/elections/${KZ2022}/results/cdf`);
    const built = toElectionReport(
      await requireResults(app.database.primary, KZ2022),
      toElection((await findElection(app.database.primary, KZ2022))!),
      {
        name: 'Election results API',
        abbreviation: 'election-results-api',
        application: (res.body as ElectionReport).VendorApplicationId,
      },
    );
    t.same(res.body, JSON.parse(JSON.stringify(built)), 'served = built, nothing stripped');
  });

  t.test('cacheable: the same report, then 304', async (t) => {
    const url = `/v1/elections/${KZ2022}/results/cdf`;
    const first = await get(app, url);
    t.ok(first.headers.etag);
    t.equal(
      first.headers['cache-control'],
      'public, max-age=300, stale-while-revalidate=300',
      'certified results: the longer max-age',
    );
    const again = await get(app, url, { 'if-none-match': String(first.headers.etag) });
    t.equal(again.status, 304);
  });

  t.test('problems: unknown election 404, malformed id 400', async (t) => {
    const unknown = await get(app, '/v1/elections/kz.presidential.2031-01-01/results/cdf');
    t.equal(unknown.status, 404);
    t.match(unknown.type, 'application/problem+json');
    t.match(unknown.body, { status: 404, detail: 'Election kz.presidential.2031-01-01 not found.' });
    const bad = await get(app, '/v1/elections/not-an-id/results/cdf');
    t.equal(bad.status, 400);
    t.match(bad.type, 'application/problem+json');
  });
});
