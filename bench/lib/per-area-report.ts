// The per-area section of docs/benchmarks.md: part of every full run's report, and the only part
// `--only per-area` rewrites (between its two markers; the rest of the file stays as it was).
import type { Measurement } from './load.js';
import { type AreaDataset, PER_AREA_COUNTRY, PER_AREA_LEVEL, PER_AREA_LINES } from './per-area.js';
import type { TargetResult } from './report.js';
import { fmt, median, ratios, table } from './stats.js';
import { type SectionMeta, spliceSection } from './splice.js';

export interface PerAreaReport extends SectionMeta {
  dataset: AreaDataset;
  warmId: string;
  coldElections: number;
  /** Response bodies of the warm election, as sent: plain, and as browsers ask (compressed). */
  bodies: { national: number; perArea: number; nationalBr: number; perAreaBr: number };
  rawPrepared: boolean;
  /** The API's statement returns the finished body, which the raw baseline sends as it is. */
  bodyPassedThrough: boolean;
  targets: TargetResult[];
  explain: { sql: string; plan: string }[];
}

export const START = '<!-- per-area: start (npm run bench -- --only per-area rewrites this section alone) -->';
export const END = '<!-- per-area: end -->';

/** Each target measured right after its baseline in every round: the ratio is to that baseline. */
const BASELINE: Record<string, string> = {
  'area-warm': 'area-national-warm',
  'area-warm-br': 'area-national-warm-br',
  'area-cold': 'area-raw',
};

const find = (r: PerAreaReport, key: string) => r.targets.find((t) => t.key === key);
/** The server's CPU time per request, in ms, in each round. */
const cpuPerRequest = (t: TargetResult | undefined) =>
  t?.rounds.map((m) => (m.serverCpu === null ? Number.NaN : (m.serverCpu * 1000) / m.rps)) ?? [];
/**
 * Per round, the baseline server's CPU per request over the target's: the req/s ratio if each server
 * had the CPU to itself and nothing else (client, database) limited it.
 */
const cpuRatioOf = (r: PerAreaReport, key: string) => {
  const [target, baseline] = [cpuPerRequest(find(r, key)), cpuPerRequest(find(r, BASELINE[key]!))];
  return median(target.map((ms, i) => (baseline[i] ?? Number.NaN) / ms));
};
const ratioOf = (r: PerAreaReport, key: string) => {
  const t = find(r, key);
  return t ? median(ratios(t, find(r, BASELINE[key]!))) : Number.NaN;
};
const maxRss = (ms: Measurement[]) => {
  const values = ms.map((m) => m.peakRssMb).filter((v): v is number => v !== null);
  return values.length ? Math.max(...values) : null;
};
const cores = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const mark = (ratio: number, goal: number) => (Number.isFinite(ratio) ? (ratio >= goal ? 'met' : 'not met') : '–');

export function perAreaSummary(r: PerAreaReport): string {
  return table(
    [
      'target',
      'req/s',
      'p50 ms',
      'p99 ms',
      'ratio (median of rounds)',
      'server CPU (cores)',
      'autocannon CPU (cores)',
      'peak RSS MB',
      'non-2xx',
    ],
    r.targets.map((t) => {
      const baseline = BASELINE[t.key];
      const of = baseline && find(r, baseline);
      return [
        t.label,
        fmt.int(median(t.rounds.map((m) => m.rps))),
        fmt.ms(median(t.rounds.map((m) => m.p50))),
        fmt.ms(median(t.rounds.map((m) => m.p99))),
        of ? `${fmt.ratio(ratioOf(r, t.key))} of the row above` : 'baseline',
        cores(median(t.rounds.map((m) => m.serverCpu ?? Number.NaN))),
        cores(median(t.rounds.map((m) => m.clientCpu))),
        fmt.mb(maxRss(t.rounds)),
        String(t.rounds.reduce((n, m) => n + m.non2xx + m.errors, 0)),
      ];
    }),
  );
}

/** The issue's per-area targets, as rows of a "target, measured, status" table. */
export function perAreaGoalRows(r: PerAreaReport): string[][] {
  const warm = ratioOf(r, 'area-warm');
  const warmBr = ratioOf(r, 'area-warm-br');
  const cold = ratioOf(r, 'area-cold');
  const path = `\`/results?area=${PER_AREA_COUNTRY}&level=${PER_AREA_LEVEL}\``;
  return [
    [`${path} warm ≥ 0.8× the warm national \`/results\` of the same contest`, fmt.ratio(warm), mark(warm, 0.8)],
    [
      '(for comparison) the same, both as browsers ask (`Accept-Encoding: gzip, deflate, br`)',
      fmt.ratio(warmBr),
      Number.isFinite(warmBr) ? (warmBr >= 0.8 ? 'met too' : 'would not be met') : '–',
    ],
    [`${path} cold (results cache off) ≥ 0.9× its own SQL run through \`pg\``, fmt.ratio(cold), mark(cold, 0.9)],
    [
      '(for comparison) server CPU per request, warm: national ÷ per-area (the ratio if the server alone were the limit)',
      fmt.ratio(cpuRatioOf(r, 'area-warm')),
      '',
    ],
    ['(for comparison) server CPU per request, cold: raw pg ÷ API', fmt.ratio(cpuRatioOf(r, 'area-cold')), ''],
  ];
}

