// npm run bench:import -- [--scenario versions|areas] [--lines 100000] [--stations 10000] [--runs 3]
//                         [--engine postgres|pglite] [--database postgres://…/elections_bench_import]
// Times `npm run import`'s code path (parse, validate, one transaction) on a synthetic CSV:
//   versions  --lines lines in versions of 10 lines each, one per synthetic election;
//   areas     one version with --stations polling stations of 10 lines each (under one synthetic
//             region, with the region's and the country's totals), the areas created beforehand.
// postgres: --database names the database to create and drop (default: elections_bench_import next
// to DATABASE_URL or TEST_DATABASE_URL). Each run imports a new election; the median is reported.
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/client.js';
import * as t from '../src/db/schema/index.js';
import { seed } from '../src/db/seed.js';
import { runImport } from '../src/import/import.js';
import { planFromCsv } from '../src/import/plan.js';
import { lineColumns } from '../src/modules/vote-shares/vote-shares.columns.js';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'versions' },
    lines: { type: 'string', default: '100000' },
    stations: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '3' },
    engine: { type: 'string', default: 'postgres' },
    database: { type: 'string' },
  },
});
const LINES_PER_VERSION = 10;
const SOURCE = 'synthetic-import';
const scenario = values.scenario;
if (scenario !== 'versions' && scenario !== 'areas') throw new Error('--scenario is versions or areas');
const runs = Number(values.runs);

const cell = (v: string | number | boolean | null | undefined) => (v === null || v === undefined ? '' : String(v));
const toCsv = (rows: Partial<Record<(typeof lineColumns)[number], string | number | boolean | null>>[]) =>
  [lineColumns.join(','), ...rows.map((r) => lineColumns.map((c) => cell(r[c])).join(','))].join('\n');

