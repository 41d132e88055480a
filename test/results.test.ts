import t from 'tap';
import { insertElection } from '../src/modules/elections/elections.repository.js';
import { forEachEngine, get } from './helpers/app.js';

interface Line {
  name: string;
  kind: string;
  votes: number | null;
  percent: number | null;
  rank: number | null;
  outcome: string | null;
  nominator: { name: string } | null;
}

const KZ2022 = 'kz.presidential.2022-11-20';

forEachEngine(t, async (t, app) => {
  t.test('current results: the certified final figures of 22 Nov 2022', async (t) => {
    const res = await get(app, `/v1/elections/${KZ2022}/results`);
    t.equal(res.status, 200);
    const body = res.body as Record<string, unknown> & { lines: Line[]; sources: { id: string; covers: string }[] };
    t.match(body, {
      electionId: KZ2022,
      version: 10,
      status: 'certified',
      preliminary: false,
      current: true,
      asOf: '2022-11-22',
      complete: true,
      percentBase: 'lines-total',
      turnout: {
        registeredVoters: 11_953_465,
        ballotsCast: 8_300_046,
        validVotes: null,
        invalidVotes: null,
        turnoutPercent: 69.44,
      },
      derived: { linesTotal: 7_940_478, ballotsCastMinusLinesTotal: 359_568, turnoutPercent: 69.44 },
    });
    t.same(
      body.lines.map((l) => [l.name, l.votes, l.percent, l.rank, l.outcome, l.nominator?.name ?? null]),
      [
        ['Kassym-Jomart Tokayev', 6_456_393, 81.31, 1, 'elected', "People's Coalition"],
        ['Against all', 460_484, 5.8, null, null, null],
        ['Zhiguli Dairabayev', 271_641, 3.42, 2, 'defeated', 'Auyl Party'],
        ['Karakat Abden', 206_206, 2.6, 3, 'defeated', 'National Alliance of Professional Social Workers'],
        ['Meiram Kazhyken', 200_907, 2.53, 4, 'defeated', 'Amanat Commonwealth of Trade Unions'],
        ['Nurlan Auesbayev', 176_116, 2.22, 5, 'defeated', 'National Social Democratic Party'],
        ['Saltanat Tursynbekova', 168_731, 2.12, 6, 'defeated', 'Qazaq Analary – Dasturge Zhol'],
      ],
      'seven lines sorted by votes, "Against all" labelled and unranked',
    );
    t.equal(body.lines[1]?.kind, 'against-all');
    const sum = body.lines.reduce((s, l) => s + (l.percent ?? 0), 0);
    t.ok(Math.abs(sum - 100) <= 0.1, `published percentages sum to ~100 (${sum.toFixed(2)})`);
    for (const line of body.lines) {
      const computed = ((line.votes ?? 0) / 7_940_478) * 100;
      t.ok(Math.abs(computed - (line.percent ?? 0)) < 0.01, `${line.name}: ${line.percent} = votes / lines total`);
    }
    t.same(
      body.sources.map((s) => s.id),
      ['kazinform-2022-cec-final-results', 'astana-times-2022-preliminary-results', 'baribar-2022-cec-final-results'],
      'the version cites its own source first, then the others',
    );
  });

  t.test('version 8 stays readable: the preliminary 81.3% of the article', async (t) => {
    const res = await get(app, `/v1/elections/${KZ2022}/results/versions/8`);
    t.equal(res.status, 200);
    t.match(res.body, {
      version: 8,
      status: 'unofficial-complete',
      preliminary: true,
      current: false,
      asOf: '2022-11-21',
      complete: false,
      percentBase: 'unknown',
      derived: { linesTotal: null, ballotsCastMinusLinesTotal: null, turnoutPercent: null },
      lines: [{ name: 'Kassym-Jomart Tokayev', votes: null, percent: 81.3, rank: 1 }],
      sources: [{ id: 'nikkei-asia-2022-11-22-kazakhstan-tilting-to-china', published: '2022-11-22T04:38:00+09:00' }],
    });
    t.equal((res.body as { lines: unknown[] }).lines.length, 1, 'only the winner is named in the article');
    const v10 = await get(app, `/v1/elections/${KZ2022}/results/versions/10`);
    const current = await get(app, `/v1/elections/${KZ2022}/results`);
    t.same({ ...(v10.body as object), call: null }, current.body, '/results is the newest version, with no call made');
  });

  t.test("version 9: the CEC's preliminary count, one vote short of the certified one", async (t) => {
    const res = await get(app, `/v1/elections/${KZ2022}/results/versions/9`);
    t.match(res.body, {
      version: 9,
      status: 'unofficial-complete',
      preliminary: true,
      complete: true,
      asOf: '2022-11-21',
      lines: [{ name: 'Kassym-Jomart Tokayev', votes: 6_456_392, percent: 81.31 }],
      sources: [{ id: 'arbatmedia-2022-11-21-preliminary' }],
    });
    const diff = await get(app, `/v1/elections/${KZ2022}/results/versions/9/diff/10`);
    t.equal(diff.status, 200);
    const changed = (diff.body as { lines: { change: string }[] }).lines.filter((l) => l.change !== 'unchanged');
    t.same(
      changed,
      [
        {
          key: 'candidate:kassym-jomart-tokayev',
          name: 'Kassym-Jomart Tokayev',
          change: 'changed',
          from: { votes: 6_456_392, percent: 81.31, rank: 1, outcome: 'elected', nominatorId: 'peoples-coalition' },
          to: { votes: 6_456_393, percent: 81.31, rank: 1, outcome: 'elected', nominatorId: 'peoples-coalition' },
          votesDelta: 1,
          percentDelta: 0,
        },
      ],
      'one line changed, by one vote',
    );
  });

  t.test("election night: the CEC's turnout by region at each briefing, national figure absent", async (t) => {
    const res = await get(app, `/v1/elections/${KZ2022}/results/versions/1?level=region`);
    t.equal(res.status, 200);
    const body = res.body as { status: string; lines: unknown[]; areas: { area: { id: string } }[] };
    t.equal(body.status, 'unofficial-partial');
    t.same(body.lines, [], 'no votes yet: turnout only');
    t.equal(body.areas.length, 20, 'the 20 top areas of November 2022');
  });

  t.test('the version list, oldest first', async (t) => {
    const res = await get(app, `/v1/elections/${KZ2022}/results/versions`);
    t.equal(res.status, 200);
    t.match(res.body, {
      data: [
        { version: 1, status: 'unofficial-partial', preliminary: true, current: false, lineCount: 0 },
        { version: 2 },
        { version: 3 },
        { version: 4 },
        { version: 5 },
        { version: 6 },
        { version: 7, asOf: '2022-11-20T22:00:00+06:00', lineCount: 0 },
        {
          version: 8,
          status: 'unofficial-complete',
          preliminary: true,
          current: false,
          lineCount: 1,
          asOf: '2022-11-21',
        },
        { version: 9, status: 'unofficial-complete', preliminary: true, current: false, lineCount: 7 },
        { version: 10, status: 'certified', preliminary: false, current: true, lineCount: 7, asOf: '2022-11-22' },
      ],
      next: null,
    });
    t.equal((res.body as { data: unknown[] }).data.length, 10);
    const page1 = await get(app, `/v1/elections/${KZ2022}/results/versions?limit=9`);
    const next = (page1.body as { next: string }).next;
    t.ok(next);
    const page2 = await get(app, `/v1/elections/${KZ2022}/results/versions?limit=9&cursor=${next}`);
    t.match(page2.body, { data: [{ version: 10 }], next: null });
  });

  t.test('2019: preliminary 70.76% of the lines, then certified 70.96% of the valid votes', async (t) => {
    const res = await get(app, '/v1/elections/kz.presidential.2019-06-09/results/versions/3');
    t.match(res.body, {
      status: 'unofficial-complete',
      complete: true,
      percentBase: 'lines-total',
      turnout: { registeredVoters: 11_960_364, ballotsCast: 9_261_460, turnoutPercent: 77.4 },
      derived: { linesTotal: 9_191_112, turnoutPercent: 77.43 },
      lines: [{ votes: 6_504_054, percent: 70.76 }],
    });
    t.equal((res.body as { lines: unknown[] }).lines.length, 7, 'all seven candidates');
    const current = await get(app, '/v1/elections/kz.presidential.2019-06-09/results');
    t.match(current.body, {
      version: 4,
      status: 'certified',
      complete: true,
      asOf: '2019-06-10',
      percentBase: 'valid-votes',
      turnout: { ballotsCast: 9_274_110, validVotes: 9_216_410, invalidVotes: 57_700, turnoutPercent: 77.54 },
      lines: [
        { votes: 6_539_715, percent: 70.96 },
        { votes: 1_495_401, percent: 16.23 },
        { votes: 465_714, percent: 5.05 },
        { votes: 280_451, percent: null },
      ],
      sources: [{ id: 'electionguide-2019-kazakhstan-president' }],
    });
  });

  t.test('404s: unknown election, unknown version', async (t) => {
    for (const url of [
      '/v1/elections/kz.presidential.2030-01-01/results',
      '/v1/elections/kz.presidential.2030-01-01/results/versions',
      '/v1/elections/kz.presidential.2030-01-01/results/versions/1',
      `/v1/elections/${KZ2022}/results/versions/11`,
    ]) {
      const res = await get(app, url);
      t.equal(res.status, 404, url);
      t.match(res.type, 'application/problem+json');
    }
  });
});

forEachEngine(t, async (t, app) => {
  t.test('an election with no results yet', async (t) => {
    await insertElection(app.database.primary, {
      id: 'fr.presidential.2027-04-11',
      countryCode: 'FR',
      type: 'presidential',
      date: '2027-04-11',
      sourceId: 'tass-2019-final-results', // any existing source: the FK demands one
    });
    const results = await get(app, '/v1/elections/fr.presidential.2027-04-11/results');
    t.equal(results.status, 404);
    t.match(results.body, { detail: 'No results have been published for fr.presidential.2027-04-11 yet.' });
    const versions = await get(app, '/v1/elections/fr.presidential.2027-04-11/results/versions');
    t.same(versions.body, { data: [], next: null });
    const election = await get(app, '/v1/elections/fr.presidential.2027-04-11');
    t.match(election.body, { currentResults: null, snap: null, round: 1 });
    const list = await get(app, '/v1/elections?status=certified&country=FR');
    t.same(list.body, { data: [], next: null }, 'the status filter needs a current version');
  });
});
