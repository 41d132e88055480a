// The records section of docs/benchmarks.md (`--only records` rewrites it alone, between its two
// markers): single-record reads and reference lists next to their own SQL replayed with `pg`.
import type { TargetResult } from './report.js';
import type { BenchPath } from './search.js';
import { explainedStatements, type SectionMeta, spliceSection } from './splice.js';
import { fmt, median, ratios, table } from './stats.js';

export interface RecordsReport extends SectionMeta {
  /** The engine under both the API and its baseline: a PostgreSQL server, or PGlite (`--only pglite`). */
  engine: 'postgres' | 'pglite';
  dataset: { name: string; elections: number; lines: number; reused: boolean };
  /** Each path with how many statements the API ran for it. */
  paths: (BenchPath & { statements: number })[];
  rawPrepared: boolean;
  /** The body bytes of each path's answer, from the API and from its raw baseline. */
  bytes: Record<string, { api: number; raw: number }>;
  targets: TargetResult[];
  explain: { key: string; path: string; statements: { sql: string; plan: string }[] }[];
}

export const RECORDS_START = '<!-- records: start (npm run bench -- --only records rewrites this section alone) -->';
export const RECORDS_END = '<!-- records: end -->';
export const PGLITE_START = '<!-- pglite: start (npm run bench -- --only pglite rewrites this section alone) -->';
export const PGLITE_END = '<!-- pglite: end -->';
const markers = (r: RecordsReport) =>
  r.engine === 'pglite' ? { start: PGLITE_START, end: PGLITE_END } : { start: RECORDS_START, end: RECORDS_END };
/** What the API is compared with: its own statements sent straight to the same engine. */
const baseline = (r: RecordsReport) => (r.engine === 'pglite' ? 'raw PGlite' : 'raw pg');

/** The goals of issue 18 for these reads. */
export const RECORDS_RATIO = 0.8;
export const RECORDS_P99_OVER_P50 = 2;

/** Target keys of one path: raw pg, then the API. */
export const recordKeys = (key: string) => ({ raw: `record-${key}-raw`, api: `record-${key}` });

const find = (r: RecordsReport, key: string) => r.targets.find((t) => t.key === key);
const mark = (ok: boolean) => (ok ? 'met' : 'not met');
const pathOf = (path: string) => `\`${decodeURIComponent(path)}\``;
/** A figure of each round of `t`, the median of the rounds (NaN without a target). */
export const medianOfRounds = (t: TargetResult | undefined, f: (m: TargetResult['rounds'][number]) => number) =>
  t ? median(t.rounds.map(f)) : Number.NaN;
const p50 = (t: TargetResult | undefined) => medianOfRounds(t, (m) => m.p50);
const p99 = (t: TargetResult | undefined) => medianOfRounds(t, (m) => m.p99);
/** The server's CPU per request (user + system, all its threads), in µs: median of the rounds. */
export const cpuPerRequest = (t: TargetResult | undefined) =>
  medianOfRounds(t, (m) => (m.serverCpu === null || !m.rps ? Number.NaN : (m.serverCpu / m.rps) * 1e6));
const ratioOf = (r: RecordsReport, key: string) => {
  const k = recordKeys(key);
  const t = find(r, k.api);
  return t ? median(ratios(t, find(r, k.raw))) : Number.NaN;
};

export function recordsSummary(r: RecordsReport): string {
  return table(
    [
      'read',
      'statements',
      'API req/s',
      `${baseline(r)} req/s`,
      'ratio (median of rounds)',
      'API p50 ms',
      'API p99 ms',
      'non-2xx',
      'server CPU µs/request: API, raw',
      'body bytes: API, raw',
    ],
    r.paths.map((p) => {
      const k = recordKeys(p.key);
      const api = find(r, k.api);
      const raw = find(r, k.raw);
      const rps = (t: TargetResult | undefined) => (t ? fmt.int(median(t.rounds.map((m) => m.rps))) : 'n/a');
      return [
        pathOf(p.path),
        String(p.statements),
        rps(api),
        rps(raw),
        fmt.ratio(ratioOf(r, p.key)),
        fmt.ms(p50(api)),
        fmt.ms(p99(api)),
        String((api?.rounds ?? []).reduce((n, m) => n + m.non2xx + m.errors, 0)),
        `${fmt.int(cpuPerRequest(api))}, ${fmt.int(cpuPerRequest(raw))}`,
        r.bytes[p.key] ? `${fmt.int(r.bytes[p.key]!.api)}, ${fmt.int(r.bytes[p.key]!.raw)}` : 'n/a',
      ];
    }),
  );
}

