// SQL that reads one result version, captured from the app itself (see capture.ts) and replayed by
// the raw-pg baselines: the statements /v1/elections/{id}/results runs, and the plain row statements
// of the tests' reference rendering, so each baseline runs the very statements it is compared with.

/**
 * Where a bind parameter comes from when the statements are replayed for another election: its id,
 * a column of the first row an earlier statement returned (a contest's id, a version's id…), or a
 * constant.
 */
export type PlanParam =
  { kind: 'election' } | { kind: 'column'; statement: number; column: number } | { kind: 'value'; value: unknown };

export interface PlannedQuery {
  text: string;
  params: PlanParam[];
}

export interface ResultsPlan {
  /** Run in turn, as the app runs them: each may use what the earlier ones returned. */
  queries: PlannedQuery[];
  /** With a single statement: the column that holds the finished JSON body, sent as it is. */
  bodyColumn: number | null;
  /**
   * The rows as objects (pg's default, keyed by column name) in the API's envelope, written with a
   * plain JSON.stringify: a `list` as `{ data, next }` (the first statement's rows), a `record` as
   * its first row; the rows of any further statement under `related`. Without it, every
   * statement's rows as arrays.
   */
  json?: 'list' | 'record';
}

/** The parameters of `query` for `electionId`, given the rows (array mode) of the statements before it. */
export function bindParams(query: PlannedQuery, electionId: string, earlier: unknown[][][]): unknown[] {
  return query.params.map((p) =>
    p.kind === 'election' ? electionId : p.kind === 'column' ? earlier[p.statement]?.[0]?.[p.column] : p.value,
  );
}
