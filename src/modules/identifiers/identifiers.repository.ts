import { and, eq, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../../db/client.js';
import { type SubjectKind, subjectColumn } from '../../db/names.js';
import { areas, externalIds } from '../../db/schema/index.js';
import type { IdentifierScheme } from './identifiers.schemas.js';
import { badParameter } from '../../lib/problem.js';

export interface Identifier {
  scheme: IdentifierScheme;
  value: string;
  url: string | null;
  source: { id: string; publisher: string; title: string | null; url: string | null } | null;
}

const PAGES: Partial<Record<IdentifierScheme, (value: string) => string>> = {
  wikidata: (v) => `https://www.wikidata.org/wiki/${v}`,
  electionguide: (v) => `https://www.electionguide.org/elections/id/${encodeURIComponent(v)}/`,
};
const pageOf = (scheme: IdentifierScheme, value: string) => PAGES[scheme]?.(value) ?? null;

/** An identifier as `identifiersColumn` reads it: without its page, which is added in JavaScript. */
interface StoredIdentifier {
  scheme: IdentifierScheme;
  value: string;
  source: NonNullable<Identifier['source']>;
}

const withPages = (stored: StoredIdentifier[]): Identifier[] =>
  stored.map((i) => ({ scheme: i.scheme, value: i.value, url: pageOf(i.scheme, i.value), source: i.source }));

/**
 * The external ids of a row's record, in scheme order, as a column of the row's own statement: a
 * subquery on the owner's partial index, so that a page of records needs one statement and not a
 * second one for their identifiers. `id` is the record's id column in that
 * statement.
 */
export function identifiersColumn(kind: SubjectKind, id: AnyPgColumn) {
  const owner = sql.identifier(subjectColumn(externalIds, kind).name);
  return sql<Identifier[]>`coalesce((
    select json_agg(json_build_object('scheme', x.scheme, 'value', x.value,
      'source', json_build_object('id', xs.id, 'publisher', xs.publisher, 'title', xs.title, 'url', xs.url))
      order by x.scheme, x.value)
    from external_ids x join sources xs on xs.id = x.source_id where x.${owner} = ${id}), '[]'::json)`.mapWith(
    withPages,
  );
}

/** An area's ISO 3166-2 code as one of its identifiers, cited to the area's own source. */
export const isoIdentifier = (isoCode: string, source: Identifier['source']): Identifier => ({
  scheme: 'iso-3166-2',
  value: isoCode,
  url: null,
  source,
});

/** A CSV cell: scheme:value pairs separated by spaces. */
export const identifierCell = (list: Identifier[]) => list.map((i) => `${i.scheme}:${i.value}`).join(' ');

/**
 * The id of the record of this kind with this identifier, if any: from `?wikidata=` or
 * `?identifier=scheme:value`. Undefined when neither is given; null when no record has it.
 */
export async function lookUp(
  db: Db,
  kind: SubjectKind,
  query: { wikidata?: string | undefined; identifier?: string | undefined; updatedSince?: string | undefined },
): Promise<string | null | undefined> {
  // A look-up names one record whatever changed when: with updatedSince it would ignore it.
  if (query.updatedSince !== undefined && (query.wikidata ?? query.identifier) !== undefined)
    throw badParameter(
      'query',
      'updatedSince',
      'cannot be combined with wikidata or identifier: a look-up finds one record',
    );
  const wanted: [string, string][] = [];
  if (query.wikidata !== undefined) wanted.push(['wikidata', query.wikidata]);
  if (query.identifier !== undefined) {
    const at = query.identifier.indexOf(':');
    wanted.push([query.identifier.slice(0, at), query.identifier.slice(at + 1)]);
  }
  if (wanted.length === 0) return undefined;
  const found = new Set<string | null>();
  for (const [scheme, value] of wanted) {
    if (scheme === 'iso-3166-2') {
      const [row] =
        kind === 'area' ? await db.select({ id: areas.id }).from(areas).where(eq(areas.isoCode, value)) : [];
      found.add(row?.id ?? null);
      continue;
    }
    const owner = subjectColumn(externalIds, kind);
    const [row] = await db
      .select({ id: sql<string | null>`${owner}` })
      .from(externalIds)
      .where(
        and(
          eq(externalIds.scheme, scheme as (typeof externalIds.scheme.enumValues)[number]),
          eq(externalIds.value, value),
        ),
      );
    found.add(row?.id ?? null);
  }
  // Both given: the record must have both.
  return found.size === 1 ? [...found][0]! : null;
}

/**
 * A listing's fetch narrowed by a look-up (lookUp's answer): the listing itself when none was asked
 * for, else a single page holding the one record, or nothing.
 */
export function narrowedTo<Row, Key>(
  only: string | null | undefined,
  list: (after: Key | undefined, limit: number) => Promise<Row[]>,
  find: (id: string) => Promise<Row | undefined>,
): (after: Key | undefined, limit: number) => Promise<Row[]> {
  return async (after, limit) => {
    if (only === undefined) return list(after, limit);
    const row = only === null || after !== undefined ? undefined : await find(only);
    return row ? [row] : [];
  };
}
