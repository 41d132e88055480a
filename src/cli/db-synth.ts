// npm run db:synth: writes a deterministic synthetic dataset (see src/db/synth.ts) for load tests.
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { loadConfig } from '../config.js';
import { databaseOptions, openDatabase } from '../db/client.js';
import { seed } from '../db/seed.js';
import { SYNTHETIC_SOURCE_ID, synth, SyntheticDataExistsError } from '../db/synth.js';

const help = `Usage: npm run db:synth -- --elections N [--seed S] [--append]

Writes N synthetic elections with their main contest (a presidency or a local office with
candidates; a parliament's party lists, with seats), candidates, parties and 1-3 result versions
into the database of DATABASE_URL, or the embedded PGlite database in DATA_DIR (./data) when it
is unset. Each country used gets 3-20 synthetic regions ("Synthetic region 1", id
{cc}-synth-r01, no ISO code), and half its elections give figures by region: turnout in every
version, and in some the certified result region by region, adding up to the national figures
(GET /v1/elections/{id}/results?area={cc}&level=region). Countries with real areas below them
(Kazakhstan's, from the seed) keep national figures only. About 23 vote-share lines an election
(--elections 100000 gives about 2.3M lines).

It first applies the migrations and the seed (both idempotent), since every election needs
its country. Every row it writes hangs off one source, '${SYNTHETIC_SOURCE_ID}', that says
the figures are invented: they never pass for real results.

The same --seed on the same starting database gives the same rows, byte for byte.
Everything is written in one transaction: an interrupted run leaves nothing behind.

Running it twice: it refuses when the database already holds synthetic data. Result
versions and their lines are append-only (the database refuses to delete them), so a
dataset cannot be replaced in place: to start again, recreate the database (or delete
DATA_DIR), or pass --append to add N more elections (with another --seed, or most new
people get a "-2" id beside the first run's namesakes).

Options:
  --elections N   number of elections, 1 or more (required)
  --seed S        integer seed of the generator (default 1)
  --append        add to an existing synthetic dataset instead of refusing
  -h, --help      this text`;

function parse() {
  try {
    return parseArgs({
      options: {
        elections: { type: 'string' },
        seed: { type: 'string', default: '1' },
        append: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${help}`);
    process.exit(2);
  }
}
const { values } = parse();

if (values.help) {
  console.log(help);
  process.exit(0);
}
const elections = Number(values.elections);
const seedValue = Number(values.seed);
if (!Number.isInteger(elections) || elections < 1 || !Number.isInteger(seedValue)) {
  console.error(`--elections must be a positive integer and --seed an integer.\n\n${help}`);
  process.exit(2);
}

const config = loadConfig();
const database = await openDatabase(databaseOptions(config));
const bar = new SingleBar({
  format: 'synth [{bar}] {percentage}% | {value}/{total} elections | {duration_formatted} elapsed, eta {eta_formatted}',
  hideCursor: true,
});
try {
  await database.migrate();
  await seed(database.primary);
  const started = performance.now();
  bar.start(elections, 0);
  const summary = await synth(database.primary, {
    elections,
    seed: seedValue,
    append: values.append,
    onProgress: (done) => bar.update(done),
  });
  bar.stop();
  const seconds = (performance.now() - started) / 1000;
  const rows =
    summary.sources +
    summary.organisations +
    summary.candidates +
    summary.areas +
    summary.elections +
    summary.contests +
    summary.resultVersions +
    summary.resultAreas +
    summary.voteShares;
  console.log(`synthetic dataset written (${database.engine}, seed ${seedValue}):`);
  console.table({
    sources: summary.sources,
    organisations: summary.organisations,
    candidates: summary.candidates,
    areas: summary.areas,
    elections: summary.elections,
    contests: summary.contests,
    result_versions: summary.resultVersions,
    result_areas: summary.resultAreas,
    vote_shares: summary.voteShares,
  });
  console.log(
    `${rows.toLocaleString('en')} rows in ${seconds.toFixed(1)} s ` +
      `(${Math.round(rows / seconds).toLocaleString('en')} rows/s, ` +
      `${Math.round(summary.voteShares / seconds).toLocaleString('en')} lines/s)`,
  );
} catch (err) {
  bar.stop();
  if (!(err instanceof SyntheticDataExistsError)) throw err;
  console.error(
    `${err.message}\nRecreate the database (or delete DATA_DIR) to start again, or pass --append to add to it.`,
  );
  process.exitCode = 1;
} finally {
  await database.close();
}
