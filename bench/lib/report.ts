// docs/benchmarks.md: written by every run of npm run bench, never edited by hand.
import type { Dataset, Parameters } from './datasets.js';
import type { ExportMeasurement, Measurement } from './load.js';
import type { StartupTime } from './startup.js';
import { type PerAreaReport, perAreaGoalRows, renderPerArea } from './per-area-report.js';
import { renderSearch, type SearchReport, searchGoalRows } from './search-report.js';
import { fmt, median, ratios, table } from './stats.js';

export interface TargetResult {
  key: string;
  label: string;
  /** Which process served it (peak RSS is that process's). */
  server: string;
  rounds: Measurement[];
}

export interface ListComparison {
  endpoint: string;
  small: Measurement[];
  large: Measurement[];
}

export type CsvResult =
  | { implemented: false; status: number; detail: string }
  | { implemented: true; runs: ExportMeasurement[]; flagged?: { nodeArgs: string; runs: ExportMeasurement[] } };

export interface Explained {
  endpoint: string;
  dataset: string;
  statements: { sql: string; plan: string }[];
}

export interface Report {
  date: Date;
  command: string;
  commit: string;
  machine: { cpu: string; cores: number; memoryGb: number; kernel: string; loadBefore: number[] };
  versions: Record<string, string>;
  options: { rounds: number; duration: number; warmup: number; connections: number; seed: number };
  datasets: { large: Dataset; small: Dataset };
  parameters: { large: Parameters; small: Parameters };
  targets: TargetResult[];
  lists: ListComparison[];
  csv: CsvResult;
  startup: { api: number; embedded: { first: StartupTime; restart: StartupTime } | { error: string } };
  /** The SQL the raw-pg baselines replay: the API's for /results, and the plain row statements. */
  resultsSql: { api: string[]; rows: string[]; bodyPassedThrough: boolean };
  /** What the API children set beyond the defaults. */
  apiEnv: Record<string, string>;
  /** node's arguments in `npm start`, with which the API children run. */
  startArgs: string[];
  explains: Explained[];
  /** The searches, on the large dataset. */
  search?: SearchReport;
  /** The per-area reads, on their own dataset. */
  perArea?: PerAreaReport;
}

const maxRss = (ms: Measurement[]) => {
  const values = ms.map((m) => m.peakRssMb).filter((v): v is number => v !== null);
  return values.length ? Math.max(...values) : null;
};

const BASELINES = ['hello', 'raw-pg', 'raw-pg-api'] as const;

/** A target's ratio to a baseline (median of rounds), '1' for the baseline itself, blank above it. */
function ratioCell(r: Report, t: TargetResult, key: (typeof BASELINES)[number]): string {
  if (t.key === key) return '1';
  if (key !== 'hello' && BASELINES.includes(t.key as (typeof BASELINES)[number])) return '';
  return fmt.ratio(
    median(
      ratios(
        t,
        r.targets.find((b) => b.key === key),
      ),
    ),
  );
}

export function summaryTable(r: Report): string {
  return table(
    [
      'target',
      'req/s',
      'p50 ms',
      'p99 ms',
      '× hello-world',
      '× raw pg rows',
      "× raw pg API's SQL",
      'peak RSS MB',
      'non-2xx',
    ],
    r.targets.map((t) => [
      t.label,
      fmt.int(median(t.rounds.map((m) => m.rps))),
      fmt.ms(median(t.rounds.map((m) => m.p50))),
      fmt.ms(median(t.rounds.map((m) => m.p99))),
      ratioCell(r, t, 'hello'),
      ratioCell(r, t, 'raw-pg'),
      ratioCell(r, t, 'raw-pg-api'),
      fmt.mb(maxRss(t.rounds)),
      String(t.rounds.reduce((n, m) => n + m.non2xx + m.errors, 0)),
    ]),
  );
}

export function listTable(r: Report): string {
  return table(
    [
      'endpoint',
      `p50 ms, ${r.datasets.small.rows.vote_shares.toLocaleString('en')} lines`,
      `p50 ms, ${r.datasets.large.rows.vote_shares.toLocaleString('en')} lines`,
      'ratio (median of rounds)',
      'req/s small → large',
    ],
    r.lists.map((l) => [
      l.endpoint,
      fmt.ms(median(l.small.map((m) => m.p50))),
      fmt.ms(median(l.large.map((m) => m.p50))),
      fmt.ratio(median(l.large.map((m, i) => m.p50 / (l.small[i]?.p50 ?? Number.NaN)))),
      `${fmt.int(median(l.small.map((m) => m.rps)))} → ${fmt.int(median(l.large.map((m) => m.rps)))}`,
    ]),
  );
}

