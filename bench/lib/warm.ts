// `--only warm`: the warm `/results` read against a bare Fastify route that sends the same bytes
// with the same headers (bench/servers/hello.ts, `/bare`), and the hello-world for reference.
import { type Measurement, rawResponse } from './load.js';
import type { Server } from './servers.js';
import { type SectionMeta, spliceSection } from './splice.js';
import { fmt, median, table } from './stats.js';

/** Headers the bare route must not copy: the connection's own, and what Fastify sets from the body. */
const PER_CONNECTION = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/** One response as the load generator gets it (no Accept-Encoding, as autocannon sends), to replay. */
export async function captureResponse(
  server: Server,
  path: string,
): Promise<{ headers: Record<string, string>; body: string }> {
  const res = await rawResponse(server, path);
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers))
    if (!PER_CONNECTION.has(name) && value !== undefined)
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return { headers, body: res.body.toString('base64') };
}

export interface WarmReport extends SectionMeta {
  path: string;
  bytes: number;
  headers: string[];
  rounds: { hello: Measurement; bare: Measurement; warm: Measurement }[];
}

const START = '<!-- warm-vs-bare: start -->';
const END = '<!-- warm-vs-bare: end -->';

export function warmGoalRow(report: WarmReport): string[] {
  const ratio = median(report.rounds.map((r) => r.warm.rps / r.bare.rps));
  return [
    'warm `/results` ≥ 0.85× a bare Fastify route sending the same bytes and headers',
    fmt.ratio(ratio),
    ratio >= 0.85 ? 'met' : 'not met',
  ];
}

/** Server CPU (every thread, from /proc) per 2xx answer, in µs; null where /proc cannot tell. */
const cpuPerRequest = (m: Measurement): number | null => (m.serverCpu === null ? null : (m.serverCpu / m.rps) * 1e6);
const cpuCell = (us: number | null) => (us === null ? '—' : us.toFixed(0));
const medianOrNull = (values: (number | null)[]) => (values.includes(null) ? null : median(values as number[]));

export function renderWarm(report: WarmReport): string {
  const r = report.rounds;
  const med = (f: (x: (typeof r)[number]) => number) => median(r.map(f));
  const o = report.options;
  return [
    START,
    '## Warm `/results` against a bare Fastify route',
    '',
    `\`${report.command}\` at ${report.commit}, ${report.date.toISOString()}; ${report.machine.cpu}, ` +
      `${report.machine.cores} cores, load before ${report.machine.loadBefore.map((l) => l.toFixed(2)).join(' ')}; ` +
      `${o.rounds} rounds of ${o.duration} s (warm-up ${o.warmup} s), ${o.connections} connections, ` +
      'each round hello-world, bare route, API back to back.',
    '',
    `\`GET ${report.path}\` (${fmt.int(report.bytes)} bytes, served from the results cache) on the API as ` +
      '`npm start` runs it, and the same bytes with the same headers from a plain Fastify route with the ' +
      `API's logger settings (\`bench/servers/hello.ts\`, \`/bare\`). Headers replayed: ${report.headers.map((h) => `\`${h}\``).join(', ')}.`,
    '',
    'Server CPU per request is the CPU time of the server process (every thread, from `/proc`) over ' +
      'its 2xx answers: less sensitive than a rate to what else the two shared cores are doing.',
    '',
    table(
      ['', 'req/s (median)', 'p50 ms', 'p99 ms', 'server CPU µs/request (median)'],
      (['hello', 'bare', 'warm'] as const).map((key) => [
        { hello: 'hello-world `GET /`', bare: 'bare route, the same bytes', warm: 'the API, warm `/results`' }[key],
        fmt.int(med((x) => x[key].rps)),
        fmt.ms(med((x) => x[key].p50)),
        fmt.ms(med((x) => x[key].p99)),
        cpuCell(medianOrNull(r.map((x) => cpuPerRequest(x[key])))),
      ]),
    ),
    '',
    table(
      ['goal', 'measured (median of rounds)', ''],
      [
        warmGoalRow(report),
        ['(for reference) warm `/results` against hello-world', fmt.ratio(med((x) => x.warm.rps / x.hello.rps)), ''],
        ['(for reference) the bare route against hello-world', fmt.ratio(med((x) => x.bare.rps / x.hello.rps)), ''],
      ],
    ),
    '',
    '### Every round (warm)',
    '',
    table(
      [
        'round',
        'hello req/s',
        'bare req/s',
        'API req/s',
        'API / bare',
        'API p50 / p99 ms',
        'CPU µs/request: bare, API',
      ],
      r.map((x, i) => [
        String(i + 1),
        fmt.int(x.hello.rps),
        fmt.int(x.bare.rps),
        fmt.int(x.warm.rps),
        fmt.ratio(x.warm.rps / x.bare.rps),
        `${fmt.ms(x.warm.p50)} / ${fmt.ms(x.warm.p99)}`,
        `${cpuCell(cpuPerRequest(x.bare))}, ${cpuCell(cpuPerRequest(x.warm))}`,
      ]),
    ),
    END,
  ].join('\n');
}

export const spliceWarm = (existing: string | null, report: WarmReport) =>
  spliceSection(existing, renderWarm(report), START, END, [
    // Before the records section's own marker: inside it, a records run would overwrite it.
    '<!-- records: start',
    '## Start to ready',
  ]);
