// Rows of a prepared statement turned into objects by a function compiled once per statement,
// instead of Drizzle's mapResultRow, which allocates an iterator and an array for every column of
// every row (on a list, much of what a request allocates). The compiled function writes the same
// object (the same keys in the same order, the same decoders, the same null for a left-joined table
// that is absent); under checkCompiledRows (the tests), Drizzle's own mapping runs beside it and a
// difference throws.
import { isDeepStrictEqual } from 'node:util';
import { Column, getTableName, is, SQL } from 'drizzle-orm';
import * as drizzleUtils from 'drizzle-orm/utils';

// Drizzle's own mapping (internal: not in its type declarations), for the check.
const { mapResultRow } = drizzleUtils as unknown as {
  mapResultRow: (fields: OrderedField[], row: unknown[], joinsNotNullableMap?: Record<string, boolean>) => unknown;
};

interface Decoder {
  mapFromDriverValue(value: unknown): unknown;
}

/** A selected field as Drizzle orders them (SelectedFieldsOrdered): where it goes, what it is. */
interface OrderedField {
  path: string[];
  field: unknown;
}

/** The parts of Drizzle's prepared query (node-postgres and PGlite alike) the mapper uses. */
interface PreparedInternals {
  fields?: OrderedField[];
  joinsNotNullableMap?: Record<string, boolean>;
  customResultMapper?: (rows: unknown[][]) => unknown;
}

type RowMapper = (rows: unknown[][]) => Record<string, unknown>[];

export class RowMapperMismatchError extends Error {}

let checking = false;
/**
 * From now on, in this process, every mapping is also done by Drizzle and compared (RESPONSE_CHECK:
 * the tests; an app built without it in the same process does not turn it off).
 */
export function checkCompiledRows(): void {
  checking = true;
}

/** The decoder mapResultRow would pick for a field. */
function decoderOf(field: unknown): Decoder {
  if (is(field, Column)) return field;
  // An SQL's decoder is internal to Drizzle (not in its type declarations).
  const decoding = (sql: unknown) => (sql as { decoder: Decoder }).decoder;
  if (is(field, SQL)) return decoding(field);
  const f = field as { _?: { sql: SQL }; sql?: SQL };
  // A subquery's field (`_.sql`), or an aliased SQL (`.sql`).
  return decoding(f._?.sql ?? f.sql);
}

const key = (name: string) => JSON.stringify(name);

/**
 * Compiles mapResultRow for these fields, or returns undefined where it would not be the same
 * (paths deeper than an object of columns): those keep Drizzle's own mapping.
 */
function compile(fields: OrderedField[], joinsNotNullableMap: Record<string, boolean> | undefined) {
  if (fields.some((f) => f.path.length < 1 || f.path.length > 2)) return undefined;
  const decoders = fields.map((f) => decoderOf(f.field));
  const value = (i: number) => `(r[${i}] === null ? null : d[${i}].mapFromDriverValue(r[${i}]))`;
  // The columns of each top-level key, keys in the order of their first column (a Map keeps it).
  const groups = new Map<string, number[]>();
  fields.forEach((f, i) => groups.set(f.path[0]!, [...(groups.get(f.path[0]!) ?? []), i]));
  const entries = [...groups].map(([name, columns]) => {
    if (fields[columns[0]!]!.path.length === 1) return `${key(name)}: ${value(columns[0]!)}`;
    const object = `{ ${columns.map((i) => `${key(fields[i]!.path[1]!)}: ${value(i)}`).join(', ')} }`;
    // mapResultRow's rule: the object is null when the first of its columns (table columns, not SQL)
    // is null, its columns all come from that one table, and that table may be absent (a left join).
    const tables = columns.flatMap((i) => (is(fields[i]!.field, Column) ? [i] : []));
    const first = tables[0];
    if (!joinsNotNullableMap || first === undefined) return `${key(name)}: ${object}`;
    const tableOf = (i: number) => getTableName((fields[i]!.field as Column).table);
    if (!tables.every((i) => tableOf(i) === tableOf(first)) || joinsNotNullableMap[tableOf(first)])
      return `${key(name)}: ${object}`;
    return `${key(name)}: r[${first}] === null ? null : ${object}`;
  });
  const body = `return rows.map((r) => ({ ${entries.join(', ')} }));`;
  // Compiled as fast-json-stringify compiles its serializers: the code is built from column names
  // quoted with JSON.stringify and column indexes, never from data.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const mapRows = new Function('d', `return (rows) => { ${body} };`) as (d: Decoder[]) => RowMapper;
  return mapRows(decoders);
}

/**
 * Installs a compiled row mapper on a Drizzle prepared select (compiled at its first execution,
 * when Drizzle has set which joined tables may be absent). Anything else is returned as it is.
 */
export function withCompiledRows<Statement>(statement: Statement): Statement {
  const prepared = statement as PreparedInternals;
  const { fields } = prepared;
  if (!Array.isArray(fields) || prepared.customResultMapper !== undefined) return statement;
  const drizzle: RowMapper = (rows) =>
    rows.map((row) => mapResultRow(fields, row, prepared.joinsNotNullableMap) as Record<string, unknown>);
  let mapper: RowMapper | undefined;
  prepared.customResultMapper = (rows) => {
    mapper ??= compile(fields, prepared.joinsNotNullableMap) ?? drizzle;
    const mapped = mapper(rows);
    if (checking && mapper !== drizzle && !isDeepStrictEqual(mapped, drizzle(rows)))
      throw new RowMapperMismatchError(
        `the compiled row mapper differs from Drizzle's for ${JSON.stringify(fields.map((f) => f.path))}`,
      );
    return mapped;
  };
  return statement;
}
