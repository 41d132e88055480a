import { and, asc, count, eq } from 'drizzle-orm';
import t, { type Test } from 'tap';
import { openDatabase } from '../src/db/client.js';
import * as s from '../src/db/schema/index.js';
import { SYNTHETIC_SOURCE_ID, synth, SyntheticDataExistsError } from '../src/db/synth.js';
import { ELECTION_ID_PATTERN } from '../src/modules/elections/elections.schemas.js';
import { candidateIdParam } from '../src/modules/vote-shares/vote-shares.schemas.js';
import { forEachEngine, get } from './helpers/app.js';
import { type Engine, freshDatabase } from './helpers/databases.js';
import { snapshot } from './helpers/snapshot.js';

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

forEachEngine(t, async (t, app, engine) => {
  const before = await snapshot(app.database.primary);
  const progress: number[] = [];
  const summary = await synth(app.database.primary, {
    elections: N,
    seed: SEED,
    onProgress: (done) => progress.push(done),
  });

  t.test('writes the rows it reports, all under the synthetic source', async (t) => {
    t.equal(summary.elections, N);
    t.equal(progress.at(-1), N, 'progress reaches the total');
    t.ok(
      summary.resultVersions >= N && summary.resultVersions <= 3 * N,
      `1-3 versions each (${summary.resultVersions})`,
    );
    const perElection = summary.voteShares / N;
    t.ok(perElection >= 6 && perElection <= 14, `about 10 lines per election (${perElection.toFixed(1)})`);

    const counted = async (
      table: typeof s.elections | typeof s.candidates | typeof s.organisations | typeof s.resultVersions,
    ) =>
      (await app.database.primary.select({ n: count() }).from(table).where(eq(table.sourceId, SYNTHETIC_SOURCE_ID)))[0]
        ?.n;
    t.equal(await counted(s.elections), summary.elections);
    t.equal(await counted(s.candidates), summary.candidates);
    t.equal(await counted(s.organisations), summary.organisations);
    t.equal(await counted(s.resultVersions), summary.resultVersions);
    const [lines] = await app.database.primary
      .select({ n: count() })
      .from(s.voteShares)
      .innerJoin(s.resultVersions, eq(s.resultVersions.id, s.voteShares.versionId))
      .where(eq(s.resultVersions.sourceId, SYNTHETIC_SOURCE_ID));
    t.equal(lines?.n, summary.voteShares);

    const [source] = await app.database.primary.select().from(s.sources).where(eq(s.sources.id, SYNTHETIC_SOURCE_ID));
    t.match(source, { publisher: 'Synthetic data (db:synth)', kind: 'news', note: /generated/i });

    const after = await snapshot(app.database.primary);
    t.equal(after.countries, before.countries, 'the reference countries are untouched');
  });

  t.test("ids follow the API's patterns", async (t) => {
    const elections = await app.database.primary.select({ id: s.elections.id }).from(s.elections);
    t.same(
      elections.filter((e) => !ELECTION_ID_PATTERN.test(e.id)),
      [],
      'every election id is {iso2}.{type}.{date}',
    );
    const candidates = await app.database.primary
      .select({ id: s.candidates.id, searchKey: s.candidates.searchKey })
      .from(s.candidates);
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

  t.test('versions: earlier ones unofficial and partial, the last certified and complete', async (t) => {
    const versions = await app.database.primary
      .select({
        electionId: s.resultVersions.electionId,
        number: s.resultVersions.number,
        status: s.resultVersions.status,
        complete: s.resultVersions.complete,
      })
      .from(s.resultVersions)
      .where(eq(s.resultVersions.sourceId, SYNTHETIC_SOURCE_ID))
      .orderBy(asc(s.resultVersions.electionId), asc(s.resultVersions.number));
    const byElection = groupBy(versions, (v) => v.electionId);
    t.equal(byElection.size, N);
    for (const [id, list] of byElection) {
      const last = list.at(-1)!;
      if (!(last.status === 'certified' && last.complete && list.every((v, i) => v.number === i + 1)))
        t.fail(`${id}: ${JSON.stringify(list)}`);
      if (list.slice(0, -1).some((v) => !v.status.startsWith('unofficial')))
        t.fail(`${id}: an earlier version is not unofficial`);
    }
  });

  t.test('lines: percentages of the lines total, ranks among candidates only', async (t) => {
    const rows = await app.database.primary
      .select({
        line: s.voteShares,
        versionId: s.resultVersions.id,
        complete: s.resultVersions.complete,
        base: s.resultVersions.percentBase,
      })
      .from(s.voteShares)
      .innerJoin(s.resultVersions, eq(s.resultVersions.id, s.voteShares.versionId))
      .where(and(eq(s.resultVersions.sourceId, SYNTHETIC_SOURCE_ID), eq(s.resultVersions.complete, true)));
    const problems: string[] = [];
    for (const [versionId, lines] of groupBy(rows, (r) => r.versionId)) {
      const total = lines.reduce((sum, l) => sum + (l.line.votes ?? 0), 0);
      const percentSum = lines.reduce((sum, l) => sum + (l.line.percent ?? 0), 0);
      if (Math.abs(percentSum - 100) > 0.1) problems.push(`${versionId}: percents sum to ${percentSum}`);
      const ranks = lines
        .filter((l) => l.line.kind === 'candidate')
        .map((l) => l.line.rank)
        .sort((a, b) => a! - b!);
      if (ranks.some((r, i) => r !== i + 1)) problems.push(`${versionId}: ranks ${ranks.join(',')}`);
      for (const { line, base } of lines) {
        if (base !== 'lines-total') problems.push(`${versionId}: base ${base}`);
        if (Math.abs(((line.votes ?? 0) / total) * 100 - (line.percent ?? -1)) > 0.006)
          problems.push(`${versionId}/${line.id}: ${line.percent}% of ${total} is not ${line.votes}`);
        if (
          line.kind === 'against-all' &&
          (line.rank !== null || line.outcome !== null || line.label !== 'Against all')
        )
          problems.push(`${versionId}/${line.id}: against-all line ranked or unlabelled`);
      }
    }
    t.same(problems, []);
    // The check constraints would have refused bad rows; this confirms the synthetic set has both kinds.
    const kinds = await app.database.primary
      .select({ kind: s.voteShares.kind, n: count() })
      .from(s.voteShares)
      .groupBy(s.voteShares.kind);
    t.ok(
      kinds.some((k) => k.kind === 'against-all' && k.n > 0),
      'some "Against all" lines',
    );
  });

  t.test("the API serves a synthetic election's results", async (t) => {
    const [first] = await app.database.primary
      .select({ id: s.elections.id })
      .from(s.elections)
      .where(eq(s.elections.sourceId, SYNTHETIC_SOURCE_ID))
      .orderBy(asc(s.elections.id))
      .limit(1);
    const res = await get(app, `/v1/elections/${first!.id}/results`);
    t.equal(res.status, 200);
    const body = res.body as { status: string; lines: { percent: number }[]; sources: { id: string }[] };
    t.equal(body.status, 'certified');
    const sum = body.lines.reduce((total, l) => total + l.percent, 0);
    t.ok(Math.abs(sum - 100) <= 0.1, `lines sum to ~100 (${sum.toFixed(2)})`);
    t.equal(body.sources[0]?.id, SYNTHETIC_SOURCE_ID, 'the figures cite the synthetic source');
  });

  t.test('deterministic: the same seed on a fresh database gives the same rows', async (t) => {
    const mine = await snapshot(app.database.primary);
    const again = await snapshot(await synthesised(t, engine, SEED));
    t.same(again, mine, 'same seed: identical tables');
    const other = await snapshot(await synthesised(t, engine, SEED + 1));
    t.not(other.vote_shares, mine.vote_shares, 'another seed: other lines');
  });

  t.test('a second run refuses, or appends new elections with --append', async (t) => {
    await t.rejects(synth(app.database.primary, { elections: 5, seed: SEED }), SyntheticDataExistsError);
    const [{ n: unchanged } = { n: -1 }] = await app.database.primary.select({ n: count() }).from(s.elections);
    const added = await synth(app.database.primary, { elections: 5, seed: SEED, append: true });
    t.equal(added.elections, 5);
    t.equal(added.sources, 0, 'the synthetic source is reused');
    const [{ n } = { n: -1 }] = await app.database.primary.select({ n: count() }).from(s.elections);
    t.equal(n, unchanged + 5);
  });
});
