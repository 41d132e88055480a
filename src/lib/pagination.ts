import { z } from 'zod';
import { isStorableJson } from './text.js';
import { decimalInt } from './integer.js';

const MAX_LIMIT = 100;

export function limitParam(defaultLimit: number, max = MAX_LIMIT) {
  return decimalInt(1, max, { default: defaultLimit })
    .default(defaultLimit)
    .describe(`Page size: 1 to ${max}, default ${defaultLimit}.`);
}

/**
 * A keyset cursor: the sort key of the last row of a page, as base64url JSON. Opaque to clients;
 * validated against the endpoint's key shape so that a forged or stale cursor is a 400, not a 500.
 */
export function cursorParam<T extends z.ZodType>(key: T) {
  return z
    .string()
    .max(512)
    .transform((value, ctx): z.output<T> => {
      let decoded: unknown;
      try {
        decoded = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
      } catch {
        decoded = undefined;
      }
      // Issued cursors hold ids and dates; a NUL or lone surrogate in one would only reach the
      // database as an error.
      const parsed = isStorableJson(decoded) ? key.safeParse(decoded) : undefined;
      if (!parsed?.success) {
        ctx.addIssue({ code: 'custom', message: 'is not a cursor this endpoint issued' });
        return z.NEVER;
      }
      return parsed.data;
    })
    .describe("Opaque cursor from the previous page's `next`.");
}

export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** Wraps the rows of a query that fetched limit + 1 rows into a page with its next cursor. */
export function page<Row, Out>(
  rows: Row[],
  limit: number,
  keyOf: (row: Row) => unknown,
  toItem: (row: Row) => Out,
): { data: Out[]; next: string | null } {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept.at(-1);
  return { data: kept.map(toItem), next: more && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

export function listSchema<T extends z.ZodType>(item: T) {
  return z.object({
    data: z.array(item),
    next: z.string().nullable().describe('Cursor for the next page (pass as `cursor`), or null on the last page.'),
  });
}
