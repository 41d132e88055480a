import { iso31662 } from 'iso-3166';
import { type SQL, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { defaultMainContest } from '../db/contests.js';
import { ISO_3166_1_SOURCE, ownNameRows } from '../db/names.js';
import { ANALYZE_AFTER, analyze, insertAll, writeVersions } from './bulk-insert.js';
import * as t from '../db/schema/index.js';
import {
  COUNTING_KEYS,
  contestsOf,
  type SeedContest,
  type SeedElection,
  type SeedFile,
  type SeedVersion,
  versionRows,
} from '../db/seed.js';
import { AREA_ID_PATTERN } from '../modules/areas/areas.schemas.js';
import { contestIdParam } from '../modules/contests/contests.schemas.js';
import { resultsInputSchema } from '../modules/results/results.schemas.js';
import { type AreaFacts, validateResults } from '../modules/results/results.validation.js';
import { lineColumns } from '../modules/vote-shares/vote-shares.columns.js';
import { ImportError, type ImportPlan, type ImportProblem, type PlannedVersion, rowsText } from './plan.js';

type Counts = {
  sources: number;
  areas: number;
  organisations: number;
  candidates: number;
  elections: number;
  contests: number;
};

export interface ImportSummary {
  created: Counts;
  kept: Counts;
  versions: number;
  lines: number;
}

type Status = t.ResultStatus;
type ElectionFacts = { id: string; countryCode: string; type: SeedElection['type']; date: string; sourceId: string };
type ContestInsert = typeof t.contests.$inferInsert;

/** A version's contest: stored (with its id), or created by this import. */
interface Contest {
  key: string;
  electionId: string;
  slug: string;
  areaId: string;
  main: boolean;
  id?: number;
  insert?: ContestInsert;
}

/** What validation found: the rows to create and the versions to append, in order. */
interface Resolved {
  problems: ImportProblem[];
  create: {
    sources: SeedFile['sources'];
    areas: (typeof t.areas.$inferInsert)[];
    organisations: SeedFile['organisations'];
    candidates: SeedFile['candidates'];
    elections: Omit<SeedElection, 'results' | 'contests'>[];
    contests: Contest[];
  };
  kept: Counts;
  versions: { contest: Contest; electionId: string; version: SeedVersion }[];
}

// A file holds any number of areas: the 2,000 of the publish route are a request's limit.
const importInputSchema = resultsInputSchema.extend({
  areas: z.array(resultsInputSchema.shape.areas.unwrap().element).default([]),
});

// Every ISO 3166-2 code, with its country (as the seed checks them).
const isoSubdivisions = new Map(iso31662.map((s) => [s.code, s.parent]));

/** A PostgreSQL array literal: one bind parameter however many ids (PostgreSQL allows 65,535 a statement). */
const arrayOf = (values: Iterable<string | number>) =>
  `{${[...new Set(values)].map((v) => `"${String(v).replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;

/** The rows of a raw statement, on either engine (both drivers answer `{ rows }`). */
async function rows<R>(db: Db, query: SQL): Promise<R[]> {
  const result: unknown = await db.execute(query);
  return (result as { rows: R[] }).rows;
}

async function existingIds(db: Db, table: 'sources' | 'organisations' | 'candidates', ids: Iterable<string>) {
  const found = await rows<{ id: string }>(
    db,
    sql`select id from ${sql.identifier(table)} where id = any(${arrayOf(ids)}::text[])`,
  );
  return new Set(found.map((r) => r.id));
}

const dayOk = (a: { validFrom: string | null; validTo: string | null }, day: string) =>
  (!a.validFrom || a.validFrom <= day) && (!a.validTo || a.validTo >= day);

/** Every problem of the plan against the database, each with its row or JSON path, and what to write. */
async function resolvePlan(db: Db, plan: ImportPlan): Promise<Resolved> {
  const { data } = plan;
  const problems: ImportProblem[] = [];
  const fileElections = new Map(data.elections.map((e, i) => [e.id, { election: e, index: i }]));
  const electionIds = new Set([...fileElections.keys(), ...plan.versions.map((v) => v.electionId)]);

  // What the database holds, in a few queries whatever the size of the file.
  const allLines = plan.versions.flatMap((v) => [...v.version.lines, ...v.version.areas.flatMap((a) => a.lines)]);
  const storedSources = await existingIds(db, 'sources', referencedSources(plan));
  const storedCandidates = await existingIds(db, 'candidates', [
    ...allLines.flatMap((l) => (l.candidateId ? [l.candidateId] : [])),
    ...data.candidates.map((c) => c.id),
  ]);
  const storedOrganisations = await existingIds(db, 'organisations', [
    ...allLines.flatMap((l) => (l.nominatorId ? [l.nominatorId] : [])),
    ...data.organisations.map((o) => o.id),
  ]);
  const storedElections = new Map(
    (
      await rows<{ id: string; country_code: string; type: ElectionFacts['type']; date: string; source_id: string }>(
        db,
        sql`select id, country_code, type, date::text, source_id from elections where id = any(${arrayOf([
          ...electionIds,
          ...data.elections.flatMap((e) => (e.previousRoundId ? [e.previousRoundId] : [])),
        ])}::text[])`,
      )
    ).map((r) => [r.id, { id: r.id, countryCode: r.country_code, type: r.type, date: r.date, sourceId: r.source_id }]),
  );
  const storedContests = await rows<{ id: number; election_id: string; slug: string; area_id: string; main: boolean }>(
    db,
    sql`select id, election_id, slug, area_id, main from contests where election_id = any(${arrayOf(electionIds)}::text[])`,
  );
  const history = new Map<number, { number: number; status: Status }[]>();
  for (const r of await rows<{ contest_id: number; number: number; status: Status }>(
    db,
    sql`select contest_id, number, status from result_versions
        where contest_id = any(${arrayOf(storedContests.map((c) => c.id))}::int[]) order by contest_id, number`,
  )) {
    const list = history.get(r.contest_id);
    if (list) list.push(r);
    else history.set(r.contest_id, [r]);
  }
  const countries = new Set((await rows<{ code: string }>(db, sql`select code from countries`)).map((r) => r.code));

  const sourceIds = new Set([...storedSources, ...data.sources.map((s) => s.id)]);
  const candidateIds = new Set([...storedCandidates, ...data.candidates.map((c) => c.id)]);
  const organisationIds = new Set([...storedOrganisations, ...data.organisations.map((o) => o.id)]);
  const source = (where: string, id: string | null, field = 'sourceId') => {
    if (id !== null && !sourceIds.has(id)) problems.push({ where, message: `${field}: no source has the id '${id}'` });
  };
  for (const o of data.organisations) {
    source(`organisation ${o.id}`, o.sourceId);
    source(`organisation ${o.id}`, o.colourSourceId, 'colourSourceId');
  }
  for (const c of data.candidates) source(`candidate ${c.id}`, c.sourceId);

  // Elections: those the database lacks are created; the others are kept as they are.
  const elections = new Map<string, ElectionFacts>(storedElections);
  const newElections: Resolved['create']['elections'] = [];
  for (const id of electionIds) {
    if (storedElections.has(id)) continue;
    const { results: _results, contests: _contests, ...election } = fileElections.get(id)!.election;
    const where = `election ${id}`;
    if (!countries.has(election.countryCode))
      problems.push({ where, message: `'${election.countryCode}' is not an ISO 3166-1 country code` });
    if (!id.startsWith(`${election.countryCode.toLowerCase()}.${election.type}.${election.date}`))
      problems.push({ where, message: 'the id must be {iso2}.{type}.{YYYY-MM-DD} of its country, type and date' });
    if (
      election.previousRoundId &&
      !storedElections.has(election.previousRoundId) &&
      !fileElections.has(election.previousRoundId)
    )
      problems.push({ where, message: `previousRoundId: no election has the id '${election.previousRoundId}'` });
    source(where, election.sourceId);
    newElections.push(election);
    elections.set(id, election);
  }

  // Areas: the file's new ones, then what the rules need of every area named (and its ancestors).
  const fileAreas = new Map<string, SeedFile['areas'][number]>();
  for (const area of data.areas) {
    if (fileAreas.has(area.id)) problems.push({ where: `area ${area.id}`, message: 'is given twice' });
    fileAreas.set(area.id, area);
  }
  const contestAreaIds = [
    ...storedContests.map((c) => c.area_id),
    ...data.elections.flatMap((e) => e.contests.map((c) => c.areaId)),
    ...[...elections.values()].map((e) => e.countryCode.toLowerCase()),
  ];
  const named = new Set([...plan.versions.flatMap((v) => v.version.areas.map((a) => a.areaId)), ...contestAreaIds]);
  const facts = new Map<string, AreaFacts & { countryCode: string }>();
  for (const r of await rows<{
    id: string;
    parent_id: string | null;
    valid_from: string | null;
    valid_to: string | null;
    country_code: string;
  }>(
    db,
    sql`with recursive up(id) as (
          select unnest(${arrayOf([...named, ...data.areas.flatMap((a) => [a.id, ...(a.parentId ? [a.parentId] : [])])])}::text[])
          union
          select a.parent_id from areas a join up on a.id = up.id where a.parent_id is not null
        )
        select id, parent_id, valid_from::text, valid_to::text, country_code from areas where id in (select id from up)`,
  ))
    facts.set(r.id, {
      id: r.id,
      parentId: r.parent_id,
      validFrom: r.valid_from,
      validTo: r.valid_to,
      countryCode: r.country_code,
    });
  const storedAreaIds = new Set(facts.keys());
  const newAreas = [...fileAreas.values()].filter((a) => !storedAreaIds.has(a.id));
  const takenIsoCodes = new Map(
    (
      await rows<{ id: string; iso_code: string }>(
        db,
        sql`select id, iso_code from areas where iso_code = any(${arrayOf(newAreas.flatMap((a) => (a.isoCode ? [a.isoCode] : [])))}::text[])`,
      )
    ).map((r) => [r.iso_code, r.id]),
  );
  for (const area of newAreas) facts.set(area.id, { ...area });
  const isoCodesInFile = new Map<string, string>();
  for (const area of newAreas) {
    const where = `area ${area.id}`;
    if (!AREA_ID_PATTERN.test(area.id) || !area.id.startsWith(area.countryCode.toLowerCase()))
      problems.push({
        where,
        message: `id: must be an area id of ${area.countryCode}, like ${area.countryCode.toLowerCase()}-abai`,
      });
    if (!countries.has(area.countryCode))
      problems.push({ where, message: `'${area.countryCode}' is not an ISO 3166-1 country code` });
    if (area.isoCode !== null) {
      if (isoSubdivisions.get(area.isoCode) !== area.countryCode)
        problems.push({ where, message: `isoCode: ${area.isoCode} is not an ISO 3166-2 code of ${area.countryCode}` });
      const taken = takenIsoCodes.get(area.isoCode) ?? isoCodesInFile.get(area.isoCode);
      if (taken) problems.push({ where, message: `isoCode: ${area.isoCode} is already area ${taken}'s` });
      isoCodesInFile.set(area.isoCode, area.id);
    }
    if (area.parentId !== null) {
      const parent = facts.get(area.parentId);
      if (!parent) problems.push({ where, message: `parentId: no area has the id '${area.parentId}'` });
      else if (parent.countryCode !== area.countryCode)
        problems.push({ where, message: `parentId: ${area.parentId} is not an area of ${area.countryCode}` });
    }
    if (area.validFrom && area.validTo && area.validFrom > area.validTo)
      problems.push({ where, message: 'validTo: is before validFrom' });
    source(where, area.sourceId);
  }
  // A new election's country gets its own area when the database lacks it (as the seed gives every country).
  const countryAreas = new Map<string, typeof t.areas.$inferInsert>();
  for (const e of newElections) {
    const id = e.countryCode.toLowerCase();
    if (!facts.has(id) && countries.has(e.countryCode)) {
      countryAreas.set(id, { id, countryCode: e.countryCode, level: 'country', name: e.countryCode });
      facts.set(id, { id, parentId: null, validFrom: null, validTo: null, countryCode: e.countryCode });
    }
  }
  const kids = new Map<string, AreaFacts[]>();
  const addKid = (a: AreaFacts) => {
    if (!a.parentId) return;
    const list = kids.get(a.parentId);
    if (list) list.push(a);
    else kids.set(a.parentId, [a]);
  };
  for (const r of await rows<{ id: string; parent_id: string; valid_from: string | null; valid_to: string | null }>(
    db,
    sql`select id, parent_id, valid_from::text, valid_to::text from areas where parent_id = any(${arrayOf(named)}::text[])`,
  ))
    addKid({ id: r.id, parentId: r.parent_id, validFrom: r.valid_from, validTo: r.valid_to });
  for (const a of newAreas) addKid(a);

  // Contests: stored ones by slug; a file's new ones in full; a new election's main one by default.
  const contests = new Map<string, Contest>();
  const mainOf = new Map<string, Contest>();
  for (const c of storedContests) {
    const contest = {
      key: `${c.election_id}#${c.slug}`,
      electionId: c.election_id,
      slug: c.slug,
      areaId: c.area_id,
      main: c.main,
      id: c.id,
    };
    contests.set(contest.key, contest);
    if (c.main) mainOf.set(c.election_id, contest);
  }
  const newContests: Contest[] = [];
  let keptContests = 0;
  const addContest = (electionId: string, c: Omit<ContestInsert, 'electionId'>, where: string) => {
    const election = elections.get(electionId)!;
    const contest: Contest = {
      key: `${electionId}#${c.slug}`,
      electionId,
      slug: c.slug,
      areaId: c.areaId,
      main: c.main ?? false,
      insert: { ...c, electionId },
    };
    if (!contestIdParam.safeParse(c.slug).success)
      problems.push({
        where,
        message: `slug: must be a contest id: lower-case letters, digits and hyphens, e.g. party-list`,
      });
    const area = facts.get(c.areaId);
    if (!area) problems.push({ where, message: `areaId: no area has the id '${c.areaId}'` });
    else if (area.countryCode !== election.countryCode)
      problems.push({
        where,
        message: `areaId: ${c.areaId} is not an area of ${election.countryCode}, the election's country`,
      });
    if (contest.main && mainOf.has(electionId))
      problems.push({
        where,
        message: `${electionId} has a main contest already ('${mainOf.get(electionId)!.slug}'): a contest added to it cannot be main`,
      });
    source(where, c.sourceId);
    contests.set(contest.key, contest);
    if (contest.main) mainOf.set(electionId, contest);
    newContests.push(contest);
  };
  for (const [id, { election, index }] of fileElections) {
    if (election.results.length && election.contests.some((c) => c.main))
      problems.push({
        where: `elections.${index}.results`,
        message: "the main contest's versions go in its contests[] entry when contests[] names it, not in results",
      });
    const given = storedElections.has(id) ? election.contests : contestsOf(election);
    const slugs = new Set<string>();
    given.forEach((c: SeedContest) => {
      const where = `contest ${id} ${c.slug}`;
      if (slugs.has(c.slug)) problems.push({ where, message: 'is given twice' });
      slugs.add(c.slug);
      if (contests.has(`${id}#${c.slug}`)) {
        keptContests += 1; // stored: kept as it is
        return;
      }
      const { results: _results, ...fields } = c;
      addContest(id, fields, where);
    });
  }
  for (const e of newElections)
    if (!mainOf.has(e.id)) addContest(e.id, defaultMainContest(elections.get(e.id)!), `contest ${e.id} (main)`);

  // Versions: each resolved to its contest, numbered after what is stored, then checked by the rules
  // of a new version with the areas' context.
  const resolved: Resolved['versions'] = [];
  const byContest = new Map<string, { contest: Contest; versions: PlannedVersion[] }>();
  for (const pv of plan.versions) {
    const contest = pv.contest === null ? mainOf.get(pv.electionId) : contests.get(`${pv.electionId}#${pv.contest}`);
    if (!contest) {
      problems.push({
        where: pv.where,
        message: `${pv.electionId} has no contest '${pv.contest}': add it first (POST /v1/elections/${pv.electionId}/contests, or contests[] in a JSON import)`,
      });
      continue;
    }
    const group = byContest.get(contest.key) ?? { contest, versions: [] };
    group.versions.push(pv);
    byContest.set(contest.key, group);
  }
  for (const { contest, versions } of byContest.values()) {
    const election = elections.get(contest.electionId)!;
    const of = contest.main ? contest.electionId : `${contest.electionId} contest ${contest.slug}`;
    const previous = contest.id === undefined ? [] : (history.get(contest.id) ?? []);
    const latestStored = previous.at(-1)?.number ?? 0;
    const statuses = previous.map((p) => p.status);
    let expected = latestStored + 1;
    const seen = new Map<number, string>();
    for (const pv of versions.sort((a, b) => a.version.number - b.version.number)) {
      const { number } = pv.version;
      if (number <= latestStored) {
        problems.push({
          where: pv.where,
          message: `${of} already has version ${number}: versions are append-only, so the next is ${latestStored + 1}`,
        });
        continue; // its rules would be checked against the wrong history
      }
      if (seen.has(number)) {
        problems.push({
          where: pv.where,
          message: `${of} version ${number} is given twice (also at ${seen.get(number)})`,
        });
        continue;
      }
      seen.set(number, pv.where);
      if (number !== expected)
        problems.push({
          where: pv.where,
          message: `${of} version ${number} would leave a gap: the next is ${expected}`,
        });
      const { version, rows: rowMap, problem } = withOwnArea(pv, contest.areaId);
      if (problem) problems.push(problem);
      const {
        number: _n,
        registeredVoters,
        ballotsCast,
        validVotes,
        invalidVotes,
        turnoutPercent,
        unitsLevel,
        unitsReporting,
        unitsTotal,
        ballotsCounted,
        expectedVotes,
        areas,
        ...fields
      } = version;
      const input = importInputSchema.safeParse({
        ...fields,
        turnout: { registeredVoters, ballotsCast, validVotes, invalidVotes, turnoutPercent },
        counting: { unitsLevel, unitsReporting, unitsTotal, ballotsCounted, expectedVotes },
        areas: areas.map(({ areaId, complete, publishedAsIs, lines, ...figures }) => ({
          areaId,
          complete,
          publishedAsIs,
          lines,
          ...splitFigures(figures),
        })),
      });
      const located = { ...pv, rows: rowMap };
      if (!input.success) {
        for (const issue of input.error.issues) problems.push(locate(located, issue.path.join('.'), issue.message));
      } else {
        const children = new Map<string, string[]>();
        for (const id of [contest.areaId, ...input.data.areas.map((a) => a.areaId)])
          children.set(
            id,
            (kids.get(id) ?? []).filter((k) => dayOk(k, election.date)).map((k) => k.id),
          );
        for (const e of validateResults(input.data, {
          previousStatuses: statuses,
          candidateIds,
          organisationIds,
          sourceIds,
          contestAreaId: contest.areaId,
          pollingDay: election.date,
          areas: facts,
          children,
        }))
          problems.push(locate(located, e.name, e.message));
      }
      statuses.push(version.status);
      expected = number + 1;
      resolved.push({ contest, electionId: contest.electionId, version });
    }
  }

  // Parents before children, so that each insert finds its parent.
  const depth = (id: string): number => {
    let n = 0;
    for (
      let p = fileAreas.get(id)?.parentId;
      p && fileAreas.has(p) && n <= fileAreas.size;
      p = fileAreas.get(p)?.parentId
    )
      n++;
    return n;
  };
  const areasToCreate = [
    ...countryAreas.values(),
    ...newAreas
      .map((a) => ({ a, d: depth(a.id) }))
      .sort((x, y) => x.d - y.d)
      .map((x) => x.a),
  ];
  const newSources = data.sources.filter((s) => !storedSources.has(s.id));
  const newOrganisations = data.organisations.filter((o) => !storedOrganisations.has(o.id));
  const newCandidates = data.candidates.filter((c) => !storedCandidates.has(c.id));
  return {
    problems,
    create: {
      sources: newSources,
      areas: areasToCreate,
      organisations: newOrganisations,
      candidates: newCandidates,
      elections: newElections,
      contests: newContests,
    },
    kept: {
      sources: data.sources.length - newSources.length,
      areas: fileAreas.size - newAreas.length,
      organisations: data.organisations.length - newOrganisations.length,
      candidates: data.candidates.length - newCandidates.length,
      elections: electionIds.size - newElections.length,
      contests: keptContests,
    },
    versions: resolved,
  };
}

/**
 * A CSV names a contest's own area by its id when the contest is named (an export does): those rows
 * are the version's own figures, as an empty areaId is.
 */
function withOwnArea(
  pv: PlannedVersion,
  contestAreaId: string,
): { version: SeedVersion; rows: PlannedVersion['rows']; problem?: ImportProblem } {
  const i = pv.version.areas.findIndex((a) => a.areaId === contestAreaId);
  if (i < 0 || !pv.rows) return { version: pv.version, rows: pv.rows };
  const { lines, areaId: _areaId, publishedAsIs: _asIs, ...figures } = pv.version.areas[i]!;
  const areaRows = pv.rows.areas[i]!;
  const own = pv.version;
  let problem: ImportProblem | undefined;
  if (pv.rows.own.length) {
    const keys = [
      'complete',
      'registeredVoters',
      'ballotsCast',
      'validVotes',
      'invalidVotes',
      'turnoutPercent',
      ...COUNTING_KEYS,
    ] as const;
    const ownFigures = keys.map((k) => own[k]);
    const given = keys.map((k) => figures[k]);
    if (JSON.stringify(ownFigures) !== JSON.stringify(given))
      problem = {
        where: rowsText(areaRows.rows),
        message: `complete or the turnout or counting columns of ${contestAreaId}, the contest's own area, differ from ${rowsText(pv.rows.own)} (an empty areaId)`,
      };
  }
  return {
    version: {
      ...own,
      ...(pv.rows.own.length ? {} : figures),
      lines: [...own.lines, ...lines],
      areas: pv.version.areas.filter((_, j) => j !== i),
    },
    rows: {
      all: pv.rows.all,
      own: [...pv.rows.own, ...areaRows.rows],
      lines: [...pv.rows.lines, ...areaRows.lines],
      areas: pv.rows.areas.filter((_, j) => j !== i),
    },
    problem,
  };
}

const csvColumns = new Set<string>([...lineColumns, ...COUNTING_KEYS]);

/** An area's flat figures (the seed format's) as the write API's turnout and counting blocks. */
function splitFigures(f: Omit<SeedVersion['areas'][number], 'areaId' | 'complete' | 'publishedAsIs' | 'lines'>) {
  const { unitsLevel, unitsReporting, unitsTotal, ballotsCounted, expectedVotes, ...turnout } = f;
  return { turnout, counting: { unitsLevel, unitsReporting, unitsTotal, ballotsCounted, expectedVotes } };
}

/**
 * A problem at a field of a version (`areas.3.lines.2.votes`): for CSV its row and column; for JSON
 * the version's path and the field (the seed format has an area's turnout beside its lines).
 */
function locate(pv: PlannedVersion, field: string, message: string): ImportProblem {
  const rows = pv.rows;
  if (!rows) return { where: pv.where, message: `${field.replace(/(^|\.)(turnout|counting)\./, '$1')}: ${message}` };
  let at: number[] = rows.all;
  let m: RegExpExecArray | null;
  if ((m = /^areas\.(\d+)\.lines\.(\d+)/.exec(field))) at = [rows.areas[Number(m[1])]?.lines[Number(m[2])] ?? 0];
  else if ((m = /^areas\.(\d+)/.exec(field))) at = rows.areas[Number(m[1])]?.rows ?? rows.all;
  else if ((m = /^lines\.(\d+)/.exec(field))) at = [rows.lines[Number(m[1])] ?? 0];
  else if (/^(turnout|counting|lines|complete)/.test(field) && rows.own.length) at = rows.own;
  const column = field.split('.').at(-1)!;
  const where = at.every((r) => r > 0) ? rowsText(at) : pv.where;
  return { where, message: csvColumns.has(column) ? `${column}: ${message}` : message };
}

function referencedSources(plan: ImportPlan): string[] {
  const { data } = plan;
  return [
    ...data.sources.map((s) => s.id),
    ...data.areas.map((a) => a.sourceId),
    ...data.organisations.flatMap((o) => [o.sourceId, ...(o.colourSourceId ? [o.colourSourceId] : [])]),
    ...data.candidates.map((c) => c.sourceId),
    ...data.elections.flatMap((e) => [e.sourceId, ...e.contests.map((c) => c.sourceId)]),
    ...plan.versions.flatMap((v) => [v.version.sourceId, ...v.version.additionalSources.map((s) => s.sourceId)]),
  ];
}

/**
 * Validates everything first, then writes in the same transaction: all or nothing. Rows that exist
 * (sources, areas, organisations, candidates, elections, contests) are kept as they are; versions
 * are appended.
 */
export async function runImport(
  db: Db,
  plan: ImportPlan,
  opts: { dryRun?: boolean; onProgress?: (linesWritten: number) => void; onValidated?: () => void } = {},
): Promise<ImportSummary> {
  return db.transaction(async (tx) => {
    const resolved = await resolvePlan(tx, plan);
    if (resolved.problems.length) throw new ImportError(resolved.problems);
    opts.onValidated?.();
    const { create } = resolved;
    const summary: ImportSummary = {
      created: {
        sources: create.sources.length,
        areas: create.areas.length,
        organisations: create.organisations.length,
        candidates: create.candidates.length,
        elections: create.elections.length,
        contests: create.contests.length,
      },
      kept: resolved.kept,
      versions: resolved.versions.length,
      lines: plan.lineCount,
    };
    if (opts.dryRun) return summary;

    // Parents before children; a table that grew by many rows is analyzed before rows refer to it.
    const insert = async <T extends PgTable>(table: T, rows: T['$inferInsert'][], returning?: SQL) => {
      const out = await insertAll(tx, table, rows, returning);
      if (rows.length >= ANALYZE_AFTER) await analyze(tx, table);
      return out;
    };
    await insert(t.sources, create.sources);
    await insert(t.areas, create.areas);
    await insert(t.organisations, create.organisations);
    await insert(t.candidates, create.candidates);
    // Their names, which search reads (src/db/names.ts).
    await insert(t.names, [
      ...create.areas.flatMap((a) => ownNameRows('area', a.id, a, a.sourceId ?? ISO_3166_1_SOURCE)),
      ...create.organisations.flatMap((o) => ownNameRows('party', o.id, o, o.sourceId)),
      ...create.candidates.flatMap((c) => ownNameRows('person', c.id, c, c.sourceId)),
    ]);
    await insert(t.elections, create.elections);
    const inserted = await insert(
      t.contests,
      create.contests.map((c) => c.insert!),
      sql`id, election_id, slug`,
    );
    // Matched by key: RETURNING's row order is not a documented guarantee.
    const idOf = new Map(inserted.map((r) => [`${r.election_id as string}#${r.slug as string}`, r.id as number]));
    for (const c of create.contests) c.id = idOf.get(c.key);
    let written = 0;
    await writeVersions(
      tx,
      resolved.versions.map((v) => versionRows(v.electionId, v.contest.id!, v.version)),
      (lines) => opts.onProgress?.((written += lines)),
    );
    return summary;
  });
}
