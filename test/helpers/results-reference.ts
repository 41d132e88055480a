// A second, independent rendering of a result version, used as the oracle of the SQL-written
// document (src/modules/results/results.document.ts) and by the bench as the plain-rows baseline:
// the version, its lines and its sources read as rows, mapped in JavaScript, encoded through the
// response schema and stringified, as an ORM-style service would do it.
import { asc, desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../src/db/client.js';
import {
  candidates,
  elections,
  organisations,
  resultVersionSources,
  resultVersions,
  sources,
  voteShares,
} from '../../src/db/schema/index.js';
import { resultsSchema } from '../../src/modules/results/results.schemas.js';

type Results = z.output<typeof resultsSchema>;

const round2 = (x: number) => Math.round(x * 100) / 100;

const pickSource = (s: typeof sources.$inferSelect) => ({
  id: s.id,
  publisher: s.publisher,
  title: s.title,
  url: s.url,
  kind: s.kind,
  published: s.published,
});

/** The version (`number` omitted: the newest) as an object, or undefined when there is none. */
export async function referenceResults(db: Db, electionId: string, number?: number): Promise<Results | undefined> {
  const [found] = await db
    .select({ version: resultVersions, latest: elections.currentVersion, source: sources })
    .from(resultVersions)
    .innerJoin(elections, eq(elections.id, resultVersions.electionId))
    .innerJoin(sources, eq(sources.id, resultVersions.sourceId))
    .where(
      number === undefined
        ? eq(resultVersions.electionId, electionId)
        : sql`${resultVersions.electionId} = ${electionId} and ${resultVersions.number} = ${number}`,
    )
    .orderBy(desc(resultVersions.number))
    .limit(1);
  if (!found) return undefined;
  const { version: v, source, latest } = found;
  // In turn: `db` may be a transaction, one connection.
  const lines = await db
    .select({
      line: voteShares,
      candidate: { id: candidates.id, name: candidates.name },
      nominator: { id: organisations.id, name: organisations.name },
    })
    .from(voteShares)
    .leftJoin(candidates, eq(candidates.id, voteShares.candidateId))
    .leftJoin(organisations, eq(organisations.id, voteShares.nominatorId))
    .where(eq(voteShares.versionId, v.id))
    .orderBy(sql`${voteShares.votes} desc nulls last`, sql`${voteShares.percent} desc nulls last`, asc(voteShares.id));
  const extra = await db
    .select({ source: sources, covers: resultVersionSources.covers })
    .from(resultVersionSources)
    .innerJoin(sources, eq(sources.id, resultVersionSources.sourceId))
    .where(eq(resultVersionSources.versionId, v.id))
    .orderBy(asc(sources.id));

  const votes = lines.map((l) => l.line.votes);
  const linesTotal =
    v.complete && lines.length > 0 && votes.every((n) => n !== null)
      ? votes.reduce<number>((sum, n) => sum + (n ?? 0), 0)
      : null;
  return {
    electionId: v.electionId,
    version: v.number,
    status: v.status,
    preliminary: v.status.startsWith('unofficial'),
    current: v.number === latest,
    asOf: v.asOf,
    complete: v.complete,
    recordedAt: v.createdAt.toISOString(),
    publishedBy: v.publishedBy,
    note: v.note,
    turnout: {
      registeredVoters: v.registeredVoters,
      ballotsCast: v.ballotsCast,
      validVotes: v.validVotes,
      invalidVotes: v.invalidVotes,
      turnoutPercent: v.turnoutPercent,
    },
    derived: {
      linesTotal,
      ballotsCastMinusLinesTotal: linesTotal !== null && v.ballotsCast !== null ? v.ballotsCast - linesTotal : null,
      turnoutPercent:
        v.ballotsCast !== null && v.registeredVoters ? round2((v.ballotsCast / v.registeredVoters) * 100) : null,
    },
    percentBase: v.percentBase,
    lines: lines.map(({ line, candidate, nominator }) => ({
      kind: line.kind,
      name: candidate?.name ?? line.label ?? '',
      candidate,
      nominator,
      votes: line.votes,
      percent: line.percent,
      rank: line.rank,
      outcome: line.outcome,
      publishedAsIs: line.publishedAsIs,
    })),
    sources: [
      { ...pickSource(source), covers: 'the figures of this version' },
      ...extra.map((e) => ({ ...pickSource(e.source), covers: e.covers })),
    ],
  };
}

/** The body the route's schema gives for `results`: throws where the schema refuses a value. */
export const serializeReference = (results: Results): string => JSON.stringify(z.encode(resultsSchema, results));
