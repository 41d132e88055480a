// The JSON body of a result version is written by PostgreSQL (results.document.ts); it must be byte
// for byte what an independent rendering gives (test/helpers/results-reference.ts: the rows mapped
// in JavaScript, z.encode(resultsSchema), JSON.stringify). Compared here for every seeded version,
// for synthetic data, and for hand-made edge cases (nulls, escapes, rounding, timestamps, ordering,
// values the response schema refuses), on every engine. A row the statement cannot render exactly
// is not served at all.
import { asc, eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import type { Db } from '../src/db/client.js';
import * as s from '../src/db/schema/index.js';
import { SYNTHETIC_SOURCE_ID, synth } from '../src/db/synth.js';
import { type DocumentQuery, findResultsDocument } from '../src/modules/results/results.document.js';
import { loadResultsJson } from '../src/modules/results/results.service.js';
import { forEachEngine } from './helpers/app.js';
import { referenceResults, serializeCurrentReference, serializeReference } from './helpers/results-reference.js';
import { scaled } from './helpers/scale.js';

type Outcome =
  { json: string; version: number; preliminary: boolean; current: boolean } | { missing: true } | { error: string };

/** The reference rendering (or the error it throws). */
async function reference(db: Db, q: DocumentQuery): Promise<Outcome> {
  try {
    const results = await referenceResults(db, q);
    return results
      ? {
          json: q.number === undefined ? await serializeCurrentReference(db, q, results) : serializeReference(results),
          version: results.version,
          preliminary: results.preliminary,
          current: results.current,
        }
      : { missing: true };
  } catch (err) {
    return { error: String(err) };
  }
}

async function fromSql(db: Db, q: DocumentQuery): Promise<Outcome> {
  try {
    return (await loadResultsJson(db, q)) ?? { missing: true };
  } catch (err) {
    return { error: String(err) };
  }
}

/**
 * Compares both renderings for every version of every contest of `electionIds` (default: all): each
 * version at its contest's area, with ?level=region, and at each area it gives figures for; and each
 * contest's current version. A row the statement renders itself (`exact`) must give the same bytes
 * as the reference; any other row must not be served. Returns how many were exact.
 */
async function compareAll(t: Test, db: Db, electionIds?: string[], opts: { areasPerVersion?: number } = {}) {
  const versions = await db
    .select({
      id: s.resultVersions.id,
      electionId: s.resultVersions.electionId,
      contest: s.contests.slug,
      main: s.contests.main,
      number: s.resultVersions.number,
    })
    .from(s.resultVersions)
    .innerJoin(s.contests, eq(s.contests.id, s.resultVersions.contestId))
    .orderBy(asc(s.resultVersions.electionId), asc(s.contests.slug), asc(s.resultVersions.number));
  const given = await db
    .select({ versionId: s.resultAreas.versionId, areaId: s.resultAreas.areaId })
    .from(s.resultAreas);
  const wanted = versions.filter((v) => !electionIds || electionIds.includes(v.electionId));
  const requests: DocumentQuery[] = [];
  const contestsSeen = new Set<string>();
  for (const v of wanted) {
    const base = { electionId: v.electionId, contest: v.main ? undefined : v.contest };
    requests.push({ ...base, number: v.number }, { ...base, number: v.number, level: 'region' });
    const areas = given.filter((g) => g.versionId === v.id).slice(0, opts.areasPerVersion ?? Infinity);
    for (const g of areas) requests.push({ ...base, number: v.number, area: g.areaId });
    if (!contestsSeen.has(`${v.electionId}#${v.contest}`)) requests.push(base);
    contestsSeen.add(`${v.electionId}#${v.contest}`);
  }
  const mismatches: { q: DocumentQuery; reference: Outcome; sql: Outcome }[] = [];
  const unserved: DocumentQuery[] = [];
  let exact = 0;
  for (const q of requests) {
    const [a, b] = [await reference(db, q), await fromSql(db, q)];
    const document = await findResultsDocument(db, q);
    const agree = (document?.exact ?? true) ? JSON.stringify(a) === JSON.stringify(b) : 'error' in b;
    if (!agree) mismatches.push({ q, reference: a, sql: b });
    if (document?.exact) exact += 1;
    else unserved.push(q);
  }
  t.same(mismatches.slice(0, 3), [], `${requests.length} views of versions: the same bytes both ways, or not served`);
  t.equal(mismatches.length, 0);
  return { compared: requests.length, exact, unserved };
}

// ---------------------------------------------------------------------------------------------
// Edge cases written straight into the tables (the API would refuse some of them)

const EDGE = 'zz.presidential.2001-02-03';
const EDGE_SOURCE = 'zz-source-b';
const STRANGE = `Comité "électoral" \\ de l'État\n\r\t\b\f\u0001\u001f\u007f \u2028\u2029 😀 </script> ${'ǅ'}`;
const MAX = Number.MAX_SAFE_INTEGER;

type LineSpec = Partial<typeof s.voteShares.$inferInsert> & { votesSql?: string };
interface VersionSpec {
  row?: Partial<Record<keyof typeof s.resultVersions.$inferInsert, unknown>>;
  lines?: LineSpec[];
  extra?: { sourceId: string; covers: string }[];
  /** An SQL literal for created_at, e.g. with microseconds. */
  createdAt?: string;
  /** Rows whose values the response schema refuses (or SQL cannot render as JavaScript does). */
  inexact?: boolean;
  /** Figures for areas of the version. */
  areas?: { areaId: string; row?: Partial<typeof s.resultAreas.$inferInsert>; lines?: LineSpec[] }[];
}

/** A pseudo-random sequence that is the same on every run. */
function lcg(seed: number) {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1_664_525) + 1_013_904_223) >>> 0;
    return x / 4_294_967_296;
  };
}

