import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import t, { type Test } from 'tap';
import { openDatabase, type Db } from '../src/db/client.js';
import * as s from '../src/db/schema/index.js';
import { SYNTHETIC_SOURCE_ID, synth, SyntheticDataExistsError } from '../src/db/synth.js';
import { areaContext } from '../src/modules/areas/areas.repository.js';
import { AREA_ID_PATTERN } from '../src/modules/areas/areas.schemas.js';
import { ELECTION_ID_PATTERN } from '../src/modules/elections/elections.schemas.js';
import { referencedIds } from '../src/modules/results/results.repository.js';
import { type ResultsInput, resultsInputSchema } from '../src/modules/results/results.schemas.js';
import { validateResults } from '../src/modules/results/results.validation.js';
import { candidateIdParam } from '../src/modules/vote-shares/vote-shares.schemas.js';
import { forEachEngine, get } from './helpers/app.js';
import { type Engine, freshDatabase } from './helpers/databases.js';
import { snapshot } from './helpers/snapshot.js';
import { bearer, send, tokenFor } from './helpers/writes.js';

const N = 50;
const SEED = 7;

// Map.groupBy arrives with Node 21; the project supports Node 20.
function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

const sum = (values: (number | null)[]) => values.reduce<number>((total, v) => total + (v ?? 0), 0);

/** How lines of two areas are matched, as the validation does: a candidate, a party, or a label. */
const keyOf = (l: { kind: string; candidateId: string | null; nominatorId: string | null; label: string | null }) =>
  l.candidateId ?? (l.kind === 'party' ? `party ${l.nominatorId}` : `line ${l.label}`);

/** A second fresh seeded database of the engine, with `seed` synthesised into it. */
async function synthesised(t: Test, engine: Engine, seed: number) {
  const fresh = await freshDatabase(engine);
  const database = await openDatabase(fresh.options);
  t.teardown(async () => {
    await database.close();
    await fresh.drop();
  });
  await synth(database.primary, { elections: N, seed });
  return database.primary;
}

/** Every synthetic version as stored, with its contest, election, areas and lines. */
async function storedVersions(db: Db) {
  const versions = await db
    .select({ version: s.resultVersions, contest: s.contests, election: s.elections })
    .from(s.resultVersions)
    .innerJoin(s.contests, eq(s.contests.id, s.resultVersions.contestId))
    .innerJoin(s.elections, eq(s.elections.id, s.resultVersions.electionId))
    .where(eq(s.resultVersions.sourceId, SYNTHETIC_SOURCE_ID))
    .orderBy(asc(s.resultVersions.electionId), asc(s.resultVersions.number));
  const ids = versions.map((v) => v.version.id);
  const areas = groupBy(
    await db
      .select()
      .from(s.resultAreas)
      .where(inArray(s.resultAreas.versionId, ids))
      .orderBy(asc(s.resultAreas.areaId)),
    (a) => a.versionId,
  );
  const lines = groupBy(
    await db.select().from(s.voteShares).where(inArray(s.voteShares.versionId, ids)).orderBy(asc(s.voteShares.id)),
    (l) => l.versionId,
  );
  return versions.map((v) => ({ ...v, areas: areas.get(v.version.id) ?? [], lines: lines.get(v.version.id) ?? [] }));
}
type Stored = Awaited<ReturnType<typeof storedVersions>>[number];

/** A stored version as an editor would send it to POST .../results. */
function inputOf(v: Stored): ResultsInput {
  const lineOf = ({
    kind,
    candidateId,
    label,
    nominatorId,
    votes,
    percent,
    rank,
    outcome,
    seats,
    publishedAsIs,
  }: Stored['lines'][number]) => ({
    kind,
    candidateId,
    label,
    nominatorId,
    votes,
    percent,
    rank,
    outcome,
    seats,
    publishedAsIs,
  });
  const turnoutOf = (
    r: Pick<Stored['version'], 'registeredVoters' | 'ballotsCast' | 'validVotes' | 'invalidVotes' | 'turnoutPercent'>,
  ) => ({
    registeredVoters: r.registeredVoters,
    ballotsCast: r.ballotsCast,
    validVotes: r.validVotes,
    invalidVotes: r.invalidVotes,
    turnoutPercent: r.turnoutPercent,
  });
  return resultsInputSchema.parse({
    status: v.version.status,
    asOf: v.version.asOf,
    complete: v.version.complete,
    publishedBy: v.version.publishedBy,
    note: v.version.note,
    sourceId: v.version.sourceId,
    turnout: turnoutOf(v.version),
    percentBase: v.version.percentBase,
    lines: v.lines.filter((l) => l.areaId === null).map(lineOf),
    areas: v.areas.map((a) => ({
      areaId: a.areaId,
      turnout: turnoutOf(a),
      complete: a.complete,
      publishedAsIs: a.publishedAsIs,
      lines: v.lines.filter((l) => l.areaId === a.areaId).map(lineOf),
    })),
  });
}

