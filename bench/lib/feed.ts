// Following the change feed from the start (issue 17): one client asks for each page in turn,
// following `next`, until `more` is false; the API's pages and the raw `pg` baseline's, alternately.
import { withClient } from './datasets.js';

export interface FollowRun {
  pages: number;
  changes: number;
  ms: number;
  /** Ids seen, in order (the API's runs are checked against the table). */
  ids: string[];
}

/** Follows `path` (with ?since=&limit=) from since=0 to the head. */
export async function follow(base: string, path: string, limit: number): Promise<FollowRun> {
  const ids: string[] = [];
  let since = '0';
  let pages = 0;
  const started = performance.now();
  for (;;) {
    // The same bytes from both: the baseline does not compress (a loader that asks for gzip also
    // pays the API's compression of each ~200 KB page).
    const res = await fetch(`${base}${path}?since=${since}&limit=${limit}`, {
      headers: { 'accept-encoding': 'identity' },
    });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as { data: { id: string }[]; next: string; more: boolean };
    pages += 1;
    for (const c of page.data) ids.push(c.id);
    since = page.next;
    if (!page.more) break;
  }
  return { pages, changes: ids.length, ms: performance.now() - started, ids };
}

/** What a follower missed or saw twice, against the feed's table, and whether it saw them in order. */
export async function auditFollow(databaseUrl: string, ids: string[]) {
  const table = await withClient(databaseUrl, async (c) =>
    (await c.query<{ id: string }>('select id::text from changes order by id')).rows.map((r) => r.id),
  );
  const seen = new Set(ids);
  const expected = new Set(table);
  return {
    table: table.length,
    missing: table.filter((id) => !seen.has(id)).length,
    extra: ids.filter((id) => !expected.has(id)).length,
    duplicates: ids.length - seen.size,
    inOrder: ids.every((id, i) => i === 0 || BigInt(id) > BigInt(ids[i - 1]!)),
  };
}

export interface FeedReport {
  date: Date;
  command: string;
  commit: string;
  machine: { cpu: string; cores: number; loadBefore: number[] };
  versions: Record<string, string>;
  dataset: { name: string; changes: number; results: number };
  limit: number;
  /** Per round: the API's run and the baseline's, one after the other. */
  rounds: { api: FollowRun; raw: FollowRun }[];
  audit: Awaited<ReturnType<typeof auditFollow>>;
}

export const FEED_START = '<!-- feed: start (npm run bench -- --only feed rewrites this section alone) -->';
export const FEED_END = '<!-- feed: end -->';

const rate = (r: FollowRun) => r.pages / (r.ms / 1000);

/** Per round, the API's pages per second over the baseline's; the median is what counts. */
export const feedRatios = (r: FeedReport) => r.rounds.map((x) => rate(x.api) / rate(x.raw));

export function feedGoalRow(r: FeedReport, median: number): string[] {
  const a = r.audit;
  const clean = a.missing === 0 && a.extra === 0 && a.duplicates === 0 && a.inOrder;
  return [
    `the feed followed from the start over ${r.dataset.results.toLocaleString('en')} result versions ` +
      `(${r.dataset.changes.toLocaleString('en')} changes): no gap, no duplicate, ≥ 0.8× the rate of its SQL through pg`,
    `${median.toFixed(2)}× (rounds ${feedRatios(r)
      .map((x) => x.toFixed(2))
      .join(', ')}); ${a.missing} missing, ${a.duplicates} twice, ${a.inOrder ? 'in order' : 'OUT OF ORDER'}`,
    clean && median >= 0.8 ? 'met' : 'not met',
  ];
}
