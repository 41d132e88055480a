// Per-area vote lines, alliances and party colours in the CDF and the charts. No source at hand gives
// votes by region for the seeded elections, so this file makes its own, clearly synthetic: districts
// created through POST /v1/areas, a contest and a version with per-area lines published through the
// API, and a colour and an alliance set in the database (the API has no write for them here).
import { readFileSync } from 'node:fs';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { organisationMembers, organisations } from '../src/db/schema/index.js';
import type { ElectionReport, Selection } from '../src/formats/cdf.js';
import { eq } from 'drizzle-orm';
import { forEachEngine, get } from './helpers/app.js';
import { bearer, send, tokenFor } from './helpers/writes.js';

const KZ2023 = 'kz.parliamentary.2023-03-19';
const CONTEST = `/v1/elections/${KZ2023}/contests/synthetic-list/results`;
const AMANAT_COLOUR = '#1F77B4';

const nist = JSON.parse(
  readFileSync(new URL('../standards/nist-1500-100-v2.schema.json', import.meta.url), 'utf8'),
) as object;
const ajv = new AjvDraft04.default({ allErrors: true });
addFormats.default(ajv);
ajv.addKeyword({ keyword: 'refTypes', schemaType: 'array' });
const validateCdf = ajv.compile(nist);

function assertValid(t: Test, report: unknown, name: string) {
  const valid = validateCdf(report);
  t.ok(valid, `${name} is a valid NIST SP 1500-100 v2 ElectionReport`);
  if (!valid) t.comment(JSON.stringify(validateCdf.errors?.slice(0, 10), null, 2));
}

async function created(t: Test, res: Awaited<ReturnType<typeof send>>, what: string) {
  t.equal(res.status, 201, `${what} created`);
  if (res.status !== 201) t.comment(JSON.stringify(res.body));
}

/** Two synthetic districts (in Abai and Akmola), a polling station, a contest and a version with figures for each. */
async function synthesise(t: Test, app: FastifyInstance) {
  const token = await tokenFor(app);
  const auth = bearer(token);
  await created(
    t,
    await send(
      app,
      'POST',
      '/v1/sources',
      { id: 'synthetic-test-figures', publisher: 'Synthetic test data', kind: 'news', note: 'Made up for tests.' },
      auth,
    ),
    'source',
  );
  const area = (id: string, parentId: string, level: string, name: string, authorityCode: string | null = null) =>
    send(
      app,
      'POST',
      '/v1/areas',
      { id, parentId, level, name, authorityCode, sourceId: 'synthetic-test-figures' },
      auth,
    );
  await created(t, await area('kz-synthetic-north', 'kz-abai', 'district', 'Synthetic North'), 'district');
  await created(t, await area('kz-synthetic-south', 'kz-akmola', 'district', 'Synthetic South'), 'district');
  await created(
    t,
    await area('kz-synthetic-north-ps-1', 'kz-synthetic-north', 'polling-station', 'Synthetic station 1', 'PS-001'),
    'polling station',
  );

  const db = app.database.primary;
  await db
    .update(organisations)
    .set({ colour: AMANAT_COLOUR, colourSourceId: 'synthetic-test-figures' })
    .where(eq(organisations.id, 'amanat'));
  await db.insert(organisations).values({
    id: 'synthetic-bloc',
    name: 'Synthetic Bloc <&> "test"',
    kind: 'alliance',
    sourceId: 'synthetic-test-figures',
  });
  await db.insert(organisationMembers).values([
    { allianceId: 'synthetic-bloc', memberId: 'ak-zhol', sourceId: 'synthetic-test-figures' },
    { allianceId: 'synthetic-bloc', memberId: 'respublica', sourceId: 'synthetic-test-figures' },
  ]);

  await created(
    t,
    await send(
      app,
      'POST',
      `/v1/elections/${KZ2023}/contests`,
      {
        id: 'synthetic-list',
        name: 'Synthetic list (test)',
        kind: 'party-list',
        areaId: 'kz',
        seats: 12,
        thresholdPercent: 5,
        sourceId: 'synthetic-test-figures',
      },
      auth,
    ),
    'contest',
  );
  const party = (nominatorId: string, votes: number, percent: number | null, seats: number | null = null) => ({
    kind: 'party',
    nominatorId,
    votes,
    percent,
    seats,
  });
  const overvoted = (votes: number) => ({ kind: 'other', label: 'More than one list marked', votes, percent: null });
  const published = await send(
    app,
    'POST',
    CONTEST,
    {
      status: 'unofficial-complete',
      asOf: '2023-03-20',
      complete: true,
      sourceId: 'synthetic-test-figures',
      // Of the valid votes: the ballots with more than one list marked are not among them.
      percentBase: 'valid-votes',
      turnout: { registeredVoters: 10_000, ballotsCast: 6_000, validVotes: 5_000 },
      lines: [
        party('amanat', 3_000, 60, 6),
        party('synthetic-bloc', 1_500, 30, 3),
        party('auyl-party', 500, 10, 1),
        overvoted(100),
      ],
      areas: [
        {
          areaId: 'kz-synthetic-north',
          turnout: { registeredVoters: 4_000, ballotsCast: 2_500, validVotes: 2_500 },
          complete: true,
          lines: [party('amanat', 1_400, 56), party('synthetic-bloc', 900, 36), party('auyl-party', 200, 8)],
        },
        {
          areaId: 'kz-synthetic-south',
          turnout: { registeredVoters: 3_000, ballotsCast: 1_800, validVotes: 1_600, turnoutPercent: 60 },
          complete: true,
          lines: [
            party('amanat', 1_000, 62.5),
            party('synthetic-bloc', 400, 25),
            party('auyl-party', 200, 12.5),
            overvoted(40),
          ],
        },
        {
          areaId: 'kz-synthetic-north-ps-1',
          turnout: { registeredVoters: 1_000, ballotsCast: 700 },
          lines: [party('amanat', 350, null)],
        },
      ],
    },
    auth,
  );
  await created(t, published, 'version');
}

