// npm run example:results: the current results of Kazakhstan's presidential election of
// 20 November 2022, then its turnout region by region on election night, through a client typed
// from the OpenAPI document (examples/api.d.ts).
// API_URL=https://... npm run example:results   (default http://localhost:3000)
import createClient from 'openapi-fetch';
import type { paths } from './api.js';

const baseUrl = process.env.API_URL ?? 'http://localhost:3000';
// Some operations also answer in text/csv; this client reads JSON only (and JSON problems).
const client = createClient<paths, 'application/json' | 'application/problem+json'>({ baseUrl });

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

// The path and its parameters are checked against the document; `data` is typed as `Results`.
const { data, error, response } = await client
  .GET('/v1/elections/{id}/results', { params: { path: { id: 'kz.presidential.2022-11-20' } } })
  .catch((err: Error) => fail(`Cannot reach ${baseUrl}: ${err.message} (${String(err.cause)})`));
// Errors are RFC 9457 problem documents: `detail` says what went wrong.
if (error) fail(`${response.status} ${error.title}: ${error.detail}`);

const header = ['Name', 'Votes', '%', 'Nominator'];
const rows = data.lines.map((line) => [
  line.name,
  line.votes?.toLocaleString('en-US') ?? '—',
  String(line.percent ?? '—'), // as published; of what, `percentBase` says
  line.nominator?.name ?? '',
]);
/** A text table: the numeric columns right-aligned. */
function table(header: string[], rows: string[][], numeric: Set<number>): string {
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i]!.length)));
  const format = (row: string[]) =>
    row
      .map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [header, ...rows].map(format).join('\n');
}

console.log(`${data.electionId}, result version ${data.version}`);
console.log(`Status: ${data.status}${data.preliminary ? ' (preliminary: the figures may change)' : ''}`);
console.log(`As of: ${data.asOf ?? 'not stated'}; percentages are of: ${data.percentBase}\n`);
console.log(table(header, rows, new Set([1, 2])));
console.log('\nSources:');
for (const source of data.sources)
  console.log(`  ${source.publisher}: ${source.covers}${source.url ? ` <${source.url}>` : ''}`);

// Region by region in one request: the version of the CEC's last briefing on election night,
// one level below the country (`level=region`). Its figures are turnout: no votes were counted yet.
const night = await client.GET('/v1/elections/{id}/results/versions/{n}', {
  params: { path: { id: 'kz.presidential.2022-11-20', n: 7 }, query: { level: 'region' } },
});
if (night.error) fail(`${night.response.status} ${night.error.title}: ${night.error.detail}`);
const byRegion = [...night.data.areas]
  .sort((a, b) => (b.turnout.turnoutPercent ?? -1) - (a.turnout.turnoutPercent ?? -1))
  .map((r) => [r.area.name, r.area.isoCode ?? '', String(r.turnout.turnoutPercent ?? '—')]);
console.log(`\nTurnout by region, ${night.data.status} as of ${night.data.asOf ?? 'not stated'}:\n`);
console.log(table(['Region', 'ISO 3166-2', 'Turnout %'], byRegion, new Set([2])));
