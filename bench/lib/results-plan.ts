// SQL that reads one result version, captured from the app itself (see capture.ts) and replayed by
// the raw-pg baselines: the statements /v1/elections/{id}/results runs, and the plain row statements
// of the tests' reference rendering, so each baseline runs the very statements it is compared with.

/** Where a bind parameter comes from when the statement is replayed for another election. */
export type PlanParam = { kind: 'election' } | { kind: 'version' } | { kind: 'value'; value: unknown };

export interface PlannedQuery {
  text: string;
  params: PlanParam[];
}

export interface ResultsPlan {
  /** The first statement finds the version; the others (run concurrently, as the app does) use its id. */
  queries: PlannedQuery[];
  /** Column of the first statement's row (array mode) that holds the version id, if any is needed. */
  versionColumn: number | null;
  /** With a single statement: the column that holds the finished JSON body, sent as it is. */
  bodyColumn: number | null;
}

export function bindParams(query: PlannedQuery, electionId: string, versionId: unknown): unknown[] {
  return query.params.map((p) => (p.kind === 'election' ? electionId : p.kind === 'version' ? versionId : p.value));
}