function edgeVersions(): VersionSpec[] {
  const candidateLine = (
    candidateId: string,
    votes: number | null,
    percent: number | null,
    extra: LineSpec = {},
  ): LineSpec => ({
    kind: 'candidate',
    candidateId,
    votes,
    percent,
    ...extra,
  });
  const specs: VersionSpec[] = [
    // Everything that may be null is null; no lines at all.
    { row: { complete: true, percentBase: 'unknown' }, lines: [] },
    { row: { complete: false, percentBase: 'unknown' }, lines: [{ kind: 'against-all', label: 'Against all' }] },
    // Strings that need escaping, everywhere a string goes.
    {
      row: {
        asOf: '2024-03-17T21:00:00+03:00',
        publishedBy: STRANGE,
        note: `line one\r\nline two "quoted" \\n not a newline`,
        complete: true,
        status: 'unofficial-partial',
        percentBase: 'valid-votes',
      },
      lines: [
        candidateLine('zz-strange', 12, 40, {
          nominatorId: 'zz-org-strange',
          rank: 1,
          outcome: 'advanced-to-runoff',
          publishedAsIs: true,
        }),
        { kind: 'against-all', label: STRANGE, votes: 12, percent: 40 },
        candidateLine('zz-plain', 6, 20, { rank: 2, outcome: 'defeated' }),
      ],
      extra: [
        { sourceId: 'zz-source-c', covers: STRANGE },
        { sourceId: 'zz-source-a', covers: 'turnout' },
        { sourceId: 'zz-Source-Z', covers: 'case' },
        { sourceId: 'zz-source_', covers: 'underscore' },
      ],
    },
    // Counting progress: the share of units reporting rounded as JavaScript rounds it, 0 of 0 (no
    // share), a level alone, and an area's own progress.
    {
      row: {
        complete: false,
        unitsLevel: 'polling-station',
        unitsReporting: 6262,
        unitsTotal: 10101,
        ballotsCounted: 5_000_000,
        expectedVotes: 8_300_046,
      },
      lines: [candidateLine('zz-a', 60, 66.667)],
      areas: [
        { areaId: 'kz-zz-edge', row: { unitsReporting: 2, unitsTotal: 3, ballotsCounted: 0 } },
        { areaId: 'kz-zz-edge-d', row: { unitsReporting: 0, unitsTotal: 0, unitsLevel: 'district' } },
        { areaId: 'kz-zz-edge-b', row: { unitsReporting: 1, unitsTotal: 8, expectedVotes: MAX } },
      ],
    },
    { row: { unitsReporting: 1, unitsTotal: 3 } },
    { row: { unitsReporting: 5, unitsTotal: null, unitsLevel: 'region' } },
    { inexact: true, row: { ballotsCounted: MAX + 2 } },
    // Areas: a region and a district in it, with and without lines, counts at the edges; party seats.
    {
      row: { complete: true, registeredVoters: 100, ballotsCast: 90 },
      lines: [candidateLine('zz-a', 60, 66.667, { seats: 0 }), candidateLine('zz-b', 30, 33.333, { seats: 7 })],
      areas: [
        {
          areaId: 'kz-zz-edge',
          row: { complete: true, registeredVoters: 60, ballotsCast: 50, turnoutPercent: 83.333 },
          lines: [candidateLine('zz-a', 40, 80), candidateLine('zz-b', 10, 20)],
        },
        { areaId: 'kz-zz-edge-d', row: { turnoutPercent: 0.001, invalidVotes: 0 } },
        {
          areaId: 'kz-zz-edge-b',
          row: { complete: false, registeredVoters: MAX },
          lines: [candidateLine('zz-a', null, 12.5)],
        },
      ],
    },
    { inexact: true, areas: [{ areaId: 'kz-zz-edge', row: { ballotsCast: MAX + 2 } }] },
    // Ordering: ties in votes, null votes and null percents, then line id.
    {
      row: { complete: true, status: 'unofficial-complete' },
      lines: [
        candidateLine('zz-plain', 10, 1),
        candidateLine('zz-strange', null, null),
        candidateLine('zz-a', 10, 2),
        candidateLine('zz-b', null, 3),
        candidateLine('zz-c', 5, null),
        candidateLine('zz-d', 10, 2),
        candidateLine('zz-e', 0, 0),
      ],
    },
    // Decimals: trailing zeros, the ends of the range, the smallest step.
    {
      row: { complete: true, turnoutPercent: 100, registeredVoters: 3, ballotsCast: 3, validVotes: 3, invalidVotes: 0 },
      lines: [
        candidateLine('zz-a', 1, 100),
        candidateLine('zz-b', 1, 0),
        candidateLine('zz-c', 1, 0.001),
        candidateLine('zz-d', 0, 99.999),
        candidateLine('zz-e', 0, 12.34),
        candidateLine('zz-plain', 0, 7),
      ],
    },
    {
      row: { complete: true, turnoutPercent: 999.999, registeredVoters: 0, ballotsCast: 5 },
      lines: [candidateLine('zz-a', 5, 33.333)],
    },
    {
      row: { complete: true, turnoutPercent: 0.001, registeredVoters: null, ballotsCast: 5 },
      lines: [candidateLine('zz-a', 5, 50.5)],
    },
    {
      row: { complete: true, turnoutPercent: 0, registeredVoters: 7, ballotsCast: null },
      lines: [candidateLine('zz-a', 5, 50.5)],
    },
    // The largest integers JavaScript holds exactly; ballots cast below the lines' total.
    {
      row: { complete: true, registeredVoters: MAX, ballotsCast: 0, validVotes: MAX, invalidVotes: MAX },
      lines: [candidateLine('zz-a', MAX, 100), candidateLine('zz-b', 0, 0)],
    },
    // A turnout of 9×10^17 %: JavaScript prints it in full, the statement cannot: not served.
    {
      inexact: true,
      row: { complete: true, registeredVoters: 1, ballotsCast: MAX },
      lines: [candidateLine('zz-a', 1, 100)],
    },
    // A complete version with a line without votes, and an incomplete one with all: no total.
    {
      row: { complete: true, ballotsCast: 100 },
      lines: [candidateLine('zz-a', 50, 50), candidateLine('zz-b', null, 50)],
    },
    {
      row: { complete: false, ballotsCast: 100 },
      lines: [candidateLine('zz-a', 50, 50), candidateLine('zz-b', 50, 50)],
    },
    // Timestamps: microseconds (truncated, as Date parsing does), before 1970, the year range ends.
    { createdAt: `'2024-02-29 23:59:59.999999+00'`, lines: [candidateLine('zz-a', 1, 1)] },
    { createdAt: `'2024-06-01 02:00:00.0005+05:30'`, lines: [candidateLine('zz-a', 1, 1)] },
    { createdAt: `'1969-12-31 23:59:59.9995+00'`, lines: [candidateLine('zz-a', 1, 1)] },
    { createdAt: `'1000-01-01 00:00:00+00'`, lines: [candidateLine('zz-a', 1, 1)] },
    { createdAt: `'9999-12-31 23:59:59.999999+00'`, lines: [candidateLine('zz-a', 1, 1)] },
    // Values the response schema refuses: the reference throws, and the statement does not serve them.
    { inexact: true, lines: [candidateLine('zz-a', null, 1, { votesSql: '9007199254740993' })] },
    { inexact: true, row: { complete: true }, lines: [candidateLine('zz-a', MAX, 50), candidateLine('zz-b', 1, 50)] },
    { inexact: true, lines: [candidateLine('zz-a', 1, 1, { rank: 0 })] },
    { inexact: true, row: { registeredVoters: -1 } },
    { inexact: true, row: { ballotsCast: MAX + 2 } },
    { inexact: true, row: { turnoutPercent: sql`'NaN'::numeric` } },
    // Outside what the statement formats itself (years before 1000 or after 9999): not served.
    { inexact: true, createdAt: `'0999-12-31 23:59:59+00'`, lines: [candidateLine('zz-a', 1, 1)] },
    { inexact: true, createdAt: `'10000-01-01 00:00:00+00'`, lines: [candidateLine('zz-a', 1, 1)] },
  ];
  // derived.turnoutPercent: Math.round(x * 100) / 100 over a spread of ratios, halves included
  // (150 random ones under TEST_SCALE=full, the first 30 of them otherwise).
  const rnd = lcg(20_240_229);
  const pairs: [number, number][] = [
    [1, 8],
    [1, 3],
    [2, 3],
    [1, 20_000],
    [1, 40_000],
    [1, 80_000],
    [3, 80_000],
    [5, 1_000_000],
    [1, 1],
    [8_300_046, 11_953_465],
    [0, 5],
    [7, 6],
    [1_000_000_007, 3],
    [MAX, MAX - 1],
    [MAX - 1, MAX],
  ];
  for (let i = 0; i < scaled(30, 150); i++) {
    const registered = 1 + Math.floor(rnd() * 10 ** (1 + Math.floor(rnd() * 9)));
    const ballots = Math.floor(rnd() * registered * 1.2);
    pairs.push([ballots, registered]);
  }
  for (const [ballotsCast, registeredVoters] of pairs)
    specs.push({ row: { ballotsCast, registeredVoters }, lines: [candidateLine('zz-a', 1, 1)] });
  return specs;
}

