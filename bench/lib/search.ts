// The search targets of issue 16: `/v1/search?q=` and `/v1/candidates?q=` on the large db:synth
// dataset (people with names in Latin and Cyrillic), each query next to its own SQL replayed with
// `pg` alone. Queries are picked from the data the same way on every run.
import { SYNTHETIC_SOURCE_ID } from '../../src/db/synth.js';
import type { Statement } from './capture.js';
import { withClient } from './datasets.js';
import type { ResultsPlan } from './results-plan.js';

/** A path measured next to its own SQL replayed by the raw-pg server (at /search-<key>/-). */
export interface BenchPath {
  /** Short name: the raw-pg baseline serves it at /search-<key>/-. */
  key: string;
  /** What it asks for, in words (for a search, what a user typed). */
  what: string;
  path: string;
}

/** What the search reads, in the dataset measured. */
export interface SearchCounts {
  /** Every candidate (synthetic and seeded). */
  people: number;
  /** Every name of every kind (people, parties, areas, elections). */
  names: number;
  /** Names in Cyrillic (Kazakh, Russian, Ukrainian…). */
  cyrillicNames: number;
  /** People with a name in Cyrillic beside their Latin one. */
  peopleInTwoScripts: number;
  voteShares: number;
}

const CYRILLIC = '[\u0400-\u04ff]';

const search = (q: string) => `/v1/search?q=${encodeURIComponent(q)}`;

/** `word` with its middle letter dropped: a typo that trigram search must forgive. */
const typo = (word: string) => word.slice(0, Math.floor(word.length / 2)) + word.slice(Math.floor(word.length / 2) + 1);

/**
 * The queries: the issue's own (a typo of a seeded name, the name in Cyrillic), then from the
 * synthetic people: the surname of the candidate with most lines with a typo, the Cyrillic surname
 * of the one with most lines among those who have a Cyrillic name, the most common first name (a
 * query that matches thousands of names), and the surname through `/v1/candidates?q=`.
 */
export async function pickSearchQueries(url: string): Promise<BenchPath[]> {
  return withClient(url, async (c) => {
    const busiest = await c.query<{ name: string }>(
      `select c.name from vote_shares v join candidates c on c.id = v.candidate_id
       where c.source_id = $1 group by c.id order by count(*) desc, c.id limit 1`,
      [SYNTHETIC_SOURCE_ID],
    );
    const cyrillic = await c.query<{ name: string }>(
      `select n.name from vote_shares v join names n on n.candidate_id = v.candidate_id
       where n.source_id = $1 and n.lang = 'ru' and n.name ~ $2
       group by n.candidate_id, n.name order by count(*) desc, n.candidate_id limit 1`,
      [SYNTHETIC_SOURCE_ID, CYRILLIC],
    );
    const common = await c.query<{ first: string }>(
      `select split_part(name, ' ', 1) as first from candidates where source_id = $1
       group by 1 order by count(*) desc, 1 limit 1`,
      [SYNTHETIC_SOURCE_ID],
    );
    const surname = busiest.rows[0]?.name.split(' ').at(-1);
    const cyrillicSurname = cyrillic.rows[0]?.name.split(' ').at(-1);
    const first = common.rows[0]?.first;
    if (!surname || !cyrillicSurname || !first)
      throw new Error(`${url}: no synthetic people (with Cyrillic names) to pick search queries from`);
    return [
      { key: 'seeded-typo', what: 'a seeded name with a typo (the issue’s)', path: search('tokayv') },
      { key: 'seeded-cyrillic', what: 'a seeded name in Cyrillic (the issue’s)', path: search('Токаев') },
      { key: 'typo', what: 'a synthetic surname with a typo', path: search(typo(surname)) },
      { key: 'cyrillic', what: 'a synthetic surname in Cyrillic', path: search(cyrillicSurname) },
      { key: 'common', what: 'the commonest synthetic first name', path: search(first) },
      {
        key: 'candidates',
        what: 'a synthetic surname, people only',
        path: `/v1/candidates?q=${encodeURIComponent(surname)}`,
      },
    ];
  });
}

export async function searchCounts(url: string): Promise<SearchCounts> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<SearchCounts>(
      `select (select count(*)::int from candidates) as people,
         (select count(*)::int from names) as names,
         (select count(*)::int from names where name ~ $1) as "cyrillicNames",
         (select count(distinct candidate_id)::int from names where candidate_id is not null and name ~ $1) as "peopleInTwoScripts",
         (select count(*)::int from vote_shares) as "voteShares"`,
      [CYRILLIC],
    );
    return rows[0]!;
  });
}

/**
 * The statements one search ran, replayed as they were: its parameters are the query's, the same on
 * every request (a warm search asks the same thing over and over).
 */
export function searchPlan(statements: Statement[]): ResultsPlan {
  if (statements.length === 0) throw new Error('the search ran no SQL');
  return {
    queries: statements.map((s) => ({ text: s.text, params: s.values.map((value) => ({ kind: 'value', value })) })),
    bodyColumn: null,
  };
}
