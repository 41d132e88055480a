import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'csv-stringify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { dataVersion } from '../db/schema/index.js';
import { databaseTrouble } from '../db/unavailable.js';
import { etagMatches } from './etag.js';

export const CSV_TYPE = 'text/csv; charset=utf-8';

export const formatParam = z
  .enum(['json', 'csv'])
  .optional()
  .describe(
    'json (default) or csv; `Accept: text/csv` works too. CSV has a header row and every matching ' +
      'row, streamed, with no paging (limit and cursor do not apply).',
  );

/** CSV when asked by ?format=csv, or by an Accept header naming text/csv without ?format. */
export function wantsCsv(request: FastifyRequest): boolean {
  const format = (request.query as { format?: string } | undefined)?.format;
  if (format) return format === 'csv';
  return /\btext\/csv\b/i.test(request.headers.accept ?? '');
}

export interface AllRowsOptions {
  pageSize?: number;
  /** For how long a page that got no database connection is asked again (ms). */
  retryForMs?: number;
}

/**
 * Every row of a keyset-paged query, fetched a page at a time so memory stays flat.
 *
 * An export is already answered when its pages are read: the 200 and the rows before are sent, so a
 * failed page can only cut the body short. Each page takes a pooled connection of its own, and under
 * load one can wait past DB_CONNECT_TIMEOUT_MS for it (or find it dropped) where a whole request
 * would get a 503. So a page that got no connection is asked again, backing off from 50 ms to 1 s,
 * with no new attempt after `retryForMs`. A page that timed out is not: running it again would add
 * load where the database is already too slow. Any other error, or one that outlasts the retries,
 * ends the stream (the client sees the transfer break, not a short file).
 */
export async function* allRows<Row, Key, Out>(
  fetchPage: (after: Key | undefined, limit: number) => Promise<Row[]>,
  keyOf: (row: Row) => Key,
  toCsvRow: (row: Row) => Out,
  { pageSize = 2000, retryForMs = 5000 }: AllRowsOptions = {},
): AsyncGenerator<Out> {
  let after: Key | undefined;
  for (;;) {
    const rows = await retryWithoutConnection(() => fetchPage(after, pageSize), retryForMs);
    for (const row of rows) yield toCsvRow(row);
    if (rows.length < pageSize) return;
    after = keyOf(rows[rows.length - 1]!);
  }
}

async function retryWithoutConnection<T>(read: () => Promise<T>, retryForMs: number): Promise<T> {
  const deadline = Date.now() + retryForMs;
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    try {
      return await read();
    } catch (err) {
      if (databaseTrouble(err) !== 'no-connection' || Date.now() + wait > deadline) throw err;
      await sleep(wait);
    }
  }
}

/**
 * A CSV export is streamed, so it cannot be hashed for an ETag; the data version (bumped by any
 * write, migration 0003) stands in. Read before the rows, so the tag is never newer than the body.
 * Returns true when a 304 was sent.
 */
export async function csvNotModified(db: Db, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  const [row] = await db.select({ version: dataVersion.version }).from(dataVersion);
  const etag = `W/"csv-${row?.version ?? 0}"`;
  reply.header('etag', etag);
  const match = etagMatches(request.headers['if-none-match'], etag);
  if (match) await reply.code(304).send();
  return match;
}

/**
 * Streams rows as UTF-8 CSV: a header row, numbers as plain digits (81.31), booleans as
 * true/false, nulls as empty cells. Nothing is buffered beyond one page of rows.
 */
export function sendCsv(
  reply: FastifyReply,
  filename: string,
  columns: readonly string[],
  rows: AsyncIterable<Record<string, unknown>>,
) {
  const csv = stringify({
    header: true,
    columns: [...columns],
    cast: { boolean: (value) => (value ? 'true' : 'false'), date: (value) => value.toISOString() },
  });
  const source = Readable.from(rows);
  source.on('error', (err) => csv.destroy(err));
  source.pipe(csv);
  return reply.type(CSV_TYPE).header('content-disposition', `attachment; filename="${filename}"`).send(csv);
}

/** Adds the text/csv representation to a route's 200 response in the OpenAPI document. */
export function withCsv<R extends Record<number, unknown>>(responses: R, columns: readonly string[]): R {
  const ok = responses[200] as { description: string; content: Record<string, unknown> };
  return {
    ...responses,
    200: {
      ...ok,
      content: {
        ...ok.content,
        'text/csv': {
          schema: z.string().describe(`CSV with the header row: ${columns.join(',')}`),
        },
      },
    },
  };
}
