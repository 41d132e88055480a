// A second, independent rendering of a result version, used as the oracle of the SQL-written
// document (src/modules/results/results.document.ts) and by the bench as the plain-rows baseline:
// the contest, version, its areas, lines and sources read as rows, mapped in JavaScript, encoded
// through the response schema and stringified, as an ORM-style service would do it.
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { findCall } from '../../src/modules/calls/calls.repository.js';
import { findContest } from '../../src/modules/contests/contests.repository.js';
import { currentResultsSchema } from '../../src/modules/calls/calls.schemas.js';
import { toCall } from '../../src/modules/calls/calls.view.js';
import type { Db } from '../../src/db/client.js';
import {
  areas,
  candidates,
  contests,
  organisations,
  resultAreas,
  resultVersionSources,
  resultVersions,
  sources,
  voteShares,
} from '../../src/db/schema/index.js';
import type { DocumentQuery } from '../../src/modules/results/results.document.js';
import { resultsSchema } from '../../src/modules/results/results.schemas.js';

type Results = z.output<typeof resultsSchema>;
type Area = typeof areas.$inferSelect;
type Counts = Pick<
  typeof resultVersions.$inferSelect,
  | 'registeredVoters'
  | 'ballotsCast'
  | 'validVotes'
  | 'invalidVotes'
  | 'turnoutPercent'
  | 'unitsLevel'
  | 'unitsReporting'
  | 'unitsTotal'
  | 'ballotsCounted'
  | 'expectedVotes'
>;

const round2 = (x: number) => Math.round(x * 100) / 100;

const pickSource = (s: typeof sources.$inferSelect) => ({
  id: s.id,
  publisher: s.publisher,
  title: s.title,
  url: s.url,
  kind: s.kind,
  published: s.published,
  terms: s.terms,
  termsUrl: s.termsUrl,
  attribution: s.attribution,
});

const areaRef = (a: Area) => ({ id: a.id, name: a.name, level: a.level, isoCode: a.isoCode });

const NO_COUNTS: Counts = {
  registeredVoters: null,
  ballotsCast: null,
  validVotes: null,
  invalidVotes: null,
  turnoutPercent: null,
  unitsLevel: null,
  unitsReporting: null,
  unitsTotal: null,
  ballotsCounted: null,
  expectedVotes: null,
};

/** The lines of version `versionId` for one area (null: the contest's own), highest votes first. */
async function linesOf(db: Db, versionId: number, areaId: string | null) {
  const rows = await db
    .select({
      line: voteShares,
      candidate: { id: candidates.id, name: candidates.name },
      nominator: { id: organisations.id, name: organisations.name },
    })
    .from(voteShares)
    .leftJoin(candidates, eq(candidates.id, voteShares.candidateId))
    .leftJoin(organisations, eq(organisations.id, voteShares.nominatorId))
    .where(
      and(
        eq(voteShares.versionId, versionId),
        areaId === null ? isNull(voteShares.areaId) : eq(voteShares.areaId, areaId),
      ),
    )
    .orderBy(sql`${voteShares.votes} desc nulls last`, sql`${voteShares.percent} desc nulls last`, asc(voteShares.id));
  return rows.map(({ line, candidate, nominator }) => ({
    id: line.id,
    kind: line.kind,
    name: candidate?.name ?? (line.kind === 'party' ? nominator?.name : undefined) ?? line.label ?? '',
    candidate,
    nominator,
    votes: line.votes,
    percent: line.percent,
    rank: line.rank,
    outcome: line.outcome,
    seats: line.seats,
    publishedAsIs: line.publishedAsIs,
  }));
}

/** Turnout, derived figures and lines of one area, as the document gives them. */
function figures(c: Counts, complete: boolean, lines: Results['lines']) {
  const votes = lines.map((l) => l.votes);
  const linesTotal =
    complete && lines.length > 0 && votes.every((n) => n !== null)
      ? votes.reduce<number>((sum, n) => sum + (n ?? 0), 0)
      : null;
  return {
    turnout: {
      registeredVoters: c.registeredVoters,
      ballotsCast: c.ballotsCast,
      validVotes: c.validVotes,
      invalidVotes: c.invalidVotes,
      turnoutPercent: c.turnoutPercent,
    },
    counting: {
      unitsLevel: c.unitsLevel,
      unitsReporting: c.unitsReporting,
      unitsTotal: c.unitsTotal,
      ballotsCounted: c.ballotsCounted,
      expectedVotes: c.expectedVotes,
    },
    derived: {
      linesTotal,
      ballotsCastMinusLinesTotal: linesTotal !== null && c.ballotsCast !== null ? c.ballotsCast - linesTotal : null,
      turnoutPercent:
        c.ballotsCast !== null && c.registeredVoters ? round2((c.ballotsCast / c.registeredVoters) * 100) : null,
      unitsReportingPercent:
        c.unitsReporting !== null && c.unitsTotal ? round2((c.unitsReporting / c.unitsTotal) * 100) : null,
    },
    lines,
  };
}