async function writeEdgeCases(db: Db, specs: VersionSpec[]) {
  const sources = ['zz-source-a', EDGE_SOURCE, 'zz-source-c', 'zz-Source-Z', 'zz-source_'];
  await db.insert(s.sources).values(
    sources.map((id, i) => ({
      id,
      publisher: i === 2 ? STRANGE : `Publisher ${id}`,
      title: i % 2 ? null : `Title "${id}"`,
      url: i % 2 ? null : `https://example.org/${id}?a=1&b=2`,
      published: i === 0 ? '2024-03-18' : i === 2 ? '2024-03-18T10:00:00+06:00' : null,
      kind: i % 2 ? ('official' as const) : ('news' as const),
    })),
  );
  const people = [
    ['zz-strange', STRANGE],
    ['zz-plain', 'Plain Name'],
    ['zz-a', 'A'],
    ['zz-b', ''],
    ['zz-c', 'Ç'],
    ['zz-d', 'D'],
    ['zz-e', 'E'],
  ];
  await db.insert(s.candidates).values(people.map(([id, name]) => ({ id: id!, name: name!, sourceId: EDGE_SOURCE })));
  await db.insert(s.organisations).values({ id: 'zz-org-strange', name: STRANGE, sourceId: EDGE_SOURCE });
  await db
    .insert(s.elections)
    .values({ id: EDGE, countryCode: 'KZ', type: 'presidential', date: '2001-02-03', sourceId: EDGE_SOURCE });
  const [contest] = await db
    .insert(s.contests)
    .values({
      electionId: EDGE,
      slug: 'president',
      kind: 'candidate',
      name: STRANGE,
      areaId: 'kz',
      main: true,
      seats: 1,
      thresholdPercent: 7,
      sourceId: EDGE_SOURCE,
    })
    .returning({ id: s.contests.id });
  await db.insert(s.areas).values([
    { id: 'kz-zz-edge', countryCode: 'KZ', parentId: 'kz', level: 'region', name: STRANGE, sourceId: EDGE_SOURCE },
    {
      id: 'kz-zz-edge-d',
      countryCode: 'KZ',
      parentId: 'kz-zz-edge',
      level: 'district',
      name: 'D',
      sourceId: EDGE_SOURCE,
    },
    { id: 'kz-zz-edge-b', countryCode: 'KZ', parentId: 'kz', level: 'region', name: 'B', sourceId: EDGE_SOURCE },
  ]);
  const inexact: number[] = [];
  for (const [i, spec] of specs.entries()) {
    const number = i + 1;
    if (spec.inexact) inexact.push(number);
    const [row] = await db
      .insert(s.resultVersions)
      .values({
        electionId: EDGE,
        contestId: contest!.id,
        number,
        status: 'certified',
        complete: false,
        percentBase: 'lines-total',
        sourceId: EDGE_SOURCE,
        ...(spec.row as object),
        ...(spec.createdAt ? { createdAt: sql.raw(`${spec.createdAt}::timestamptz`) } : {}),
      } as typeof s.resultVersions.$inferInsert)
      .returning({ id: s.resultVersions.id });
    for (const { votesSql, ...line } of spec.lines ?? [])
      await db.insert(s.voteShares).values({
        kind: 'candidate',
        ...line,
        ...(votesSql ? { votes: sql.raw(votesSql) } : {}),
        versionId: row!.id,
      } as typeof s.voteShares.$inferInsert);
    for (const extra of spec.extra ?? [])
      await db.insert(s.resultVersionSources).values({ ...extra, versionId: row!.id });
    for (const area of spec.areas ?? []) {
      await db.insert(s.resultAreas).values({ complete: false, ...area.row, areaId: area.areaId, versionId: row!.id });
      for (const line of area.lines ?? [])
        await db.insert(s.voteShares).values({
          kind: 'candidate',
          ...line,
          areaId: area.areaId,
          versionId: row!.id,
        } as typeof s.voteShares.$inferInsert);
    }
  }
  return inexact;
}

