import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import type { AreaLevel, RaceCallStatus, ResultStatus } from '../../db/schema/index.js';

/** What a feed covers: one election, or a country's elections. */
export type FeedScope = { election: string } | { country: string };

/** What every entry says: from the change feed's row, so in its order. */
interface EntryBase {
  change_id: string;
  /** When the version or call was recorded (the change feed's time), ISO 8601 in UTC. */
  at: string;
  url: string;
  election_id: string;
  election_type: string;
  election_round: number;
  election_date: string;
  country_name: string;
  contest: string;
  contest_name: string;
  main: boolean;
  /** The version's number, or the call's within its contest. */
  number: number;
  note: string | null;
  /** The version's source, or who made the call. */
  publisher: string;
  source_url: string | null;
}

/** A race call as a feed entry shows it. */
export interface CallEntry extends EntryBase {
  kind: 'call';
  call_status: RaceCallStatus;
  /** The names of the winners (called) or of the candidates advancing (runoff), in order. */
  winners: string[];
  /** When the caller made the call, ISO 8601 in UTC. */
  called_at: string;
}

export type FeedEntry = VersionEntry | CallEntry;

/** A result version as a feed entry shows it. */
export interface VersionEntry extends EntryBase {
  kind: 'results';
  status: ResultStatus;
  as_of: string | null;
  complete: boolean;
  turnout_percent: number | null;
  /** Counting progress, as published. */
  units_level: AreaLevel | null;
  units_reporting: number | null;
  units_total: number | null;
  ballots_counted: number | null;
  expected_votes: number | null;
  /** The contest's own lines with the most votes (else the highest percentage, else seats), up to three. */
  top: { name: string; percent: string | null; votes: number | null; seats: number | null }[];
  /** How many areas the version has figures for. */
  areas: number;
}

/**
 * The newest result versions and race calls of an election or of a country's elections, newest
 * first, at most `limit`: the change feed's `results` and `call` rows (its indexes by election and
 * by country, read backwards) joined to what each version or call says.
 */
export function latestEntries(db: Db, scope: FeedScope, limit: number): Promise<FeedEntry[]> {
  const where = 'election' in scope ? sql`ch.election_id = ${scope.election}` : sql`ch.country_code = ${scope.country}`;
  return rowsOf<FeedEntry>(
    db,
    sql`select ch.kind, ch.id::text as change_id,
        to_char(ch.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at, ch.url, e.id as election_id, e.type as election_type,
        e.round as election_round, e.date::text as election_date, co.name as country_name,
        c.slug as contest, c.name as contest_name, c.main, ch.version as number, v.status, v.as_of, v.complete,
        coalesce(v.note, rc.note) as note, rc.status as call_status,
        to_char(rc.called_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as called_at,
        coalesce((
          select json_agg(coalesce(wc.name, wo.name, w.option) order by w.position)
          from race_call_winners w
          left join candidates wc on wc.id = w.candidate_id
          left join organisations wo on wo.id = w.organisation_id
          where w.call_id = rc.id
        ), '[]'::json) as winners,
        v.turnout_percent::float8 as turnout_percent, s.publisher, s.url as source_url,
        v.units_level, v.units_reporting, v.units_total, v.ballots_counted, v.expected_votes,
        coalesce((
          select json_agg(json_build_object('name', t.name, 'percent', t.percent::text, 'votes', t.votes, 'seats', t.seats))
          from (
            select coalesce(p.name, vs.label, o.name) as name, vs.percent, vs.votes, vs.seats
            from vote_shares vs
            left join candidates p on p.id = vs.candidate_id
            left join organisations o on o.id = vs.nominator_id
            where vs.version_id = v.id and vs.area_id is null and vs.kind <> 'other'
            order by vs.votes desc nulls last, vs.percent desc nulls last, vs.seats desc nulls last, vs.id
            limit 3
          ) t
        ), '[]'::json) as top,
        (select count(*)::int from result_areas ra where ra.version_id = v.id) as areas
      from (
        select * from changes ch where ${where} and ch.kind in ('results', 'call') order by ch.id desc limit ${limit}
      ) ch
      join elections e on e.id = ch.election_id
      join countries co on co.code = e.country_code
      join contests c on c.election_id = ch.election_id and c.slug = ch.contest
      left join result_versions v on ch.kind = 'results' and v.contest_id = c.id and v.number = ch.version
      left join race_calls rc on ch.kind = 'call' and rc.contest_id = c.id and rc.number = ch.version
      join sources s on s.id = coalesce(v.source_id, rc.source_id)
      order by ch.id desc`,
  );
}

/** The time of the last change to what a feed covers (its election, or its country), or null. */
export async function feedUpdated(db: Db, scope: FeedScope): Promise<string | null> {
  const where = 'election' in scope ? sql`election_id = ${scope.election}` : sql`country_code = ${scope.country}`;
  const [row] = await rowsOf<{ at: string | null }>(
    db,
    sql`select to_char(max(at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at from changes where ${where}`,
  );
  return row?.at ?? null;
}