function csvSection(r: Report): string {
  if (!r.csv.implemented)
    return `Not implemented: \`GET /v1/vote-shares?format=csv\` answers HTTP ${r.csv.status} (${r.csv.detail}).`;
  const variants: [string, ExportMeasurement[]][] = [
    [`as npm start runs it (\`node ${r.startArgs.join(' ')}\`)`, r.csv.runs],
  ];
  if (r.csv.flagged)
    variants.push([`V8's default heap limit (\`node ${r.csv.flagged.nodeArgs}\`)`, r.csv.flagged.runs]);
  const rows = variants.flatMap(([variant, runs]) => runs.map((m, i) => [variant, String(i + 1), m] as const));
  return table(
    [
      'API process',
      'round',
      'HTTP',
      'lines',
      'MB',
      'first byte ms',
      'total s',
      'lines/s',
      'server RSS before MB',
      'server peak RSS MB',
    ],
    rows.map(([variant, round, m]) => [
      variant,
      round,
      String(m.status),
      fmt.int(m.lines),
      (m.bytes / 1e6).toFixed(1),
      fmt.ms(m.firstByteMs),
      (m.ms / 1000).toFixed(1),
      fmt.int(m.lines / (m.ms / 1000)),
      fmt.mb(m.startRssMb),
      fmt.mb(m.peakRssMb),
    ]),
  );
}

function goals(r: Report): string {
  const find = (key: string) => r.targets.find((t) => t.key === key);
  const hello = find('hello');
  const warm = find('results-warm');
  const cold = find('results-cold');
  const mark = (ok: boolean | null) => (ok === null ? '–' : ok ? 'met' : 'not met');
  const warmRatio = warm ? median(ratios(warm, hello)) : Number.NaN;
  const warmBr = find('results-warm-br');
  const warmBrRatio = warmBr ? median(ratios(warmBr, hello)) : Number.NaN;
  const coldRatio = (key: string) => (cold ? median(ratios(cold, find(key))) : Number.NaN);
  const [rowsRatio, sameSqlRatio] = [coldRatio('raw-pg'), coldRatio('raw-pg-api')];
  const rows: string[][] = [
    [
      'warm `/results` ≥ 0.6× hello-world',
      fmt.ratio(warmRatio),
      mark(Number.isFinite(warmRatio) ? warmRatio >= 0.6 : null),
    ],
    [
      '(for comparison) the same as browsers ask, `Accept-Encoding: gzip, deflate, br` (brotli body from the cache)',
      fmt.ratio(warmBrRatio),
      Number.isFinite(warmBrRatio) ? (warmBrRatio >= 0.6 ? 'met too' : 'would not be met') : '–',
    ],
    [
      'uncached `/results` (cold) ≥ 0.9× raw pg: the row statements (the results query of the issue)',
      fmt.ratio(rowsRatio),
      mark(Number.isFinite(rowsRatio) ? rowsRatio >= 0.9 : null),
    ],
    [
      "uncached `/results` (cold) ≥ 0.9× raw pg: the API's own statement, body passed through",
      fmt.ratio(sameSqlRatio),
      mark(Number.isFinite(sameSqlRatio) ? sameSqlRatio >= 0.9 : null),
    ],
  ];
  for (const l of r.lists) {
    const ratio = median(l.large.map((m, i) => m.p50 / (l.small[i]?.p50 ?? Number.NaN)));
    rows.push([
      `${l.endpoint}: p50 at large ≤ 1.5× at small`,
      fmt.ratio(ratio),
      mark(Number.isFinite(ratio) ? ratio <= 1.5 : null),
    ]);
  }
  if (r.csv.implemented) {
    const peak = Math.max(...r.csv.runs.map((m) => m.peakRssMb ?? Number.NaN));
    rows.push([
      'full CSV export peak RSS ≤ 200 MB (as `npm start` runs the API)',
      `${fmt.mb(peak)} MB`,
      mark(Number.isFinite(peak) ? peak <= 200 : null),
    ]);
    if (r.csv.flagged) {
      const flagged = Math.max(...r.csv.flagged.runs.map((m) => m.peakRssMb ?? Number.NaN));
      rows.push([
        `(for comparison) the same without npm start's heap limit (\`node ${r.csv.flagged.nodeArgs}\`)`,
        `${fmt.mb(flagged)} MB`,
        Number.isFinite(flagged) ? (flagged <= 200 ? 'met too' : 'would not be met') : '–',
      ]);
    }
  } else rows.push(['full CSV export peak RSS ≤ 200 MB', 'not implemented', '–']);
  if ('error' in r.startup.embedded)
    rows.push(['embedded start to ready ≤ 3 s', `failed: ${r.startup.embedded.error}`, '–']);
  else {
    const ms = r.startup.embedded.restart.readyMs ?? r.startup.embedded.restart.wallMs;
    rows.push(['embedded start to ready ≤ 3 s (existing data dir)', `${(ms / 1000).toFixed(2)} s`, mark(ms <= 3000)]);
  }
  if (r.search) rows.push(...searchGoalRows(r.search));
  if (r.perArea) rows.push(...perAreaGoalRows(r.perArea));
  return table(['target (issue)', 'measured (median)', 'status'], rows);
}