// Hundreds of documents compared on each engine: longer than tap's 120 s on a loaded machine.
t.setTimeout(600_000);

forEachEngine(t, async (t, app: FastifyInstance) => {
  const db = app.database.primary;

  t.test('every seeded version', async (t) => {
    // Every version, nationally, by region and at its first areas (all of them under TEST_SCALE=full).
    const { compared, exact } = await compareAll(t, db, undefined, { areasPerVersion: scaled(3, Infinity) });
    t.ok(compared > 3, `${compared} seeded versions and current versions`);
    t.equal(exact, compared, 'all of them written by PostgreSQL, none through the fallback');
  });

  t.test('the current results with a race call: the call appended as the schema orders it', async (t) => {
    const [contest] = await db
      .select({ id: s.contests.id })
      .from(s.contests)
      .where(eq(s.contests.electionId, 'kz.presidential.2022-11-20'));
    const [call] = await db
      .insert(s.raceCalls)
      .values({
        electionId: 'kz.presidential.2022-11-20',
        contestId: contest!.id,
        number: 1,
        status: 'runoff',
        sourceId: 'kazinform-2022-cec-final-results',
        calledAt: new Date('2022-11-21T06:00:00.123Z'),
        note: STRANGE,
      })
      .returning({ id: s.raceCalls.id });
    await db.insert(s.raceCallWinners).values([
      { callId: call!.id, position: 0, candidateId: 'kassym-jomart-tokayev' },
      { callId: call!.id, position: 1, option: STRANGE },
    ]);
    const { compared, exact } = await compareAll(t, db, ['kz.presidential.2022-11-20'], {
      areasPerVersion: scaled(3, Infinity),
    });
    t.equal(exact, compared);
    const body = (await loadResultsJson(db, { electionId: 'kz.presidential.2022-11-20' }))!.json;
    t.match(JSON.parse(body), {
      call: { status: 'runoff', winners: [{ id: 'kassym-jomart-tokayev' }, { name: STRANGE }] },
    });
  });

  t.test('the route sends those bytes, with and without the cache', async (t) => {
    const versions = await db
      .select({
        electionId: s.resultVersions.electionId,
        number: s.resultVersions.number,
        contest: s.contests.slug,
        main: s.contests.main,
      })
      .from(s.resultVersions)
      .innerJoin(s.contests, eq(s.contests.id, s.resultVersions.contestId));
    for (const { electionId, number, contest, main } of versions)
      for (const level of [undefined, 'region']) {
        const expected = await reference(db, { electionId, contest: main ? undefined : contest, number, level });
        const path = main ? 'results' : `contests/${contest}/results`;
        const query = level ? `?level=${level}` : '';
        const res = await app.inject({
          method: 'GET',
          url: `/v1/elections/${electionId}/${path}/versions/${number}${query}`,
        });
        t.equal(
          res.body,
          'json' in expected ? expected.json : undefined,
          `${electionId} ${contest} v${number}${query}`,
        );
      }
  });

  t.test('edge cases written straight into the tables', async (t) => {
    const specs = edgeVersions();
    const inexact = await writeEdgeCases(db, specs);
    const { compared, exact, unserved } = await compareAll(t, db, [EDGE]);
    t.same(
      [...new Set(unserved.map((q) => q.number))].sort((a, b) => a! - b!),
      inexact,
      'only the rows SQL cannot render are left unserved',
    );
    t.ok(exact > compared / 2, `${exact} of ${compared} views rendered by SQL`);
    const inexactAt = (number: number) => {
      const spec = specs[number - 1]!;
      return { electionId: EDGE, number, ...(spec.areas?.length && !spec.lines ? { level: 'region' } : {}) };
    };
    for (const number of inexact)
      t.notOk((await findResultsDocument(db, inexactAt(number)))?.exact, `v${number} is not rendered by SQL`);
    for (let number = 1; number <= specs.length; number++)
      if (!inexact.includes(number) && !(await findResultsDocument(db, { electionId: EDGE, number }))?.exact)
        t.fail(`v${number} should be rendered by SQL`);
    const refused = await reference(db, {
      electionId: EDGE,
      number: specs.findIndex((spec) => spec.lines?.some((l) => l.votesSql)) + 1,
    });
    t.match(
      refused,
      { error: /ZodError|too_big|Invalid/ },
      'the reference refuses an unsafe integer, and the SQL path with it',
    );
    for (const number of inexact.slice(0, 2)) {
      const level = inexactAt(number).level ? '?level=region' : '';
      const refused = await app.inject({
        method: 'GET',
        url: `/v1/elections/${EDGE}/results/versions/${number}${level}`,
      });
      t.equal(refused.statusCode, 500, `v${number}${level}: a version the API cannot serve is a 500`);
      t.match(refused.json(), { status: 500, detail: 'An unexpected error occurred; it has been logged.' });
      t.notMatch(refused.body, /holds values|select|result_versions/, 'nothing of the cause leaks');
    }

    const strange = await fromSql(db, { electionId: EDGE, number: 3 });
    t.ok('json' in strange && JSON.parse(strange.json).publishedBy === STRANGE, 'escaped strings read back as stored');

    // Another session time zone and float format do not change a byte (at +05:41:16, Kathmandu's
    // offset before 1920, Date cannot parse what the object path reads: both paths fail alike).
    await db.transaction(async (tx) => {
      await tx.execute(sql`set local timezone = 'Asia/Kathmandu'`);
      await tx.execute(sql`set local extra_float_digits = 0`);
      const { compared: again } = await compareAll(t, tx, [EDGE]);
      t.equal(again, compared, 'the same again at +05:45 with extra_float_digits = 0');
    });
  });

  t.test('synthetic data (db:synth)', async (t) => {
    const elections = scaled(15, 60); // 60 under TEST_SCALE=full, from the same seed
    await synth(db, { elections, seed: 5 });
    const synthetic = await db
      .select({ id: s.elections.id })
      .from(s.elections)
      .where(eq(s.elections.sourceId, SYNTHETIC_SOURCE_ID));
    t.equal(synthetic.length, elections);
    // Every region of a version is in its ?level=region view; two alone are enough here.
    const { compared, exact } = await compareAll(
      t,
      db,
      synthetic.map((e) => e.id),
      { areasPerVersion: 2 },
    );
    t.equal(exact, compared, `${compared} versions, all written by PostgreSQL`);
  });

  t.test('no version, no election: undefined, as loadResults', async (t) => {
    t.same(await fromSql(db, { electionId: 'kz.presidential.2022-11-20', number: 99 }), { missing: true });
    t.same(await fromSql(db, { electionId: 'xx.presidential.1900-01-01' }), { missing: true });
    t.same(await fromSql(db, { electionId: 'kz.presidential.2022-11-20', contest: 'nope' }), { missing: true });
    t.same(await fromSql(db, { electionId: 'kz.presidential.2022-11-20', area: 'kz-nope' }), { missing: true });
    t.same(
      await fromSql(db, { electionId: 'kz.presidential.2022-11-20', area: 'ru' }),
      { missing: true },
      'outside the contest',
    );
  });
});
