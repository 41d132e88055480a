// The JSON body of a result version, written by PostgreSQL: the one definition of a version as the
// API serves it. Every view of a version (the JSON body, its cache, the CDF, the charts, the diff,
// the answer to a publish) is this document or parsed from it.
//
// One statement returns the finished body as text: keys in the order of the zod schemas of
// results.schemas.ts (read from them, so a field added there and not here fails at start-up),
// strings escaped by to_json (the same escapes as JSON.stringify for any text PostgreSQL can hold),
// integers as digits, numeric(6,3) through trim_scale (81.310 → 81.31, as JavaScript prints the
// double), created_at as toISOString() does. Where a value is outside what the response schema
// accepts, or SQL cannot print it as JavaScript would (a bigint beyond 2^53, a year outside
// 1000–9999), the row says so (`exact` false) and is not served.
//
// A version holds figures for its contest's own area (its columns, and lines without an area) and
// for any other areas (result_areas, and lines naming the area). The document gives one area's
// figures (the contest's, or ?area=), and with ?level= those of the areas at that level within it.
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { preliminaryStatuses } from '../../db/schema/index.js';
import {
  areaRefSchema,
  areaResultsSchema,
  contestRefSchema,
  lineSchema,
  resultsSchema,
  versionSourceSchema,
} from './results.schemas.js';
import { raceCallSchema, winnerSchema } from '../calls/calls.schemas.js';
import { sourceRefSchema } from '../sources/sources.schemas.js';

/** A constant as an SQL string literal. */
const literal = (text: string) => sql.raw(`'${text.replaceAll("'", "''")}'`);
const raw = (text: string) => sql.raw(text);

/** Text or an enum as a JSON string, or null. */
const jsonString = (value: SQL) => sql`coalesce(to_json(${value})::text, 'null')`;
/** An integer (int, bigint, or a numeric of scale 0) as its digits, or null. */
const jsonInteger = (value: SQL) => sql`coalesce((${value})::text, 'null')`;
/** A numeric(6,3) as JavaScript prints the double it parses to: no trailing zeros (81.310 → 81.31). */
const jsonDecimal = (value: SQL) => sql`coalesce(trim_scale(${value})::text, 'null')`;
const jsonBoolean = (condition: SQL) => sql`(case when ${condition} then 'true' else 'false' end)`;

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

const MAX_SAFE = raw(String(Number.MAX_SAFE_INTEGER));
/** null, or an integer that JavaScript holds exactly and a zod count accepts. */
const safeCount = (value: SQL) => sql`(${value} is null or ${value} between 0 and ${MAX_SAFE})`;

const shapeOf = (schema: unknown) => (schema as { shape: Record<string, unknown> }).shape;
const unwrapNullable = (schema: unknown) => (schema as { unwrap(): unknown }).unwrap();
const turnoutShape = shapeOf(resultsSchema.shape.turnout);
const derivedShape = shapeOf(resultsSchema.shape.derived);
const countingShape = shapeOf(resultsSchema.shape.counting);
const idNameShape = shapeOf(unwrapNullable(lineSchema.shape.candidate));
const nominatorShape = shapeOf(unwrapNullable(lineSchema.shape.nominator));

/** What the version's own source covers. */
const OWN_SOURCE_COVERS = 'the figures of this version';

const areaJson = (a: string) =>
  jsonObject(areaRefSchema.shape, {
    id: jsonString(raw(`${a}.id`)),
    name: jsonString(raw(`${a}.name`)),
    level: jsonString(raw(`${a}.level`)),
    isoCode: jsonString(raw(`${a}.iso_code`)),
  });

const sourceJson = (s: string, covers: SQL) =>
  jsonObject(versionSourceSchema.shape, {
    id: jsonString(raw(`${s}.id`)),
    publisher: jsonString(raw(`${s}.publisher`)),
    title: jsonString(raw(`${s}.title`)),
    url: jsonString(raw(`${s}.url`)),
    kind: jsonString(raw(`${s}.kind`)),
    published: jsonString(raw(`${s}.published`)),
    covers,
    terms: jsonString(raw(`${s}.terms`)),
    termsUrl: jsonString(raw(`${s}.terms_url`)),
    attribution: jsonString(raw(`${s}.attribution`)),
  });