const votesOf = (s: Selection | undefined) => s?.VoteCounts?.map((v) => [v.Type, v.GpUnitId, v.Count]);

forEachEngine(t, async (t, app) => {
  await t.test('synthetic figures by district are published', (t) => synthesise(t, app));

  t.test("the contest's CDF: per-unit VoteCounts and turnout, the area tree, colours, an alliance", async (t) => {
    const res = await get(app, `${CONTEST}/cdf`);
    t.equal(res.status, 200);
    assertValid(t, res.body, 'synthetic contest');
    const report = res.body as ElectionReport;
    t.equal(report.Format, 'precinct-level', 'figures of a polling station');

    t.same(
      report.GpUnit.map((u) => [u['@id'], u.Type, u.OtherType ?? null, u.ComposingGpUnitIds ?? null]),
      [
        ['gpu-kz', 'country', null, ['gpu-kz-abai', 'gpu-kz-akmola']],
        ['gpu-kz-abai', 'other', 'region', ['gpu-kz-synthetic-north']],
        ['gpu-kz-synthetic-north', 'other', 'district', ['gpu-kz-synthetic-north-ps-1']],
        ['gpu-kz-synthetic-north-ps-1', 'precinct', null, null],
        ['gpu-kz-akmola', 'other', 'region', ['gpu-kz-synthetic-south']],
        ['gpu-kz-synthetic-south', 'other', 'district', null],
      ],
      'the areas with figures and the regions they lie within, from the country down',
    );
    const unit = (id: string) => report.GpUnit.find((u) => u['@id'] === id);
    t.equal(unit('gpu-kz')?.VotersRegistered, 10_000);
    t.equal(unit('gpu-kz-synthetic-north')?.VotersRegistered, 4_000, "each area's registered voters");
    t.notOk('VotersRegistered' in unit('gpu-kz-abai')!, 'none for a region without figures');
    t.match(unit('gpu-kz-synthetic-north-ps-1')?.ExternalIdentifier, [
      { OtherType: 'authority-code', Value: 'PS-001' },
      { OtherType: 'election-results-api', Value: 'kz-synthetic-north-ps-1' },
    ]);
    t.same(
      report.Election[0]!.BallotCounts?.map((b) => [b.GpUnitId, b.BallotsCast]),
      [
        ['gpu-kz', 6_000],
        ['gpu-kz-synthetic-north', 2_500],
        ['gpu-kz-synthetic-north-ps-1', 700],
        ['gpu-kz-synthetic-south', 1_800],
      ],
      'ballots cast per area',
    );

    const contest = report.Election[0]!.Contest[0]!;
    t.equal(contest['@type'], 'ElectionResults.PartyContest');
    const amanat = contest.ContestSelection.find(
      (s) => s['@type'] === 'ElectionResults.PartySelection' && s.PartyIds[0] === 'par-amanat',
    );
    t.same(
      votesOf(amanat),
      [
        ['total', 'gpu-kz', 3_000],
        ['seats', 'gpu-kz', 6],
        ['total', 'gpu-kz-synthetic-north', 1_400],
        ['total', 'gpu-kz-synthetic-south', 1_000],
        ['total', 'gpu-kz-synthetic-north-ps-1', 350],
      ],
      "a line's votes for each area that has them, level by level",
    );
    const sum = (gpu: string) =>
      contest.ContestSelection.flatMap((s) => s.VoteCounts ?? [])
        .filter((v) => v.GpUnitId === gpu && v.Type === 'total')
        .reduce((n, v) => n + v.Count, 0);
    t.equal(sum('gpu-kz-synthetic-south'), 1_600, "the south's lines");
    t.same(
      contest.OtherCounts?.map((c) => [c.GpUnitId, c.Overvotes]),
      [
        ['gpu-kz', 100],
        ['gpu-kz-synthetic-south', 40],
      ],
      'ballots with more than one list marked: Overvotes in each area that has them',
    );
    t.notOk(
      contest.ContestSelection.some(
        (s) => s['@type'] === 'ElectionResults.BallotMeasureSelection' && /marked/.test(s.Selection.Text[0]!.Content),
      ),
      'and not a selection',
    );

    t.match(
      report.Party.find((p) => p['@id'] === 'par-amanat'),
      { '@type': 'ElectionResults.Party', Color: '1f77b4' },
      'the colour, hex without #, in lower case',
    );
    t.match(
      report.Party.find((p) => p['@id'] === 'par-synthetic-bloc'),
      {
        '@type': 'ElectionResults.Coalition',
        Name: { Text: [{ Content: 'Synthetic Bloc <&> "test"' }] },
        PartyIds: ['par-ak-zhol', 'par-respublica'],
        ContestIds: [contest['@id']],
      },
      'an alliance: a Coalition of its members',
    );
    t.ok(
      report.Party.some((p) => p['@id'] === 'par-respublica'),
      'its members are Parties of the report',
    );
    t.match(
      report.Notes,
      /Synthetic South: turnout 60%, valid votes 1600, AMANAT 62\.5%, Synthetic Bloc <&> "test" 25%/,
    );
  });

  t.test('the whole election: three contests; turnout fields from the main contest', async (t) => {
    const res = await get(app, `/v1/elections/${KZ2023}/results/cdf`);
    t.equal(res.status, 200);
    assertValid(t, res.body, 'the 2023 election with a synthetic contest');
    const report = res.body as ElectionReport;
    t.same(
      report.ExternalIdentifier.map((i) => i.Label),
      ['party-list', 'chamber', 'synthetic-list'],
    );
    t.equal(report.Status, 'unofficial-complete', 'the least settled contest');
    t.notMatch(String(res.headers['cache-control']), /max-age=300/, 'preliminary: the shorter max-age');
    t.equal(report.GpUnit[0]!.VotersRegistered, 12_035_578, "the country's registered voters: the main contest's");
    t.match(
      report.Notes,
      /Kazakhstan as published: registered voters 10000, ballots cast 6000/,
      "the other contest's, in Notes",
    );
  });

  t.test('regions chart by district: a line, then turnout, sorted', async (t) => {
    const res = await get(app, `${CONTEST}/regions.svg?level=district&line=amanat`);
    t.equal(res.status, 200);
    t.equal(res.headers['content-type'], 'image/svg+xml; charset=utf-8');
    const svg = res.body as string;
    const values = [...svg.matchAll(/<text class="value"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    t.same(values, ['62.5%', '56%'], 'highest first');
    const names = [...svg.matchAll(/<text class="name"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    t.same(names, ['Synthetic South', 'Synthetic North']);
    t.match(
      svg,
      /<title id="[^"]+">Kazakhstan parliamentary election, 19 March 2023, Synthetic list \(test\): AMANAT by district<\/title>/,
    );

    const turnout = (await get(app, `${CONTEST}/regions.svg?level=district`)).body as string;
    t.same(
      [...turnout.matchAll(/<text class="value"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]),
      ['62.5%*', '60%'],
      "the north's turnout computed (2,500 of 4,000) and marked, the south's as published",
    );
    t.match(turnout, 'Not published: computed by this API');

    const bloc = (await get(app, `${CONTEST}/regions.svg?level=district&line=SYNTHETIC-BLOC`)).status;
    t.equal(bloc, 404, 'an organisation id is matched exactly');
    const byLabel = (await get(app, `${CONTEST}/regions.svg?level=district&measure=percent&line=auyl-party`))
      .body as string;
    t.same(
      [...byLabel.matchAll(/<text class="value"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]),
      ['12.5%', '8%'],
    );
    const station = await get(app, `${CONTEST}/regions.svg?level=polling-station&line=amanat`);
    t.equal(station.status, 404, 'the station has votes but no published percentage');
    t.match(station.body, { detail: /percentages of 'amanat' for areas at level polling-station within kz/ });
    const within = await get(app, `${CONTEST}/regions.svg?level=district&area=kz-akmola`);
    t.same(
      [...(within.body as string).matchAll(/<text class="name"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]),
      ['Synthetic South'],
      '?area= limits the bars to the areas within it',
    );
  });

  t.test("seats chart: the party's own colour, the others from the neutral palette", async (t) => {
    const res = await get(app, `${CONTEST}/seats.svg`);
    t.equal(res.status, 200);
    const svg = res.body as string;
    t.match(svg, '<g class="seats" fill="#1f77b4"><title>AMANAT: 6 seats</title>');
    t.equal(svg.match(/<g class="seats" fill="#1f77b4">(.*?)<\/g>/)?.[1]?.match(/<circle /g)?.length, 6);
    t.match(svg, '<g class="seats missing" fill="#e5e7eb"', 'two of the twelve seats are not in the figures');
    t.match(svg, 'Synthetic Bloc &lt;&amp;&gt; &quot;test&quot;', 'names escaped');
    t.match(
      svg,
      'Colours of Synthetic Bloc &lt;&amp;&gt; &quot;test&quot;, Auyl are from a neutral palette, not the parties&apos; own.',
    );
    t.match(svg, '2 seats of the 12 to fill are not in the published figures of this version.');
    t.equal(svg.match(/<circle cx=/g)?.length, 12, 'one dot per seat to fill');
  });
});
