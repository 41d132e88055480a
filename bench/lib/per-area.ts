// The per-area dataset: its own database, migrated and seeded (Kazakhstan's 20 regions come from the
// seeds), then N synthetic presidential elections in Kazakhstan, each with one certified version
// holding 8 national lines and the same 8 lines in each of the 20 regions, written through the app's
// own writer (src/db/result-versions.ts insertVersions). Everything added here is marked synthetic:
// the source `synthetic-dataset`, and a note on each election, candidate and party. Built here
// rather than by db:synth, so the bench always measures exactly this shape.
import { and, eq, isNull, sql } from 'drizzle-orm';
import { openDatabase } from '../../src/db/client.js';
import { defaultMainContest } from '../../src/db/contests.js';
import { insertVersions, type VersionRows } from '../../src/db/result-versions.js';
import * as t from '../../src/db/schema/index.js';
import { seed } from '../../src/db/seed.js';
import { SYNTHETIC_SOURCE_ID } from '../../src/db/synth.js';
import { databaseUrl, withClient } from './datasets.js';

/** The country whose regions the figures are for, and the level asked for. */
export const PER_AREA_COUNTRY = 'kz';
export const PER_AREA_LEVEL = 'region';
/** Lines per area: 7 candidates and "against all". */
export const PER_AREA_LINES = 8;

const NOTE = 'Synthetic, written by npm run bench for the per-area benchmark; not a real election or figure.';
const CANDIDATES = PER_AREA_LINES - 1;
const candidateId = (i: number) => `synthetic-bench-candidate-${i + 1}`;
const partyId = (i: number) => `synthetic-bench-party-${i + 1}`;

export interface AreaDataset {
  name: string;
  url: string;
  elections: number;
  /** The regions each version has figures for. */
  regions: number;
  rows: { elections: number; result_versions: number; result_areas: number; vote_shares: number };
  /** How long writing the versions took, when this run wrote them (not with --reuse). */
  build: { seconds: number; lines: number } | null;
}

export interface AreaParameters {
  /** The per-area elections in a fixed shuffled order, one per request for the cold reads. */
  coldIds: string[];
  /** One election asked for over and over (warm). */
  warmId: string;
}

/** A small deterministic PRNG (mulberry32): the same seed gives the same figures. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** `total` split by `weights`, in integers that add up to it (largest remainders). */
function distribute(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    out[i]! += 1;
  }
  return out;
}

const percent = (part: number, whole: number) => (whole ? Math.round((part / whole) * 100_000) / 1000 : null);
const isoDay = (day: number) => new Date(Date.UTC(2100, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);

interface Counts {
  registeredVoters: number;
  ballotsCast: number;
  validVotes: number;
  invalidVotes: number;
  turnoutPercent: number | null;
}

/** One election's version: per region turnout and lines, the national figures their sums. */
function versionOf(electionId: string, contestId: number, regions: string[], rnd: () => number): VersionRows {
  const weights = Array.from({ length: PER_AREA_LINES }, (_, i) => (i === 0 ? 3 + rnd() * 3 : 0.2 + rnd()));
  weights[PER_AREA_LINES - 1] = 0.1 + rnd() * 0.3; // against all
  const kindOf = (i: number) =>
    i < CANDIDATES
      ? { kind: 'candidate' as const, candidateId: candidateId(i), nominatorId: partyId(i), label: null }
      : { kind: 'against-all' as const, candidateId: null, nominatorId: null, label: 'Against all' };
  const national = new Array<number>(PER_AREA_LINES).fill(0);
  const totals = { registeredVoters: 0, ballotsCast: 0, validVotes: 0, invalidVotes: 0 };
  const areas: VersionRows['areas'] = [];
  const lines: VersionRows['lines'] = [];
  for (const areaId of regions) {
    const registered = Math.round(200_000 + rnd() * 1_300_000);
    const cast = Math.round(registered * (0.5 + rnd() * 0.4));
    const invalid = Math.round(cast * (0.005 + rnd() * 0.015));
    const valid = cast - invalid;
    const votes = distribute(
      valid,
      weights.map((w) => w * (0.8 + rnd() * 0.4)),
    );
    const counts: Counts = {
      registeredVoters: registered,
      ballotsCast: cast,
      validVotes: valid,
      invalidVotes: invalid,
      turnoutPercent: percent(cast, registered),
    };
    areas.push({ areaId, complete: true, publishedAsIs: false, ...counts });
    votes.forEach((v, i) => {
      national[i]! += v;
      // A region's lines are its counts only: ranks and outcomes are the contest's.
      lines.push({ ...kindOf(i), areaId, votes: v, percent: percent(v, valid), rank: null, outcome: null });
    });
    totals.registeredVoters += registered;
    totals.ballotsCast += cast;
    totals.validVotes += valid;
    totals.invalidVotes += invalid;
  }
  const ranked = national.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const rankOf = new Map(ranked.map(([, i], r) => [i, r + 1]));
  const nationalLines = national.map((v, i) => ({
    ...kindOf(i),
    areaId: null,
    votes: v,
    percent: percent(v, totals.validVotes),
    rank: rankOf.get(i)!,
    outcome: i < CANDIDATES ? (rankOf.get(i) === 1 ? ('elected' as const) : ('defeated' as const)) : null,
  }));
  return {
    version: {
      electionId,
      contestId,
      number: 1,
      status: 'certified',
      asOf: null,
      complete: true,
      publishedBy: 'Synthetic election commission (npm run bench)',
      note: NOTE,
      sourceId: SYNTHETIC_SOURCE_ID,
      percentBase: 'valid-votes',
      ...totals,
      turnoutPercent: percent(totals.ballotsCast, totals.registeredVoters),
    },
    lines: [...nationalLines, ...lines],
    areas,
    additionalSources: [],
  };
}

async function counts(url: string): Promise<AreaDataset['rows'] & { regions: number }> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<AreaDataset['rows'] & { regions: number }>(
      `select (select count(*)::int from elections where source_id = $1) as elections,
        (select count(*)::int from result_versions where source_id = $1) as result_versions,
        (select count(*)::int from result_areas ra join result_versions rv on rv.id = ra.version_id
          where rv.source_id = $1) as result_areas,
        (select count(*)::int from vote_shares vs join result_versions rv on rv.id = vs.version_id
          where rv.source_id = $1) as vote_shares,
        (select count(distinct ra.area_id)::int from result_areas ra join result_versions rv on rv.id = ra.version_id
          where rv.source_id = $1) as regions`,
      [SYNTHETIC_SOURCE_ID],
    );
    return rows[0]!;
  });
}