/** The lines of version `rv` that match `where`, as JSON and what `derived` needs, grouped by `groupBy`. */
function linesAggregate(where: SQL, groupBy?: string): SQL {
  const json = jsonObject(lineSchema.shape, {
    id: jsonInteger(raw('vs.id')),
    kind: jsonString(raw('vs.kind')),
    name: sql`to_json(coalesce(lc.name, case when vs.kind = 'party' then lo.name end, vs.label, ''))::text`,
    candidate: sql`case when lc.id is null then 'null' else ${jsonObject(idNameShape, {
      id: jsonString(raw('lc.id')),
      name: jsonString(raw('lc.name')),
    })} end`,
    nominator: sql`case when lo.id is null then 'null' else ${jsonObject(nominatorShape, {
      id: jsonString(raw('lo.id')),
      name: jsonString(raw('lo.name')),
    })} end`,
    votes: jsonInteger(raw('vs.votes')),
    percent: jsonDecimal(raw('vs.percent')),
    rank: jsonInteger(raw('vs.rank')),
    outcome: jsonString(raw('vs.outcome')),
    seats: jsonInteger(raw('vs.seats')),
    publishedAsIs: jsonBoolean(raw('vs.published_as_is')),
  });
  return sql`select ${groupBy ? raw(`${groupBy} as area_id,`) : sql``}
      string_agg(${json}, ',' order by vs.votes desc nulls last, vs.percent desc nulls last, vs.id) as json,
      count(*) as n, count(vs.votes) as voted, sum(vs.votes) as total,
      coalesce(bool_and(${safeCount(raw('vs.votes'))} and ${safeCount(raw('vs.seats'))}
        and (vs.percent is null or vs.percent between 0 and 100)
        and (vs.rank is null or vs.rank >= 1)), true) as exact
    from vote_shares vs
    left join candidates lc on lc.id = vs.candidate_id
    left join organisations lo on lo.id = vs.nominator_id
    where vs.version_id = rv.id and ${where}
    ${groupBy ? raw(`group by ${groupBy}`) : sql``}`;
}

/**
 * Turnout, derived figures and lines of one area, from the column expressions of its counts, its
 * `complete` flag and its lines' aggregate `l`; with what makes them exact.
 */
// Math.round(x * 100) / 100 with x = part / whole * 100: y = x * 100 in float8, Math.round(y) =
// floor(y) + (y - floor(y) >= 0.5), then the quotient by 100 as a decimal, which is what
// JavaScript prints for that double while the integer stays below 10^15.
function percentOf(part: SQL, whole: SQL) {
  const y = sql`(${part}::float8 / ${whole}::float8 * 100::float8 * 100::float8)`;
  return sql`(floor(${y}) + case when ${y} - floor(${y}) >= 0.5 then 1 else 0 end)`;
}

type Columns =
  | 'registered'
  | 'ballots'
  | 'valid'
  | 'invalid'
  | 'turnout'
  | 'unitsLevel'
  | 'unitsReporting'
  | 'unitsTotal'
  | 'ballotsCounted'
  | 'expectedVotes';

