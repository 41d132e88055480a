import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import { seedFileSchema, type SeedFile } from '../db/seed.js';
import { ELECTION_ID_PATTERN } from '../modules/elections/elections.schemas.js';
import { exportOnlyColumns, lineColumns } from '../modules/vote-shares/vote-shares.columns.js';

/** What a file asks to load, with where each version came from for error messages. */
export interface ImportPlan {
  data: SeedFile;
  /** elections[i].results[j] -> "rows 2-8" or "elections.0.results.1" */
  where: Map<string, string>;
  lineCount: number;
}

export interface ImportProblem {
  where: string;
  message: string;
}

export class ImportError extends Error {
  constructor(readonly problems: ImportProblem[]) {
    super(`${problems.length} problem(s)`);
  }
}

/** JSON: the seed format (sources, organisations, candidates, elections with their results). */
export function planFromJson(text: string): ImportPlan {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ImportError([{ where: 'file', message: `not valid JSON: ${(err as Error).message}` }]);
  }
  const parsed = seedFileSchema.safeParse(raw);
  if (!parsed.success)
    throw new ImportError(parsed.error.issues.map((i) => ({ where: i.path.join('.') || 'file', message: i.message })));
  const where = new Map<string, string>();
  let lineCount = 0;
  parsed.data.elections.forEach((e, i) =>
    e.results.forEach((r, j) => {
      where.set(`${e.id}#${r.number}`, `elections.${i}.results.${j}`);
      lineCount += r.lines.length;
    }),
  );
  return { data: parsed.data, where, lineCount };
}

// An empty cell and a missing column both mean "not given".
const blank = (v: unknown) => (v === '' || v === undefined ? null : v);
const text = z.preprocess(blank, z.string().nullable());
const int = z.preprocess(blank, z.coerce.number().int().nullable());
const num = z.preprocess(blank, z.coerce.number().nullable());
const bool = z.preprocess(
  (v) =>
    v === '' || v === undefined ? null : v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v,
  z.boolean().nullable(),
);

const csvRow = z.object({
  electionId: z.string().regex(ELECTION_ID_PATTERN, 'must be an election id like kz.presidential.2022-11-20'),
  version: z.coerce.number().int().min(1),
  status: z.string(),
  asOf: text,
  complete: bool.pipe(z.boolean({ error: 'must be true or false' })),
  percentBase: z.string(),
  sourceId: z.string().min(1),
  registeredVoters: int,
  ballotsCast: int,
  validVotes: int,
  invalidVotes: int,
  turnoutPercent: num,
  kind: z.preprocess((v) => (v === '' || v === undefined ? 'candidate' : v), z.string()),
  name: text,
  candidateId: text,
  nominatorId: text,
  nominatorName: text,
  votes: int,
  percent: num,
  rank: int,
  outcome: text,
  publishedAsIs: bool,
});

// What the export puts a ' before (csv-stringify's escape_formulas): taken off again on import.
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20']);
const unescapeFormula = (value: string) =>
  value.length > 1 && value[0] === "'" && FORMULA_START.has(value[1]!) ? value.slice(1) : value;

/**
 * CSV: one row per line, the columns of the vote-shares export. Rows of one (electionId, version)
 * form one version; its version-level columns must agree across those rows. Elections, candidates
 * and organisations the database lacks are created from the row (sources must exist).
 */
