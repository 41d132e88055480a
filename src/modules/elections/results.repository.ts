import { and, asc, count, desc, eq, gt, inArray, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
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
import { lineSchema, type ResultsInput, resultsSchema, versionSourceSchema } from './results.schemas.js';

/** True for a row of result_versions that is its election's newest version (elections joined). */
export const isCurrent = sql<boolean>`(${resultVersions.number} = ${elections.currentVersion})`;

// ---------------------------------------------------------------------------------------------
// The JSON body of /results, written by PostgreSQL
//
// The hot read of the API is one result version as JSON. Rather than three statements, rows parsed
// into objects, zod's encode and JSON.stringify, one statement returns the finished body as text,
// byte for byte what that path gives: keys in the order of the zod schemas (read from them, so a
// field added there and not here fails at start-up), strings escaped by to_json (the same escapes
// as JSON.stringify for any text PostgreSQL can hold), integers as digits, numeric(6,3) through
// trim_scale (81.310 → 81.31, as JavaScript prints the double), created_at as toISOString() does.
// Where SQL cannot promise the same bytes (a value outside what the response schema accepts, a
// bigint beyond 2^53, a year outside 1000–9999, a session time zone whose offset has seconds, which
// Date cannot parse) the statement says so (`exact` false) and the caller takes the object path, so
// such a row still gets whatever answer (or error) it got before.

/** A constant as an SQL string literal. */
const literal = (text: string) => sql.raw(`'${text.replaceAll("'", "''")}'`);

/** Text or an enum as a JSON string, or null. */
const jsonString = (value: SQLWrapper) => sql`coalesce(to_json(${value})::text, 'null')`;
/** An integer (int, bigint, or a numeric of scale 0) as its digits, or null. */
const jsonInteger = (value: SQLWrapper) => sql`coalesce((${value})::text, 'null')`;
/** A numeric(6,3) as JavaScript prints the double it parses to: no trailing zeros (81.310 → 81.31). */
const jsonDecimal = (value: SQLWrapper) => sql`coalesce(trim_scale(${value})::text, 'null')`;
const jsonBoolean = (condition: SQLWrapper) => sql`(case when ${condition} then 'true' else 'false' end)`;

/** A JSON object with the keys of the zod `shape`, in its order; each field is SQL giving JSON text. */
function jsonObject(shape: Record<string, unknown>, fields: Record<string, SQL>): SQL {
  const keys = Object.keys(shape);
  const unknown = Object.keys(fields).filter((k) => !keys.includes(k));
  const missing = keys.filter((k) => !(k in fields));
  if (unknown.length || missing.length)
    throw new Error(
      `results JSON in SQL out of step with the schema: missing ${missing.join(', ') || '-'}; unknown ${unknown.join(', ') || '-'}`,
    );
  const parts = keys.map(
    (key, i) => sql`${literal(`${i === 0 ? '{' : ','}${JSON.stringify(key)}:`)} || (${fields[key]!})`,
  );
  return sql`(${sql.join(parts, sql` || `)} || '}')`;
}

const MAX_SAFE = sql.raw(String(Number.MAX_SAFE_INTEGER));
/** null, or an integer that JavaScript holds exactly and a zod count accepts. */
const safeCount = (value: SQLWrapper) => sql`(${value} is null or ${value} between 0 and ${MAX_SAFE})`;

const shapeOf = (schema: unknown) => (schema as { shape: Record<string, unknown> }).shape;
const unwrapNullable = (schema: unknown) => (schema as { unwrap(): unknown }).unwrap();
const turnoutShape = shapeOf(resultsSchema.shape.turnout);
const derivedShape = shapeOf(resultsSchema.shape.derived);
const idNameShape = shapeOf(unwrapNullable(lineSchema.shape.candidate));
const nominatorShape = shapeOf(unwrapNullable(lineSchema.shape.nominator));

/** What the version's own source covers, as loadResults words it. */
export const OWN_SOURCE_COVERS = 'the figures of this version';

const extraSource = alias(sources, 'extra_source');

function sourceJson(s: Record<'id' | 'publisher' | 'title' | 'url' | 'kind' | 'published', SQLWrapper>, covers: SQL) {
  return jsonObject(versionSourceSchema.shape, {
    id: jsonString(s.id),
    publisher: jsonString(s.publisher),
    title: jsonString(s.title),
    url: jsonString(s.url),
    kind: jsonString(s.kind),
    published: jsonString(s.published),
    covers,
  });
}

function prepareDocumentReads(db: Db) {
  const rv = resultVersions;
  // Lines: the JSON of each, in the order of the lines query, and what `derived` needs. (Drizzle
  // names a subquery's columns unqualified in the outer query: each alias is unique in it.)
  const lines = db
    .select({
      json: sql<string | null>`string_agg(${jsonObject(lineSchema.shape, {
        kind: jsonString(voteShares.kind),
        name: sql`to_json(coalesce(${candidates.name}, ${voteShares.label}, ''))::text`,
        candidate: sql`case when ${candidates.id} is null then 'null' else ${jsonObject(idNameShape, {
          id: jsonString(candidates.id),
          name: jsonString(candidates.name),
        })} end`,
        nominator: sql`case when ${organisations.id} is null then 'null' else ${jsonObject(nominatorShape, {
          id: jsonString(organisations.id),
          name: jsonString(organisations.name),
        })} end`,
        votes: jsonInteger(voteShares.votes),
        percent: jsonDecimal(voteShares.percent),
        rank: jsonInteger(voteShares.rank),
        outcome: jsonString(voteShares.outcome),
        publishedAsIs: jsonBoolean(voteShares.publishedAsIs),
      })}, ',' order by ${voteShares.votes} desc nulls last, ${voteShares.percent} desc nulls last, ${voteShares.id})`.as(
        'lines_json',
      ),
      count: sql`count(*)`.as('lines_count'),
      voted: sql`count(${voteShares.votes})`.as('lines_voted'),
      total: sql`sum(${voteShares.votes})`.as('lines_total'),
      exact: sql`coalesce(bool_and(${safeCount(voteShares.votes)}
        and (${voteShares.percent} is null or ${voteShares.percent} between 0 and 100)
        and (${voteShares.rank} is null or ${voteShares.rank} >= 1)), true)`.as('lines_exact'),
    })
    .from(voteShares)
    .leftJoin(candidates, eq(candidates.id, voteShares.candidateId))
    .leftJoin(organisations, eq(organisations.id, voteShares.nominatorId))
    .where(eq(voteShares.versionId, rv.id))
    .as('lines');
  const extra = db
    .select({
      json: sql<
        string | null
      >`string_agg(${sourceJson(extraSource, jsonString(resultVersionSources.covers))}, ',' order by ${extraSource.id})`.as(
        'extra_sources_json',
      ),
    })
    .from(resultVersionSources)
    .innerJoin(extraSource, eq(extraSource.id, resultVersionSources.sourceId))
    .where(eq(resultVersionSources.versionId, rv.id))
    .as('extra_sources');

  // derived: as loadResults computes it, in the same double-precision steps.
  const allVoted = sql`(${rv.complete} and ${lines.count} > 0 and ${lines.voted} = ${lines.count})`;
  const withTurnout = sql`coalesce(${rv.ballotsCast} is not null and ${rv.registeredVoters} <> 0, false)`;
  // Math.round(x * 100) / 100 with x = ballotsCast / registeredVoters * 100: y = x * 100 in float8,
  // Math.round(y) = floor(y) + (y - floor(y) >= 0.5), then the quotient by 100 as a decimal, which
  // is what JavaScript prints for that double while the integer stays below 10^15.
  const y = sql`(${rv.ballotsCast}::float8 / ${rv.registeredVoters}::float8 * 100::float8 * 100::float8)`;
  const rounded = sql`(floor(${y}) + case when ${y} - floor(${y}) >= 0.5 then 1 else 0 end)`;
  const json = jsonObject(resultsSchema.shape, {
    electionId: jsonString(rv.electionId),
    version: jsonInteger(rv.number),
    status: jsonString(rv.status),
    preliminary: jsonBoolean(sql`${rv.status}::text like 'unofficial%'`),
    current: jsonBoolean(sql`${rv.number} = ${elections.currentVersion}`),
    asOf: jsonString(rv.asOf),
    complete: jsonBoolean(rv.complete),
    recordedAt: sql`'"' || to_char(${rv.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"'`,
    publishedBy: jsonString(rv.publishedBy),
    note: jsonString(rv.note),
    turnout: jsonObject(turnoutShape, {
      registeredVoters: jsonInteger(rv.registeredVoters),
      ballotsCast: jsonInteger(rv.ballotsCast),
      validVotes: jsonInteger(rv.validVotes),
      invalidVotes: jsonInteger(rv.invalidVotes),
      turnoutPercent: jsonDecimal(rv.turnoutPercent),
    }),
    derived: jsonObject(derivedShape, {
      linesTotal: sql`case when ${allVoted} then ${lines.total}::text else 'null' end`,
      ballotsCastMinusLinesTotal: sql`case when ${allVoted} and ${rv.ballotsCast} is not null then (${rv.ballotsCast} - ${lines.total})::text else 'null' end`,
      turnoutPercent: sql`case when ${withTurnout} then trim_scale(${rounded}::numeric / 100)::text else 'null' end`,
    }),
    percentBase: jsonString(rv.percentBase),
    lines: sql`'[' || coalesce(${lines.json}, '') || ']'`,
    sources: sql`'[' || ${sourceJson(sources, literal(JSON.stringify(OWN_SOURCE_COVERS)))} || coalesce(',' || ${extra.json}, '') || ']'`,
  });
  const exact = sql<boolean>`(${rv.number} >= 1
    and ${safeCount(rv.registeredVoters)} and ${safeCount(rv.ballotsCast)}
    and ${safeCount(rv.validVotes)} and ${safeCount(rv.invalidVotes)}
    and (${rv.turnoutPercent} is null or abs(${rv.turnoutPercent}) < 1e15)
    and ${lines.exact}
    and (not ${allVoted} or ${lines.total} <= ${MAX_SAFE})
    and (not ${withTurnout} or abs(${rounded}) < 1e15)
    and extract(year from ${rv.createdAt} at time zone 'UTC') between 1000 and 9999
    and mod(extract(timezone from ${rv.createdAt})::int, 60) = 0)`;

  const documentQuery = (byNumber: boolean) =>
    db
      .select({ number: rv.number, status: rv.status, exact, json: sql<string>`${json}` })
      .from(rv)
      .innerJoin(elections, eq(elections.id, rv.electionId))
      .innerJoin(sources, eq(sources.id, rv.sourceId))
      .crossJoinLateral(lines)
      .crossJoinLateral(extra)
      .where(chosenVersion(byNumber))
      .orderBy(desc(rv.number))
      .limit(1);
  return {
    currentDocument: documentQuery(false).prepare('results_current_document'),
    numberedDocument: documentQuery(true).prepare('results_numbered_document'),
  };
}

/** The version a prepared read asks for: the election's newest (ordered first), or its numbered one. */
const chosenVersion = (byNumber: boolean) =>
  and(
    eq(resultVersions.electionId, sql.placeholder('electionId')),
    byNumber ? eq(resultVersions.number, sql.placeholder('number')) : undefined,
  );

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
      .where(chosenVersion(byNumber))
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

const preparedReads = new WeakMap<
  Db,
  ReturnType<typeof prepareResultReads> & ReturnType<typeof prepareDocumentReads>
>();

function resultReads(routed: Db) {
  // A statement is prepared on one server's pool: pick the server first (see readerOf).
  const db = readerOf(routed);
  let reads = preparedReads.get(db);
  if (!reads) {
    reads = { ...prepareResultReads(db), ...prepareDocumentReads(db) };
    preparedReads.set(db, reads);
  }
  return reads;
}

/** The row of the newest version (`number` omitted) or of version `number`, by the matching statement. */
async function firstOf<Row>(
  current: { execute(p: { electionId: string }): Promise<Row[]> },
  numbered: { execute(p: { electionId: string; number: number }): Promise<Row[]> },
  electionId: string,
  number?: number,
): Promise<Row | undefined> {
  const rows =
    number === undefined ? await current.execute({ electionId }) : await numbered.execute({ electionId, number });
  return rows[0];
}

/**
 * A version (`number` omitted: the newest) as its finished JSON body, with its number and status,
 * in one round trip; `exact` false means: build this one through loadResults instead.
 */
export async function findResultsDocument(db: Db, electionId: string, number?: number) {
  const reads = resultReads(db);
  return firstOf(reads.currentDocument, reads.numberedDocument, electionId, number);
}

/** A version of an election's results with its own source; `number` omitted means the newest. */
export async function findVersion(db: Db, electionId: string, number?: number) {
  const reads = resultReads(db);
  return firstOf(reads.currentVersion, reads.numberedVersion, electionId, number);
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