function figures(c: Record<Columns, SQL>, complete: SQL, l: string) {
  const allVoted = sql`(${complete} and ${raw(l)}.n > 0 and ${raw(l)}.voted = ${raw(l)}.n)`;
  const withTurnout = sql`coalesce(${c.ballots} is not null and ${c.registered} <> 0, false)`;
  const rounded = percentOf(c.ballots, c.registered);
  const withUnits = sql`coalesce(${c.unitsReporting} is not null and ${c.unitsTotal} <> 0, false)`;
  const unitsRounded = percentOf(c.unitsReporting, c.unitsTotal);
  return {
    turnout: jsonObject(turnoutShape, {
      registeredVoters: jsonInteger(c.registered),
      ballotsCast: jsonInteger(c.ballots),
      validVotes: jsonInteger(c.valid),
      invalidVotes: jsonInteger(c.invalid),
      turnoutPercent: jsonDecimal(c.turnout),
    }),
    counting: jsonObject(countingShape, {
      unitsLevel: jsonString(c.unitsLevel),
      unitsReporting: jsonInteger(c.unitsReporting),
      unitsTotal: jsonInteger(c.unitsTotal),
      ballotsCounted: jsonInteger(c.ballotsCounted),
      expectedVotes: jsonInteger(c.expectedVotes),
    }),
    derived: jsonObject(derivedShape, {
      linesTotal: sql`case when ${allVoted} then ${raw(l)}.total::text else 'null' end`,
      ballotsCastMinusLinesTotal: sql`case when ${allVoted} and ${c.ballots} is not null then (${c.ballots} - ${raw(l)}.total)::text else 'null' end`,
      turnoutPercent: sql`case when ${withTurnout} then trim_scale(${rounded}::numeric / 100)::text else 'null' end`,
      unitsReportingPercent: sql`case when ${withUnits} then trim_scale(${unitsRounded}::numeric / 100)::text else 'null' end`,
    }),
    lines: sql`'[' || coalesce(${raw(l)}.json, '') || ']'`,
    exact: sql`(${safeCount(c.registered)} and ${safeCount(c.ballots)} and ${safeCount(c.valid)} and ${safeCount(c.invalid)}
      and ${safeCount(c.ballotsCounted)} and ${safeCount(c.expectedVotes)}
      and (${c.turnout} is null or abs(${c.turnout}) < 1e15)
      and coalesce(${raw(l)}.exact, true)
      and (not ${allVoted} or ${raw(l)}.total <= ${MAX_SAFE})
      and (not ${withTurnout} or abs(${rounded}) < 1e15))`,
  };
}

const COLUMNS: Record<Columns, string> = {
  registered: 'registered_voters',
  ballots: 'ballots_cast',
  valid: 'valid_votes',
  invalid: 'invalid_votes',
  turnout: 'turnout_percent',
  unitsLevel: 'units_level',
  unitsReporting: 'units_reporting',
  unitsTotal: 'units_total',
  ballotsCounted: 'ballots_counted',
  expectedVotes: 'expected_votes',
};

/** The figure columns of `table` (an alias), or as `column` maps each name. */
const columnsOf = (column: (name: string) => SQL) =>
  Object.fromEntries(Object.entries(COLUMNS).map(([key, name]) => [key, column(name)])) as Record<Columns, SQL>;
const counts = (table: string) => columnsOf((name) => raw(`${table}.${name}`));

// The area the figures are for: xa; `own` when it is the contest's area (the version's columns).
const own = raw('(xa.id = c.area_id)');
const pick = (column: string) => sql`(case when ${own} then rv.${raw(column)} else ra.${raw(column)} end)`;

/** A UTC instant as toISOString() writes it (the year checked to be 1000–9999 in `exact`). */
const isoInstant = (column: string) =>
  sql`'"' || to_char(${raw(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"'`;

/**
 * The contest's current race call (`cl`, its source `cs`) as calls.view.ts serializes it (the
 * current results carry it: CurrentResults), or null.
 */
function callJson(): SQL {
  const winner = jsonObject(winnerSchema.shape, {
    kind: sql`case when w.candidate_id is not null then '"candidate"' when w.organisation_id is not null then '"party"' else '"option"' end`,
    id: jsonString(raw('coalesce(w.candidate_id, w.organisation_id)')),
    name: jsonString(raw('coalesce(wc.name, wo.name, w.option)')),
  });
  const json = jsonObject(raceCallSchema.shape, {
    electionId: jsonString(raw('cl.election_id')),
    contest: jsonString(raw('c.slug')),
    version: jsonInteger(raw('cl.number')),
    status: jsonString(raw('cl.status')),
    current: sql`'true'`,
    winners: sql`'[' || coalesce((
      select string_agg(${winner}, ',' order by w.position)
      from race_call_winners w
      left join candidates wc on wc.id = w.candidate_id
      left join organisations wo on wo.id = w.organisation_id
      where w.call_id = cl.id
    ), '') || ']'`,
    calledBy: jsonObject(sourceRefSchema.shape, {
      id: jsonString(raw('cs.id')),
      publisher: jsonString(raw('cs.publisher')),
      title: jsonString(raw('cs.title')),
      url: jsonString(raw('cs.url')),
    }),
    calledAt: isoInstant('cl.called_at'),
    recordedAt: isoInstant('cl.created_at'),
    note: jsonString(raw('cl.note')),
    url: sql`to_json('/v1/elections/' || cl.election_id || '/contests/' || c.slug || '/calls/' || cl.number)::text`,
  });
  return sql`case when cl.id is null then 'null' else ${json} end`;
}