export function recordsGoals(r: RecordsReport): string {
  return table(
    ['target (issue 18)', 'measured (median)', 'status'],
    r.paths.flatMap((p) => {
      const api = find(r, recordKeys(p.key).api);
      const ratio = ratioOf(r, p.key);
      const spread = p99(api) / p50(api);
      return [
        [
          `${pathOf(p.path)} ≥ ${RECORDS_RATIO}× its own SQL through ${r.engine === 'pglite' ? 'PGlite' : '`pg`'}`,
          fmt.ratio(ratio),
          mark(ratio >= RECORDS_RATIO),
        ],
        [
          `${pathOf(p.path)} p99 ≤ ${RECORDS_P99_OVER_P50}× p50`,
          `${fmt.ms(p99(api))} / ${fmt.ms(p50(api))} ms`,
          mark(spread <= RECORDS_P99_OVER_P50),
        ],
      ];
    }),
  );
}

/** Every round of every target: req/s, p50 and p99. */
export function roundsTable(r: { options: { rounds: number }; targets: TargetResult[] }): string {
  return table(
    ['target', ...Array.from({ length: r.options.rounds }, (_, i) => `round ${i + 1}: req/s, p50 ms, p99 ms`)],
    r.targets.map((t) => [t.label, ...t.rounds.map((m) => `${fmt.int(m.rps)}, ${fmt.ms(m.p50)}, ${fmt.ms(m.p99)}`)]),
  );
}

function baselineText(r: RecordsReport): string {
  const objects = `The rows come as objects keyed by column name (the driver's default) and are
  written with a plain \`JSON.stringify\` in the API's envelope: a list as \`{ data, next }\`, a
  record as its row, the rows of a further statement under \`related\` (the API nests them). The
  ratio is the cost of everything around the SQL.`;
  return r.engine === 'pglite'
    ? `- **raw PGlite**: the statements the API ran for that path (captured from the app on this data
  dir), run by PGlite in a plain Fastify process of its own, on a copy of the data dir, with the
  API's shared_buffers and the types Drizzle keeps as strings, on a route with its request log and
  nothing else (no schema, no plugins). ${objects}
- **the API**: \`npm start\`'s build and node arguments with \`DATA_DIR\` on the data dir and no
  \`DATABASE_URL\`, as a user runs the embedded default. Each process runs its one engine in its own
  thread, one statement at a time: ${r.options.connections} connections queue in front of it. A statement that holds
  the thread longer than \`OVERLOAD_MAX_EVENT_LOOP_DELAY_MS\` makes the API shed load: its non-2xx
  are those 503s (with \`Retry-After\`), which the baseline never sends.`
    : `- **raw pg**: the statements the API ran for that path (captured from the app), replayed with \`pg\`
  alone, ${r.rawPrepared ? 'as named (prepared) statements' : 'unnamed, as sent'}, on a Fastify route with its request log and nothing else
  (no schema, no plugins). ${objects}`;
}

export function renderRecords(r: RecordsReport): string {
  const { start, end } = markers(r);
  const title =
    r.engine === 'pglite'
      ? 'Records and reference lists on the embedded database (PGlite)'
      : 'Records and reference lists';
  return `${start}
## ${title}

Written by \`${r.command}\` on ${r.date.toISOString().replace('T', ' ').slice(0, 16)} UTC (commit ${r.commit}).
A run with \`--only ${r.engine === 'pglite' ? 'pglite' : 'records'}\` rewrites this section alone. ${r.machine.cpu}, ${r.machine.cores} cores, load
average before the run ${r.machine.loadBefore.map((l) => l.toFixed(2)).join(', ')}; ${Object.entries(r.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}.

Load: autocannon, req/s counting 2xx answers only, ${r.options.connections} connections, ${r.options.duration} s per measurement, ${r.options.rounds} round(s),
${r.options.warmup} s warm-up per target before the first round; medians of the rounds, each ratio taken
per round between the API and its baseline measured right before it. Dataset ${r.engine === 'pglite' ? r.dataset.name : `\`${r.dataset.name}\``}
(${fmt.int(r.dataset.elections)} synthetic elections, ${fmt.int(r.dataset.lines)} vote-share lines${r.dataset.reused ? ', reused from an earlier run' : ''}).

${baselineText(r)}
- **server CPU µs/request**: the server process's CPU time (user and system, from \`/proc\`, all its
  threads: the garbage collector's too) over the requests it answered, median of the rounds.
- **body bytes**: what each sends for the path without \`Accept-Encoding\`, as the load asks.

${recordsSummary(r)}

### Targets from the issue (${r.engine === 'pglite' ? 'records, PGlite' : 'records'})

${recordsGoals(r)}

### Every round${r.engine === 'pglite' ? ' (PGlite)' : ''}

${roundsTable(r)}

### The SQL${r.engine === 'pglite' ? ' (PGlite)' : ''}

${explainedStatements(r.explain, (path) => `${pathOf(path)}${r.engine === 'pglite' ? ' (PGlite)' : ''}`)}
${end}`;
}

/**
 * The report `existing` with the section of `r`'s engine replaced by `r`'s (or inserted before the
 * search section; PGlite's lands after PostgreSQL's).
 */
export function spliceRecords(existing: string | null, r: RecordsReport): string {
  const { start, end } = markers(r);
  return spliceSection(existing, renderRecords(r), start, end, [
    '\n<!-- search: start',
    '\n<!-- per-area: start',
    '\n## Start to ready',
  ]);
}
