// What the CDF and the charts render, read through the version documents (results.service.ts) and
// the few facts the documents leave out (results-exports.repository.ts). Missing things are 404s.
import type { Db } from '../../db/client.js';
import type { ContestVersion, ReportInput } from '../../formats/cdf.js';
import { notFound } from '../../lib/problem.js';
import { listContests } from '../contests/contests.repository.js';
import { findElection } from '../elections/elections.repository.js';
import { type Election, toElection } from '../elections/elections.view.js';
import {
  areaTree,
  versionWithMostAreas,
  type OrganisationFacts,
  organisationFacts,
  versionAreaLevels,
} from './results-exports.repository.js';
import { type Results, requireResults } from './results.service.js';

export interface ContestQuery {
  electionId: string;
  /** Undefined: the election's main contest. */
  contest?: string | undefined;
  /** Undefined: the current version. */
  number?: number | undefined;
}

/** The election as the API shows it; requireResults has answered the 404 for a missing one. */
export async function electionView(db: Db, id: string): Promise<Election> {
  const row = await findElection(db, id);
  // Only reachable if the election is deleted between two reads.
  if (!row) throw notFound(`Election ${id} not found.`);
  return toElection(row);
}

/** A contest's version with its figures for every area it has them for, at every level. */
export async function contestVersion(db: Db, q: ContestQuery): Promise<ContestVersion> {
  const results = await requireResults(db, q);
  const at = { electionId: q.electionId, contest: q.contest, number: results.version };
  const areas: Results['areas'] = [];
  for (const level of await versionAreaLevels(db, at)) {
    if (level === 'country') continue;
    areas.push(...(await requireResults(db, { ...at, level })).areas);
  }
  return { results, areas };
}

/** The organisations behind the lines of `results` (and any alliance's members). */
export function lineOrganisations(db: Db, results: Results[]): Promise<Map<string, OrganisationFacts>> {
  const ids = results
    .flatMap((r) => [...r.lines, ...r.areas.flatMap((a) => a.lines)])
    .flatMap((l) => (l.nominator ? [l.nominator.id] : []));
  return organisationFacts(db, ids);
}

async function reportInput(db: Db, electionId: string, contests: ContestVersion[]): Promise<ReportInput> {
  const election = await electionView(db, electionId);
  const areaIds = [
    election.country.code.toLowerCase(),
    ...contests.flatMap((c) => [c.results.area.id, ...c.areas.map((a) => a.area.id)]),
  ];
  const [areas, organisations] = await Promise.all([
    areaTree(db, areaIds),
    lineOrganisations(
      db,
      contests.map((c) => ({ ...c.results, areas: c.areas })),
    ),
  ]);
  return { election, contests, areas, organisations };
}

/** The CDF input of one contest at one version (the current one by default). */
export async function contestReportInput(db: Db, q: ContestQuery): Promise<ReportInput> {
  return reportInput(db, q.electionId, [await contestVersion(db, q)]);
}

const PAGE = 100;

/** The CDF input of every contest of an election that has results, each at its current version, the main one first. */
export async function electionReportInput(db: Db, electionId: string): Promise<ReportInput> {
  const versions: ContestVersion[] = [];
  let after: [boolean, string] | undefined;
  for (;;) {
    const page = await listContests(db, electionId, { limit: PAGE, ...(after ? { after } : {}) });
    for (const row of page)
      if (row.current?.number != null)
        versions.push(await contestVersion(db, { electionId, contest: row.contest.slug, number: row.current.number }));
    const last = page.at(-1);
    if (page.length < PAGE || !last) break;
    after = [last.contest.main, last.contest.slug];
  }
  // No contest has results (or no such election): the main contest's 404 says which.
  if (versions.length === 0) await requireResults(db, { electionId });
  return reportInput(db, electionId, versions);
}

export interface RegionsQuery extends ContestQuery {
  level: NonNullable<Parameters<typeof versionWithMostAreas>[1]['level']>;
  area?: string | undefined;
  line?: string | undefined;
}

/**
 * The version to chart by area: the one asked for, else the one with a figure (turnout, or the
 * line's percentage) for the most areas at `level` within `area` (the contest's own by default),
 * the newest among equals.
 */
export async function regionsResults(db: Db, q: RegionsQuery): Promise<Results> {
  const { electionId, contest, level, area, line } = q;
  let number = q.number;
  if (number === undefined) {
    // The current version at `area`: the 404s for an unknown election, contest or area, or no results.
    const current = await requireResults(db, { electionId, contest, area });
    number = await versionWithMostAreas(db, {
      electionId,
      contest,
      level,
      within: current.area.id,
      ...(line === undefined ? {} : { line }),
    });
    if (number === undefined)
      throw notFound(
        `No result version of ${electionId} (${current.contest.id}) has ${line === undefined ? 'turnout figures' : `percentages of '${line}'`} for areas at level ${level} within ${current.area.id}.`,
      );
  }
  return requireResults(db, { electionId, contest, number, area, level });
}