export function perAreaGoals(r: PerAreaReport): string {
  return table(['target (issue)', 'measured (median)', 'status'], perAreaGoalRows(r));
}

function roundsTable(r: PerAreaReport): string {
  return table(
    ['target', ...Array.from({ length: r.options.rounds }, (_, i) => `round ${i + 1}: req/s (ratio)`)],
    r.targets.map((t) => {
      const of = ratios(t, find(r, BASELINE[t.key] ?? ''));
      return [
        t.label,
        ...t.rounds.map((m, i) => `${fmt.int(m.rps)}${of.length ? ` (${fmt.ratio(of[i] ?? Number.NaN)})` : ''}`),
      ];
    }),
  );
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** The section, between its markers. */
export function renderPerArea(r: PerAreaReport): string {
  const d = r.dataset;
  const build = d.build
    ? `written in ${d.build.seconds.toFixed(1)} s through \`insertVersions\` (${fmt.int(d.build.lines / d.build.seconds)} lines/s, while nothing else of the bench ran)`
    : 'reused from an earlier run (`--reuse`)';
  return `${START}
## Per-area results: \`?area=${PER_AREA_COUNTRY}&level=${PER_AREA_LEVEL}\`

Written by \`${r.command}\` on ${r.date.toISOString().replace('T', ' ').slice(0, 16)} UTC (commit ${r.commit}).
A run with \`--only per-area\` rewrites this section alone: the rest of the file may come from
another run (named at the top). ${r.machine.cpu}, ${r.machine.cores} cores, load average before the
run ${r.machine.loadBefore.map((l) => l.toFixed(2)).join(', ')}; ${Object.entries(r.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}.

Load: autocannon, ${r.options.connections} connections, ${r.options.duration} s per measurement, ${r.options.rounds} round(s), ${r.options.warmup} s
warm-up per target before the first round. Figures are medians of the rounds; each ratio is taken
per round between two targets measured back to back (the target right after its baseline), then
the median is taken.

Dataset \`${d.name}\`, made by the bench (\`bench/lib/per-area.ts\`): the seeds (for Kazakhstan's
${d.regions} regions), then ${fmt.int(d.elections)} synthetic presidential elections in Kazakhstan, all under the source
\`synthetic-dataset\` (invented, not real results), each with one certified version of its main
contest: ${PER_AREA_LINES} national lines (7 candidates and "against all"), and for each of the ${d.regions} regions its
turnout and the same ${PER_AREA_LINES} lines; ${build}.

| table (synthetic rows) | rows |
|---|---:|
${Object.entries(d.rows)
  .map(([k, v]) => `| ${k} | ${fmt.int(v)} |`)
  .join('\n')}

Response bodies of the warm election (\`${r.warmId}\`): national \`/results\` ${kb(r.bodies.national)}
(${kb(r.bodies.nationalBr)} as browsers ask), \`?area=${PER_AREA_COUNTRY}&level=${PER_AREA_LEVEL}\` ${kb(r.bodies.perArea)} (${kb(r.bodies.perAreaBr)} as browsers ask).

${perAreaSummary(r)}

- **warm**: one election asked for over and over, on one API process with the default results cache;
  the national \`/results\` and the per-area read are the same contest and version.
- **cold**: the API with \`RESULTS_CACHE_MB=0\`, each request for another of ${fmt.int(r.coldElections)} elections in a fixed
  shuffled order. **raw pg**: the statement the API runs for that read (captured from the app, below),
  replayed with \`pg\` alone over the same walk, ${r.rawPrepared ? 'as a named (prepared) statement, as the API runs it' : 'unnamed, planned on every request (`--raw-prepared` names it, as the API does)'},${r.bodyPassedThrough ? ' its JSON body (written by PostgreSQL) sent as it is, as the API does' : ' its rows returned as JSON'}.
- **server CPU**, **autocannon CPU**: the CPU time of the server process (\`/proc/<pid>/stat\`) and of the
  bench's own process, which runs autocannon, per second of measurement (1.00: one core busy). On a
  shared 2-core machine a target's req/s is bounded by whichever process gets too little CPU;
  CPU ÷ req/s is what one request costs that process, whatever else runs.
- The API children run as \`npm start\` runs the API, with the bench's settings of the section
  *Throughput and latency* (\`RATE_LIMIT_MAX\` only).

### Targets from the issue (per area)

${perAreaGoals(r)}

### Every round

${roundsTable(r)}

### The per-area statement

What the API runs for \`?area=${PER_AREA_COUNTRY}&level=${PER_AREA_LEVEL}\` without its cache, and the raw pg baseline replays, with
\`EXPLAIN (ANALYZE, BUFFERS)\` after the load rounds:

${r.explain.map((s) => `\`\`\`sql\n${s.sql}\n\`\`\`\n\n\`\`\`\n${s.plan}\n\`\`\``).join('\n\n')}
${END}`;
}

/**
 * The report `existing` with its per-area section replaced by `r`'s (or inserted before "Start to
 * ready", else before the targets, else at the end).
 */
export function splicePerArea(existing: string | null, r: PerAreaReport): string {
  return spliceSection(existing, renderPerArea(r), START, END, ['\n## Start to ready', '\n## Targets from the issue']);
}