function roundsTable(r: Report): string {
  const [hello, raw, rawApi] = BASELINES.map((key) => r.targets.find((t) => t.key === key));
  const head = [
    'target',
    ...Array.from({ length: r.options.rounds }, (_, i) => `round ${i + 1}: req/s (× hello, × raw rows, × raw API SQL)`),
  ];
  return table(
    head,
    r.targets.map((t) => {
      const [h, p, q] = [ratios(t, hello), ratios(t, raw), ratios(t, rawApi)];
      return [
        t.label,
        ...t.rounds.map(
          (m, i) => `${fmt.int(m.rps)} (${[h, p, q].map((x) => fmt.ratio(x[i] ?? Number.NaN)).join(', ')})`,
        ),
      ];
    }),
  );
}

export function renderReport(r: Report): string {
  const { large, small } = r.datasets;
  const datasetRows = (Object.keys(large.rows) as (keyof Dataset['rows'])[]).map((k) => [
    k,
    large.rows[k].toLocaleString('en'),
    small.rows[k].toLocaleString('en'),
  ]);
  const synthLine = (d: Dataset) =>
    d.synth
      ? `${d.synth.rows.toLocaleString('en')} rows in ${d.synth.seconds.toFixed(1)} s (${fmt.int(d.synth.rows / d.synth.seconds)} rows/s)`
      : 'reused from an earlier run (--reuse)';
  const p = r.parameters;
  const embedded = r.startup.embedded;
  return `# Benchmarks

Written by \`${r.command}\` on ${r.date.toISOString().replace('T', ' ').slice(0, 16)} UTC (commit ${r.commit}).
Regenerate it rather than editing it. How the harness works: [bench/README.md](../bench/README.md).

## Machine and versions

| | |
|---|---|
| CPU | ${r.machine.cpu} |
| cores (nproc) | ${r.machine.cores} |
| memory | ${r.machine.memoryGb.toFixed(1)} GB |
| kernel | ${r.machine.kernel} |
| load average before the run | ${r.machine.loadBefore.map((l) => l.toFixed(2)).join(', ')} |
${Object.entries(r.versions)
  .map(([k, v]) => `| ${k} | ${v} |`)
  .join('\n')}

Load: autocannon, ${r.options.connections} connections, ${r.options.duration} s per measurement, ${r.options.rounds} round(s),
${r.options.warmup} s warm-up per target before the first round. Every figure below is the median of the rounds;
ratios are computed per round, each target against its baseline measured right before the targets
compared with it (hello-world, then the two warm reads; the raw pg baselines, then the cold reads), then the median
is taken. This machine also runs PostgreSQL and the load generator, and other work
may run beside the bench: expect ±25–40% between runs, compare ratios rather than raw req/s.

## Dataset

\`npm run db:synth\` data (seed ${r.options.seed}) on PostgreSQL, in two databases: \`${large.name}\` and \`${small.name}\`.

| table | ${large.name} | ${small.name} |
|---|---:|---:|
${datasetRows.map((row) => `| ${row.join(' | ')} |`).join('\n')}

Synth speed: ${large.name}: ${synthLine(large)}; ${small.name}: ${synthLine(small)}.

Request parameters, picked from each dataset the same way: the country with most elections, the
candidate with most lines and that candidate's surname as the search, ${p.large.coldIds.length.toLocaleString('en')} elections in a fixed shuffled order
for cold \`/results\`.

| | ${large.name} | ${small.name} |
|---|---|---|
| country | ${p.large.country} | ${p.small.country} |
| candidate | ${p.large.candidate} | ${p.small.candidate} |
| q | ${p.large.query} | ${p.small.query} |
| warm election | ${p.large.warmId} | ${p.small.warmId} |

## Throughput and latency (${large.name})

${summaryTable(r)}

- **hello-world**: plain Fastify, same version and logger settings as the API, \`GET /\` → \`{"hello":"world"}\`.
- **raw pg rows**: the row statements of a result version (the contest, its version, areas, lines and
  sources, in turn, as an ORM-style service reads them: the tests' reference rendering, captured below),
  replayed with \`pg\` directly and the rows returned as plain JSON.
- **raw pg API's SQL**: the statement the API itself runs for \`/results\` (captured the same way),
  replayed with \`pg\`${r.resultsSql.bodyPassedThrough ? ', its finished JSON body sent as it is, as the API does' : ' and the rows returned as plain JSON'}: Fastify + \`pg\`
  + PostgreSQL with nothing of the API's.
- Both raw baselines walk the same shuffled elections as *cold*, with ${r.command.includes('--raw-prepared') ? "named (prepared) statements, as the API's results reads" : "unnamed statements, planned on every request (`--raw-prepared` names them, as the API's results reads are)"}.
- **cold**: each request asks for another election (no two neighbours alike), so nothing but
  PostgreSQL's own buffers can help; the API runs with \`RESULTS_CACHE_MB=0\`. **warm**: the same
  election every time, the default cache on.
- The API children run as \`npm start\` runs the API (\`node ${r.startArgs.join(' ')}\`, after \`npm run build\`), with the defaults except ${Object.entries(
    r.apiEnv,
  )
    .map(([k, v]) => `\`${k}=${v}\``)
    .join(', ')}: every request
  comes from one address, so the per-IP limit (default 1200/min) would answer 429; the limiter stays
  on and its cost is measured. Load shedding (\`OVERLOAD_MAX_EVENT_LOOP_DELAY_MS\`) keeps its default
  (1000 ms); a shed request would show as non-2xx. The hello-world baseline has neither.
- Peak RSS is that of the server process under test during the measurement (kernel high-water mark,
  reset before each run); one API process serves the warm target and the large-dataset lists, another
  (cache off) the cold target, a third the small-dataset lists.

### Every round

${roundsTable(r)}

## List endpoints: ${small.rows.vote_shares.toLocaleString('en')} vs ${large.rows.vote_shares.toLocaleString('en')} lines

${listTable(r)}

## Full CSV export

\`GET /v1/vote-shares?format=csv\` (every current line), one full download per round by a client that
reads as fast as it can. Each runs on an API process of its own (started with the others, serving
nothing else), so its peak RSS is the export's and not the high-water mark of the load tests above
(the API process that served those stood at the peak RSS of the table above before its export).
*RSS before* is the process's resident size when the download starts: Node, the compiled app, and
what earlier rounds left. The first process runs as \`npm start\` does (\`node ${r.startArgs.join(' ')}\`);
the second differs only in V8's heap limit (left at V8's default for this machine), to show how much
of the peak is heap growth rather than data held: V8 lets the heap grow further before it collects
when its limit is high.

${csvSection(r)}
${r.search ? `\n${renderSearch(r.search)}\n` : ''}${r.perArea ? `\n${renderPerArea(r.perArea)}\n` : ''}
## Start to ready

- API on PostgreSQL (as \`npm start\` runs it after its build: Node start-up, migrations and seed check, listen, until \`/readyz\` answers): ${(r.startup.api / 1000).toFixed(2)} s
${
  'error' in embedded
    ? `- Embedded (PGlite): failed: ${embedded.error}`
    : `- Embedded (PGlite), \`npm start\` on a new data dir (initdb, migrations, seed): ${fmt.ms(embedded.first.readyMs ?? Number.NaN)} ms as logged (readyMs), ${embedded.first.wallMs} ms from spawn
- Embedded (PGlite), restart on the existing data dir: ${fmt.ms(embedded.restart.readyMs ?? Number.NaN)} ms as logged (readyMs), ${embedded.restart.wallMs} ms from spawn`
}

