// npm run example:loader -- --out <dir> [--election <id> | --country <CC>] [--follow] [--interval <s>]
// A newsroom's loader: mirrors every change to public data into <dir>, one JSON file per URL the
// change feed (GET /v1/changes) names, and keeps its cursor in <dir>/cursor. Run it again (or keep
// it running with --follow) and it takes up where it stopped: each change once, in order. The cursor
// belongs to the filter it was read with: one folder per --election or --country.
// API_URL=https://... (default http://localhost:3000)
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { components } from './api.js';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string' },
    election: { type: 'string' },
    country: { type: 'string' },
    follow: { type: 'boolean', default: false },
    interval: { type: 'string', default: '5' },
  },
});
if (!args.out) {
  console.error('usage: newsroom-loader --out <dir> [--election <id> | --country <CC>] [--follow] [--interval <s>]');
  process.exit(2);
}
const out = args.out;
const intervalMs = Number(args.interval) * 1000;
const baseUrl = process.env.API_URL ?? 'http://localhost:3000';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => (stopping = true));

/** Written aside, then renamed: a crash never leaves half a file (or half a cursor). */
async function writeAtomically(file: string, text: string) {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(`${file}.partial`, text);
  await rename(`${file}.partial`, file);
}

const cursorFile = join(out, 'cursor');
const readCursor = () =>
  readFile(cursorFile, 'utf8').then(
    (text) => text.trim(),
    () => '0',
  );

/**
 * GETs `path`, retrying what a client should retry (the network, 429, 503) after the server's
 * Retry-After or a growing pause; any other failure ends the run (exit 1) with the problem's detail.
 */
async function fetchJson(path: string): Promise<unknown> {
  for (let attempt = 1; ; attempt += 1) {
    const response = await fetch(new URL(path, baseUrl), { headers: { accept: 'application/json' } }).catch(
      (err: Error) => err,
    );
    if (response instanceof Response && response.ok) return response.json();
    const retryable = !(response instanceof Response) || response.status === 429 || response.status === 503;
    if (!retryable || attempt === 5) {
      const why =
        response instanceof Response
          ? `${response.status} ${((await response.json().catch(() => ({}))) as { detail?: string }).detail ?? ''}`
          : response.message;
      console.error(`GET ${path}: ${why}`);
      process.exit(1);
    }
    const retryAfter = response instanceof Response ? Number(response.headers.get('retry-after')) : NaN;
    await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 500 * 2 ** attempt);
  }
}

let since = await readCursor();
let seen = 0;
for (;;) {
  const query = new URLSearchParams({ since, limit: '100' });
  if (args.election) query.set('election', args.election);
  if (args.country) query.set('country', args.country);
  // Typed from the OpenAPI document (api.d.ts); read with the same retries as the records.
  const data = (await fetchJson(`/v1/changes?${query.toString()}`)) as components['schemas']['ChangeFeed'];
  for (const change of data.data) {
    // The record as it is now: a result version never changes; an election or a person may again,
    // and a later change in the feed will say so.
    const body = await fetchJson(change.url);
    const file = join(out, `${change.url.replace(/^\//, '').replace(/\?.*$/, '')}.json`);
    await writeAtomically(file, `${JSON.stringify(body, null, 2)}\n`);
    const what =
      change.version === null ? change.resourceId : `${change.resourceId} ${change.contest} v${change.version}`;
    console.log(`${change.id}\t${change.kind} ${change.action}\t${what}\t${change.url}`);
    seen += 1;
  }
  // The cursor moves only once the page is on disk: a loader killed midway reads the page again
  // (writing the same files), and skips nothing.
  since = data.next;
  await writeAtomically(cursorFile, `${since}\n`);
  if (data.more) continue;
  if (!args.follow || stopping) break;
  await sleep(intervalMs);
  if (stopping) break;
}
console.log(`${seen} changes; cursor ${since}`);
