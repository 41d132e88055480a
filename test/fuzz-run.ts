// The long fuzz run, on demand (issue 6): the properties of test/fuzz.test.ts over as many random
// requests as asked, on a fresh database that is thrown away afterwards.
//
//   npm run fuzz -- --runs 100000 [--seed S] [--engine pglite|postgres] [--keep-going] [--path P]
//
// --engine postgres needs TEST_DATABASE_URL (a server where the user may create databases).
// --keep-going records every kind of failure instead of stopping (and shrinking) at the first.
// --seed and --path replay a reported counterexample.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.js';
import { testConfig } from './helpers/app.js';
import { admin } from './helpers/databases.js';
import { failureReport, fuzzContext, histogram, newStats, runFuzz } from './helpers/fuzz.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20000' },
    seed: { type: 'string' },
    path: { type: 'string' },
    engine: { type: 'string', default: 'pglite' },
    'keep-going': { type: 'boolean', default: false },
  },
});

const runs = Number(values.runs);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
if (values.engine !== 'pglite' && values.engine !== 'postgres') throw new Error('--engine is pglite or postgres');

/** A migrated, seeded database private to this run: in memory for PGlite, a new database on the server. */
async function database() {
  if (values.engine === 'pglite') return { options: { dataDir: 'memory://fuzz' }, drop: async () => {} };
  const server = process.env.TEST_DATABASE_URL;
  if (!server) throw new Error('--engine postgres needs TEST_DATABASE_URL');
  const name = `fuzz_${Date.now()}_${randomBytes(4).toString('hex')}`;
  await admin(server, `create database "${name}"`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    options: { url: url.toString(), poolMax: 4 },
    drop: () => admin(server, `drop database if exists "${name}" with (force)`),
  };
}

const db = await database();
const app = await buildApp({ config: testConfig({ AUTO_MIGRATE: 'true' }), database: db.options });
let exitCode = 0;
try {
  await app.ready();
  const ctx = await fuzzContext(app);
  console.log(`fuzzing ${ctx.ops.length} operations on ${values.engine}: ${runs} runs, seed ${seed}`);
  const started = Date.now();
  const stats = newStats();
  const progress = setInterval(() => console.log(`  … ${stats.requests} requests`), 10_000);
  const { details } = await runFuzz(
    ctx,
    {
      runs,
      seed,
      keepGoing: values['keep-going'],
      ...(values.path === undefined ? {} : { path: values.path }),
    },
    stats,
  ).finally(() => clearInterval(progress));
  console.log(
    `${stats.requests} requests in ${((Date.now() - started) / 1000).toFixed(1)} s; ${stats.rejectedWrites} rejected writes checked, ${stats.replays} idempotent replays`,
  );
  console.log(`statuses: ${histogram(stats.statuses)}`);
  console.log(`2xx per operation: ${histogram(stats.successes)}`);
  if (stats.undeclared.size) console.log(`statuses not in openapi.json: ${histogram(stats.undeclared)}`);
  for (const warning of stats.warnings) console.log(`process warning: ${warning}`);
  for (const [kind, { example, count }] of stats.failures) {
    exitCode = 1;
    console.log(`\nFAILURE ×${count}: ${kind}\n${example}`);
  }
  if (details.failed) {
    exitCode = 1;
    console.log(`\nCOUNTEREXAMPLE\n${failureReport(details)}`);
  }
} finally {
  await app.close();
  await db.drop();
}
process.exitCode = exitCode;
