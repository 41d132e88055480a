import { asc, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import * as t from '../db/schema/index.js';
import type { SeedFile } from '../db/seed.js';
import { isoCountryList } from '../lib/countries.js';
import { searchKey } from '../lib/slug.js';
import { resultsInputSchema } from '../modules/results/results.schemas.js';
import { validateResults } from '../modules/results/results.validation.js';
import { ImportError, type ImportPlan, type ImportProblem } from './plan.js';

export interface ImportSummary {
  created: { sources: number; organisations: number; candidates: number; elections: number };
  kept: { sources: number; organisations: number; candidates: number; elections: number };
  versions: number;
  lines: number;
}

const BATCH = 1000;
const chunks = <T>(items: T[], size = BATCH) =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

async function existingIds(
  db: Db,
  column: typeof t.sources.id | typeof t.organisations.id | typeof t.candidates.id | typeof t.elections.id,
  ids: string[],
) {
  const found = new Set<string>();
  for (const part of chunks([...new Set(ids)], 5000)) {
    const rows = await db.select({ id: column }).from(column.table).where(inArray(column, part));
    for (const r of rows) found.add(r.id);
  }
  return found;
}

type Status = (typeof t.resultVersions.$inferSelect)['status'];

async function statusesByElection(db: Db, ids: string[]) {
  const byElection = new Map<string, { number: number; status: Status }[]>();
  for (const part of chunks([...new Set(ids)], 5000)) {
    const rows = await db
      .select({
        electionId: t.resultVersions.electionId,
        number: t.resultVersions.number,
        status: t.resultVersions.status,
      })
      .from(t.resultVersions)
      .where(inArray(t.resultVersions.electionId, part))
      .orderBy(asc(t.resultVersions.number));
    for (const r of rows) byElection.set(r.electionId, [...(byElection.get(r.electionId) ?? []), r]);
  }
  return byElection;
}

/** Every problem of the plan against the database, each with its row or JSON path; writes nothing. */
async function validatePlan(db: Db, plan: ImportPlan): Promise<ImportProblem[]> {
  const { data } = plan;
  const problems: ImportProblem[] = [];
  const countries = new Set(isoCountryList().map((c) => c.code));
  const sourceIds = new Set([
    ...(await existingIds(db, t.sources.id, referencedSources(data))),
    ...data.sources.map((s) => s.id),
  ]);
  const candidateIds = new Set([
    ...(await existingIds(
      db,
      t.candidates.id,
      data.elections.flatMap((e) =>
        e.results.flatMap((r) => r.lines.flatMap((l) => (l.candidateId ? [l.candidateId] : []))),
      ),
    )),
    ...data.candidates.map((c) => c.id),
  ]);
  const organisationIds = new Set([
    ...(await existingIds(
      db,
      t.organisations.id,
      data.elections.flatMap((e) =>
        e.results.flatMap((r) => r.lines.flatMap((l) => (l.nominatorId ? [l.nominatorId] : []))),
      ),
    )),
    ...data.organisations.map((o) => o.id),
  ]);
  const history = await statusesByElection(
    db,
    data.elections.map((e) => e.id),
  );

  for (const s of data.organisations)
    if (!sourceIds.has(s.sourceId))
      problems.push({ where: `organisation ${s.id}`, message: `sourceId: no source has the id '${s.sourceId}'` });
  for (const c of data.candidates)
    if (!sourceIds.has(c.sourceId))
      problems.push({ where: `candidate ${c.id}`, message: `sourceId: no source has the id '${c.sourceId}'` });

  for (const election of data.elections) {
    if (!countries.has(election.countryCode))
      problems.push({
        where: `election ${election.id}`,
        message: `'${election.countryCode}' is not an ISO 3166-1 country code`,
      });
    if (!election.id.startsWith(`${election.countryCode.toLowerCase()}.${election.type}.${election.date}`))
      problems.push({
        where: `election ${election.id}`,
        message: 'the id must be {iso2}.{type}.{YYYY-MM-DD} of its country, type and date',
      });
    if (!sourceIds.has(election.sourceId))
      problems.push({
        where: `election ${election.id}`,
        message: `sourceId: no source has the id '${election.sourceId}'`,
      });
    const previous = history.get(election.id) ?? [];
    const latestStored = previous.at(-1)?.number ?? 0;
    let expected = latestStored + 1;
    const statuses = previous.map((p) => p.status);
    for (const version of election.results) {
      const where = plan.where.get(`${election.id}#${version.number}`) ?? `${election.id} version ${version.number}`;
      if (version.number <= latestStored) {
        problems.push({
          where,
          message: `${election.id} already has version ${version.number}: versions are append-only, so the next is ${latestStored + 1}`,
        });
        continue; // its rules would be checked against the wrong history
      }
      if (version.number !== expected)
        problems.push({
          where,
          message: `${election.id} version ${version.number} would leave a gap: the next is ${expected}`,
        });
      const {
        number: _number,
        registeredVoters,
        ballotsCast,
        validVotes,
        invalidVotes,
        turnoutPercent,
        ...fields
      } = version;
      const input = resultsInputSchema.safeParse({
        ...fields,
        turnout: { registeredVoters, ballotsCast, validVotes, invalidVotes, turnoutPercent },
      });
      if (!input.success) {
        for (const issue of input.error.issues)
          problems.push({ where, message: `${issue.path.join('.')}: ${issue.message}` });
      } else {
        for (const e of validateResults(input.data, {
          previousStatuses: statuses,
          candidateIds,
          organisationIds,
          sourceIds,
        }))
          problems.push({ where: lineWhere(where, e.name), message: `${e.name}: ${e.message}` });
      }
      statuses.push(version.status);
      expected = version.number + 1;
    }
  }
  return problems;
}

/** "rows 2-8" plus a line's index becomes "row 5" for CSV; JSON paths just gain the field. */
function lineWhere(where: string, field: string): string {
  const line = /^lines\.(\d+)/.exec(field);
  const rows = /^rows? (\d+)/.exec(where);
  if (line && rows) return `row ${Number(rows[1]) + Number(line[1])}`;
  return where;
}

function referencedSources(data: SeedFile): string[] {
  return [
    ...data.organisations.map((o) => o.sourceId),
    ...data.candidates.map((c) => c.sourceId),
    ...data.elections.flatMap((e) => [
      e.sourceId,
      ...e.results.flatMap((r) => [r.sourceId, ...r.additionalSources.map((s) => s.sourceId)]),
    ]),
  ];
}

/**
 * Validates everything first, then writes in one transaction: all or nothing. Rows that exist
 * (sources, organisations, candidates, elections) are kept as they are; versions are appended.
 */
export async function runImport(
  db: Db,
  plan: ImportPlan,
  opts: { dryRun?: boolean; onProgress?: (linesWritten: number) => void } = {},
): Promise<ImportSummary> {
  const problems = await validatePlan(db, plan);
  if (problems.length) throw new ImportError(problems);
  const { data } = plan;
  const versions = data.elections.flatMap((e) => e.results.map((r) => ({ electionId: e.id, ...r })));
  const summary: ImportSummary = {
    created: { sources: 0, organisations: 0, candidates: 0, elections: 0 },
    kept: { sources: 0, organisations: 0, candidates: 0, elections: 0 },
    versions: versions.length,
    lines: versions.reduce((n, v) => n + v.lines.length, 0),
  };
  const insertNew = async (
    tx: Db,
    kind: keyof ImportSummary['created'],
    rows: { id: string }[],
    insert: (part: never[]) => Promise<{ id: string }[]>,
  ) => {
    for (const part of chunks(rows)) {
      const inserted = await insert(part as never[]);
      summary.created[kind] += inserted.length;
      summary.kept[kind] += part.length - inserted.length;
    }
  };
  if (opts.dryRun) return summary;

  await db.transaction(async (tx) => {
    await insertNew(tx, 'sources', data.sources, (part) =>
      tx.insert(t.sources).values(part).onConflictDoNothing().returning({ id: t.sources.id }),
    );
    await insertNew(tx, 'organisations', data.organisations, (part) =>
      tx.insert(t.organisations).values(part).onConflictDoNothing().returning({ id: t.organisations.id }),
    );
    await insertNew(tx, 'candidates', data.candidates, (part) =>
      tx
        .insert(t.candidates)
        .values((part as SeedFile['candidates']).map((c) => ({ ...c, searchKey: searchKey(c.name) })))
        .onConflictDoNothing()
        .returning({ id: t.candidates.id }),
    );
    await insertNew(
      tx,
      'elections',
      data.elections.map(({ results: _results, ...e }) => e),
      (part) => tx.insert(t.elections).values(part).onConflictDoNothing().returning({ id: t.elections.id }),
    );
    let written = 0;
    for (const part of chunks(versions, 200)) {
      const inserted = await tx
        .insert(t.resultVersions)
        .values(part.map(({ lines: _l, additionalSources: _s, ...v }) => v))
        .returning({
          id: t.resultVersions.id,
          electionId: t.resultVersions.electionId,
          number: t.resultVersions.number,
        });
      // Match by key: RETURNING's row order is not a documented guarantee.
      const idOf = new Map(inserted.map((r) => [`${r.electionId}#${r.number}`, r.id]));
      const ids = part.map((v) => ({ id: idOf.get(`${v.electionId}#${v.number}`)! }));
      const lines = part.flatMap((v, i) => v.lines.map((l) => ({ ...l, versionId: ids[i]!.id })));
      for (const batch of chunks(lines)) await tx.insert(t.voteShares).values(batch);
      const extra = part.flatMap((v, i) => v.additionalSources.map((s) => ({ ...s, versionId: ids[i]!.id })));
      if (extra.length) await tx.insert(t.resultVersionSources).values(extra);
      written += lines.length;
      opts.onProgress?.(written);
    }
  });
  return summary;
}
