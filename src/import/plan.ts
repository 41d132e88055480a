import * as t from '../db/schema/index.js';
import { NO_COUNTING, seedFileSchema, type SeedElection, type SeedFile, type SeedVersion } from '../db/seed.js';
import { ELECTION_ID_PATTERN } from '../modules/elections/elections.schemas.js';
import { countingCsvColumns } from '../modules/results/results.csv.js';
import { exportOnlyColumns, lineColumns } from '../modules/vote-shares/vote-shares.columns.js';
import { CsvSyntaxError, csvRows } from './csv.js';

/** Where a CSV version's figures came from: the rows of its own area's lines and of each area's. */
export interface VersionRowMap {
  /** Every row of the version. */
  all: number[];
  /** The rows of the contest's own area (lines and turnout-only rows), and of each own line. */
  own: number[];
  lines: number[];
  /** Aligned with the version's `areas`: each area's rows, and the row of each of its lines. */
  areas: { rows: number[]; lines: number[] }[];
}

/** One result version the file asks to append, to a contest named by its slug (null: the main contest). */
export interface PlannedVersion {
  electionId: string;
  contest: string | null;
  version: SeedVersion;
  /** "rows 2-8" (CSV) or "elections.0.contests.1.results.2" (JSON). */
  where: string;
  /** CSV only: the row of each line and area, so a problem names its row. */
  rows?: VersionRowMap;
}

/** What a file asks to load: the rows it defines (sources, areas, ..., contests) and the versions it appends. */
export interface ImportPlan {
  /** Definitions. A JSON file's elections keep their `contests` (the definitions); their versions are in `versions`. */
  data: SeedFile;
  versions: PlannedVersion[];
  /** Lines, the contest's own and every area's. */
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

const countLines = (v: SeedVersion) => v.lines.length + v.areas.reduce((n, a) => n + a.lines.length, 0);

/**
 * JSON: the seed format (sources, areas, organisations, candidates, elections with their contests
 * and each contest's versions; an election's `results` are its main contest's versions).
 */
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
  const versions: PlannedVersion[] = [];
  parsed.data.elections.forEach((e, i) => {
    e.results.forEach((version, j) =>
      versions.push({ electionId: e.id, contest: null, version, where: `elections.${i}.results.${j}` }),
    );
    e.contests.forEach((c, k) =>
      c.results.forEach((version, j) =>
        versions.push({
          electionId: e.id,
          contest: c.slug,
          version,
          where: `elections.${i}.contests.${k}.results.${j}`,
        }),
      ),
    );
  });
  return { data: parsed.data, versions, lineCount: versions.reduce((n, v) => n + countLines(v.version), 0) };
}

