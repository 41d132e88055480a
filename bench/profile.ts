// `npm run bench:profile -- --path P [--path Q …] [--seconds 8] [--connections 50]`: where the API's
// CPU goes under load. For each path, the API runs as `npm start` runs it (compiled, on
// DATABASE_URL, with the bench's settings) under V8's CPU profiler (--cpu-prof), autocannon loads it
// for the given seconds, and the profile is summarised: the share of the server's CPU samples by
// package (or the API's own module), and the functions with most self time. It prints Markdown, for
// docs/profiles.md. A script, not a test: nothing here asserts a time.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_API_ENV } from './lib/api-env.js';
import { measure } from './lib/load.js';
import { buildApi, startApi, startArgs } from './lib/servers.js';

const { values: flags } = parseArgs({
  options: {
    path: { type: 'string', multiple: true, default: [] },
    seconds: { type: 'string', default: '8' },
    connections: { type: 'string', default: '50' },
    top: { type: 'string', default: '15' },
  },
});
const url = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (!url || flags.path.length === 0) {
  console.error(
    'usage: DATABASE_URL=postgres://…/elections_bench npm run bench:profile -- --path /v1/countries?limit=50',
  );
  process.exit(2);
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a function lives: a package, one of the API's modules, Node, or V8's own buckets. */
function bucketOf(frame: ProfileNode['callFrame']): string {
  if (frame.url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url);
  if (pkg) return pkg[1]!;
  const own = /\/dist\/(.+)\.js$/.exec(frame.url);
  if (own) return `api: ${own[1]}`;
  if (frame.url.startsWith('node:')) return 'node (internals)';
  return frame.url;
}

function summarise(profile: Profile, top: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const buckets = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue; // waiting, not working
    total += us;
    const bucket = bucketOf(frame);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + us);
    const name = `${frame.functionName || '(anonymous)'} (${bucket}${frame.url ? `:${frame.lineNumber + 1}` : ''})`;
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1)}%`;
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `| ${k.replaceAll('|', '\\|')} | ${pct(us)} |`)
      .join('\n');
  return `CPU busy ${(total / 1e6).toFixed(1)} s (idle excluded).\n\n| where | share of busy CPU |\n|---|---:|\n${rows(buckets)}\n\n| function (self time) | share |\n|---|---:|\n${rows(functions)}`;
}

buildApi();
const seconds = Number(flags.seconds);
const connections = Number(flags.connections);
console.log(
  `Profiles: \`npm run bench:profile\`, ${seconds} s at ${connections} connections per path, ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 16)} UTC.\n`,
);
for (const path of flags.path) {
  const dir = mkdtempSync(join(os.tmpdir(), 'api-profile-'));
  const api = await startApi('API (profiled)', { DATABASE_URL: url, ...BENCH_API_ENV }, [
    '--cpu-prof',
    `--cpu-prof-dir=${dir}`,
    ...startArgs(),
  ]);
  const m = await measure(api, { path }, { connections, duration: seconds });
  await api.stop();
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`${path}: the API wrote no profile in ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `### \`${path}\`\n\n${Math.round(m.rps)} req/s, p50 ${m.p50} ms under the profiler. ${summarise(profile, Number(flags.top))}\n`,
  );
}
