import { z } from 'zod';

/**
 * Whether the calendar date of an ISO 8601 date-time exists (no 30 February), from the year 1000:
 * earlier, an offset can move the instant into year 0, which PostgreSQL refuses (a 500, not a 400).
 */
function realDate(value: string): boolean {
  const [y, m, d] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return y >= 1000 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** An RFC 3339 date-time with its offset, normalised to UTC (ISO 8601 with milliseconds) for the database. */
export const instantParam = () =>
  z.iso
    .datetime({ offset: true })
    .max(35)
    .refine(realDate, 'must be a real date-time, from the year 1000')
    // 9999-12-31T23:00:00-05:00 is in the year 10000, which PostgreSQL refuses.
    .refine((value) => new Date(value).getUTCFullYear() <= 9999, 'must be an instant before the year 10000')
    .transform((value) => new Date(value).toISOString());

/** `updatedSince` of the lists (Democracy Club's `last_updated`). */
export const updatedSinceParam = instantParam()
  .optional()
  .meta({
    description:
      'Only the records with a change in the change feed (`/v1/changes`) at or after this instant: created, ' +
      'edited, or (for elections) given a new result version or race call. RFC 3339 with an offset, e.g. ' +
      '2026-12-06T18:00:00Z. Pass the time of your previous poll minus a margin (a change is timed when it is ' +
      'recorded, just before its commit; clocks differ) to ' +
      'fetch only what changed; `/v1/changes` gives the same exactly, by cursor.',
    examples: ['2026-12-06T18:00:00Z'],
  });
