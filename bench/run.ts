// npm run bench: load-tests the API against two baselines on PostgreSQL and writes
// docs/benchmarks.md. See bench/README.md.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { referenceResults } from '../test/helpers/results-reference.js';
import { BENCH_API_ENV } from './lib/api-env.js';
import { captureStatements, explain, firstPageRows, resultsPlan, type Statement } from './lib/capture.js';
import {
  type Dataset,
  type Parameters,
  pickParameters,
  type Place,
  prepareDataset,
  preparePgliteDataset,
  withClient,
  withDatabase,
} from './lib/datasets.js';
import {
  bodyBytes,
  download,
  type ExportMeasurement,
  type LoadTarget,
  type Measurement,
  measure,
  probe,
} from './lib/load.js';
import { type AreaDataset, nationalPath, perAreaPath, pickAreaParameters, prepareAreaDataset } from './lib/per-area.js';
import { type PerAreaReport, perAreaGoals, perAreaSummary, splicePerArea } from './lib/per-area-report.js';
import { pickRecordPaths } from './lib/records.js';
import type { ResultsPlan } from './lib/results-plan.js';
import { type RecordsReport, recordKeys, recordsGoals, recordsSummary, spliceRecords } from './lib/records-report.js';
import { pickSearchQueries, type BenchPath, searchCounts, searchPlan } from './lib/search.js';
import { type SearchReport, searchGoals, searchKeys, searchSummary, spliceSearch } from './lib/search-report.js';
import {
  type CsvResult,
  type Explained,
  type Report,
  listTable,
  renderReport,
  summaryTable,
  type TargetResult,
} from './lib/report.js';
import { buildApi, root, type Server, startApi, startArgs, startChild, startServer } from './lib/servers.js';
import {
  genericRequest,
  installPlatformatic,
  PLATFORMATIC_DIR,
  type PlatformaticReport,
  platformaticGoals,
  platformaticKeys,
  platformaticSummary,
  splicePlatformatic,
} from './lib/platformatic.js';
import { embeddedStartup } from './lib/startup.js';
import { measureFanout } from './lib/live.js';
import { auditFollow, type FeedReport, feedGoalRow, follow, spliceFeed } from './lib/feed.js';
import { type LiveReport, liveGoalRows, liveSummary, spliceLive } from './lib/live-report.js';
import { table } from './lib/stats.js';
import { captureResponse, spliceWarm, type WarmReport, warmGoalRow } from './lib/warm.js';
import { createKey } from '../src/db/api-keys.js';
import { openDatabase } from '../src/db/client.js';

const help = `Usage: npm run bench -- [options]

Needs a PostgreSQL server: DATABASE_URL or TEST_DATABASE_URL (a role that may CREATE DATABASE),
e.g. DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/postgres npm run bench
On that server it drops and recreates its own databases, --db-name, --db-name_small and
--db-name_per_area, and never touches any other.

Options:
  --elections N        synthetic elections in the large dataset (default 100000, about 1M lines)
  --small-elections N  synthetic elections in the small dataset (default 100, about 1k lines)
  --area-elections N   synthetic elections in the per-area dataset, each 20 regions × 8 lines plus
                       8 national lines (default 1000, about 170k lines)
  --only per-area      measure only the per-area reads (?area=kz&level=region) and replace only
                       their section of the report (the rest of the file stays as it is)
  --only search        measure only the searches (/v1/search?q=, /v1/candidates?q=) on the large
                       dataset and replace only their section of the report
  --only records       measure only the single-record reads and the reference lists (an election,
                       a candidate, a country, a source, an organisation; a page of each list) on
                       the large dataset and replace only their section of the report
  --only platformatic  the reads of --only records asked of the API and of a generic REST layer over
                       the same tables (Platformatic's sql-mapper and sql-openapi, bench/platformatic,
                       installed from its own lockfile on first use); replace only its section
  --only feed          follow /v1/changes from the start to the head of the large dataset's feed,
                       page by page (limit 1000), against its SQL through pg; replace only its section
  --only warm          measure only the warm /results read against a bare Fastify route sending
                       the same bytes with the same headers (and hello-world); replace only its
                       section of the report
  --only pglite        the same reads as --only records on the embedded database (PGlite, what
                       npm start runs without DATABASE_URL): the API on a data dir with the large
                       dataset against the same statements run by PGlite in a plain process; needs
                       no server; replaces only its section of the report
  --pglite-dir DIR     the data dir of --only pglite (default .bench/pglite-<elections>-<seed>;
                       deleted and made again unless --reuse finds the dataset there)
  --only live          measure only live push: 5,000 Server-Sent Events subscribers and 20 versions on
                       one instance, then a write through one instance seen by subscribers of another
                       (--subscribers N); replace only its section of the report
  --seed S             synth seed (default 1)
  --rounds N           rounds of A B A B measurements (default 3)
  --duration S         seconds per measurement (default 5)
  --warmup S           seconds of unmeasured load per target before round 1 (default 2)
  --connections N      autocannon connections (default 50)
  --db-name NAME       large dataset database, must contain "bench" (default elections_bench)
  --reuse              keep the databases when they already hold datasets of those sizes
  --raw-prepared       the raw-pg baselines use named prepared statements, as the API's results reads do
                       (default: unnamed, planned on every request)
  --out FILE           report path (default docs/benchmarks.md)
  -h, --help           this text`;

