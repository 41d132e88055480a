// The bench's own databases on the server given by DATABASE_URL / TEST_DATABASE_URL: dropped,
// recreated, migrated, seeded and synthesised on every run (never any other database); and, for
// `--only pglite`, the embedded engine's own data dir, made the same way.
import { existsSync, rmSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import pg from 'pg';
import { type Database, openDatabase, pgliteClient } from '../../src/db/client.js';
import { seed } from '../../src/db/seed.js';
import { SYNTHETIC_SOURCE_ID, synth } from '../../src/db/synth.js';

export const TABLES = [
  'countries',
  'sources',
  'organisations',
  'candidates',
  'elections',
  'result_versions',
  'vote_shares',
] as const;

export interface Dataset {
  name: string;
  url: string;
  elections: number;
  rows: Record<(typeof TABLES)[number], number>;
  /** The synth run, when this run made the data (not with --reuse). */
  synth: { seconds: number; rows: number } | null;
}

export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A client on `url` (with `options`, a connection's `-c` settings, when given), closed after `fn`. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>, options?: string): Promise<T> {
  const client = new pg.Client({ connectionString: url, ...(options ? { options } : {}) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Where a dataset lives: a database on the PostgreSQL server (its URL), or a PGlite data dir. */
export type Place = string | { dataDir: string };

/** What the bench asks of a database directly, whichever engine holds it. */
export interface Queryable {
  query<Row>(text: string, values?: unknown[]): Promise<{ rows: Row[] }>;
}

/**
 * A direct connection to `place`, closed after `fn`: `pg` on a server (with `options`, a
 * connection's `-c` settings), or PGlite opened on the data dir with the app's extension and
 * setting (the dir must not be open in another process).
 */
export async function withDatabase<T>(place: Place, fn: (db: Queryable) => Promise<T>, options?: string): Promise<T> {
  if (typeof place === 'string')
    return withClient(
      place,
      (c) =>
        fn({
          query: async <Row>(text: string, values?: unknown[]) => ({
            rows: (await c.query(text, values)).rows as Row[],
          }),
        }),
      options,
    );
  const db = await pgliteClient(place);
  try {
    return await fn({ query: async <Row>(text: string, values?: unknown[]) => db.query<Row>(text, values) });
  } finally {
    await db.close();
  }
}

async function syntheticElections(place: Place): Promise<number | null> {
  if (typeof place !== 'string' && !existsSync(place.dataDir)) return null;
  try {
    return await withDatabase(place, async (db) => {
      const { rows } = await db.query<{ n: number }>('select count(*)::int as n from elections where source_id = $1', [
        SYNTHETIC_SOURCE_ID,
      ]);
      return rows[0]?.n ?? 0;
    });
  } catch {
    return null; // no such database, or not migrated
  }
}

/** Statistics brought up to date (`analyze`, for the plans the bench reports), then each table's rows. */
async function analyzedRows(place: Place): Promise<Dataset['rows']> {
  return withDatabase(place, async (db) => {
    await db.query('analyze');
    const out = {} as Dataset['rows'];
    for (const table of TABLES) {
      const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from ${table}`);
      out[table] = rows[0]?.n ?? 0;
    }
    return out;
  });
}

/** A database `name` with `elections` synthetic elections: made afresh unless `reuse` finds it. */
export async function prepareDataset(
  serverUrl: string,
  name: string,
  opts: { elections: number; seed: number; reuse: boolean },
): Promise<Dataset> {
  const url = databaseUrl(serverUrl, name);
  if (opts.reuse && (await syntheticElections(url)) === opts.elections) {
    console.error(`${name}: reusing its ${opts.elections} synthetic elections (migrated to the latest schema)`);
    // A reused database may predate the newest migrations; the servers run with AUTO_MIGRATE off.
    const database = await openDatabase({ url, poolMax: 1 });
    await database.migrate().finally(() => database.close());
    return { name, url, elections: opts.elections, rows: await analyzedRows(url), synth: null };
  }
  await withClient(serverUrl, async (c) => {
    await c.query(`drop database if exists "${name}" with (force)`);
    await c.query(`create database "${name}"`);
  });
  const synthRun = await synthesise(await openDatabase({ url, poolMax: 2 }), name, opts);
  return { name, url, elections: opts.elections, rows: await analyzedRows(url), synth: synthRun };
}

/** The embedded engine's dataset (`--only pglite`): a data dir instead of a database on a server. */
export interface PgliteDataset extends Omit<Dataset, 'url'> {
  dataDir: string;
}

/**
 * The data dir `dataDir` with `elections` synthetic elections, made as `npm run db:synth` makes
 * it on an embedded database (the dir deleted first) unless `reuse` finds it.
 */
export async function preparePgliteDataset(
  dataDir: string,
  opts: { elections: number; seed: number; reuse: boolean },
): Promise<PgliteDataset> {
  const place = { dataDir };
  const name = `PGlite data dir ${dataDir}`;
  if (opts.reuse && (await syntheticElections(place)) === opts.elections) {
    console.error(`${name}: reusing its ${opts.elections} synthetic elections (migrated to the latest schema)`);
    const database = await openDatabase(place);
    await database.migrate().finally(() => database.close());
    return { name, dataDir, elections: opts.elections, rows: await analyzedRows(place), synth: null };
  }
  rmSync(dataDir, { recursive: true, force: true });
  const synthRun = await synthesise(await openDatabase(place), name, opts);
  return { name, dataDir, elections: opts.elections, rows: await analyzedRows(place), synth: synthRun };
}

/** Migrates, seeds and synthesises `database` (then closes it): what the run took. */
async function synthesise(
  database: Database,
  name: string,
  opts: { elections: number; seed: number },
): Promise<NonNullable<Dataset['synth']>> {
  const bar = new SingleBar({ format: `${name} [{bar}] {value}/{total} elections | {duration}s`, hideCursor: true });
  try {
    await database.migrate();
    await seed(database.primary);
    const started = performance.now();
    bar.start(opts.elections, 0);
    const summary = await synth(database.primary, {
      elections: opts.elections,
      seed: opts.seed,
      onProgress: (done) => bar.update(done),
    });
    bar.stop();
    const seconds = (performance.now() - started) / 1000;
    const rows =
      summary.sources +
      summary.organisations +
      summary.candidates +
      summary.elections +
      summary.resultVersions +
      summary.voteShares;
    return { seconds, rows };
  } finally {
    bar.stop();
    await database.close();
  }
}

export interface Parameters {
  /** Synthetic election ids in a fixed shuffled order, for the requests that must not repeat. */
  coldIds: string[];
  /** One election requested over and over. */
  warmId: string;
  /**
   * Another election whose main contest has another current version number, read once when the SQL
   * is captured: what differs between the two reads is what the replay must take from each election.
   */
  sampleId: string;
  /** The country with most synthetic elections (alpha-2). */
  country: string;
  /** The candidate with most lines. */
  candidate: string;
  /** That candidate's surname, as a journalist would type it into a search. */
  query: string;
}

/** Request parameters chosen from the data itself, the same way for every dataset size. */
export async function pickParameters(url: string): Promise<Parameters> {
  return withClient(url, async (c) => {
    const ids = await c.query<{ id: string }>(
      `select id from elections where source_id = $1 order by md5(id) limit 10000`,
      [SYNTHETIC_SOURCE_ID],
    );
    // Version ids above 1000 cannot be confused with a small constant when the SQL is captured.
    const warm = await c.query<{ id: string }>(
      `select election_id as id from result_versions where source_id = $1 and id > 1000
       order by md5(election_id) limit 1`,
      [SYNTHETIC_SOURCE_ID],
    );
    const country = await c.query<{ code: string }>(
      `select country_code as code from elections where source_id = $1
       group by 1 order by count(*) desc, 1 limit 1`,
      [SYNTHETIC_SOURCE_ID],
    );
    const candidate = await c.query<{ id: string; name: string }>(
      `select c.id, c.name from vote_shares v join candidates c on c.id = v.candidate_id
       where c.source_id = $1 group by c.id order by count(*) desc, c.id limit 1`,
      [SYNTHETIC_SOURCE_ID],
    );
    const warmId = warm.rows[0]?.id ?? ids.rows[0]?.id;
    const sample = await c.query<{ id: string }>(
      `select c.election_id as id from contests c
       where c.main and c.source_id = $1 and c.election_id <> $2 and c.current_version is not null
         and c.current_version is distinct from (select current_version from contests where election_id = $2 and main)
       order by md5(c.election_id) limit 1`,
      [SYNTHETIC_SOURCE_ID, warmId],
    );
    const sampleId = sample.rows[0]?.id;
    const person = candidate.rows[0];
    if (!warmId || !sampleId || !person || !country.rows[0])
      throw new Error(`${url}: no synthetic data to pick parameters from`);
    return {
      coldIds: ids.rows.map((r) => r.id),
      warmId,
      sampleId,
      country: country.rows[0].code,
      candidate: person.id,
      query: person.name.split(' ').at(-1)!,
    };
  });
}