// Each column's reader: an empty cell (or a missing column) is null, "not given"; a cell it cannot
// read throws a CellError with what the column takes. Hand-written rather than a zod object a row:
// at 100,000 rows the schema was a third of the parse.
class CellError extends Error {}
const fail = (message: string): never => {
  throw new CellError(message);
};
const text = (v: string) => (v === '' ? null : v);
const int = (v: string) => {
  if (v === '') return null;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : fail(`must be a whole number, not '${v}'`);
};
const num = (v: string) => {
  if (v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : fail(`must be a number, not '${v}'`);
};
const bool = (v: string) =>
  v === ''
    ? null
    : v === 'true' || v === '1'
      ? true
      : v === 'false' || v === '0'
        ? false
        : fail('must be true or false');
const oneOf = <T extends string>(values: readonly T[]) => {
  const set = new Set<string>(values);
  return (v: string) => (v === '' ? null : set.has(v) ? (v as T) : fail(`must be one of ${values.join(', ')}`));
};
const required =
  <T>(read: (v: string) => T | null) =>
  (v: string): T =>
    read(v) ?? fail('is required');

const requiredInt = required(int);
const electionTypes = new Set<string>(t.electionType.enumValues);
const readers = {
  electionId: (v: string) =>
    !ELECTION_ID_PATTERN.test(v)
      ? fail('must be an election id like kz.presidential.2022-11-20')
      : !electionTypes.has(v.split('.')[1]!)
        ? fail(`must be {iso2}.{type}.{YYYY-MM-DD} with a type among ${t.electionType.enumValues.join(', ')}`)
        : v,
  contest: text,
  version: (v: string) => (requiredInt(v) >= 1 ? Number(v) : fail('must be 1 or more')),
  status: required(oneOf(t.resultStatus.enumValues)),
  asOf: text,
  complete: required(bool),
  percentBase: required(oneOf(t.percentBase.enumValues)),
  sourceId: required(text),
  areaId: text,
  registeredVoters: int,
  ballotsCast: int,
  validVotes: int,
  invalidVotes: int,
  turnoutPercent: num,
  // The results CSV's counting progress (unitsReportingPercent, derived, is not read).
  unitsLevel: oneOf(t.areaLevel.enumValues),
  unitsReporting: int,
  unitsTotal: int,
  ballotsCounted: int,
  expectedVotes: int,
  kind: oneOf(t.selectionKind.enumValues),
  name: text,
  candidateId: text,
  nominatorId: text,
  nominatorName: text,
  votes: int,
  percent: num,
  rank: int,
  outcome: oneOf(t.outcome.enumValues),
  seats: int,
  publishedAsIs: bool,
};
type CsvRow = { [K in keyof typeof readers]: ReturnType<(typeof readers)[K]> };
const readerEntries = Object.entries(readers) as [keyof CsvRow, (v: string) => unknown][];
// Every row object starts as a copy of this one, so that all have one shape (a faster property store).
const emptyRow = Object.fromEntries(readerEntries.map(([name]) => [name, null]));

const LINE_FIGURES = ['nominatorId', 'votes', 'percent', 'rank', 'outcome', 'seats'] as const;

// What the export puts a ' before (csv-stringify's escape_formulas): taken off again on import.
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20']);
const unescapeFormula = (value: string) =>
  value.length > 1 && value[0] === "'" && FORMULA_START.has(value[1]!) ? value.slice(1) : value;

const isSpace = (code: number | undefined) => code === 32 || code === 9;
/** A cell as the columns read it: without surrounding spaces, and without the export's formula escape. */
const cell = (raw: string) => {
  const value = isSpace(raw.charCodeAt(0)) || isSpace(raw.charCodeAt(raw.length - 1)) ? raw.trim() : raw;
  return value.charCodeAt(0) === 39 ? unescapeFormula(value) : value;
};

/** "row 5", "rows 2-8", "rows 2-8, 15-20": runs of consecutive rows. */
export function rowsText(rows: number[]): string {
  if (rows.length === 1) return `row ${rows[0]}`;
  const sorted = [...rows].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1]! === sorted[j]! + 1) j++;
    runs.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return `rows ${runs.length > 6 ? `${runs.slice(0, 6).join(', ')}, …` : runs.join(', ')}`;
}

interface Block {
  /** The block's first row: its turnout and `complete` are the block's, the same on every row. */
  first: number;
  rows: number[];
  lineRows: number[];
  area: SeedVersion['areas'][number];
}

interface CsvVersion {
  planned: PlannedVersion;
  /** The version's first row: its status, asOf, percentBase and sourceId are the version's. */
  first: number;
  rows: number[];
  own?: Block;
  areas: Map<string, Block>;
}

/**
 * CSV: one row per line (or per area with turnout only), the columns of the vote-shares export.
 * Rows of one (electionId, contest, version) form one version: an empty `areaId` (or the country's,
 * for the main contest) is the contest's own area, any other names one of the version's areas,
 * whose turnout columns are that area's figures. Elections, candidates and organisations the
 * database lacks are created from the rows (sources, areas and non-main contests must exist).
 */
