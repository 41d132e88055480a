// A list answered as one JSON page with a keyset cursor, or as the whole list in CSV: the one helper
// every list route calls with its query, its row mapping and its CSV columns.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { readDataVersion } from '../db/data-version.js';
import { databaseTrouble } from '../db/unavailable.js';
import { notModified } from '../lib/etag.js';
import { page } from '../lib/pagination.js';
import { type ProblemStatus, readResponses } from '../lib/responses.js';
import { sendCsv, wantsCsv, withCsv } from './csv.js';

export interface Listing<Row extends object, Key extends unknown[], Item extends object = Row> {
  /** Up to `limit` rows in keyset order, from the row after `after` (the start when undefined). */
  fetch: (after: Key | undefined, limit: number) => Promise<Row[]>;
  /** A row's keyset position: what `after` and the page's cursor hold. */
  key: (row: Row) => [...Key];
  /** The row as the JSON list shows it; the row itself when omitted. */
  item?: (row: Row) => Item;
  /** The CSV file: its name, its header, and a row's cells (the JSON item when they are the same). */
  csv: { filename: string; columns: readonly string[]; row?: (row: Row) => object };
  /**
   * Throws the problem of a filter naming what does not exist (an unknown id). Rows found prove
   * their filters' ids exist, so a JSON page runs it only when it found none; a CSV export, before
   * anything is sent.
   */
  check?: () => Promise<void>;
}

/** The responses of a list route: a JSON page (`schema`), the CSV with `columns`, and the problems. */
export function listResponses<T extends z.ZodType>(
  description: string,
  schema: T,
  columns: readonly string[],
  ...problems: ProblemStatus[]
) {
  return withCsv(readResponses(description, schema, ...problems), columns);
}

/** A page of the listing (`limit` rows after `cursor`), or all of it as CSV when the client asks for CSV. */
export async function sendList<Row extends object, Key extends unknown[], Item extends object = Row>(
  request: FastifyRequest,
  reply: FastifyReply,
  query: { limit: number; cursor?: Key | undefined },
  listing: Listing<Row, Key, Item>,
) {
  if (wantsCsv(request)) {
    await listing.check?.();
    if (await csvNotModified(request, reply)) return reply;
    return sendCsvExport(request, reply, listing);
  }
  const rows = await listing.fetch(query.cursor, query.limit + 1);
  if (rows.length === 0) await listing.check?.();
  return page(rows, query.limit, listing.key, itemOf(listing));
}

/**
 * Every row of the listing streamed as its CSV file; the caller has set the ETag. It takes one of
 * the instance's export slots (429 or 503 when none is free) and counts each page after the first
 * as a request of its client's rate limit.
 */
export function sendCsvExport<Row extends object, Key extends unknown[], Item extends object>(
  request: FastifyRequest,
  reply: FastifyReply,
  listing: Listing<Row, Key, Item>,
) {
  request.server.takeExportSlot(request, reply);
  const { filename, columns, row = itemOf(listing) } = listing.csv;
  const onPage = (page: number) => {
    if (page > 1) request.server.rateLimit.charge(request, 1);
  };
  return sendCsv(reply, filename, columns, allRows(listing.fetch, listing.key, row, { onPage }));
}

const itemOf = <Row extends object, Item extends object>(listing: Pick<Listing<Row, [], Item>, 'item'>) =>
  listing.item ?? ((row: Row) => row as unknown as Item);

/**
 * A CSV export is streamed, so it cannot be hashed for an ETag; the data version (bumped by any
 * write, migration 0003) stands in. Read before the rows, so the tag is never newer than the body.
 * Returns true when a 304 was sent.
 */
async function csvNotModified(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  const etag = `W/"csv-${await readDataVersion(request.db)}"`;
  const match = notModified(request, reply, etag);
  if (match) await reply.send();
  return match;
}

export interface AllRowsOptions {
  pageSize?: number;
  /** For how long a page that got no database connection is asked again (ms). */
  retryForMs?: number;
  /** Called before each page is read, with its number (1 for the first). */
  onPage?: (page: number) => void;
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
  { pageSize = 2000, retryForMs = 5000, onPage }: AllRowsOptions = {},
): AsyncGenerator<Out> {
  let after: Key | undefined;
  for (let page = 1; ; page++) {
    onPage?.(page);
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
