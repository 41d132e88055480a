// npm run example:results: the current results of Kazakhstan's presidential election of
// 20 November 2022, through a client typed from the OpenAPI document (examples/api.d.ts).
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
const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i]!.length)));
const numeric = new Set([1, 2]);
const format = (row: string[]) =>
  row
    .map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
    .join('  ')
    .trimEnd();

console.log(`${data.electionId}, result version ${data.version}`);
console.log(`Status: ${data.status}${data.preliminary ? ' (preliminary: the figures may change)' : ''}`);
console.log(`As of: ${data.asOf ?? 'not stated'}; percentages are of: ${data.percentBase}\n`);
console.log([header, ...rows].map(format).join('\n'));
console.log('\nSources:');
for (const source of data.sources)
  console.log(`  ${source.publisher}: ${source.covers}${source.url ? ` <${source.url}>` : ''}`);