/** What POST .../results would answer about `input` as the next version after `previous`. */
async function problemsOf(db: Db, v: Stored, input: ResultsInput, previous: Stored['version']['status'][]) {
  const areas = await areaContext(
    db,
    input.areas.map((a) => a.areaId),
    v.contest.areaId,
    v.election.date,
  );
  return validateResults(input, {
    previousStatuses: previous,
    ...(await referencedIds(db, input)),
    contestAreaId: v.contest.areaId,
    pollingDay: v.election.date,
    ...areas,
  });
}

/** Versions with every region's complete figures: the ones whose regions must add up to the country. */
const byRegion = (versions: Stored[]) => versions.filter((v) => v.areas.length > 0 && v.areas.every((a) => a.complete));

forEachEngine(t, async (t, app, engine) => {
  const db = app.database.primary;
  const before = await snapshot(db);
  const progress: number[] = [];
  const summary = await synth(db, {
    elections: N,
    seed: SEED,
    onProgress: (done) => progress.push(done),
  });
  const stored = await storedVersions(db);

  t.test('writes the rows it reports, all under the synthetic source', async (t) => {
    t.equal(summary.elections, N);
    t.equal(summary.contests, N, 'one contest per election');
    t.equal(progress.at(-1), N, 'progress reaches the total');
    t.ok(
      summary.resultVersions >= N && summary.resultVersions <= 3 * N,
      `1-3 versions each (${summary.resultVersions})`,
    );
    const national = stored.flatMap((v) => v.lines.filter((l) => l.areaId === null)).length / N;
    t.ok(national >= 5 && national <= 14, `about 10 national lines per election (${national.toFixed(1)})`);
    t.ok(summary.voteShares > national * N, `and lines by region (${summary.voteShares} in all)`);
    t.ok(
      summary.resultAreas > 0 && summary.areas > 0,
      `${summary.areas} regions, ${summary.resultAreas} figures by area`,
    );

    const counted = async (
      table:
        | typeof s.elections
        | typeof s.candidates
        | typeof s.organisations
        | typeof s.resultVersions
        | typeof s.areas
        | typeof s.contests,
    ) => (await db.select({ n: count() }).from(table).where(eq(table.sourceId, SYNTHETIC_SOURCE_ID)))[0]?.n;
    t.equal(await counted(s.elections), summary.elections);
    t.equal(await counted(s.contests), summary.contests);
    t.equal(await counted(s.candidates), summary.candidates);
    t.equal(await counted(s.organisations), summary.organisations);
    t.equal(await counted(s.areas), summary.areas);
    t.equal(await counted(s.resultVersions), summary.resultVersions);
    t.equal(sum(stored.map((v) => v.lines.length)), summary.voteShares);
    t.equal(sum(stored.map((v) => v.areas.length)), summary.resultAreas);

    const [source] = await db.select().from(s.sources).where(eq(s.sources.id, SYNTHETIC_SOURCE_ID));
    t.match(source, { publisher: 'Synthetic data (db:synth)', kind: 'news', note: /generated/i });

    const after = await snapshot(db);
    t.equal(after.countries, before.countries, 'the reference countries are untouched');
  });

  t.test('synthetic regions: within their country, named and marked as such, no ISO code', async (t) => {
    const regions = await db.select().from(s.areas).where(eq(s.areas.sourceId, SYNTHETIC_SOURCE_ID));
    t.ok(regions.length >= 3, `${regions.length} regions`);
    const odd = regions.filter(
      (a) =>
        !(
          a.level === 'region' &&
          a.parentId === a.countryCode.toLowerCase() &&
          a.id.startsWith(`${a.parentId}-synth-r`) &&
          AREA_ID_PATTERN.test(a.id) &&
          /^Synthetic region \d+$/.test(a.name) &&
          a.isoCode === null &&
          /synthetic/i.test(a.note ?? '')
        ),
    );
    t.same(odd, [], 'every one a region of its country, "Synthetic region n", no ISO code');
    // Figures by area name the election's country's synthetic regions only.
    const stray = stored.flatMap((v) =>
      v.areas
        .filter((a) => !a.areaId.startsWith(`${v.election.countryCode.toLowerCase()}-synth-r`))
        .map((a) => a.areaId),
    );
    t.same(stray, []);
    t.same(
      stored.filter((v) => v.election.countryCode === 'KZ' && v.areas.length > 0),
      [],
      "Kazakhstan's real regions are not mixed with synthetic ones",
    );
  });

  t.test("ids follow the API's patterns", async (t) => {
    const elections = await db.select({ id: s.elections.id }).from(s.elections);
    t.same(
      elections.filter((e) => !ELECTION_ID_PATTERN.test(e.id)),
      [],
      'every election id is {iso2}.{type}.{date}',
    );
    const candidates = await db
      .select({ id: s.candidates.id, searchKey: sql<string>`coalesce(${s.names.searchKey}, '')` })
      .from(s.candidates)
      .leftJoin(
        s.names,
        and(eq(s.names.candidateId, s.candidates.id), eq(s.names.kind, 'name'), eq(s.names.lang, 'en')),
      );
    t.same(
      candidates.filter((c) => !candidateIdParam.safeParse(c.id).success),
      [],
      'every candidate id is a slug',
    );
    t.ok(candidates.length > 0);
    t.same(
      candidates.filter((c) => c.searchKey.length === 0),
      [],
      'every candidate has a search key',
    );
  });

  t.test('each election has its main contest, of the kind its type calls for, holding its versions', async (t) => {
    const contests = await db
      .select({
        contest: s.contests,
        type: s.elections.type,
        country: s.elections.countryCode,
        current: s.elections.currentVersion,
      })
      .from(s.contests)
      .innerJoin(s.elections, eq(s.elections.id, s.contests.electionId))
      .where(eq(s.elections.sourceId, SYNTHETIC_SOURCE_ID));
    t.equal(contests.length, N);
    const kinds = {
      presidential: 'candidate',
      local: 'candidate',
      parliamentary: 'party-list',
      referendum: 'ballot-question',
    };
    const problems = contests.flatMap(({ contest, type, country, current }) => {
      const versions = stored.filter((v) => v.election.id === contest.electionId);
      const wrong = [];
      if (!contest.main || contest.kind !== kinds[type] || contest.areaId !== country.toLowerCase())
        wrong.push(`${contest.electionId}: ${JSON.stringify(contest)}`);
      if (contest.kind === 'party-list' ? !(contest.seats! > 0) : contest.seats !== 1)
        wrong.push(`${contest.electionId}: ${contest.seats} seats`);
      if (versions.some((v) => v.version.contestId !== contest.id))
        wrong.push(`${contest.electionId}: a version elsewhere`);
      if (contest.currentVersion !== versions.length || current !== versions.length)
        wrong.push(`${contest.electionId}: current ${contest.currentVersion}/${current} of ${versions.length}`);
      return wrong;
    });
    t.same(problems, []);
    t.ok(
      contests.some((c) => c.contest.kind === 'party-list') && contests.some((c) => c.contest.kind === 'candidate'),
      'both kinds',
    );
  });

  t.test('versions: earlier ones unofficial and partial, the last certified and complete', async (t) => {
    const byElection = groupBy(stored, (v) => v.election.id);
    t.equal(byElection.size, N);
    for (const [id, list] of byElection) {
      const last = list.at(-1)!.version;
      if (!(last.status === 'certified' && last.complete && list.every((v, i) => v.version.number === i + 1)))
        t.fail(`${id}: ${JSON.stringify(list.map((v) => v.version))}`);
      if (list.slice(0, -1).some((v) => !v.version.status.startsWith('unofficial')))
        t.fail(`${id}: an earlier version is not unofficial`);
    }
  });

  t.test('lines: percentages of the lines total, ranks among candidates only, seats on party lists', async (t) => {
    const problems: string[] = [];
    for (const v of stored.filter((v) => v.version.complete)) {
      for (const [areaId, lines] of groupBy(v.lines, (l) => l.areaId)) {
        const at = `${v.version.id}@${areaId ?? 'national'}`;
        const total = sum(lines.map((l) => l.votes));
        const percentSum = sum(lines.map((l) => l.percent));
        if (Math.abs(percentSum - 100) > 0.1) problems.push(`${at}: percents sum to ${percentSum}`);
        const ranks = lines
          .filter((l) => l.kind === 'candidate')
          .map((l) => l.rank)
          .sort((a, b) => a! - b!);
        if (areaId === null ? ranks.some((r, i) => r !== i + 1) : ranks.some((r) => r !== null))
          problems.push(`${at}: ranks ${ranks.join(',')}`);
        for (const line of lines) {
          if (Math.abs(((line.votes ?? 0) / total) * 100 - (line.percent ?? -1)) > 0.006)
            problems.push(`${at}/${line.id}: ${line.percent}% of ${total} is not ${line.votes}`);
          if (
            line.kind === 'against-all' &&
            (line.rank !== null || line.outcome !== null || line.label !== 'Against all')
          )
            problems.push(`${at}/${line.id}: against-all line ranked or unlabelled`);
          const expected = v.contest.kind === 'party-list' ? ['party', 'against-all'] : ['candidate', 'against-all'];
          if (!expected.includes(line.kind))
            problems.push(`${at}/${line.id}: a ${line.kind} line in a ${v.contest.kind} contest`);
          if (line.kind === 'party' && (line.nominatorId === null || line.label !== null || line.rank !== null))
            problems.push(`${at}/${line.id}: party line without its party`);
        }
        if (areaId === null && v.contest.kind === 'party-list') {
          const parties = lines.filter((l) => l.kind === 'party');
          if (sum(parties.map((l) => l.seats)) !== v.contest.seats)
            problems.push(`${at}: seats ${sum(parties.map((l) => l.seats))} of ${v.contest.seats}`);
          if (parties.some((l) => (l.outcome === 'elected') !== l.seats! > 0))
            problems.push(`${at}: elected without seats`);
          const threshold = v.contest.thresholdPercent;
          if (threshold !== null && parties.some((l) => l.seats! > 0 && l.percent! < threshold - 0.01))
            problems.push(`${at}: seats below the ${threshold}% threshold`);
        }
        if (areaId !== null && lines.some((l) => l.seats !== null || l.outcome !== null))
          problems.push(`${at}: a region's line with seats or an outcome`);
      }
    }
    t.same(problems, []);
    const kinds = new Set(stored.flatMap((v) => v.lines.map((l) => l.kind)));
    t.ok(kinds.has('against-all') && kinds.has('party') && kinds.has('candidate'), [...kinds].join(', '));
  });

  t.test('figures by region: never above the country, complete sets adding up to it', async (t) => {
    const regional = stored.filter((v) => v.areas.length > 0);
    const complete = byRegion(stored);
    t.ok(regional.length > complete.length, `${regional.length} versions with figures by region`);
    t.ok(complete.length > 0, `${complete.length} with every region's result`);
    t.ok(
      regional.some((v) => v.version.status !== 'certified'),
      'election-night versions give the turnout of the regions counted so far',
    );
    const problems: string[] = [];
    const fields = ['registeredVoters', 'ballotsCast', 'validVotes', 'invalidVotes'] as const;
    for (const v of regional)
      for (const a of v.areas) {
        for (const f of fields)
          if (a[f] !== null && v.version[f] !== null && a[f] > v.version[f])
            problems.push(`${v.version.id}/${a.areaId}: ${f}`);
        if (a.ballotsCast! > a.registeredVoters!)
          problems.push(`${v.version.id}/${a.areaId}: more ballots than voters`);
      }
    for (const v of complete) {
      const regions = await db.select({ id: s.areas.id }).from(s.areas).where(eq(s.areas.parentId, v.contest.areaId));
      if (regions.length !== v.areas.length)
        problems.push(`${v.version.id}: ${v.areas.length} of ${regions.length} regions`);
      for (const f of fields)
        if (sum(v.areas.map((a) => a[f])) !== v.version[f]) problems.push(`${v.version.id}: ${f} does not add up`);
      const national = v.lines.filter((l) => l.areaId === null);
      for (const line of national) {
        const parts = v.lines.filter((l) => l.areaId !== null && keyOf(l) === keyOf(line));
        if (parts.length !== v.areas.length || sum(parts.map((l) => l.votes)) !== line.votes)
          problems.push(`${v.version.id}: ${keyOf(line)} does not add up`);
      }
    }
    t.same(problems, []);
  });

  t.test("the API's own rules accept every synthetic version, and refuse a region that does not add up", async (t) => {
    const problems: unknown[] = [];
    for (const [, versions] of groupBy(stored, (v) => v.version.contestId))
      for (const [i, v] of versions.entries()) {
        const errors = await problemsOf(
          db,
          v,
          inputOf(v),
          versions.slice(0, i).map((p) => p.version.status),
        );
        if (errors.length) problems.push({ version: v.version.id, errors });
      }
    t.same(problems, [], `${stored.length} versions, valid as POST .../results would check them`);

    // One more vote in a region: the country's figure is no longer the sum of its regions'.
    const v = byRegion(stored)[0]!;
    const input = inputOf(v);
    input.areas[0]!.lines[0]!.votes! += 1;
    input.areas[0]!.lines[0]!.publishedAsIs = true; // keep the percent check out of it
    const errors = await problemsOf(db, v, input, []);
    t.match(errors, [{ name: /^lines\.\d+\.votes$/, message: /is not the sum of the areas within/ }]);
  });

  t.test("the API serves a synthetic election's results, national and by region", async (t) => {
    const [first] = await db
      .select({ id: s.elections.id })
      .from(s.elections)
      .where(eq(s.elections.sourceId, SYNTHETIC_SOURCE_ID))
      .orderBy(asc(s.elections.id))
      .limit(1);
    const res = await get(app, `/v1/elections/${first!.id}/results`);
    t.equal(res.status, 200);
    const body = res.body as { status: string; lines: { percent: number }[]; sources: { id: string }[] };
    t.equal(body.status, 'certified');
    const total = sum(body.lines.map((l) => l.percent));
    t.ok(Math.abs(total - 100) <= 0.1, `lines sum to ~100 (${total.toFixed(2)})`);
    t.equal(body.sources[0]?.id, SYNTHETIC_SOURCE_ID, 'the figures cite the synthetic source');

    const v = byRegion(stored).at(-1)!;
    const country = v.contest.areaId;
    interface Line {
      kind: string;
      name: string;
      candidate: { id: string } | null;
      nominator: { id: string } | null;
      votes: number;
    }
    interface Doc {
      version: number;
      area: { id: string; level: string };
      turnout: { registeredVoters: number; ballotsCast: number; validVotes: number; invalidVotes: number };
      lines: Line[];
      areas: {
        area: { id: string; name: string; level: string; isoCode: string | null };
        complete: boolean;
        turnout: Doc['turnout'];
        lines: Line[];
      }[];
    }
    const regional = await get(app, `/v1/elections/${v.election.id}/results?area=${country}&level=region`);
    t.equal(regional.status, 200);
    t.match(regional.headers['content-type'], /^application\/json/);
    const doc = regional.body as Doc;
    t.match(doc, { version: v.version.number, area: { id: country, level: 'country' } });
    t.equal(doc.areas.length, v.areas.length, 'one entry per region');
    t.ok(
      doc.areas.every(
        (a) =>
          a.complete &&
          a.area.level === 'region' &&
          a.area.isoCode === null &&
          /^Synthetic region \d+$/.test(a.area.name),
      ),
      'synthetic regions, complete',
    );
    for (const f of ['registeredVoters', 'ballotsCast', 'validVotes', 'invalidVotes'] as const)
      t.equal(sum(doc.areas.map((a) => a.turnout[f])), doc.turnout[f], `the regions' ${f} add up to the country's`);
    const key = (l: Line) => l.candidate?.id ?? l.nominator?.id ?? l.name;
    t.same(
      doc.lines.map((l) => [key(l), sum(doc.areas.map((a) => a.lines.find((r) => key(r) === key(l))?.votes ?? null))]),
      doc.lines.map((l) => [key(l), l.votes]),
      "each line's regional votes add up to its national votes",
    );

    const one = doc.areas[0]!;
    const region = await get(app, `/v1/elections/${v.election.id}/results?area=${one.area.id}`);
    t.equal(region.status, 200);
    t.match(region.body, {
      area: { id: one.area.id },
      turnout: one.turnout,
      lines: one.lines.map((l) => ({ votes: l.votes })),
    });

    const csv = await app.inject({
      url: `/v1/elections/${v.election.id}/results?area=${country}&level=region&format=csv`,
    });
    t.equal(csv.statusCode, 200);
    t.match(csv.headers['content-type'], /^text\/csv/);
    t.ok(
      doc.areas.every((a) => csv.body.includes(a.area.id)),
      'the CSV has a row for each region, with its id',
    );
  });

  t.test('a party-list election: lists with their parties and seats', async (t) => {
    const v = stored.find((v) => v.contest.kind === 'party-list' && v.version.status === 'certified')!;
    const res = await get(app, `/v1/elections/${v.election.id}/results`);
    t.equal(res.status, 200);
    const body = res.body as {
      contest: { kind: string; seats: number };
      lines: { kind: string; nominator: { id: string; name: string } | null; seats: number | null }[];
    };
    t.match(body.contest, { kind: 'party-list', seats: v.contest.seats });
    const parties = body.lines.filter((l) => l.kind === 'party');
    t.ok(parties.length >= 4, `${parties.length} lists`);
    t.ok(
      parties.every((l) => l.nominator && / \(.+\)$/.test(l.nominator.name)),
      'each list names its party',
    );
    t.equal(sum(parties.map((l) => l.seats)), body.contest.seats, 'the seats won add up to the seats filled');
  });

  t.test('deterministic: the same seed on a fresh database gives the same rows', async (t) => {
    // When each change was recorded, and the data version's last bump, are the clock's, not the seed's.
    const clock = { changes: ['at'], data_version: ['updated_at'] };
    const mine = await snapshot(db, clock);
    const again = await snapshot(await synthesised(t, engine, SEED), clock);
    t.same(again, mine, 'same seed: identical tables');
    const other = await snapshot(await synthesised(t, engine, SEED + 1), clock);
    t.not(other.vote_shares, mine.vote_shares, 'another seed: other lines');
    t.not(other.result_areas, mine.result_areas, 'another seed: other figures by region');
  });

  t.test('a synthetic version goes through POST .../results as it is', async (t) => {
    const v = byRegion(stored)[0]!;
    const token = await tokenFor(app);
    const input = { ...inputOf(v), status: 'correction', note: 'Synthetic: the certified figures again.' };
    const res = await send(app, 'POST', `/v1/elections/${v.election.id}/results`, input, bearer(token));
    t.equal(res.status, 201, JSON.stringify(res.body?.errors ?? ''));
    t.equal(res.headers.location, `/v1/elections/${v.election.id}/results/versions/${v.version.number + 1}`);
    const served = await get(app, `/v1/elections/${v.election.id}/results?area=${v.contest.areaId}&level=region`);
    t.match(served.body, { version: v.version.number + 1, status: 'correction' });
    t.equal((served.body as { areas: unknown[] }).areas.length, v.areas.length);
  });

  t.test('a second run refuses, or appends new elections with --append, reusing the regions', async (t) => {
    await t.rejects(synth(db, { elections: 5, seed: SEED }), SyntheticDataExistsError);
    const [{ n: unchanged } = { n: -1 }] = await db.select({ n: count() }).from(s.elections);
    const regionsBefore = await db
      .select({ id: s.areas.id })
      .from(s.areas)
      .where(eq(s.areas.sourceId, SYNTHETIC_SOURCE_ID));
    const added = await synth(db, { elections: 5, seed: SEED, append: true });
    t.equal(added.elections, 5);
    t.equal(added.sources, 0, 'the synthetic source is reused');
    const [{ n } = { n: -1 }] = await db.select({ n: count() }).from(s.elections);
    t.equal(n, unchanged + 5);
    const regionsAfter = await db
      .select({ id: s.areas.id })
      .from(s.areas)
      .where(eq(s.areas.sourceId, SYNTHETIC_SOURCE_ID));
    t.equal(regionsAfter.length, regionsBefore.length + added.areas);
    // A country that had regions kept them: none of the new ones is a second set beside the first.
    const countries = (rows: { id: string }[]) => new Set(rows.map((r) => r.id.slice(0, 2)));
    const known = countries(regionsBefore);
    const fresh = regionsAfter.filter((r) => !regionsBefore.some((b) => b.id === r.id));
    t.same(
      fresh.filter((r) => known.has(r.id.slice(0, 2))),
      [],
    );
  });
});
