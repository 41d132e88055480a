// The search section of docs/benchmarks.md: part of every full run's report, and the only part
// `--only search` rewrites (between its two markers; the rest of the file stays as it was).
import type { TargetResult } from './report.js';
import type { SearchCounts, BenchPath } from './search.js';
import { fmt, median, ratios, table } from './stats.js';
import { explainedStatements, type SectionMeta, spliceSection } from './splice.js';

export interface SearchReport extends SectionMeta {
  dataset: { name: string; elections: number; reused: boolean; counts: SearchCounts };
  /** Each query with the records on its first page. */
  queries: (BenchPath & { hits: number })[];
  rawPrepared: boolean;
  /** The API's connection settings, which the raw baseline's connections take too. */
  pgOptions: string | null;
  targets: TargetResult[];
  explain: { key: string; path: string; statements: { sql: string; plan: string }[] }[];
}

export const SEARCH_START = '<!-- search: start (npm run bench -- --only search rewrites this section alone) -->';
export const SEARCH_END = '<!-- search: end -->';

/** The goals of issue 16 for search. */
export const SEARCH_P50_MS = 10;
export const SEARCH_RATIO = 0.8;

/** Target keys of one query: raw pg then the API, at the bench's connections and at one. */
export const searchKeys = (key: string) => ({
  raw: `search-${key}-raw`,
  api: `search-${key}`,
  raw1: `search-${key}-raw-1`,
  api1: `search-${key}-1`,
});

const find = (r: SearchReport, key: string) => r.targets.find((t) => t.key === key);
const ratioOf = (r: SearchReport, key: string, baseline: string) => {
  const t = find(r, key);
  return t ? median(ratios(t, find(r, baseline))) : Number.NaN;
};
const p50 = (t: TargetResult | undefined) => (t ? median(t.rounds.map((m) => m.p50)) : Number.NaN);
/** Mean latency at one connection: one request at a time, so 1000 ÷ req/s (finer than autocannon's whole ms). */
const meanMs = (t: TargetResult | undefined) => (t ? 1000 / median(t.rounds.map((m) => m.rps)) : Number.NaN);
const cores = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const mark = (ok: boolean | null) => (ok === null ? '–' : ok ? 'met' : 'not met');
const qOf = (path: string) => `\`${decodeURIComponent(path)}\``;

/** Each API target's baseline: raw pg for the same query at the same connections. */
const baselines = (r: SearchReport) =>
  new Map(
    r.queries.flatMap((q) => {
      const k = searchKeys(q.key);
      return [
        [k.api, k.raw],
        [k.api1, k.raw1],
      ];
    }),
  );

/** Each target with its ratio to the baseline measured right before it. */
export function searchSummary(r: SearchReport): string {
  const baseline = baselines(r);
  return table(
    ['target', 'req/s', 'p50 ms', 'p99 ms', 'ratio (median of rounds)', 'server CPU (cores)', 'non-2xx'],
    r.targets.map((t) => {
      const of = baseline.get(t.key);
      return [
        t.label,
        fmt.int(median(t.rounds.map((m) => m.rps))),
        fmt.ms(p50(t)),
        fmt.ms(median(t.rounds.map((m) => m.p99))),
        of ? `${fmt.ratio(ratioOf(r, t.key, of))} of the row above` : 'baseline',
        cores(median(t.rounds.map((m) => m.serverCpu ?? Number.NaN))),
        String(t.rounds.reduce((n, m) => n + m.non2xx + m.errors, 0)),
      ];
    }),
  );
}

/** The issue's search targets, as rows of a "target, measured, status" table. */
export function searchGoalRows(r: SearchReport): string[][] {
  const rows: string[][] = [];
  for (const q of r.queries) {
    const k = searchKeys(q.key);
    const latency = p50(find(r, k.api1));
    const ratio = ratioOf(r, k.api, k.raw);
    rows.push([
      `${qOf(q.path)} p50 ≤ ${SEARCH_P50_MS} ms warm (one connection; at ${r.options.connections}: ${fmt.ms(p50(find(r, k.api)))} ms)`,
      `${fmt.ms(latency)} ms (mean ${meanMs(find(r, k.api1)).toFixed(1)} ms)`,
      mark(Number.isFinite(latency) ? latency <= SEARCH_P50_MS : null),
    ]);
    rows.push([
      `${qOf(q.path)} ≥ ${SEARCH_RATIO}× its own SQL run through \`pg\` (${r.options.connections} connections)`,
      fmt.ratio(ratio),
      mark(Number.isFinite(ratio) ? ratio >= SEARCH_RATIO : null),
    ]);
  }
  return rows;
}

