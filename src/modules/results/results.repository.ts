import { and, asc, count, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { sourceRefColumns } from '../sources/sources.repository.js';
import { insertVersions, type VersionRows } from '../../db/result-versions.js';
import { candidates, contests, organisations, resultVersions, sources, voteShares } from '../../db/schema/index.js';
import { knownAreas } from '../areas/areas.repository.js';
import type { ResultsInput } from './results.schemas.js';

/** True for a row of result_versions that is its contest's newest version (contests joined). */
export const isCurrent = sql<boolean>`(${resultVersions.number} = ${contests.currentVersion})`;

export function listVersions(db: Db, contestId: number, opts: { after?: number; limit: number }) {
  return db
    .select({
      version: resultVersions,
      latest: contests.currentVersion,
      lineCount: count(voteShares.id),
      source: sourceRefColumns,
    })
    .from(resultVersions)
    .innerJoin(contests, eq(contests.id, resultVersions.contestId))
    .innerJoin(sources, eq(sources.id, resultVersions.sourceId))
    .leftJoin(voteShares, eq(voteShares.versionId, resultVersions.id))
    .where(
      and(
        eq(resultVersions.contestId, contestId),
        opts.after === undefined ? undefined : gt(resultVersions.number, opts.after),
      ),
    )
    .groupBy(resultVersions.id, contests.id, sources.id)
    .orderBy(asc(resultVersions.number))
    .limit(opts.limit);
}

/** The contest's versions' numbers and statuses, oldest first. */
export function versionStatuses(db: Db, contestId: number) {
  return db
    .select({ number: resultVersions.number, status: resultVersions.status })
    .from(resultVersions)
    .where(eq(resultVersions.contestId, contestId))
    .orderBy(asc(resultVersions.number));
}

async function existing(
  db: Db,
  column: typeof candidates.id | typeof organisations.id | typeof sources.id,
  ids: string[],
) {
  if (ids.length === 0) return new Set<string>();
  // Locked until the version commits (in id order, as a merge locks): a merge of one of them
  // waits and then sees the new lines (409), or has committed and it is missing here (422).
  const rows = await db
    .select({ id: column })
    .from(column.table)
    .where(inArray(column, [...new Set(ids)]))
    .orderBy(column)
    .for('key share');
  return new Set(rows.map((r) => r.id));
}

/** Every line of a new version: its contest's own and its areas'. */
export const allLines = (input: Pick<ResultsInput, 'lines' | 'areas'>) => [
  ...input.lines,
  ...input.areas.flatMap((a) => a.lines),
];

/**
 * What a new version refers to, as it stands: which candidates, organisations and sources exist,
 * and the areas it names. One after another: `db` is a transaction, one connection, which runs one
 * query at a time (pg queues concurrent ones, and pg 9 will refuse them).
 */
export async function referencedIds(db: Db, input: ResultsInput) {
  const lines = allLines(input);
  const candidateIds = await existing(
    db,
    candidates.id,
    lines.flatMap((l) => (l.candidateId ? [l.candidateId] : [])),
  );
  const organisationIds = await existing(
    db,
    organisations.id,
    lines.flatMap((l) => (l.nominatorId ? [l.nominatorId] : [])),
  );
  const sourceIds = await existing(db, sources.id, [input.sourceId, ...input.additionalSources.map((s) => s.sourceId)]);
  const areaRows = await knownAreas(
    db,
    input.areas.map((a) => a.areaId),
  );
  return { candidateIds, organisationIds, sourceIds, areas: areaRows };
}

/** A new version as the rows the database keeps; lines keep the order given. */
export function versionRowsOf(electionId: string, contestId: number, number: number, input: ResultsInput): VersionRows {
  const { lines, areas: areaInputs, additionalSources, turnout, counting, ...version } = input;
  return {
    version: { ...version, ...turnout, ...counting, electionId, contestId, number },
    lines: [
      ...lines.map((line) => ({ ...line, areaId: null })),
      ...areaInputs.flatMap((a) => a.lines.map((line) => ({ ...line, areaId: a.areaId }))),
    ],
    areas: areaInputs.map((a) => ({
      areaId: a.areaId,
      complete: a.complete,
      publishedAsIs: a.publishedAsIs,
      ...a.turnout,
      ...a.counting,
    })),
    additionalSources,
  };
}

/** Appends version `number` of a contest with its lines, areas and sources. */
export async function insertVersion(
  db: Db,
  electionId: string,
  contestId: number,
  number: number,
  input: ResultsInput,
) {
  const [id] = await insertVersions(db, [versionRowsOf(electionId, contestId, number, input)]);
  return id!;
}
