import { and, asc, count, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import { type Db, readerOf } from '../../db/client.js';
import {
  candidates,
  elections,
  organisations,
  resultVersionSources,
  resultVersions,
  sources,
  voteShares,
} from '../../db/schema/index.js';
import type { ResultsInput } from './results.schemas.js';

/** True for a row of result_versions that is its election's newest version (elections joined). */
export const isCurrent = sql<boolean>`(${resultVersions.number} = ${elections.currentVersion})`;

/**
 * The three reads behind every view of a version, prepared once per database handle: a named
 * statement is planned once per connection instead of on every request, which is most of the cost
 * of these small indexed queries. A transaction gets its own set, so it sees its own writes.
 */
function prepareResultReads(db: Db) {
  const versionQuery = (byNumber: boolean) =>
    db
      .select({ version: resultVersions, latest: elections.currentVersion, source: sources })
      .from(resultVersions)
      .innerJoin(elections, eq(elections.id, resultVersions.electionId))
      .innerJoin(sources, eq(sources.id, resultVersions.sourceId))
      .where(
        and(
          eq(resultVersions.electionId, sql.placeholder('electionId')),
          byNumber ? eq(resultVersions.number, sql.placeholder('number')) : undefined,
        ),
      )
      .orderBy(desc(resultVersions.number))
      .limit(1);
  return {
    currentVersion: versionQuery(false).prepare('results_current_version'),
    numberedVersion: versionQuery(true).prepare('results_numbered_version'),
    lines: db
      .select({
        line: voteShares,
        candidate: { id: candidates.id, name: candidates.name },
        nominator: { id: organisations.id, name: organisations.name },
      })
      .from(voteShares)
      .leftJoin(candidates, eq(candidates.id, voteShares.candidateId))
      .leftJoin(organisations, eq(organisations.id, voteShares.nominatorId))
      .where(eq(voteShares.versionId, sql.placeholder('versionId')))
      .orderBy(sql`${voteShares.votes} desc nulls last`, sql`${voteShares.percent} desc nulls last`, asc(voteShares.id))
      .prepare('results_lines'),
    additionalSources: db
      .select({ source: sources, covers: resultVersionSources.covers })
      .from(resultVersionSources)
      .innerJoin(sources, eq(sources.id, resultVersionSources.sourceId))
      .where(eq(resultVersionSources.versionId, sql.placeholder('versionId')))
      .orderBy(asc(sources.id))
      .prepare('results_additional_sources'),
  };
}

const preparedReads = new WeakMap<Db, ReturnType<typeof prepareResultReads>>();

function resultReads(routed: Db) {
  // A statement is prepared on one server's pool: pick the server first (see readerOf).
  const db = readerOf(routed);
  let reads = preparedReads.get(db);
  if (!reads) {
    reads = prepareResultReads(db);
    preparedReads.set(db, reads);
  }
  return reads;
}

/** A version of an election's results with its own source; `number` omitted means the newest. */
export async function findVersion(db: Db, electionId: string, number?: number) {
  const reads = resultReads(db);
  const [row] =
    number === undefined
      ? await reads.currentVersion.execute({ electionId })
      : await reads.numberedVersion.execute({ electionId, number });
  return row;
}

export function findLines(db: Db, versionId: number) {
  return resultReads(db).lines.execute({ versionId });
}

export function findAdditionalSources(db: Db, versionId: number) {
  return resultReads(db).additionalSources.execute({ versionId });
}

export function listVersions(db: Db, electionId: string, opts: { after?: number; limit: number }) {
  return db
    .select({
      version: resultVersions,
      latest: elections.currentVersion,
      lineCount: count(voteShares.id),
      source: { id: sources.id, publisher: sources.publisher, title: sources.title, url: sources.url },
    })
    .from(resultVersions)
    .innerJoin(elections, eq(elections.id, resultVersions.electionId))
    .innerJoin(sources, eq(sources.id, resultVersions.sourceId))
    .leftJoin(voteShares, eq(voteShares.versionId, resultVersions.id))
    .where(
      and(
        eq(resultVersions.electionId, electionId),
        opts.after === undefined ? undefined : gt(resultVersions.number, opts.after),
      ),
    )
    .groupBy(resultVersions.id, elections.id, sources.id)
    .orderBy(asc(resultVersions.number))
    .limit(opts.limit);
}

/** The election's versions' numbers and statuses, oldest first. */
export function versionStatuses(db: Db, electionId: string) {
  return db
    .select({ number: resultVersions.number, status: resultVersions.status })
    .from(resultVersions)
    .where(eq(resultVersions.electionId, electionId))
    .orderBy(asc(resultVersions.number));
}

async function existing(db: Db, column: typeof candidates.id | typeof organisations.id | typeof sources.id, ids: string[]) {
  if (ids.length === 0) return new Set<string>();
  const rows = await db.select({ id: column }).from(column.table).where(inArray(column, [...new Set(ids)]));
  return new Set(rows.map((r) => r.id));
}

/** Which of the ids a new version refers to exist. */
export async function referencedIds(db: Db, input: ResultsInput) {
  const [candidateIds, organisationIds, sourceIds] = await Promise.all([
    existing(db, candidates.id, input.lines.flatMap((l) => (l.candidateId ? [l.candidateId] : []))),
    existing(db, organisations.id, input.lines.flatMap((l) => (l.nominatorId ? [l.nominatorId] : []))),
    existing(db, sources.id, [input.sourceId, ...input.additionalSources.map((s) => s.sourceId)]),
  ]);
  return { candidateIds, organisationIds, sourceIds };
}

/** Appends version `number` with its lines and sources; lines keep the order given. */
export async function insertVersion(db: Db, electionId: string, number: number, input: ResultsInput) {
  const { lines, additionalSources, turnout, ...version } = input;
  const [row] = await db
    .insert(resultVersions)
    .values({ ...version, ...turnout, electionId, number })
    .returning({ id: resultVersions.id });
  const versionId = row!.id;
  await db.insert(voteShares).values(lines.map((line) => ({ ...line, versionId })));
  if (additionalSources.length)
    await db.insert(resultVersionSources).values(additionalSources.map((s) => ({ ...s, versionId })));
  return versionId;
}
