// The live-push section of docs/benchmarks.md, written by `npm run bench -- --only live` (between its
// two markers; the rest of the file stays as it was).
import type { FanoutResult } from './live.js';
import { runText, spliceSection } from './splice.js';
import { fmt, table } from './stats.js';

export interface LiveReport {
  date: Date;
  command: string;
  commit: string;
  machine: { cpu: string; cores: number; loadBefore: number[] };
  versions: Record<string, string>;
  /** 5,000 subscribers on one instance, writes through it. */
  fanout: FanoutResult;
  /** Subscribers on instance B, writes through instance A, one PostgreSQL. */
  twoInstances: FanoutResult;
}

export const LIVE_START = '<!-- live: start (npm run bench -- --only live rewrites this section alone) -->';
export const LIVE_END = '<!-- live: end -->';

const ms = (n: number) => fmt.ms(n);
const mark = (ok: boolean) => (ok ? 'met' : 'not met');

export function liveGoalRows(r: LiveReport): string[][] {
  const f = r.fanout;
  const two = r.twoInstances;
  const clean = (x: FanoutResult) => x.missing === 0 && x.duplicates === 0 && x.outOfOrder === 0;
  const growth = rssPerThousand(f);
  return [
    [
      `fan-out: ${fmt.int(f.subscribers)} subscribers each get each of ${f.versions} versions; p99 commit → receipt ≤ 500 ms`,
      `p99 ${ms(f.fromCommit.p99)} ms; ${f.missing} missing, ${f.duplicates} twice, ${f.outOfOrder} out of order`,
      mark(f.fromCommit.p99 <= 500 && clean(f)),
    ],
    ['fan-out: RSS growth per 1,000 subscribers', `${fmt.mb(growth)} MB`, 'reported'],
    [
      '2 instances: a write through A reaches a subscriber of B within 1 s p99',
      `p99 ${ms(two.fromCommit.p99)} ms; ${two.missing} missing, ${two.duplicates} twice`,
      mark(two.fromCommit.p99 <= 1000 && clean(two)),
    ],
  ];
}

/** MB of RSS per 1,000 open subscribers: the slope from none to all of them. */
function rssPerThousand(f: FanoutResult): number {
  const last = f.rss.perThousand.at(-1);
  return last ? ((last.mb - f.rss.before) / last.open) * 1000 : Number.NaN;
}

function delays(name: string, f: FanoutResult): string[] {
  return [
    name,
    fmt.int(f.fromCommit.samples),
    ms(f.fromCommit.p50),
    ms(f.fromCommit.p99),
    ms(f.fromCommit.max),
    ms(f.fromResponse.p50),
    ms(f.fromResponse.p99),
    ms(f.lastReceiptP50),
  ];
}

export function liveSummary(r: LiveReport): string {
  return table(
    ['run', 'receipts', 'p50 ms', 'p99 ms', 'max ms', 'p50 from response', 'p99 from response', 'last receipt p50'],
    [
      delays(`${fmt.int(r.fanout.subscribers)} subscribers, 1 instance`, r.fanout),
      delays(`${fmt.int(r.twoInstances.subscribers)} subscribers of B, writes via A`, r.twoInstances),
    ],
  );
}

export function renderLive(r: LiveReport): string {
  const f = r.fanout;
  return `${LIVE_START}
## Live push (Server-Sent Events)

${runText(r)}

One API process (as \`npm start\` runs it, on PostgreSQL, \`STREAMS_MAX_PER_CLIENT\` raised to let
one client open them all, load shedding off) with ${fmt.int(f.subscribers)} subscribers of
\`/v1/changes/stream?election=kz.presidential.2022-11-20&kind=results\`, opened by this bench
process on raw sockets (the one load generator, on the same 2 cores). Then ${f.versions} versions
are published through \`POST /v1/elections/{id}/results\`, each once every subscriber has the one
before. A delay is the receipt time here minus the change's \`at\`, taken by its trigger just before
the commit (so it also counts the rest of that transaction: an upper bound), on the same clock;
"from response" is measured from the moment the writer got its 201 (the event may arrive first).
Every subscriber's events are checked against the ids published: none missing, none twice, in order.
The two-instance run opens its subscribers on a second API process and writes through the first:
the change reaches B by PostgreSQL NOTIFY.

${table(['goal (issue 17)', 'measured', ''], liveGoalRows(r))}

${liveSummary(r)}

RSS of the API process: ${fmt.mb(f.rss.before)} MB before any subscriber, ${f.rss.perThousand
    .map((p) => `${fmt.mb(p.mb)} MB with ${fmt.int(p.open)}`)
    .join(', ')}; ${fmt.mb(f.rss.after)} MB after the ${f.versions} versions.
${LIVE_END}`;
}

export function spliceLive(existing: string | null, r: LiveReport): string {
  return spliceSection(existing, renderLive(r), LIVE_START, LIVE_END, [
    '\n## Start to ready',
    '\n## Targets from the issue',
  ]);
}