function parse() {
  try {
    return parseArgs({
      options: {
        elections: { type: 'string', default: '100000' },
        'small-elections': { type: 'string', default: '100' },
        subscribers: { type: 'string', default: '5000' },
        'area-elections': { type: 'string', default: '1000' },
        only: { type: 'string' },
        seed: { type: 'string', default: '1' },
        rounds: { type: 'string', default: '3' },
        duration: { type: 'string', default: '5' },
        warmup: { type: 'string', default: '2' },
        connections: { type: 'string', default: '50' },
        'db-name': { type: 'string', default: 'elections_bench' },
        'pglite-dir': { type: 'string' },
        reuse: { type: 'boolean', default: false },
        'raw-prepared': { type: 'boolean', default: false },
        out: { type: 'string', default: 'docs/benchmarks.md' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${help}`);
    process.exit(2);
  }
}
const { values: flags } = parse();

function fail(message: string): never {
  console.error(`${message}\n\n${help}`);
  process.exit(2);
}

if (flags.help) {
  console.log(help);
  process.exit(0);
}
const positive = (name: keyof typeof flags) => {
  const n = Number(flags[name]);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a positive integer`);
  return n;
};
const opts = {
  elections: positive('elections'),
  smallElections: positive('small-elections'),
  areaElections: positive('area-elections'),
  seed: Number.isInteger(Number(flags.seed)) ? Number(flags.seed) : fail('--seed must be an integer'),
  rounds: positive('rounds'),
  duration: positive('duration'),
  warmup:
    Number.isInteger(Number(flags.warmup)) && Number(flags.warmup) >= 0
      ? Number(flags.warmup)
      : fail('--warmup must be 0 or more'),
  connections: positive('connections'),
};
if (
  flags.only !== undefined &&
  !['per-area', 'search', 'records', 'platformatic', 'pglite', 'live', 'feed', 'warm'].includes(flags.only)
)
  fail('--only takes one of: per-area, search, records, platformatic, pglite, live, feed, warm');
const perAreaOnly = flags.only === 'per-area';
const searchOnly = flags.only === 'search';
const recordsOnly = flags.only === 'records';
const platformaticOnly = flags.only === 'platformatic';
const liveOnly = flags.only === 'live';
const feedOnly = flags.only === 'feed';
const warmOnly = flags.only === 'warm';
const pgliteOnly = flags.only === 'pglite';
const dbName = flags['db-name'];
if (!/^[a-z0-9_]*bench[a-z0-9_]*$/.test(dbName) || dbName.startsWith('elections_test'))
  fail('--db-name must be lower-case [a-z0-9_] and contain "bench": that database is dropped and recreated');

const serverUrl = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (!serverUrl && !pgliteOnly)
  fail(
    'The bench needs a PostgreSQL server: set DATABASE_URL (or TEST_DATABASE_URL) to any database on it, e.g.\n' +
      '  DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/postgres npm run bench\n' +
      `The role must be allowed to CREATE DATABASE; the bench works in its own databases (${dbName}, ${dbName}_small, ${dbName}_per_area).`,
  );

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'n/a';
  }
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    return dirty ? `${head}, with uncommitted changes` : head;
  } catch {
    return 'unknown';
  }
}

function machine(): Report['machine'] {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {
    // not Linux: os.cpus() it is
  }
  return {
    cpu,
    cores: os.availableParallelism(),
    memoryGb: os.totalmem() / 2 ** 30,
    kernel: `${os.type()} ${os.release()}`,
    loadBefore: os.loadavg(),
  };
}

const paths = (p: Parameters) => ({
  elections: `/v1/elections?country=${p.country}`,
  voteShares: `/v1/vote-shares?candidate=${p.candidate}`,
  candidates: `/v1/candidates?q=${encodeURIComponent(p.query)}`,
});
const LIST_NAMES = {
  elections: '/v1/elections?country=…',
  voteShares: '/v1/vote-shares?candidate=…',
  candidates: '/v1/candidates?q=…',
} as const;
type ListKey = keyof typeof LIST_NAMES;
const CSV_PATH = '/v1/vote-shares?format=csv';
// The second CSV process runs without npm start's heap limit (--max-old-space-size): V8's default
// on this machine, to show what the limit changes.
const HEAP_FLAG = /^--max-old-space-size=/;

interface Target {
  key: string;
  label: string;
  server: Server;
  load: LoadTarget;
  /** autocannon connections, when not --connections (the search's latency runs use one). */
  connections?: number;
}

const servers: Server[] = [];
const stopAll = () => Promise.all(servers.splice(0).map((s) => s.stop()));
process.once('SIGINT', () => {
  void stopAll().finally(() => process.exit(130));
});

const rawPrepared = flags['raw-prepared'] ? ', prepared' : '';
const rawEnv: Record<string, string> = flags['raw-prepared'] ? { BENCH_RAW_PREPARED: '1' } : {};
const BROWSER = { 'accept-encoding': 'gzip, deflate, br' };

/** The PostgreSQL version of the server, or of PGlite's engine. */
async function pgVersion(place: Place): Promise<string> {
  return withDatabase(
    place,
    async (c) => (await c.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]?.v ?? 'n/a',
  );
}

const packageVersions = (pg: string) => ({
  Node: process.version,
  Fastify: packageVersion('fastify'),
  PostgreSQL: pg,
  pg: packageVersion('pg'),
  'drizzle-orm': packageVersion('drizzle-orm'),
  PGlite: packageVersion('@electric-sql/pglite'),
  autocannon: packageVersion('autocannon'),
});

interface PerAreaSetup {
  dataset: AreaDataset;
  warmId: string;
  cold: number;
  targets: Target[];
  statements: Statement[];
  bodyColumn: boolean;
}

/**
 * The per-area reads (?area=kz&level=region) on their own dataset, each next to what it is
 * compared with: the warm national read of the same contest on the same API process, and the
 * statement of the cold read replayed with `pg` alone (captured from the app, as for /results).
 * Needs buildApi() first.
 */
async function setupPerArea(): Promise<PerAreaSetup> {
  const dataset = await prepareAreaDataset(serverUrl!, `${dbName}_per_area`, {
    elections: opts.areaElections,
    seed: opts.seed,
    reuse: flags.reuse,
  });
  const { warmId, coldIds } = await pickAreaParameters(dataset.url);
  const sampleId = coldIds.find((id) => id !== warmId)!;
  const captured = await captureStatements(dataset.url, {
    perArea: perAreaPath(warmId),
    sample: perAreaPath(sampleId),
  });
  const statements = captured.perArea ?? [];
  const plan = await resultsPlan(dataset.url, [
    { electionId: warmId, statements },
    { electionId: sampleId, statements: captured.sample ?? [] },
  ]);
  const raw = await startServer('raw pg (per-area dataset)', 'raw-pg.ts', {
    BENCH_DATABASE_URL: dataset.url,
    BENCH_RESULTS_PLANS: JSON.stringify({ 'area-sql': plan }),
    ...rawEnv,
  });
  servers.push(raw);
  const api = await startApi('API (per-area dataset)', { DATABASE_URL: dataset.url, ...BENCH_API_ENV });
  servers.push(api);
  const apiCold = await startApi('API (per-area dataset, results cache off)', {
    DATABASE_URL: dataset.url,
    ...BENCH_API_ENV,
    RESULTS_CACHE_MB: '0',
  });
  servers.push(apiCold);
  const national = '`/v1/elections/{id}/results`';
  const perArea = '`/v1/elections/{id}/results?area=kz&level=region`';
  const targets: Target[] = [
    { key: 'area-national-warm', label: `${national} warm`, server: api, load: { path: nationalPath(warmId) } },
    { key: 'area-warm', label: `${perArea} warm`, server: api, load: { path: perAreaPath(warmId) } },
    {
      key: 'area-national-warm-br',
      label: `${national} warm, as browsers ask (\`Accept-Encoding: gzip, deflate, br\`)`,
      server: api,
      load: { path: nationalPath(warmId), headers: BROWSER },
    },
    {
      key: 'area-warm-br',
      label: `${perArea} warm, as browsers ask`,
      server: api,
      load: { path: perAreaPath(warmId), headers: BROWSER },
    },
    {
      key: 'area-raw',
      label: `raw pg, the API's own per-area SQL (cold${rawPrepared})`,
      server: raw,
      load: { paths: coldIds.map((id) => `/area-sql/${id}`) },
    },
    {
      key: 'area-cold',
      label: `${perArea} cold (results cache off)`,
      server: apiCold,
      load: { paths: coldIds.map(perAreaPath) },
    },
  ];
  return { dataset, warmId, cold: coldIds.length, targets, statements, bodyColumn: plan.bodyColumn !== null };
}

interface SearchSetup {
  dataset: Dataset;
  queries: (BenchPath & { hits: number })[];
  targets: Target[];
  statements: Record<string, Statement[]>;
  pgOptions: string | null;
}

/**
 * The searches on the large dataset, each query's API target right after its baseline: the
 * statements the API ran for it (captured from the app), replayed with `pg` alone, at the bench's
 * connections and at one (latency). `api` serves the large dataset; needs buildApi() first.
 */
async function setupSearch(dataset: Dataset, api: Server): Promise<SearchSetup> {
  const picked = await pickSearchQueries(dataset.url);
  const paths = Object.fromEntries(picked.map((q) => [q.key, q.path]));
  const statements = await captureStatements(dataset.url, paths);
  const hits = await firstPageRows(dataset.url, paths);
  const pgOptions =
    Object.values(statements)
      .flat()
      .find((s) => s.options)?.options ?? null;
  const raw = await startServer('raw pg (search)', 'raw-pg.ts', {
    BENCH_DATABASE_URL: dataset.url,
    BENCH_RESULTS_PLANS: JSON.stringify(
      Object.fromEntries(picked.map((q) => [`search-${q.key}`, searchPlan(statements[q.key] ?? [])])),
    ),
    ...(pgOptions ? { BENCH_PG_OPTIONS: pgOptions } : {}),
    ...rawEnv,
  });
  servers.push(raw);
  const targets: Target[] = picked.flatMap((q) => {
    const k = searchKeys(q.key);
    const path = `\`${decodeURIComponent(q.path)}\``;
    const rawPath = { path: `/search-${q.key}/-` };
    return [
      {
        key: k.raw,
        label: `raw pg, the SQL of ${path}${rawPrepared ? ' (prepared)' : ''}`,
        server: raw,
        load: rawPath,
      },
      { key: k.api, label: path, server: api, load: { path: q.path } },
      { key: k.raw1, label: `raw pg, the SQL of ${path}, 1 connection`, server: raw, load: rawPath, connections: 1 },
      { key: k.api1, label: `${path}, 1 connection`, server: api, load: { path: q.path }, connections: 1 },
    ];
  });
  return {
    dataset,
    queries: picked.map((q) => ({ ...q, hits: hits[q.key] ?? 0 })),
    targets,
    statements,
    pgOptions,
  };
}

/** The search part of the report, once its rounds are measured. */
async function searchReport(
  setup: SearchSetup,
  measured: Map<string, Measurement[]>,
  meta: Pick<SearchReport, 'date' | 'command' | 'commit'> & { loadBefore: number[] },
): Promise<SearchReport> {
  const m = machine();
  const explained = [];
  for (const q of setup.queries)
    explained.push({
      key: q.key,
      path: q.path,
      statements: await explain(setup.dataset.url, setup.statements[q.key] ?? []),
    });
  return {
    ...meta,
    machine: { cpu: m.cpu, cores: m.cores, loadBefore: meta.loadBefore },
    versions: packageVersions(await pgVersion(setup.dataset.url)),
    options: { rounds: opts.rounds, duration: opts.duration, warmup: opts.warmup, connections: opts.connections },
    dataset: {
      name: setup.dataset.name,
      elections: setup.dataset.elections,
      reused: setup.dataset.synth === null,
      counts: await searchCounts(setup.dataset.url),
    },
    queries: setup.queries,
    rawPrepared: flags['raw-prepared'],
    pgOptions: setup.pgOptions,
    targets: setup.targets.map((t) => ({
      key: t.key,
      label: t.label,
      server: t.server.name,
      rounds: measured.get(t.key)!,
    })),
    explain: explained,
  };
}

/**
 * Checks that every target answers 200, warms each up, then measures them all in turn, `rounds`
 * times; `afterRound` runs after each round's load tests.
 */
async function runRounds(
  targets: Target[],
  afterRound?: (round: number) => Promise<void>,
): Promise<Map<string, Measurement[]>> {
  // A target that does not answer 200 would measure error handling, not the endpoint.
  for (const t of targets) {
    const path = 'path' in t.load ? t.load.path : t.load.paths[0]!;
    const res = await probe(t.server, path, t.load.headers);
    if (res.status !== 200) throw new Error(`${t.label}: GET ${path} answered ${res.status}: ${res.head}`);
    // A target that asks for a compressed body must get one, not quietly the plain body.
    if (t.load.headers?.['accept-encoding'] && !res.encoding)
      throw new Error(`${t.label}: GET ${path} answered uncompressed`);
  }
  const load = (t: Target) => ({ connections: t.connections ?? opts.connections, duration: opts.duration });
  if (opts.warmup > 0) {
    console.error(`warm-up: ${opts.warmup} s per target…`);
    for (const t of targets) await measure(t.server, t.load, { ...load(t), duration: opts.warmup });
  }
  const measured = new Map<string, Measurement[]>(targets.map((t) => [t.key, []]));
  for (let round = 1; round <= opts.rounds; round++) {
    for (const t of targets) {
      const m = await measure(t.server, t.load, load(t));
      measured.get(t.key)!.push(m);
      console.error(
        `round ${round}/${opts.rounds} ${t.label.replace(/`/g, '')}: ${Math.round(m.rps)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms` +
          `${m.non2xx + m.errors ? `, ${m.non2xx} non-2xx, ${m.errors} errors` : ''}, RSS ${m.peakRssMb?.toFixed(0) ?? '?'} MB`,
      );
    }
    await afterRound?.(round);
  }
  return measured;
}

/** The per-area part of the report, once its rounds are measured. */
async function perAreaReport(
  setup: PerAreaSetup,
  measured: Map<string, Measurement[]>,
  meta: Pick<PerAreaReport, 'date' | 'command' | 'commit'> & { loadBefore: number[] },
): Promise<PerAreaReport> {
  const server = (key: string) => setup.targets.find((t) => t.key === key)!.server;
  const api = server('area-warm');
  const bodies = {
    national: await bodyBytes(api, nationalPath(setup.warmId)),
    perArea: await bodyBytes(api, perAreaPath(setup.warmId)),
    nationalBr: await bodyBytes(api, nationalPath(setup.warmId), BROWSER),
    perAreaBr: await bodyBytes(api, perAreaPath(setup.warmId), BROWSER),
  };
  const m = machine();
  return {
    ...meta,
    machine: { cpu: m.cpu, cores: m.cores, loadBefore: meta.loadBefore },
    versions: packageVersions(await pgVersion(setup.dataset.url)),
    options: { rounds: opts.rounds, duration: opts.duration, warmup: opts.warmup, connections: opts.connections },
    dataset: setup.dataset,
    warmId: setup.warmId,
    coldElections: setup.cold,
    bodies,
    rawPrepared: flags['raw-prepared'],
    bodyPassedThrough: setup.bodyColumn,
    targets: setup.targets.map((t) => ({
      key: t.key,
      label: t.label,
      server: t.server.name,
      rounds: measured.get(t.key)!,
    })),
    explain: await explain(setup.dataset.url, setup.statements),
  };
}

const command = () => `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim();

/** --only per-area: the per-area reads alone, their section of the report replaced. */
async function perAreaMain() {
  const meta = { date: new Date(), command: command(), commit: gitCommit(), loadBefore: os.loadavg() };
  console.error(`npm run build; the API runs as npm start does: node ${startArgs().join(' ')}`);
  buildApi();
  console.error(`preparing the per-area dataset on ${new URL(serverUrl!).host}…`);
  const setup = await setupPerArea();
  const measured = await runRounds(setup.targets);
  console.error('EXPLAIN (ANALYZE, BUFFERS) of the per-area statement…');
  const report = await perAreaReport(setup, measured, meta);
  await stopAll();
  const out = resolve(root, flags.out);
  writeFileSync(out, splicePerArea(existsSync(out) ? readFileSync(out, 'utf8') : null, report));
  console.log(`\n${perAreaSummary(report)}\n\n${perAreaGoals(report)}\n`);
  console.log(`written: the per-area section of ${flags.out}`);
}

/** What a report says of the large dataset: its name, size, and whether this run made it. */
const datasetFacts = (dataset: { name: string; elections: number; rows: { vote_shares: number }; synth: unknown }) => ({
  name: dataset.name,
  elections: dataset.elections,
  lines: dataset.rows.vote_shares,
  reused: dataset.synth === null,
});

/** What an --only run on the large dataset starts from: the run's facts, the dataset, the API on it. */
async function largeDatasetApi() {
  const meta = { date: new Date(), command: command(), commit: gitCommit(), loadBefore: os.loadavg() };
  console.error(`preparing ${dbName} on ${new URL(serverUrl!).host}…`);
  const dataset = await prepareDataset(serverUrl!, dbName, {
    elections: opts.elections,
    seed: opts.seed,
    reuse: flags.reuse,
  });
  console.error(`npm run build; the API runs as npm start does: node ${startArgs().join(' ')}`);
  buildApi();
  const api = await startApi('API', { DATABASE_URL: dataset.url, ...BENCH_API_ENV });
  servers.push(api);
  return { meta, dataset, api };
}

/** --only search: the searches alone, on the large dataset, their section of the report replaced. */
async function searchMain() {
  const { meta, dataset: large, api } = await largeDatasetApi();
  const setup = await setupSearch(large, api);
  const measured = await runRounds(setup.targets);
  console.error('EXPLAIN (ANALYZE, BUFFERS) of the search statements…');
  const report = await searchReport(setup, measured, meta);
  await stopAll();
  const out = resolve(root, flags.out);
  writeFileSync(out, spliceSearch(existsSync(out) ? readFileSync(out, 'utf8') : null, report));
  console.log(`\n${searchSummary(report)}\n\n${searchGoals(report)}\n`);
  console.log(`written: the search section of ${flags.out}`);
}

/**
 * --only records: each single-record read and reference list on the large dataset, right after its
 * own statements (captured from the app) replayed with `pg` alone; their section of the report replaced.
 */
async function recordsMain() {
  const { meta, dataset, api } = await largeDatasetApi();
  await measureRecords({
    engine: 'postgres',
    meta,
    place: dataset.url,
    dataset: datasetFacts(dataset),
    api: () => Promise.resolve(api),
    rawEnv: { BENCH_DATABASE_URL: dataset.url, ...rawEnv },
  });
}

/**
 * --only platformatic: each read of --only records asked of the API and of a generic REST layer
 * (Platformatic's sql-mapper and sql-openapi) over the same large dataset; its section replaced.
 */
async function platformaticMain() {
  const generic = installPlatformatic();
  const { meta, dataset, api } = await largeDatasetApi();
  const reads = (await pickRecordPaths(dataset.url)).map((p) => ({
    key: p.key,
    what: p.what,
    api: p.path,
    generic: genericRequest(p),
  }));
  const plt = await startChild('Platformatic (generic layer)', [join(PLATFORMATIC_DIR, 'server.js')], {
    BENCH_DATABASE_URL: dataset.url,
  });
  servers.push(plt);
  const targets: Target[] = reads.flatMap((read) => {
    if (read.generic.path === null) return [];
    const k = platformaticKeys(read.key);
    return [
      {
        key: k.generic,
        label: `Platformatic \`${decodeURIComponent(read.generic.path)}\``,
        server: plt,
        load: { path: read.generic.path },
      },
      { key: k.api, label: `\`${decodeURIComponent(read.api)}\``, server: api, load: { path: read.api } },
    ];
  });
  const bytes: PlatformaticReport['bytes'] = {};
  for (const read of reads)
    if (read.generic.path !== null)
      bytes[read.key] = { api: await bodyBytes(api, read.api), generic: await bodyBytes(plt, read.generic.path) };
  const measured = await runRounds(targets);
  const engineVersion = await pgVersion(dataset.url);
  await stopAll();
  const m = machine();
  const report: PlatformaticReport = {
    ...meta,
    machine: { cpu: m.cpu, cores: m.cores, loadBefore: meta.loadBefore },
    versions: { ...packageVersions(engineVersion), ...generic },
    options: { rounds: opts.rounds, duration: opts.duration, warmup: opts.warmup, connections: opts.connections },
    dataset: datasetFacts(dataset),
    reads,
    bytes,
    targets: targets.map((t) => ({ key: t.key, label: t.label, server: t.server.name, rounds: measured.get(t.key)! })),
  };
  const out = resolve(root, flags.out);
  writeFileSync(out, splicePlatformatic(existsSync(out) ? readFileSync(out, 'utf8') : null, report));
  console.log(`\n${platformaticSummary(report)}\n\n${platformaticGoals(report)}\n`);
  console.log(`written: the platformatic section of ${flags.out}`);
}

/**
 * --only pglite: the reads of --only records on the embedded engine. The large dataset goes into a
 * PGlite data dir (and a copy of it, for the baseline: one process opens a data dir at a time); the
 * API runs on it as `npm start` does without DATABASE_URL.
 */
async function pgliteMain() {
  const meta = { date: new Date(), command: command(), commit: gitCommit(), loadBefore: os.loadavg() };
  const dataDir = resolve(root, flags['pglite-dir'] ?? `.bench/pglite-${opts.elections}-${opts.seed}`);
  console.error(`preparing ${dataDir}…`);
  const dataset = await preparePgliteDataset(dataDir, {
    elections: opts.elections,
    seed: opts.seed,
    reuse: flags.reuse,
  });
  const copy = `${dataDir}-baseline`;
  console.error(`copying the data dir for the baseline to ${copy}…`);
  rmSync(copy, { recursive: true, force: true });
  cpSync(dataDir, copy, { recursive: true });
  await measureRecords({
    engine: 'pglite',
    meta,
    place: { dataDir },
    dataset: datasetFacts(dataset),
    api: () => {
      console.error(`npm run build; the API runs as npm start does: node ${startArgs().join(' ')}`);
      buildApi();
      return startApi('API (PGlite)', { DATA_DIR: dataDir, DATABASE_URL: undefined, ...BENCH_API_ENV });
    },
    rawEnv: { BENCH_PGLITE_DIR: copy },
  });
  rmSync(copy, { recursive: true, force: true });
}

/**
 * Each path of the records bench (picked and captured on `place`, before `api` starts: on PGlite
 * the API then holds the data dir), measured against its own statements; the section of the
 * report for that engine replaced.
 */
async function measureRecords(run: {
  engine: RecordsReport['engine'];
  meta: { date: Date; command: string; commit: string; loadBefore: number[] };
  place: Place;
  dataset: RecordsReport['dataset'];
  api: () => Promise<Server>;
  rawEnv: Record<string, string>;
}) {
  const { meta, place } = run;
  const picked = await pickRecordPaths(place);
  const statements = await captureStatements(place, Object.fromEntries(picked.map((p) => [p.key, p.path])));
  const engineVersion = await pgVersion(place);
  const base = run.engine === 'pglite' ? 'raw PGlite' : 'raw pg';
  const raw = await startServer(`${base} (records)`, 'raw-pg.ts', {
    BENCH_RESULTS_PLANS: JSON.stringify(
      Object.fromEntries(
        picked.map((p) => [
          `record-${p.key}`,
          { ...searchPlan(statements[p.key] ?? []), json: p.list ? 'list' : 'record' } satisfies ResultsPlan,
        ]),
      ),
    ),
    ...run.rawEnv,
  });
  servers.push(raw);
  const api = await run.api();
  if (!servers.includes(api)) servers.push(api);
  const targets: Target[] = picked.flatMap((p) => {
    const k = recordKeys(p.key);
    const path = `\`${decodeURIComponent(p.path)}\``;
    return [
      {
        key: k.raw,
        label: `${base}, the SQL of ${path}${rawPrepared && run.engine === 'postgres' ? ' (prepared)' : ''}`,
        server: raw,
        load: { path: `/record-${p.key}/-` },
      },
      { key: k.api, label: path, server: api, load: { path: p.path } },
    ];
  });
  // The bytes each sends (no Accept-Encoding, as autocannon asks), so a baseline with a smaller body shows.
  const bytes: RecordsReport['bytes'] = {};
  for (const p of picked)
    bytes[p.key] = { api: await bodyBytes(api, p.path), raw: await bodyBytes(raw, `/record-${p.key}/-`) };
  const measured = await runRounds(targets);
  // On PGlite the data dir is free again once the servers are stopped.
  await stopAll();
  console.error('EXPLAIN (ANALYZE, BUFFERS) of the statements…');
  const explained = [];
  for (const p of picked)
    explained.push({ key: p.key, path: p.path, statements: await explain(place, statements[p.key] ?? []) });
  const m = machine();
  const report: RecordsReport = {
    ...meta,
    engine: run.engine,
    machine: { cpu: m.cpu, cores: m.cores, loadBefore: meta.loadBefore },
    versions: packageVersions(engineVersion),
    options: { rounds: opts.rounds, duration: opts.duration, warmup: opts.warmup, connections: opts.connections },
    dataset: run.dataset,
    paths: picked.map((p) => ({ ...p, statements: (statements[p.key] ?? []).length })),
    rawPrepared: flags['raw-prepared'] && run.engine === 'postgres',
    bytes,
    targets: targets.map((t) => ({ key: t.key, label: t.label, server: t.server.name, rounds: measured.get(t.key)! })),
    explain: explained,
  };
  const out = resolve(root, flags.out);
  writeFileSync(out, spliceRecords(existsSync(out) ? readFileSync(out, 'utf8') : null, report));
  console.log(`\n${recordsSummary(report)}\n\n${recordsGoals(report)}\n`);
  console.log(`written: the ${run.engine === 'pglite' ? 'pglite' : 'records'} section of ${flags.out}`);
}

/**
 * --only live: the fan-out of the change stream on one instance, then across two; its section of
 * the report replaced. On the small dataset (the seeds and --small-elections synthetic ones).
 */
async function liveMain() {
  const meta = { date: new Date(), command: command(), commit: gitCommit(), loadBefore: os.loadavg() };
  const dataset = await prepareDataset(serverUrl!, `${dbName}_small`, {
    elections: opts.smallElections,
    seed: opts.seed,
    reuse: flags.reuse,
  });
  const database = await openDatabase({ url: dataset.url, poolMax: 1 });
  const { token } = await createKey(database.primary, `live-bench-${Date.now()}`, 'write').finally(() =>
    database.close(),
  );
  console.error(`npm run build; the API runs as npm start does: node ${startArgs().join(' ')}`);
  buildApi();
  const subscribers = positive('subscribers');
  const env = {
    DATABASE_URL: dataset.url,
    ...BENCH_API_ENV,
    STREAMS_MAX: String(subscribers + 100),
    STREAMS_MAX_PER_CLIENT: String(subscribers + 100),
    OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
  };
  const a = await startApi('API A', env);
  servers.push(a);
  console.error(`${subscribers} subscribers on one instance, 20 versions…`);
  const fanout = await measureFanout({
    api: a,
    writer: a,
    token,
    databaseUrl: dataset.url,
    subscribers,
    versions: 20,
  });
  const b = await startApi('API B', env);
  servers.push(b);
  console.error('100 subscribers of instance B, 20 versions written through A…');
  const twoInstances = await measureFanout({
    api: b,
    writer: a,
    token,
    databaseUrl: dataset.url,
    subscribers: 100,
    versions: 20,
  });
  const m = machine();
  const report: LiveReport = {
    ...meta,
    machine: { cpu: m.cpu, cores: m.cores, loadBefore: meta.loadBefore },
    versions: packageVersions(await pgVersion(dataset.url)),
    fanout,
    twoInstances,
  };
  await stopAll();
  const out = resolve(root, flags.out);
  writeFileSync(out, spliceLive(existsSync(out) ? readFileSync(out, 'utf8') : null, report));
  console.log(`\n${liveSummary(report)}\n\n${table(['goal', 'measured', ''], liveGoalRows(report))}\n`);
  console.log(`written: the live section of ${flags.out}`);
}

/**
 * --only feed: one client follows /v1/changes from the start to the head of the large dataset's feed,
 * and the same over its SQL through pg (bench/servers/raw-feed.ts), alternately, --rounds times.
 */
async function feedMain() {
  const { meta, dataset, api } = await largeDatasetApi();
  const raw = await startServer('raw pg (feed)', 'raw-feed.ts', { BENCH_DATABASE_URL: dataset.url });
  servers.push(raw);
  const limit = 1000;
  const counts = await withClient(
    dataset.url,
    async (c) =>
      (
        await c.query<{ changes: number; results: number }>(
          "select count(*)::int as changes, count(*) filter (where kind = 'results')::int as results from changes",
        )
      ).rows[0]!,
  );
  console.error(`following ${counts.changes} changes, ${opts.rounds} rounds…`);
  await follow(api.url, '/v1/changes', limit); // warm-up, unmeasured
  await follow(raw.url, '/feed', limit);
  const rounds = [];
  for (let i = 0; i < opts.rounds; i += 1) {
    const apiRun = await follow(api.url, '/v1/changes', limit);
    const rawRun = await follow(raw.url, '/feed', limit);
    rounds.push({ api: apiRun, raw: rawRun });
    console.error(
      `round ${i + 1}: API ${Math.round(apiRun.ms)} ms, raw ${Math.round(rawRun.ms)} ms, ${apiRun.pages} pages`,
    );
  }
  const audit = await auditFollow(dataset.url, rounds[0]!.api.ids);
  const m = machine();
  const report: FeedReport = {
    ...meta,
    machine: { cpu: m.cpu, cores: m.cores, loadBefore: meta.loadBefore },
    versions: packageVersions(await pgVersion(dataset.url)),
    dataset: { name: dataset.name, ...counts },
    limit,
    rounds: rounds.map((r) => ({ api: { ...r.api, ids: [] }, raw: { ...r.raw, ids: [] } })),
    audit,
  };
  await stopAll();
  const out = resolve(root, flags.out);
  writeFileSync(out, spliceFeed(existsSync(out) ? readFileSync(out, 'utf8') : null, report));
  const goal = feedGoalRow(report);
  console.log(`\n${table(['goal', 'measured', ''], [goal])}\n`);
  console.log(`written: the feed section of ${flags.out}`);
}

/**
 * --only warm: the warm `/results` read on the large dataset against a plain Fastify route sending
 * the bytes and headers the API sent for it (captured once), and hello-world, back to back each round.
 */
async function warmMain() {
  const { meta, dataset, api } = await largeDatasetApi();
  const { warmId } = await pickParameters(dataset.url);
  const path = `/v1/elections/${warmId}/results`;
  await captureResponse(api, path); // the first read fills the results cache
  const captured = await captureResponse(api, path);
  const dir = mkdtempSync(join(os.tmpdir(), 'bench-bare-'));
  writeFileSync(join(dir, 'response.json'), JSON.stringify(captured));
  const hello = await startServer('hello-world + bare route', 'hello.ts', {
    BENCH_BARE_RESPONSE: join(dir, 'response.json'),
  }).finally(() => rmSync(dir, { recursive: true, force: true })); // read at start-up
  servers.push(hello);
  const measured = await runRounds([
    { key: 'hello', label: 'hello-world `GET /`', server: hello, load: { path: '/' } },
    { key: 'bare', label: 'bare route, the same bytes', server: hello, load: { path: '/bare' } },
    { key: 'warm', label: '`/v1/elections/{id}/results` warm', server: api, load: { path } },
  ]);
  const m = machine();
  const [hellos, bares, warms] = [measured.get('hello')!, measured.get('bare')!, measured.get('warm')!];
  const report: WarmReport = {
    ...meta,
    machine: { cpu: m.cpu, cores: m.cores, loadBefore: meta.loadBefore },
    versions: packageVersions(await pgVersion(dataset.url)),
    options: { rounds: opts.rounds, duration: opts.duration, warmup: opts.warmup, connections: opts.connections },
    path,
    bytes: Buffer.from(captured.body, 'base64').length,
    headers: Object.keys(captured.headers),
    rounds: hellos.map((hello, i) => ({ hello, bare: bares[i]!, warm: warms[i]! })),
  };
  await stopAll();
  const out = resolve(root, flags.out);
  writeFileSync(out, spliceWarm(existsSync(out) ? readFileSync(out, 'utf8') : null, report));
  console.log(`\n${table(['goal', 'measured', ''], [warmGoalRow(report)])}\n`);
  console.log(`written: the warm section of ${flags.out}`);
}

async function main() {
  if (perAreaOnly) return perAreaMain();
  if (searchOnly) return searchMain();
  if (recordsOnly) return recordsMain();
  if (platformaticOnly) return platformaticMain();
  if (pgliteOnly) return pgliteMain();
  if (liveOnly) return liveMain();
  if (feedOnly) return feedMain();
  if (warmOnly) return warmMain();
  const started = new Date();
  const machineInfo = machine();
  console.error(`preparing datasets on ${new URL(serverUrl!).host}…`);
  const large: Dataset = await prepareDataset(serverUrl!, dbName, {
    elections: opts.elections,
    seed: opts.seed,
    reuse: flags.reuse,
  });
  const small: Dataset = await prepareDataset(serverUrl!, `${dbName}_small`, {
    elections: opts.smallElections,
    seed: opts.seed,
    reuse: flags.reuse,
  });
  const params = { large: await pickParameters(large.url), small: await pickParameters(small.url) };
  const listPaths = { large: paths(params.large), small: paths(params.small) };
  // The same page size on both datasets: the busiest candidate or country has more lines on the
  // large one, and a longer page would measure the response's size, not the table's.
  const [largeRows, smallRows] = [
    await firstPageRows(large.url, listPaths.large),
    await firstPageRows(small.url, listPaths.small),
  ];
  for (const key of Object.keys(LIST_NAMES) as ListKey[]) {
    const rows = Math.min(largeRows[key] ?? 0, smallRows[key] ?? 0);
    if (rows < 1) throw new Error(`${LIST_NAMES[key]}: no rows on one of the datasets`);
    listPaths.large[key] += `&limit=${rows}`;
    listPaths.small[key] += `&limit=${rows}`;
  }

  console.error('capturing the SQL of each endpoint…');
  const resultsPath = `/v1/elections/${params.large.warmId}/results`;
  const { warmId, sampleId } = params.large;
  const capturedLarge = await captureStatements(
    large.url,
    { results: resultsPath, sample: `/v1/elections/${sampleId}/results`, ...listPaths.large },
    // The version, its lines and its sources read as plain rows (the tests' reference rendering).
    {
      resultRows: (app) => referenceResults(app.database.primary, warmId),
      sampleRows: (app) => referenceResults(app.database.primary, sampleId),
    },
  );
  const capturedSmall = await captureStatements(small.url, listPaths.small);
  const plans = {
    rows: await resultsPlan(large.url, [
      { electionId: warmId, statements: capturedLarge.resultRows ?? [] },
      { electionId: sampleId, statements: capturedLarge.sampleRows ?? [] },
    ]),
    'api-sql': await resultsPlan(large.url, [
      { electionId: warmId, statements: capturedLarge.results ?? [] },
      { electionId: sampleId, statements: capturedLarge.sample ?? [] },
    ]),
  };

  console.error('starting servers…');
  const hello = await startServer('hello-world', 'hello.ts');
  servers.push(hello);
  const raw = await startServer('raw pg', 'raw-pg.ts', {
    BENCH_DATABASE_URL: large.url,
    BENCH_RESULTS_PLANS: JSON.stringify(plans),
    ...rawEnv,
  });
  servers.push(raw);
  // The API as `npm start` runs it: compiled, with the start script's node arguments.
  console.error(`npm run build; the API runs as npm start does: node ${startArgs().join(' ')}`);
  buildApi();
  const api = await startApi('API', { DATABASE_URL: large.url, ...BENCH_API_ENV });
  servers.push(api);
  // The results cache would turn the cold walk warm after one round: measure it without.
  const apiUncached = await startApi('API (results cache off)', {
    DATABASE_URL: large.url,
    ...BENCH_API_ENV,
    RESULTS_CACHE_MB: '0',
  });
  servers.push(apiUncached);
  const apiSmall = await startApi('API (small dataset)', { DATABASE_URL: small.url, ...BENCH_API_ENV });
  servers.push(apiSmall);
  // The CSV export runs on API processes of its own that serve nothing else, so their peak RSS is
  // the export's and not the high-water mark of the load tests: one as npm start runs it (the
  // target), one without its heap limit, to show what the limit changes.
  const csvApi = await startApi('API (CSV export)', { DATABASE_URL: large.url, ...BENCH_API_ENV });
  servers.push(csvApi);
  const withoutLimit = startArgs().filter((arg) => !HEAP_FLAG.test(arg));
  const csvApiDefaultHeap = await startApi(
    'API (CSV export, V8 default heap limit)',
    { DATABASE_URL: large.url, ...BENCH_API_ENV },
    withoutLimit,
  );
  servers.push(csvApiDefaultHeap);
  console.error('capturing the SQL of the searches…');
  const search = await setupSearch(large, api);
  console.error('preparing the per-area dataset and its servers…');
  const perArea = await setupPerArea();

  const cold = params.large.coldIds;
  // Each comparison is measured back to back in every round (A B A B…): hello-world then the warm
  // reads, the raw pg baselines then the cold reads.
  const targets: Target[] = [
    { key: 'hello', label: 'hello-world `GET /`', server: hello, load: { path: '/' } },
    { key: 'results-warm', label: '`/v1/elections/{id}/results` warm', server: api, load: { path: resultsPath } },
    {
      key: 'results-warm-br',
      label: '`/v1/elections/{id}/results` warm, as browsers ask (`Accept-Encoding: gzip, deflate, br`)',
      server: api,
      load: { path: resultsPath, headers: BROWSER },
    },
    {
      key: 'raw-pg',
      label: `raw pg, the plain row statements (cold${rawPrepared})`,
      server: raw,
      load: { paths: cold.map((id) => `/rows/${id}`) },
    },
    {
      key: 'raw-pg-api',
      label: `raw pg, the API's own /results SQL (cold${rawPrepared})`,
      server: raw,
      load: { paths: cold.map((id) => `/api-sql/${id}`) },
    },
    {
      key: 'results-cold',
      label: '`/v1/elections/{id}/results` cold (results cache off)',
      server: apiUncached,
      load: { paths: cold.map((id) => `/v1/elections/${id}/results`) },
    },
  ];
  for (const key of Object.keys(LIST_NAMES) as ListKey[]) {
    targets.push({
      key: `${key}-large`,
      label: `\`${LIST_NAMES[key]}\` (${large.name})`,
      server: api,
      load: { path: listPaths.large[key] },
    });
    targets.push({
      key: `${key}-small`,
      label: `\`${LIST_NAMES[key]}\` (${small.name})`,
      server: apiSmall,
      load: { path: listPaths.small[key] },
    });
  }

  const csvProbe = await probe(api, CSV_PATH);
  const csvImplemented = csvProbe.status === 200;
  if (!csvImplemented) console.error(`CSV export: not implemented (HTTP ${csvProbe.status})`);

  const csvRuns: ExportMeasurement[] = [];
  const csvFlagRuns: ExportMeasurement[] = [];
  const measured = await runRounds([...targets, ...search.targets, ...perArea.targets], async (round) => {
    if (!csvImplemented) return;
    for (const [server, runs] of [
      [csvApi, csvRuns],
      [csvApiDefaultHeap, csvFlagRuns],
    ] as const) {
      const m = await download(server, CSV_PATH);
      runs.push(m);
      console.error(
        `round ${round}/${opts.rounds} CSV export (${server.name}): ${m.lines} lines in ${(m.ms / 1000).toFixed(1)} s, ` +
          `RSS ${m.startRssMb?.toFixed(0) ?? '?'} → peak ${m.peakRssMb?.toFixed(0) ?? '?'} MB`,
      );
    }
  });
  const csv: CsvResult = csvImplemented
    ? { implemented: true, runs: csvRuns, flagged: { nodeArgs: withoutLimit.join(' '), runs: csvFlagRuns } }
    : { implemented: false, status: csvProbe.status, detail: problemDetail(csvProbe.head) };

  console.error('EXPLAIN (ANALYZE, BUFFERS) of the results and list queries…');
  const explains: Explained[] = [
    {
      endpoint: `GET ${resultsPath}`,
      dataset: large.name,
      statements: await explain(large.url, capturedLarge.results ?? []),
    },
  ];
  for (const key of Object.keys(LIST_NAMES) as ListKey[]) {
    explains.push({
      endpoint: `GET ${listPaths.large[key]}`,
      dataset: large.name,
      statements: await explain(large.url, capturedLarge[key] ?? []),
    });
    explains.push({
      endpoint: `GET ${listPaths.small[key]}`,
      dataset: small.name,
      statements: await explain(small.url, capturedSmall[key] ?? []),
    });
  }
  const meta = { date: started, command: command(), commit: gitCommit(), loadBefore: machineInfo.loadBefore };
  const perAreaResult = await perAreaReport(perArea, measured, meta);
  const searchResult = await searchReport(search, measured, meta);

  const startupApi = api.readyMs;
  await stopAll();
  console.error('embedded start-to-ready…');
  const embedded = await embeddedStartup().catch((err: Error) => ({ error: err.message.split('\n')[0] ?? 'failed' }));

  const targetResults: TargetResult[] = targets
    .filter((t) => !t.key.endsWith('-small') && !t.key.endsWith('-large'))
    .map((t) => ({ key: t.key, label: t.label, server: t.server.name, rounds: measured.get(t.key)! }));
  for (const t of targets.filter((t) => t.key.endsWith('-large') || t.key.endsWith('-small')))
    targetResults.push({ key: t.key, label: t.label, server: t.server.name, rounds: measured.get(t.key)! });

  const report: Report = {
    date: started,
    command: meta.command,
    commit: meta.commit,
    machine: machineInfo,
    versions: packageVersions(await pgVersion(large.url)),
    options: {
      rounds: opts.rounds,
      duration: opts.duration,
      warmup: opts.warmup,
      connections: opts.connections,
      seed: opts.seed,
    },
    datasets: { large, small },
    parameters: params,
    targets: targetResults,
    lists: (Object.keys(LIST_NAMES) as ListKey[]).map((key) => ({
      endpoint: `\`${LIST_NAMES[key]}\``,
      small: measured.get(`${key}-small`)!,
      large: measured.get(`${key}-large`)!,
    })),
    csv,
    startup: { api: startupApi, embedded },
    resultsSql: {
      api: plans['api-sql'].queries.map((q) => q.text),
      rows: plans.rows.queries.map((q) => q.text),
      bodyPassedThrough: plans['api-sql'].bodyColumn !== null,
    },
    apiEnv: BENCH_API_ENV,
    startArgs: startArgs(),
    explains,
    search: searchResult,
    perArea: perAreaResult,
  };
  const out = resolve(root, flags.out);
  writeFileSync(out, renderReport(report));
  console.log(
    `\n${summaryTable(report)}\n\n${listTable(report)}\n\n${searchSummary(searchResult)}\n\n${perAreaSummary(perAreaResult)}\n`,
  );
  if (!csv.implemented) console.log(`CSV export: not implemented (HTTP ${csv.status}).`);
  console.log(`written: ${flags.out}`);
}

/** The `detail` of a problem document, or the start of whatever the body was. */
function problemDetail(head: string): string {
  const detail = /"detail"\s*:\s*"([^"]*)"/.exec(head)?.[1];
  return (detail ?? head).slice(0, 160);
}

try {
  await main();
} finally {
  await stopAll();
}