/** The view of a version the query names (see DocumentQuery), or undefined when there is none. */
export async function referenceResults(
  db: Db,
  q: DocumentQuery | string,
  number?: number,
): Promise<Results | undefined> {
  const query: DocumentQuery = typeof q === 'string' ? { electionId: q, number } : q;
  const [contest] = await db
    .select()
    .from(contests)
    .where(
      and(
        eq(contests.electionId, query.electionId),
        query.contest === undefined ? eq(contests.main, true) : eq(contests.slug, query.contest),
      ),
    );
  if (!contest || contest.currentVersion === null) return undefined;
  const [found] = await db
    .select({ version: resultVersions, source: sources })
    .from(resultVersions)
    .innerJoin(sources, eq(sources.id, resultVersions.sourceId))
    .where(
      and(eq(resultVersions.contestId, contest.id), eq(resultVersions.number, query.number ?? contest.currentVersion)),
    );
  if (!found) return undefined;
  const { version: v, source } = found;
  // Every area of the country: the area asked for, and what lies within it, are walked in JavaScript.
  const [own] = await db.select().from(areas).where(eq(areas.id, contest.areaId));
  const all = await db.select().from(areas).where(eq(areas.countryCode, own!.countryCode));
  const byId = new Map(all.map((a) => [a.id, a]));
  const area = byId.get(query.area ?? contest.areaId);
  if (!area) return undefined;
  const within = (a: Area, ancestor: string) => {
    for (let p = a.parentId; p; p = byId.get(p)?.parentId ?? null) if (p === ancestor) return true;
    return false;
  };
  if (area.id !== contest.areaId && !within(area, contest.areaId)) return undefined;
  const isOwn = area.id === contest.areaId;

  // In turn: `db` may be a transaction, one connection.
  const given = await db.select().from(resultAreas).where(eq(resultAreas.versionId, v.id));
  const givenById = new Map(given.map((r) => [r.areaId, r]));
  const top = isOwn ? { ...v } : (givenById.get(area.id) ?? { ...NO_COUNTS, complete: false });
  const topLines = await linesOf(db, v.id, isOwn ? null : area.id);
  const below = query.level
    ? given
        .map((r) => ({ r, a: byId.get(r.areaId)! }))
        .filter(({ a }) => a.level === query.level && within(a, area.id))
        .sort((x, y) => (x.a.name < y.a.name ? -1 : x.a.name > y.a.name ? 1 : x.a.id < y.a.id ? -1 : 1))
    : [];
  const areaResults = [];
  for (const { r, a } of below)
    areaResults.push({
      area: areaRef(a),
      complete: r.complete,
      ...figures(r, r.complete, await linesOf(db, v.id, a.id)),
    });
  const extra = await db
    .select({ source: sources, covers: resultVersionSources.covers })
    .from(resultVersionSources)
    .innerJoin(sources, eq(sources.id, resultVersionSources.sourceId))
    .where(inArray(resultVersionSources.versionId, [v.id]))
    .orderBy(asc(sources.id));

  const topFigures = figures(top, top.complete, topLines);
  const cited = [source, ...extra.map((e) => e.source)];
  return {
    electionId: v.electionId,
    version: v.number,
    status: v.status,
    preliminary: v.status.startsWith('unofficial'),
    current: v.number === contest.currentVersion,
    asOf: v.asOf,
    complete: top.complete,
    recordedAt: v.createdAt.toISOString(),
    contest: {
      id: contest.slug,
      name: contest.name,
      kind: contest.kind,
      seats: contest.seats,
      thresholdPercent: contest.thresholdPercent,
      main: contest.main,
    },
    area: areaRef(area),
    publishedBy: v.publishedBy,
    note: v.note,
    turnout: topFigures.turnout,
    counting: topFigures.counting,
    derived: topFigures.derived,
    percentBase: v.percentBase,
    lines: topFigures.lines,
    areas: areaResults,
    sources: [
      { ...pickSource(source), covers: 'the figures of this version' },
      ...extra.map((e) => ({ ...pickSource(e.source), covers: e.covers })),
    ],
    attribution: [...new Set(cited.map((s) => s.attribution ?? s.publisher))].join('; '),
  };
}

/** The body the route's schema gives for `results`: throws where the schema refuses a value. */
export const serializeReference = (results: Results): string => JSON.stringify(z.encode(resultsSchema, results));

/**
 * The current results' body (CurrentResults): the version and the contest's current race call, read
 * apart and encoded by the schema, so the call's place and shape in the SQL-built body are checked.
 */
export async function serializeCurrentReference(db: Db, q: DocumentQuery, results: Results): Promise<string> {
  const contest = await findContest(db, q.electionId, q.contest);
  const call = contest && (await findCall(db, contest.contest.id));
  return JSON.stringify(z.encode(currentResultsSchema, { ...results, call: call ? toCall(call) : null }));
}