function documentStatement() {
  const top = figures(
    columnsOf(pick),
    sql`(case when ${own} then rv.complete else coalesce(ra.complete, false) end)`,
    'l',
  );
  const child = figures(counts('ra2'), raw('ra2.complete'), 'la');
  const childJson = jsonObject(areaResultsSchema.shape, {
    area: areaJson('a2'),
    complete: jsonBoolean(raw('ra2.complete')),
    turnout: child.turnout,
    counting: child.counting,
    derived: child.derived,
    lines: child.lines,
  });
  const json = jsonObject(resultsSchema.shape, {
    electionId: jsonString(raw('rv.election_id')),
    version: jsonInteger(raw('rv.number')),
    status: jsonString(raw('rv.status')),
    preliminary: jsonBoolean(
      sql`rv.status in (${sql.join(
        preliminaryStatuses.map((s) => literal(s)),
        sql`, `,
      )})`,
    ),
    current: jsonBoolean(raw('(rv.number = c.current_version)')),
    asOf: jsonString(raw('rv.as_of')),
    complete: jsonBoolean(sql`(case when ${own} then rv.complete else coalesce(ra.complete, false) end)`),
    recordedAt: isoInstant('rv.created_at'),
    contest: jsonObject(contestRefSchema.shape, {
      id: jsonString(raw('c.slug')),
      name: jsonString(raw('c.name')),
      kind: jsonString(raw('c.kind')),
      seats: jsonInteger(raw('c.seats')),
      thresholdPercent: jsonDecimal(raw('c.threshold_percent')),
      main: jsonBoolean(raw('c.main')),
    }),
    area: areaJson('xa'),
    publishedBy: jsonString(raw('rv.published_by')),
    note: jsonString(raw('rv.note')),
    turnout: top.turnout,
    counting: top.counting,
    derived: top.derived,
    percentBase: jsonString(raw('rv.percent_base')),
    lines: top.lines,
    areas: sql`'[' || coalesce(al.json, '') || ']'`,
    sources: sql`'[' || ${sourceJson('s', literal(JSON.stringify(OWN_SOURCE_COVERS)))} || coalesce(',' || es.json, '') || ']'`,
    attribution: jsonString(raw('cr.line')),
  });
  const level = sql`${sql.placeholder('level')}::area_level`;
  const fields = {
    number: sql<number>`rv.number`,
    status: sql<DocumentRow['status']>`rv.status`,
    current: sql<boolean>`(rv.number = c.current_version)`,
    exact: sql<boolean>`(rv.number >= 1 and ${top.exact} and coalesce(al.exact, true)
      and extract(year from rv.created_at at time zone 'UTC') between 1000 and 9999
      and mod(extract(timezone from rv.created_at)::int, 60) = 0
      and (cl.id is null or (extract(year from cl.called_at at time zone 'UTC') between 1000 and 9999
        and extract(year from cl.created_at at time zone 'UTC') between 1000 and 9999)))`,
    json: sql<string>`${json}`,
    // Read for the current results only (no version number asked): null otherwise.
    call: sql<string>`${callJson()}`,
  };
  const from = sql`contests c
    join result_versions rv on rv.contest_id = c.id
      and rv.number = coalesce(${sql.placeholder('number')}::int, c.current_version)
    join areas xa on xa.id = coalesce(${sql.placeholder('area')}::text, c.area_id)
    left join result_areas ra on ra.version_id = rv.id and ra.area_id = xa.id and not ${own}
    join sources s on s.id = rv.source_id
    cross join lateral (
      ${linesAggregate(sql`((${own} and vs.area_id is null) or (not ${own} and vs.area_id = xa.id))`)}
    ) l
    cross join lateral (
      select string_agg(${sourceJson('es_s', raw('to_json(rvs.covers)::text'))}, ',' order by es_s.id) as json,
        -- The other sources' credit lines (attribution, else publisher) by id, for the one below.
        array_agg(coalesce(es_s.attribution, es_s.publisher) order by es_s.id) as credits
      from result_version_sources rvs join sources es_s on es_s.id = rvs.source_id
      where rvs.version_id = rv.id
    ) es
    cross join lateral (
      -- The credit line: each credit once, where it first appears, the version's own first.
      select string_agg(credit, '; ' order by rank) as line from (
        select credit, min(rank) as rank
        from unnest(coalesce(s.attribution, s.publisher) || coalesce(es.credits, '{}')) with ordinality as c(credit, rank)
        group by credit
      ) ranked
    ) cr
    left join lateral (
      select * from race_calls r
      where r.contest_id = c.id and ${sql.placeholder('number')}::int is null
      order by r.number desc limit 1
    ) cl on true
    left join sources cs on cs.id = cl.source_id
    cross join lateral (
      select string_agg(${childJson}, ',' order by a2.name, a2.id) as json, bool_and(${child.exact}) as exact
      from result_areas ra2
      join areas a2 on a2.id = ra2.area_id
      left join (${linesAggregate(raw('vs.area_id is not null'), 'vs.area_id')}) la on la.area_id = ra2.area_id
      where ${level} is not null and ra2.version_id = rv.id and a2.level = ${level}
        and a2.id in (
          with recursive within(id) as (
            select id from areas where parent_id = xa.id
            union all
            select areas.id from areas join within on areas.parent_id = within.id
          )
          select id from within
        )
    ) al`;
  const where = sql`c.election_id = ${sql.placeholder('electionId')}
    and (case when ${sql.placeholder('contest')}::text is null then c.main else c.slug = ${sql.placeholder('contest')}::text end)
    and (xa.id = c.area_id or c.area_id in (
      with recursive up(id) as (
        select xa.parent_id
        union
        select areas.parent_id from areas join up on areas.id = up.id where areas.parent_id is not null
      )
      select id from up))`;
  return { fields, from, where };
}

