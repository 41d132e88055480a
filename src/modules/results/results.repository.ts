import { and, asc, count, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
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

async function existing(
  db: Db,
  column: typeof candidates.id | typeof organisations.id | typeof sources.id,
  ids: string[],
) {
  if (ids.length === 0) return new Set<string>();
  const rows = await db
    .select({ id: column })
    .from(column.table)
    .where(inArray(column, [...new Set(ids)]));
  return new Set(rows.map((r) => r.id));
}

/**
 * Which of the ids a new version refers to exist. One after another: `db` is a transaction, one
 * connection, which runs one query at a time (pg queues concurrent ones, and pg 9 will refuse them).
 */
export async function referencedIds(db: Db, input: ResultsInput) {
  const candidateIds = await existing(
    db,
    candidates.id,
    input.lines.flatMap((l) => (l.candidateId ? [l.candidateId] : [])),
  );
  const organisationIds = await existing(
    db,
    organisations.id,
    input.lines.flatMap((l) => (l.nominatorId ? [l.nominatorId] : [])),
  );
  const sourceIds = await existing(db, sources.id, [input.sourceId, ...input.additionalSources.map((s) => s.sourceId)]);
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
