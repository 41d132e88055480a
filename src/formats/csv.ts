// CSV, the format of every list and of results: UTF-8, a header row, one row per record, streamed.
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

const CSV_TYPE = 'text/csv; charset=utf-8';

export const formatParam = z
  .enum(['json', 'csv'])
  .optional()
  .describe(
    'json (default) or csv; without it, Accept chooses (`Accept: text/csv`, weights count). CSV has a ' +
      'header row and every matching row, streamed, with no paging (limit and cursor do not apply).',
  );

export const bomParam = z
  .enum(['true', 'false'])
  .optional()
  .describe(
    'CSV only: true starts the file with a UTF-8 byte-order mark, so that Excel reads it as UTF-8 ' +
      '("–" rather than "â€“"). Off by default: other tools (pandas, R, a loader) read UTF-8 as it is.',
  );

/** The query parameters of every read that also answers CSV. */
export const csvParams = { format: formatParam, bom: bomParam };

/** CSV when the negotiation plugin chose it (?format=csv, or Accept preferring text/csv). */
export function wantsCsv(request: FastifyRequest): boolean {
  return request.representation === 'text/csv';
}

/**
 * Streams rows as UTF-8 CSV: a header row, numbers as plain digits (81.31), booleans as
 * true/false, nulls as empty cells, text that a spreadsheet would take for a formula behind a '.
 * Nothing is buffered beyond one page of rows.
 */
export function sendCsv(
  reply: FastifyReply,
  filename: string,
  columns: readonly string[],
  rows: AsyncIterable<object>,
) {
  const csv = stringify({
    header: true,
    columns: [...columns],
    cast: { boolean: (value) => (value ? 'true' : 'false'), date: (value) => value.toISOString() },
    // Text starting with = + - @ (a name, a note) would run as a formula in the spreadsheet that
    // opens the file: it gets a leading ' (OWASP's CSV injection advice); `npm run import` takes it off.
    escape_formulas: true,
    // Excel takes a file without a byte-order mark for the system code page.
    bom: (reply.request.query as { bom?: string } | undefined)?.bom === 'true',
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
