/**
 * A `year` filter as the first and last day of that year (ISO dates, inclusive), for a date column
 * compared with `>=` and `<=`: the index on the date serves it. Both undefined without a year.
 */
export function yearRange(year: number | undefined): { yearFrom?: string; yearTo?: string } {
  return year === undefined ? {} : { yearFrom: `${year}-01-01`, yearTo: `${year}-12-31` };
}
