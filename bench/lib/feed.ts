// Following the change feed from the start (issue 17): one client asks for each page in turn,
// following `next`, until `more` is false; the API's pages and the raw `pg` baseline's, alternately.
import { withClient } from './datasets.js';
import { runText, spliceSection } from './splice.js';
import { median, table } from './stats.js';

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

const FEED_START = '<!-- feed: start (npm run bench -- --only feed rewrites this section alone) -->';
const FEED_END = '<!-- feed: end -->';

const rate = (r: FollowRun) => r.pages / (r.ms / 1000);

/** Per round, the API's pages per second over the baseline's; the median is what counts. */
export const feedRatios = (r: FeedReport) => r.rounds.map((x) => rate(x.api) / rate(x.raw));

export function feedGoalRow(r: FeedReport): string[] {
  const ratio = median(feedRatios(r));
  const a = r.audit;
  const clean = a.missing === 0 && a.extra === 0 && a.duplicates === 0 && a.inOrder;
  return [
    `the feed followed from the start over ${r.dataset.results.toLocaleString('en')} result versions ` +
      `(${r.dataset.changes.toLocaleString('en')} changes): no gap, no duplicate, ≥ 0.8× the rate of its SQL through pg`,
    `${ratio.toFixed(2)}× (rounds ${feedRatios(r)
      .map((x) => x.toFixed(2))
      .join(', ')}); ${a.missing} missing, ${a.duplicates} twice, ${a.inOrder ? 'in order' : 'OUT OF ORDER'}`,
    clean && ratio >= 0.8 ? 'met' : 'not met',
  ];
}

function renderFeed(r: FeedReport): string {
  return `${FEED_START}
## Following the change feed

${runText(r)}

One client follows \`/v1/changes?since=…&limit=${r.limit}\` from \`since=0\` to the head of \`${r.dataset.name}\`'s feed
(${r.dataset.changes.toLocaleString('en')} changes, ${r.dataset.results.toLocaleString('en')} of them result versions), each page
after the one before, as a loader does (\`Accept-Encoding: identity\`, as the baseline sends); then the same over the feed's statement run through \`pg\` directly
(\`bench/servers/raw-feed.ts\`, which answers as the route does). ${r.rounds.length} rounds after an unmeasured
warm-up of each; the ratio is pages per second, API over raw, per round, and its median. The API's ids of the
first round are checked against the table.

${table(['goal (issue 17)', 'measured', ''], [feedGoalRow(r)])}

${table(
  ['round', 'pages', 'API ms', 'raw pg ms', 'API pages/s', 'raw pages/s'],
  r.rounds.map((x, i) => [
    String(i + 1),
    String(x.api.pages),
    String(Math.round(x.api.ms)),
    String(Math.round(x.raw.ms)),
    rate(x.api).toFixed(1),
    rate(x.raw).toFixed(1),
  ]),
)}
${FEED_END}`;
}

export function spliceFeed(existing: string | null, r: FeedReport): string {
  return spliceSection(existing, renderFeed(r), FEED_START, FEED_END, [
    '\n## Start to ready',
    '\n## Targets from the issue',
  ]);
}