/**
 * The database `name` with `elections` per-area elections: made afresh unless `reuse` finds it
 * holding exactly that many.
 */
export async function prepareAreaDataset(
  serverUrl: string,
  name: string,
  opts: { elections: number; seed: number; reuse: boolean },
): Promise<AreaDataset> {
  const url = databaseUrl(serverUrl, name);
  if (opts.reuse) {
    const found = await counts(url).catch(() => null);
    if (found?.elections === opts.elections) {
      console.error(`${name}: reusing its ${opts.elections} per-area elections (migrated to the latest schema)`);
      const database = await openDatabase({ url, poolMax: 1 });
      await database.migrate().finally(() => database.close());
      await withClient(url, (c) => c.query('analyze'));
      const { regions, ...rows } = await counts(url);
      return { name, url, elections: opts.elections, regions, rows, build: null };
    }
  }
  await withClient(serverUrl, async (c) => {
    await c.query(`drop database if exists "${name}" with (force)`);
    await c.query(`create database "${name}"`);
  });
  const database = await openDatabase({ url, poolMax: 2 });
  try {
    const db = database.primary;
    await database.migrate();
    await seed(db);
    const regions = (
      await db
        .select({ id: t.areas.id })
        .from(t.areas)
        .where(and(eq(t.areas.parentId, PER_AREA_COUNTRY), eq(t.areas.level, PER_AREA_LEVEL), isNull(t.areas.validTo)))
        .orderBy(t.areas.id)
    ).map((r) => r.id);
    if (regions.length === 0) throw new Error(`${name}: the seeds hold no regions of ${PER_AREA_COUNTRY}`);
    await db
      .insert(t.sources)
      .values({
        id: SYNTHETIC_SOURCE_ID,
        publisher: 'Synthetic data (npm run bench)',
        title: 'Generated dataset for benchmarks',
        url: null,
        published: null,
        kind: 'news',
        language: 'en',
        note: 'Every election, candidate, party and figure under this source is invented; none is a real result.',
      })
      .onConflictDoNothing();
    await db.insert(t.organisations).values(
      Array.from({ length: CANDIDATES }, (_, i) => ({
        id: partyId(i),
        name: `Synthetic Party ${i + 1}`,
        kind: 'party' as const,
        sourceId: SYNTHETIC_SOURCE_ID,
      })),
    );
    await db.insert(t.candidates).values(
      Array.from({ length: CANDIDATES }, (_, i) => {
        const candidateName = `Synthetic Candidate ${i + 1}`;
        return {
          id: candidateId(i),
          name: candidateName,
          note: NOTE,
          sourceId: SYNTHETIC_SOURCE_ID,
        };
      }),
    );
    const rnd = prng(opts.seed);
    const started = performance.now();
    let lines = 0;
    for (let first = 0; first < opts.elections; first += 200) {
      const batch = Array.from({ length: Math.min(200, opts.elections - first) }, (_, k) => {
        const date = isoDay(first + k);
        return {
          id: `${PER_AREA_COUNTRY}.presidential.${date}`,
          countryCode: PER_AREA_COUNTRY.toUpperCase(),
          type: 'presidential' as const,
          date,
          note: NOTE,
          sourceId: SYNTHETIC_SOURCE_ID,
        };
      });
      await db.insert(t.elections).values(batch);
      const contests = await db
        .insert(t.contests)
        .values(batch.map((e) => ({ ...defaultMainContest(e), note: NOTE })))
        .returning({ id: t.contests.id, electionId: t.contests.electionId });
      const versions = contests.map((c) => versionOf(c.electionId, c.id, regions, rnd));
      await insertVersions(db, versions, (n) => (lines += n));
      process.stderr.write(`\r${name}: ${first + batch.length}/${opts.elections} elections`);
    }
    process.stderr.write('\n');
    const seconds = (performance.now() - started) / 1000;
    await db.execute(sql`analyze`);
    const { regions: stored, ...rows } = await counts(url);
    return { name, url, elections: opts.elections, regions: stored, rows, build: { seconds, lines } };
  } finally {
    await database.close();
  }
}

/** The elections to ask for: all of them in a fixed shuffled order (cold), and the first (warm). */
export async function pickAreaParameters(url: string): Promise<AreaParameters> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ id: string }>(
      'select id from elections where source_id = $1 order by md5(id) limit 10000',
      [SYNTHETIC_SOURCE_ID],
    );
    const warmId = rows[0]?.id;
    if (!warmId) throw new Error(`${url}: no per-area elections`);
    return { coldIds: rows.map((r) => r.id), warmId };
  });
}

/** The request of the issue: the country's figures and every region's. */
export const perAreaPath = (electionId: string) =>
  `/v1/elections/${electionId}/results?area=${PER_AREA_COUNTRY}&level=${PER_AREA_LEVEL}`;
export const nationalPath = (electionId: string) => `/v1/elections/${electionId}/results`;