/** Deterministic synthetic rows: fictional elections and people, one synthetic source. */
function versionsCsv(run: number): string {
  const total = Number(values.lines);
  const versions = Math.ceil(total / LINES_PER_VERSION);
  const out: Parameters<typeof toCsv>[0] = [];
  const countries = ['FR', 'DE', 'BR', 'IN', 'ZA', 'JP', 'MX', 'KE', 'PL', 'CA'];
  for (let v = 0; v < versions; v++) {
    const country = countries[v % countries.length]!;
    const day = new Date(Date.UTC(1900 + run * 30, 0, 1) + Math.floor(v / countries.length) * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const votes = Array.from(
      { length: LINES_PER_VERSION },
      (_, i) => 1000 * (LINES_PER_VERSION - i) + ((v * 7 + i * 13) % 997),
    );
    const sum = votes.reduce((a, b) => a + b, 0);
    votes.forEach((n, i) =>
      out.push({
        electionId: `${country.toLowerCase()}.local.${day}`,
        version: 1,
        status: 'certified',
        asOf: day,
        complete: true,
        percentBase: 'lines-total',
        sourceId: SOURCE,
        kind: 'candidate',
        name: `Synthetic ${country} ${i}`,
        candidateId: `synthetic-${country.toLowerCase()}-${i}`,
        votes: n,
        percent: ((n / sum) * 100).toFixed(2),
        rank: i + 1,
        outcome: i === 0 ? 'elected' : 'defeated',
        publishedAsIs: false,
      }),
    );
  }
  return toCsv(out);
}

const REGION = 'fr-synthetic-bench-region';
const station = (i: number) => `fr-synthetic-bench-ps-${i + 1}`;

/** The areas scenario's region and polling stations, and its ten candidates. */
async function areasSetup(database: Database) {
  const db = database.primary;
  const stations = Number(values.stations);
  const note = 'Synthetic area made by bench/import.ts; not a real place.';
  await db.insert(t.areas).values({
    id: REGION,
    countryCode: 'FR',
    parentId: 'fr',
    level: 'region',
    name: 'Synthetic region (bench)',
    note,
    sourceId: SOURCE,
  });
  const rows = Array.from({ length: stations }, (_, i) => ({
    id: station(i),
    countryCode: 'FR',
    parentId: REGION,
    level: 'polling-station' as const,
    name: `Synthetic polling station ${i + 1}`,
    authorityCode: String(i + 1),
    note,
    sourceId: SOURCE,
  }));
  for (let i = 0; i < rows.length; i += 2000) await db.insert(t.areas).values(rows.slice(i, i + 2000));
  await db.insert(t.candidates).values(
    Array.from({ length: LINES_PER_VERSION }, (_, i) => ({
      id: `synthetic-bench-candidate-${i + 1}`,
      name: `Synthetic candidate ${i + 1}`,
      note: 'Synthetic person made by bench/import.ts.',
      sourceId: SOURCE,
    })),
  );
}

/** One version of a new election: every polling station's 10 lines, then the region's and the country's sums. */
function areasCsv(run: number): string {
  const stations = Number(values.stations);
  const electionId = `fr.local.2090-01-${String(run + 1).padStart(2, '0')}`;
  const base = {
    electionId,
    version: 1,
    status: 'certified',
    asOf: '2090-01-02',
    complete: true,
    percentBase: 'lines-total',
    sourceId: SOURCE,
  };
  const out: Parameters<typeof toCsv>[0] = [];
  const totals = Array<number>(LINES_PER_VERSION).fill(0);
  const turnout = { registeredVoters: 0, ballotsCast: 0 };
  const block = (areaId: string | null, votes: number[], registeredVoters: number, ballotsCast: number) => {
    const sum = votes.reduce((a, b) => a + b, 0);
    votes.forEach((n, i) =>
      out.push({
        ...base,
        areaId,
        registeredVoters,
        ballotsCast,
        kind: 'candidate',
        candidateId: `synthetic-bench-candidate-${i + 1}`,
        votes: n,
        percent: ((n / sum) * 100).toFixed(3),
        rank: areaId ? null : i + 1,
      }),
    );
  };
  for (let s = 0; s < stations; s++) {
    const votes = Array.from(
      { length: LINES_PER_VERSION },
      (_, i) => 10 * (LINES_PER_VERSION - i) + ((s * 7 + i * 13) % 37),
    );
    const cast = votes.reduce((a, b) => a + b, 0);
    const registered = cast * 2 + (s % 50);
    votes.forEach((n, i) => (totals[i]! += n));
    turnout.registeredVoters += registered;
    turnout.ballotsCast += cast;
    block(station(s), votes, registered, cast);
  }
  block(REGION, totals, turnout.registeredVoters, turnout.ballotsCast);
  block(null, totals, turnout.registeredVoters, turnout.ballotsCast);
  return toCsv(out);
}

async function open(): Promise<{ database: Database; drop: () => Promise<void> }> {
  if (values.engine === 'pglite') {
    const database = await openDatabase({ dataDir: 'memory://' });
    return { database, drop: async () => {} };
  }
  const given = values.database ?? process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!given)
    throw new Error(
      'pass --database postgres://…/<bench db>, set DATABASE_URL or TEST_DATABASE_URL, or pass --engine pglite',
    );
  const url = new URL(given);
  if (!values.database) url.pathname = '/elections_bench_import';
  const name = url.pathname.slice(1);
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`'${name}' is not a plain database name`);
  const adminUrl = new URL(url);
  adminUrl.pathname = '/postgres';
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: adminUrl.toString() });
    await client.connect();
    await client.query(statement);
    await client.end();
  };
  await admin(`drop database if exists ${name} with (force)`);
  await admin(`create database ${name}`);
  const database = await openDatabase({ url: url.toString(), poolMax: 2 });
  return { database, drop: () => admin(`drop database if exists ${name} with (force)`) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const { database, drop } = await open();
try {
  await database.migrate();
  await seed(database.primary);
  await database.primary.insert(t.sources).values({
    id: SOURCE,
    publisher: 'Synthetic data (bench:import)',
    url: null,
    kind: 'news',
    note: 'Generated by bench/import.ts; not real figures.',
  });
  if (scenario === 'areas') await areasSetup(database);
  // The statistics autovacuum would have gathered by the time of a real import: without them the
  // foreign-key checks into the 10,000 polling stations plan as if the table were still tiny.
  await database.primary.execute(sql`analyze`);
  const rates: number[] = [];
  for (let run = 0; run < runs; run++) {
    const csv = scenario === 'areas' ? areasCsv(run) : versionsCsv(run);
    const started = performance.now();
    const plan = planFromCsv(csv);
    const parsed = performance.now();
    let validated = parsed;
    const summary = await runImport(database.primary, plan, { onValidated: () => (validated = performance.now()) });
    const done = performance.now();
    const seconds = (done - started) / 1000;
    rates.push(summary.lines / seconds);
    const s = (a: number, b: number) => ((b - a) / 1000).toFixed(2);
    console.log(
      `${values.engine} ${scenario} run ${run + 1}: ${summary.lines} lines in ${summary.versions} versions ` +
        `(${(csv.length / 1e6).toFixed(1)} MB CSV): parse ${s(started, parsed)} s, validate ${s(parsed, validated)} s, ` +
        `write ${s(validated, done)} s, total ${seconds.toFixed(2)} s = ${Math.round(summary.lines / seconds)} lines/s`,
    );
  }
  // The machine's load: other processes share the cores with this one and with the server.
  const load = loadavg()[0]!.toFixed(1);
  console.log(
    `median of ${runs}: ${Math.round(median(rates))} lines/s (load average ${load} on ${availableParallelism()} cores)`,
  );
} finally {
  await database.close();
  await drop();
}
