// The single-record reads and the lists of issue 18 (`--only records`): one election, one
// candidate, one country, one source, one organisation, a page of each reference list, the
// elections of a country and the vote shares of a candidate, an election and a country, on the large
// db:synth dataset, each next to its own SQL replayed with `pg` alone. The records are picked from
// the data the same way on every run.
import type { BenchPath } from './search.js';
import { type Place, withDatabase } from './datasets.js';

/** A read of the records bench: a list (a page of rows) or one record. */
export interface RecordPath extends BenchPath {
  list: boolean;
}

/**
 * The paths: the busiest synthetic candidate (most lines) and the election of its newest line, the
 * country of that election, the source it cites, the organisation with most lines; and the first
 * page of the lists of countries, sources, organisations, candidates and elections, then the lists
 * filtered by that country, candidate and election.
 */
export async function pickRecordPaths(place: Place): Promise<RecordPath[]> {
  return withDatabase(place, async (c) => {
    const { rows } = await c.query<{ candidate: string; election: string; country: string; source: string }>(
      `select v.candidate_id as candidate, e.id as election, e.country_code as country, e.source_id as source
       from vote_shares v join result_versions r on r.id = v.version_id join elections e on e.id = r.election_id
       where v.candidate_id = (select candidate_id from vote_shares where candidate_id is not null
                               group by candidate_id order by count(*) desc, candidate_id limit 1)
       order by e.date desc, e.id limit 1`,
    );
    const party = await c.query<{ id: string }>(
      `select nominator_id as id from vote_shares where nominator_id is not null
       group by nominator_id order by count(*) desc, nominator_id limit 1`,
    );
    const picked = rows[0];
    const organisation = party.rows[0]?.id;
    if (!picked || !organisation) throw new Error(`${JSON.stringify(place)}: no vote-share lines to pick records from`);
    // A list answers `{ data, next }`; anything else is one record.
    const one = (key: string, what: string, path: string) => ({ key, what, path, list: path.includes('?') });
    return [
      one('election', 'one election', `/v1/elections/${picked.election}`),
      one('candidate', 'one candidate (the busiest)', `/v1/candidates/${picked.candidate}`),
      one('country', 'one country', `/v1/countries/${picked.country}`),
      one('source', 'one source', `/v1/sources/${encodeURIComponent(picked.source)}`),
      one('organisation', 'one organisation (the busiest)', `/v1/organisations/${organisation}`),
      one('countries', 'a page of countries', '/v1/countries?limit=50'),
      one('sources', 'a page of sources', '/v1/sources?limit=50'),
      one('organisations', 'a page of organisations', '/v1/organisations?limit=50'),
      one('candidates', 'a page of candidates', '/v1/candidates?limit=50'),
      one('elections', 'a page of elections', '/v1/elections?limit=20'),
      one(
        'elections-country',
        'a page of the elections of a country',
        `/v1/elections?country=${picked.country}&limit=20`,
      ),
      one(
        'shares-candidate',
        'a page of vote shares of a candidate (the busiest)',
        `/v1/vote-shares?candidate=${picked.candidate}&limit=50`,
      ),
      one('shares-election', 'the vote shares of an election', `/v1/vote-shares?election=${picked.election}`),
      one('shares-country', 'a page of vote shares of a country', `/v1/vote-shares?country=${picked.country}&limit=50`),
    ];
  });
}
