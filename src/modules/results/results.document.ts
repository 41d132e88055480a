// The JSON body of /results, written by PostgreSQL: the one definition of a result version as the
// API serves it. Every view of a version (the JSON body, its cache, the CDF, the chart, the diff,
// the answer to a publish) is this document or parsed from it.
//
// One statement returns the finished body as text: keys in the order of the zod schemas of
// results.schemas.ts (read from them, so a field added there and not here fails at start-up),
// strings escaped by to_json (the same escapes as JSON.stringify for any text PostgreSQL can hold),
// integers as digits, numeric(6,3) through trim_scale (81.310 → 81.31, as JavaScript prints the
// double), created_at as toISOString() does. Where a value is outside what the response schema
// accepts, or SQL cannot print it as JavaScript would (a bigint beyond 2^53, a year outside
// 1000–9999), the row says so (`exact` false) and is not served.
import { and, desc, eq, inArray, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../../db/client.js';
import {
  candidates,
  elections,
  organisations,
  preliminaryStatuses,
  resultVersionSources,
  resultVersions,
  sources,
  voteShares,
} from '../../db/schema/index.js';
import { lineSchema, resultsSchema, versionSourceSchema } from './results.schemas.js';

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

/** What the version's own source covers. */
const OWN_SOURCE_COVERS = 'the figures of this version';

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

/**
 * The statements, prepared once per database handle: a named statement is planned once per
 * connection instead of on every request, which is most of the cost of a small indexed query.
 */
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
    preliminary: jsonBoolean(inArray(rv.status, preliminaryStatuses)),
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
      .select({
        number: rv.number,
        status: rv.status,
        current: sql<boolean>`${rv.number} = ${elections.currentVersion}`,
        exact,
        json: sql<string>`${json}`,
      })
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

const prepared = new WeakMap<Db, ReturnType<typeof prepareDocumentReads>>();

/**
 * A version (`number` omitted: the newest) as its finished JSON body, with its number and status,
 * in one round trip; undefined when there is no such version. A transaction gets statements of its
 * own, so it reads its own writes.
 */
export async function findResultsDocument(db: Db, electionId: string, number?: number) {
  let reads = prepared.get(db);
  if (!reads) {
    reads = prepareDocumentReads(db);
    prepared.set(db, reads);
  }
  const [row] =
    number === undefined
      ? await reads.currentDocument.execute({ electionId })
      : await reads.numberedDocument.execute({ electionId, number });
  return row;
}