export function planFromCsv(text: string): ImportPlan {
  let rows: Iterator<string[]>;
  try {
    rows = csvRows(text)[Symbol.iterator]();
  } catch (err) {
    if (!(err instanceof CsvSyntaxError)) throw err;
    throw new ImportError([{ where: 'file', message: `not valid CSV: ${err.message}` }]);
  }
  const next = (): string[] | undefined => {
    const row = rows.next();
    return row.done ? undefined : row.value;
  };
  const problems: ImportProblem[] = [];
  const header = (next() ?? []).map((c) => c.trim());
  const known = new Set<string>([...lineColumns, ...exportOnlyColumns, ...countingCsvColumns]);
  for (const column of header)
    if (!known.has(column)) problems.push({ where: 'header', message: `unknown column '${column}'` });
  for (const column of ['electionId', 'version', 'status', 'complete', 'percentBase', 'sourceId'])
    if (!header.includes(column)) problems.push({ where: 'header', message: `missing column '${column}'` });
  if (problems.length) throw new ImportError(problems);

  const columns = readerEntries.map(([name, reader]) => [name, reader, header.indexOf(name)] as const);
  const elections = new Map<string, SeedElection>();
  const versions = new Map<string, CsvVersion>();
  const candidates = new Map<string, SeedFile['candidates'][number]>();
  const organisations = new Map<string, SeedFile['organisations'][number]>();

  for (let rowNumber = 2, cells = next(); cells; rowNumber++, cells = next()) {
    // The header is row 1.
    const read: Record<string, unknown> = { ...emptyRow };
    let readable = true;
    for (const [name, reader, at] of columns)
      try {
        read[name] = reader(at < 0 ? '' : cell(cells[at]!));
      } catch (err) {
        if (!(err instanceof CellError)) throw err;
        problems.push({ where: `row ${rowNumber}`, message: `${name}: ${err.message}` });
        readable = false;
      }
    if (!readable) continue;
    const row = read as CsvRow;
    const [code, type, date] = row.electionId.split('.') as [string, SeedElection['type'], string];
    if (!elections.has(row.electionId))
      elections.set(row.electionId, {
        id: row.electionId,
        countryCode: code.toUpperCase(),
        type,
        date,
        snap: null,
        round: 1,
        previousRoundId: null,
        termEndYear: null,
        candidateCount: null,
        note: null,
        sourceId: row.sourceId,
        results: [],
        contests: [],
      });

    const key = `${row.electionId}#${row.contest ?? ''}#${row.version}`;
    let entry = versions.get(key);
    if (!entry) {
      const version: SeedVersion = {
        number: row.version,
        status: row.status,
        asOf: row.asOf,
        complete: false,
        publishedBy: null,
        registeredVoters: null,
        ballotsCast: null,
        validVotes: null,
        invalidVotes: null,
        turnoutPercent: null,
        ...NO_COUNTING,
        percentBase: row.percentBase,
        note: null,
        sourceId: row.sourceId,
        additionalSources: [],
        lines: [],
        areas: [],
      };
      const planned = { electionId: row.electionId, contest: row.contest, version, where: '' };
      entry = { planned, first: rowNumber, rows: [], areas: new Map() };
      versions.set(key, entry);
    } else if (!sameVersion(entry.planned.version, row)) {
      problems.push({
        where: `row ${rowNumber}`,
        message: `status, asOf, percentBase or sourceId differ from row ${entry.first} of the same version (${describe(row)})`,
      });
    }
    entry.rows.push(rowNumber);

    // The main contest's own area is the country: an empty areaId, or the country's own.
    const own = row.areaId === null || (row.contest === null && row.areaId === code);
    let block = own ? entry.own : entry.areas.get(row.areaId!);
    if (!block) {
      const figures = {
        registeredVoters: row.registeredVoters,
        ballotsCast: row.ballotsCast,
        validVotes: row.validVotes,
        invalidVotes: row.invalidVotes,
        turnoutPercent: row.turnoutPercent,
        unitsLevel: row.unitsLevel,
        unitsReporting: row.unitsReporting,
        unitsTotal: row.unitsTotal,
        ballotsCounted: row.ballotsCounted,
        expectedVotes: row.expectedVotes,
      };
      block = {
        first: rowNumber,
        rows: [],
        lineRows: [],
        area: { areaId: row.areaId ?? '', ...figures, complete: row.complete, publishedAsIs: false, lines: [] },
      };
      if (own) {
        entry.own = block;
        Object.assign(entry.planned.version, figures, { complete: row.complete });
      } else entry.areas.set(row.areaId!, block);
    } else if (!sameFigures(block.area, row)) {
      problems.push({
        where: `row ${rowNumber}`,
        message:
          `complete or the turnout or counting columns differ from row ${block.first}: they are ` +
          `${own ? "the contest's own area's" : `area ${row.areaId}'s`} figures, the same on each of its rows (${describe(row)})`,
      });
    }
    block.rows.push(rowNumber);

    // No kind, name or candidate: a row with an area's turnout and no line.
    if (row.kind === null && row.name === null && row.candidateId === null) {
      const given = LINE_FIGURES.filter((c) => row[c] !== null);
      if (given.length)
        problems.push({
          where: `row ${rowNumber}`,
          message: `a row with no kind, name or candidateId gives turnout only; it cannot have ${given.join(', ')}`,
        });
      if (row.publishedAsIs) block.area.publishedAsIs = true;
      continue;
    }
    const kind = row.kind ?? 'candidate';
    const isCandidate = kind === 'candidate';
    const isParty = kind === 'party';
    if (isCandidate && row.candidateId && row.name && !candidates.has(row.candidateId))
      candidates.set(row.candidateId, { id: row.candidateId, name: row.name, note: null, sourceId: row.sourceId });
    const organisationName = row.nominatorName ?? (isParty ? row.name : null);
    if (row.nominatorId && organisationName && !organisations.has(row.nominatorId))
      organisations.set(row.nominatorId, {
        id: row.nominatorId,
        name: organisationName,
        kind: isParty ? 'party' : null,
        shortName: null,
        abbreviation: null,
        colour: null,
        colourSourceId: null,
        sourceId: row.sourceId,
      });
    block.lineRows.push(rowNumber);
    block.area.lines.push({
      kind,
      candidateId: isCandidate ? row.candidateId : null,
      label: isCandidate || isParty ? null : row.name,
      nominatorId: row.nominatorId,
      votes: row.votes,
      percent: row.percent,
      rank: row.rank,
      outcome: row.outcome,
      seats: row.seats,
      publishedAsIs: row.publishedAsIs ?? false,
    });
  }
  if (problems.length) throw new ImportError(problems);

  const planned: PlannedVersion[] = [];
  for (const entry of versions.values()) {
    const { version } = entry.planned;
    version.lines = entry.own?.area.lines ?? [];
    version.areas = [...entry.areas.values()].map((b) => b.area);
    entry.planned.where = rowsText(entry.rows);
    entry.planned.rows = {
      all: entry.rows,
      own: entry.own?.rows ?? [],
      lines: entry.own?.lineRows ?? [],
      areas: [...entry.areas.values()].map((b) => ({ rows: b.rows, lines: b.lineRows })),
    };
    planned.push(entry.planned);
  }
  return {
    data: {
      sources: [],
      areas: [],
      organisations: [...organisations.values()],
      candidates: [...candidates.values()],
      names: [],
      identifiers: [],
      elections: [...elections.values()],
    },
    versions: planned,
    lineCount: planned.reduce((n, v) => n + countLines(v.version), 0),
  };
}

const sameVersion = (v: SeedVersion, row: CsvRow) =>
  v.status === row.status && v.asOf === row.asOf && v.percentBase === row.percentBase && v.sourceId === row.sourceId;

const sameFigures = (a: SeedVersion['areas'][number], row: CsvRow) =>
  a.complete === row.complete &&
  a.registeredVoters === row.registeredVoters &&
  a.ballotsCast === row.ballotsCast &&
  a.validVotes === row.validVotes &&
  a.invalidVotes === row.invalidVotes &&
  a.turnoutPercent === row.turnoutPercent &&
  a.unitsLevel === row.unitsLevel &&
  a.unitsReporting === row.unitsReporting &&
  a.unitsTotal === row.unitsTotal &&
  a.ballotsCounted === row.ballotsCounted &&
  a.expectedVotes === row.expectedVotes;

const describe = (row: CsvRow) =>
  `${row.electionId}${row.contest ? ` contest ${row.contest}` : ''} version ${row.version}`;