export function searchGoals(r: SearchReport): string {
  return table(['target (issue)', 'measured (median)', 'status'], searchGoalRows(r));
}

function roundsTable(r: SearchReport): string {
  const baseline = baselines(r);
  return table(
    ['target', ...Array.from({ length: r.options.rounds }, (_, i) => `round ${i + 1}: req/s (ratio), p50 ms`)],
    r.targets.map((t) => {
      const of = ratios(t, find(r, baseline.get(t.key) ?? ''));
      return [
        t.label,
        ...t.rounds.map(
          (m, i) => `${fmt.int(m.rps)}${of.length ? ` (${fmt.ratio(of[i] ?? Number.NaN)})` : ''}, ${fmt.ms(m.p50)}`,
        ),
      ];
    }),
  );
}

/** The section, between its markers. */
export function renderSearch(r: SearchReport): string {
  const c = r.dataset.counts;
  return `${SEARCH_START}
## Search: \`/v1/search?q=\` and \`/v1/candidates?q=\`

Written by \`${r.command}\` on ${r.date.toISOString().replace('T', ' ').slice(0, 16)} UTC (commit ${r.commit}).
A run with \`--only search\` rewrites this section alone: the rest of the file may come from
another run (named at the top). ${r.machine.cpu}, ${r.machine.cores} cores, load average before the
run ${r.machine.loadBefore.map((l) => l.toFixed(2)).join(', ')}; ${Object.entries(r.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}.

Load: autocannon, ${r.options.connections} connections (and 1, for latency), ${r.options.duration} s per measurement, ${r.options.rounds} round(s),
${r.options.warmup} s warm-up per target before the first round. Figures are medians of the rounds; each ratio
is taken per round between two targets measured back to back (the API right after its baseline),
then the median is taken.

Dataset \`${r.dataset.name}\` (\`npm run db:synth\`, ${fmt.int(r.dataset.elections)} elections, seed 1, on the seeds${r.dataset.reused ? '; reused from an earlier run' : ''}):
what the search reads is the \`names\` table (one row per name of a person, party, area or election,
its GIN trigram index on \`search_key\`).

| | rows |
|---|---:|
| people (candidates) | ${fmt.int(c.people)} |
| people with a Cyrillic name beside their Latin one | ${fmt.int(c.peopleInTwoScripts)} |
| names (all kinds) | ${fmt.int(c.names)} |
| names in Cyrillic | ${fmt.int(c.cyrillicNames)} |
| vote-share lines | ${fmt.int(c.voteShares)} |

The queries, picked from the data the same way on every run (each record found on the first page):

${table(
  ['query', 'what', 'hits on page 1'],
  r.queries.map((q) => [qOf(q.path), q.what, String(q.hits)]),
)}

${searchSummary(r)}

- **warm**: the same query over and over (PostgreSQL's buffers hold the index and the table); the API
  has no search cache, so every request runs the search's SQL.
- **raw pg**: the statements the API ran for that query (captured from the app, below), replayed with
  \`pg\` alone, ${r.rawPrepared ? 'as named (prepared) statements' : 'unnamed (planned on every request), as the API sends them'}, the rows of each returned as JSON
  (\`JSON.stringify\`), on connections with the API's settings${r.pgOptions ? ` (\`${r.pgOptions}\`)` : ''}. The ratio to it is the cost of
  everything around the SQL: Fastify, the API's plugins, zod, Drizzle, the response.
- **1 connection**: one request at a time, so p50 is the latency of one search with nothing queued
  behind it. At ${r.options.connections} connections p50 is mostly queueing: about ${r.options.connections} ÷ req/s.
- The API runs as \`npm start\` runs it, with the bench's settings of the section *Throughput and latency*
  (\`RATE_LIMIT_MAX\` only).

### Targets from the issue (search)

${searchGoals(r)}

### Every round

${roundsTable(r)}

### The search's SQL

What the API ran for each query, and the raw pg baseline replays, with \`EXPLAIN (ANALYZE, BUFFERS)\`
after the load rounds (on a connection with the API's settings):

${explainedStatements(r.explain, qOf)}
${SEARCH_END}`;
}

/**
 * The report `existing` with its search section replaced by `r`'s (or inserted before the per-area
 * section, else before "Start to ready", else before the targets, else at the end).
 */
export function spliceSearch(existing: string | null, r: SearchReport): string {
  return spliceSection(existing, renderSearch(r), SEARCH_START, SEARCH_END, [
    '\n<!-- per-area: start',
    '\n## Start to ready',
    '\n## Targets from the issue',
  ]);
}
