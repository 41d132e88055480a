import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { SUBJECT_KINDS, type SubjectKind, subjectColumn } from '../../db/names.js';
import { names } from '../../db/schema/index.js';

export { SUBJECT_KINDS, type SubjectKind };

/** A ranked hit: the record, its display name, and the stored name that matched best. */
export interface SearchHit {
  kind: SubjectKind;
  id: string;
  /** The record's English name; for an election, the one a source gives (else `election` to title it). */
  name: string | null;
  election: { countryName: string; type: string; round: number; date: string } | null;
  matchedName: string;
  matchedLang: string;
  score: number;
}

/** Keyset position in the ranking: score descending, then kind and id ascending. */
export type SearchKey = [score: number, kind: SubjectKind, id: string];

/** The subject column of `names`, under the query's alias `n`. */
const subjectOf = (kind: SubjectKind) => sql`n.${sql.identifier(subjectColumn(names, kind).name)}`;

/**
 * Records with a name like `key` (a nameKey() of the query), best first. A name matches when its
 * trigrams are close to the whole query (pg_trgm `%`, similarity ≥ 0.3) or the query is close to
 * a part of it (`<%`, word similarity ≥ 0.5: a partial word, a typo); both use the trigram index.
 * The score weighs the second twice: (2 × word_similarity + similarity) / 3, 1 for an exact match.
 * Each record appears once, with the best of its names.
 */
export async function searchNames(
  db: Db,
  opts: { key: string; query: string; kinds?: readonly SubjectKind[]; after?: SearchKey; limit: number },
): Promise<SearchHit[]> {
  const kinds = opts.kinds ?? SUBJECT_KINDS;
  const onlyKinds =
    kinds.length === SUBJECT_KINDS.length
      ? sql``
      : sql` and (${sql.join(
          kinds.map((k) => sql`${subjectOf(k)} is not null`),
          sql` or `,
        )})`;
  const after = opts.after
    ? sql`where score < ${opts.after[0]} or (score = ${opts.after[0]} and (kind, id) > (${opts.after[1]}, ${opts.after[2]}))`
    : sql``;
  const result = await db.execute(sql`
    with scored as (
      select
        case when n.candidate_id is not null then 'person'
             when n.organisation_id is not null then 'party'
             when n.area_id is not null then 'area'
             else 'election' end as kind,
        coalesce(n.candidate_id, n.organisation_id, n.area_id, n.election_id) as id,
        n.name as matched_name,
        n.lang as matched_lang,
        round(((2 * word_similarity(${opts.key}, n.search_key) + similarity(n.search_key, ${opts.key})) / 3)::numeric, 4)::float8 as score,
        n.preferred,
        -- Shown as the match, among the names close enough: one spelled as the query was typed,
        -- else one in the query's script (Cyrillic or not).
        strpos(lower(n.name), lower(${opts.query})) > 0 as as_typed,
        (n.name ~ '[\u0400-\u04ff]') = (${opts.query} ~ '[\u0400-\u04ff]') as same_script
      from names n
      where (n.search_key % ${opts.key} or ${opts.key} <% n.search_key)${onlyKinds}
    ),
    hits as (
      -- A record ranks by its closest name.
      select distinct on (kind, id) kind, id, matched_name, matched_lang,
        max(score) over (partition by kind, id) as score
      from scored
      order by kind, id, as_typed desc, same_script desc, score desc, preferred desc, matched_lang, matched_name
    ),
    page as (select * from hits ${after} order by score desc, kind, id limit ${opts.limit})
    select page.kind, page.id, page.matched_name, page.matched_lang, page.score,
      coalesce(c.name, o.name, a.name, en.name) as name, co.name as country_name, e.type, e.round, e.date::text as date
    from page
    left join candidates c on page.kind = 'person' and c.id = page.id
    left join organisations o on page.kind = 'party' and o.id = page.id
    left join areas a on page.kind = 'area' and a.id = page.id
    left join elections e on page.kind = 'election' and e.id = page.id
    left join countries co on co.code = e.country_code
    left join lateral (
      select n.name from names n
      where page.kind = 'election' and n.election_id = page.id and n.lang = 'en' and n.kind = 'name' and n.preferred
      limit 1
    ) en on true
    order by page.score desc, page.kind, page.id`);
  const rows = (result as { rows: Record<string, unknown>[] }).rows;
  return rows.map((r) => ({
    kind: r.kind as SubjectKind,
    id: r.id as string,
    name: r.name as string | null,
    election:
      r.kind === 'election'
        ? {
            countryName: r.country_name as string,
            type: r.type as string,
            round: Number(r.round),
            date: String(r.date),
          }
        : null,
    matchedName: r.matched_name as string,
    matchedLang: r.matched_lang as string,
    score: Number(r.score),
  }));
}
