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
 * Records with a name like `key` (a nameKey() of the query), best first. A name matches when the
 * query is close to a part of it (`<%`, word similarity ≥ 0.45: a partial word, a typo) or, for a
 * query of several words, its trigrams are close to the whole query (pg_trgm `%`, similarity ≥ 0.3);
 * both use the trigram index.
 * The score weighs the first twice: (2 × word_similarity + similarity) / 3, 1 for an exact match.
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
    ? sql`having max(score) < ${opts.after[0]} or (max(score) = ${opts.after[0]} and (kind, id) > (${opts.after[1]}, ${opts.after[2]}))`
    : sql``;
  // Word similarity is never below similarity (the whole name is one of the parts it compares), so
  // the whole-name test adds a name only where it is the looser one. That matters for a query of
  // several words, apart or in another order in the name. For one word it costs ten times the
  // rows to recheck and adds almost nothing (docs/decisions.md, "Names and search"): only tried then.
  const whole = opts.key.includes(' ')
    ? sql`(n.search_key %> ${opts.key} or n.search_key % ${opts.key})`
    : sql`n.search_key %> ${opts.key}`;
  // Every matching name is scored once; the rest (which name to show, the record's own name) is
  // worked out for the page's records only.
  const result = await db.execute(sql`
    with scored as (
      select
        case when n.candidate_id is not null then 'person'
             when n.organisation_id is not null then 'party'
             when n.area_id is not null then 'area'
             else 'election' end as kind,
        coalesce(n.candidate_id, n.organisation_id, n.area_id, n.election_id) as id,
        n.name, n.lang, n.preferred,
        round(((2 * word_similarity(${opts.key}, n.search_key) + similarity(n.search_key, ${opts.key})) / 3)::numeric, 4)::float8 as score
      from names n
      -- "key %> q" is "q <% key" as the index condition reads it: written so, PostgreSQL does not test
      -- it a second time as a filter.
      where ${whole}${onlyKinds}
    ),
    page as (
      -- A record ranks by its closest name.
      select kind, id, max(score) as score from scored
      group by kind, id ${after}
      order by score desc, kind, id
      limit ${opts.limit}
    ),
    shown as (
      -- Shown as the match, among the names close enough: one spelled as the query was typed,
      -- else one in the query's script (Cyrillic or not).
      select distinct on (p.kind, p.id) p.kind, p.id, p.score, s.name as matched_name, s.lang as matched_lang
      from page p join scored s on s.kind = p.kind and s.id = p.id
      order by p.kind, p.id,
        strpos(lower(s.name), lower(${opts.query})) > 0 desc,
        (s.name ~ '[\u0400-\u04ff]') = (${opts.query} ~ '[\u0400-\u04ff]') desc,
        s.preferred desc, s.lang, s.name
    )
    select h.kind, h.id, h.matched_name, h.matched_lang, h.score,
      case h.kind
        when 'person' then (select c.name from candidates c where c.id = h.id)
        when 'party' then (select o.name from organisations o where o.id = h.id)
        when 'area' then (select a.name from areas a where a.id = h.id)
        else (
          select n.name from names n
          where n.election_id = h.id and n.lang = 'en' and n.kind = 'name' and n.preferred
          limit 1
        )
      end as name,
      e.country_name, e.type, e.round, e.date
    from shown h
    left join lateral (
      select co.name as country_name, e.type, e.round, e.date::text as date
      from elections e left join countries co on co.code = e.country_code
      where h.kind = 'election' and e.id = h.id
    ) e on true
    order by h.score desc, h.kind, h.id`);
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