## Targets from the issue

${goals(r)}

## The SQL behind \`/v1/elections/{id}/results\`

What the API runs for \`/results\` (without its cache), and the *raw pg API's SQL* baseline replays${r.resultsSql.bodyPassedThrough ? ' (one statement: PostgreSQL writes the JSON body)' : ''}:

${r.resultsSql.api.map((s) => `\`\`\`sql\n${s}\n\`\`\``).join('\n\n')}

The plain row statements (the tests' reference rendering, \`test/helpers/results-reference.ts\`), which
the *raw pg rows* baseline replays (in turn, each taking what it needs from the rows before it):

${r.resultsSql.rows.map((s) => `\`\`\`sql\n${s}\n\`\`\``).join('\n\n')}

## Query plans

\`EXPLAIN (ANALYZE, BUFFERS)\` of every statement \`/results\` and each list endpoint ran (captured from
the app), after the load rounds. Compare *Planning Time* with *Execution Time*: the results reads are
prepared (named) statements, planned once per connection; the list queries are unnamed, so
PostgreSQL plans them on every request.

${r.explains
  .map(
    (e) =>
      `### ${e.endpoint} (${e.dataset})\n\n${e.statements
        .map((s) => `\`\`\`sql\n${s.sql}\n\`\`\`\n\n\`\`\`\n${s.plan}\n\`\`\``)
        .join('\n\n')}`,
  )
  .join('\n\n')}
`;
}