export interface DocumentRow {
  number: number;
  status: (typeof preliminaryStatuses)[number] | 'certified' | 'recount' | 'correction';
  current: boolean;
  exact: boolean;
  json: string;
  /** The contest's current race call as JSON (`null` when none), for the current results. */
  call: string;
}

/** Which view of a version: a contest (the election's main one when omitted), a version (the newest), an area, a level below it. */
export interface DocumentQuery {
  electionId: string;
  contest?: string | undefined;
  number?: number | undefined;
  area?: string | undefined;
  level?: string | undefined;
}

/**
 * The statement, prepared once per database handle: a named statement is planned once per
 * connection instead of on every request, which is most of the cost of a small indexed query.
 */
function prepareDocument(db: Db) {
  const { fields, from, where } = documentStatement();
  return db.select(fields).from(from).where(where).prepare('results_document');
}

const prepared = new WeakMap<Db, ReturnType<typeof prepareDocument>>();

/**
 * A version as its finished JSON body, with its number and status, in one round trip; undefined
 * when the election, contest or version does not exist. A transaction gets a statement of its own,
 * so it reads its own writes.
 */
export async function findResultsDocument(db: Db, q: DocumentQuery): Promise<DocumentRow | undefined> {
  let statement = prepared.get(db);
  if (!statement) {
    statement = prepareDocument(db);
    prepared.set(db, statement);
  }
  const [row] = await statement.execute({
    electionId: q.electionId,
    contest: q.contest ?? null,
    number: q.number ?? null,
    area: q.area ?? null,
    level: q.level ?? null,
  });
  return row;
}