export function planFromCsv(text: string): ImportPlan {
  let records: Record<string, string>[];
  try {
    records = parseCsv<Record<string, string>>(text, {
      columns: true,
      skip_empty_lines: true,
      bom: true,
      trim: true,
      cast: unescapeFormula,
    });
  } catch (err) {
    throw new ImportError([{ where: 'file', message: `not valid CSV: ${(err as Error).message}` }]);
  }
  const problems: ImportProblem[] = [];
  const header = records.length ? Object.keys(records[0]!) : [];
  const known = new Set<string>([...lineColumns, ...exportOnlyColumns]);
  for (const column of header)
    if (!known.has(column)) problems.push({ where: 'header', message: `unknown column '${column}'` });
  for (const column of ['electionId', 'version', 'status', 'complete', 'percentBase', 'sourceId'])
    if (!header.includes(column)) problems.push({ where: 'header', message: `missing column '${column}'` });
  if (problems.length) throw new ImportError(problems);

  type Version = SeedFile['elections'][number]['results'][number];
  const elections = new Map<string, SeedFile['elections'][number]>();
  const versions = new Map<string, { version: Version; first: number; last: number; signature: string }>();
  const candidates = new Map<string, SeedFile['candidates'][number]>();
  const organisations = new Map<string, SeedFile['organisations'][number]>();

  records.forEach((record, index) => {
    const rowNumber = index + 2; // the header is row 1
    const parsed = csvRow.safeParse(record);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push({ where: `row ${rowNumber}`, message: `${issue.path.join('.')}: ${issue.message}` });
      return;
    }
    const row = parsed.data;
    const [code, type, date] = row.electionId.split('.') as [string, string, string];
    if (!elections.has(row.electionId))
      elections.set(row.electionId, {
        id: row.electionId,
        countryCode: code.toUpperCase(),
        type: type as never,
        date,
        snap: null,
        round: 1,
        previousRoundId: null,
        termEndYear: null,
        candidateCount: null,
        note: null,
        sourceId: row.sourceId,
        results: [],
      });
    const key = `${row.electionId}#${row.version}`;
    const turnout = [row.registeredVoters, row.ballotsCast, row.validVotes, row.invalidVotes, row.turnoutPercent];
    const signature = JSON.stringify([row.status, row.asOf, row.complete, row.percentBase, row.sourceId, ...turnout]);
    let entry = versions.get(key);
    if (!entry) {
      const version: Version = {
        number: row.version,
        status: row.status as never,
        asOf: row.asOf,
        complete: row.complete,
        publishedBy: null,
        registeredVoters: row.registeredVoters,
        ballotsCast: row.ballotsCast,
        validVotes: row.validVotes,
        invalidVotes: row.invalidVotes,
        turnoutPercent: row.turnoutPercent,
        percentBase: row.percentBase as never,
        note: null,
        sourceId: row.sourceId,
        additionalSources: [],
        lines: [],
      };
      entry = { version, first: rowNumber, last: rowNumber, signature };
      versions.set(key, entry);
      elections.get(row.electionId)!.results.push(version);
    } else if (entry.signature !== signature) {
      problems.push({
        where: `row ${rowNumber}`,
        message: `version-level columns differ from row ${entry.first} of ${row.electionId} version ${row.version}`,
      });
    }
    entry.last = rowNumber;
    const isCandidate = row.kind === 'candidate';
    if (isCandidate && row.candidateId && row.name && !candidates.has(row.candidateId))
      candidates.set(row.candidateId, { id: row.candidateId, name: row.name, note: null, sourceId: row.sourceId });
    if (row.nominatorId && row.nominatorName && !organisations.has(row.nominatorId))
      organisations.set(row.nominatorId, { id: row.nominatorId, name: row.nominatorName, sourceId: row.sourceId });
    entry.version.lines.push({
      kind: row.kind as never,
      candidateId: isCandidate ? row.candidateId : null,
      label: isCandidate ? null : row.name,
      nominatorId: row.nominatorId,
      votes: row.votes,
      percent: row.percent,
      rank: row.rank,
      outcome: row.outcome as never,
      publishedAsIs: row.publishedAsIs ?? false,
    });
  });
  if (problems.length) throw new ImportError(problems);

  const where = new Map<string, string>();
  for (const [key, v] of versions) where.set(key, v.first === v.last ? `row ${v.first}` : `rows ${v.first}-${v.last}`);
  for (const e of elections.values()) e.results.sort((a, b) => a.number - b.number);
  // The row-level schema kept enums as strings; the seed schema checks them against the real enums.
  const data = seedFileSchema.safeParse({
    sources: [],
    organisations: [...organisations.values()],
    candidates: [...candidates.values()],
    elections: [...elections.values()],
  });
  if (!data.success)
    throw new ImportError(
      data.error.issues.map((i) => {
        const [, e, , r, , l] = i.path as (string | number)[];
        const election = typeof e === 'number' ? [...elections.values()][e] : undefined;
        const version = election && typeof r === 'number' ? election.results[r] : undefined;
        const at = election && version ? where.get(`${election.id}#${version.number}`) : undefined;
        return {
          where: at ? `${at}${l !== undefined ? ` (line ${Number(l) + 1})` : ''}` : i.path.join('.'),
          message: `${String(i.path.at(-1))}: ${i.message}`,
        };
      }),
    );
  return { data: data.data, where, lineCount: records.length };
}
