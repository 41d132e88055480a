// Test databases: a migrated + seeded template made once per run (test/setup/prepare-templates.ts),
// then a fresh copy per test file. PGlite always; a PostgreSQL server when TEST_DATABASE_URL is set.
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { DatabaseOptions } from '../../src/db/client.js';

export type Engine = 'pglite' | 'postgres';

/** A migrated and seeded PGlite data directory: the processes tests start get a copy (pgliteCopy). */
export const PGLITE_TEMPLATE = fileURLToPath(new URL('../../.tap/pglite-template', import.meta.url));
/** The same database as an uncompressed dump: each in-process test database loads it into memory. */
export const PGLITE_DUMP = `${PGLITE_TEMPLATE}.tar`;

/**
 * shared_buffers of the in-memory test databases (PGLITE_SHARED_BUFFERS_MB): each open zeroes
 * them, and a test database is a few MB. 16 MB instead of 128 saves about 0.3 s on each of the
 * suite's hundred-odd opens. (A database on disk keeps the default: with every database on disk
 * and 16 MB, CI's PGlite tests took up to twice as long; the two causes were not measured apart.)
 */
export const TEST_SHARED_BUFFERS_MB = 16;

/**
 * A private copy of the seeded PGlite data directory, as a DATA_DIR for a process or `dataDir` for
 * an app; `drop` deletes it (after the database is closed).
 */
export async function pgliteCopy(): Promise<{ dataDir: string; drop: () => Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'elections-test-'));
  await cp(PGLITE_TEMPLATE, dataDir, { recursive: true });
  return { dataDir, drop: () => rm(dataDir, { recursive: true, force: true }) };
}

export const serverUrl = process.env.TEST_DATABASE_URL;

export const engines: Engine[] = serverUrl ? ['pglite', 'postgres'] : ['pglite'];

export function templateName(url: string): string {
  return `${new URL(url).pathname.slice(1) || 'postgres'}_template`;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Runs one statement over a short-lived connection to `url` (e.g. the admin database) and returns its rows. */
export async function admin<Row extends Record<string, unknown> = Record<string, unknown>>(
  url: string,
  statement: string,
  params: unknown[] = [],
): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query<Row>(statement, params)).rows;
  } finally {
    await client.end();
  }
}

/** The dump, read once per test process (43 MB). */
let dumpRead: Promise<Buffer> | undefined;

/**
 * The dump as PGlite's loadDataDir reads it: it calls `arrayBuffer()` and looks at `type` (gzip or
 * not), nothing else. A real Blob copies the 43 MB twice (`new Blob`, then `arrayBuffer()` as a
 * stream of chunks): 0.5-1.0 s of every open on Node 20 and 24 alike, measured; this hands PGlite
 * a copy made with one memcpy. Were PGlite to read it another way, every test database would come
 * up empty and every test fail, not pass.
 */
function tarSource(dump: Buffer): Blob {
  const source = {
    type: 'application/x-tar',
    size: dump.byteLength,
    arrayBuffer: async () => dump.buffer.slice(dump.byteOffset, dump.byteOffset + dump.byteLength),
  };
  return source as unknown as Blob;
}

export interface TestDatabase {
  options: DatabaseOptions;
  drop(): Promise<void>;
}

/** A fresh, seeded database of the given engine, private to the caller. */
export async function freshDatabase(engine: Engine): Promise<TestDatabase> {
  if (engine === 'pglite') {
    // In memory: commits and reads on a data directory go through the file system (slower by a
    // third for writes, and more for reads).
    const dump = await (dumpRead ??= readFile(PGLITE_DUMP));
    return {
      options: { loadDataDir: tarSource(dump), sharedBuffersMb: TEST_SHARED_BUFFERS_MB },
      drop: async () => {},
    };
  }
  if (!serverUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `test_${Date.now()}_${randomBytes(4).toString('hex')}`;
  await admin(serverUrl, `create database "${name}" template "${templateName(serverUrl)}"`);
  return {
    options: { url: withDatabase(serverUrl, name), poolMax: 4 },
    drop: async () => void (await admin(serverUrl, `drop database if exists "${name}" with (force)`)),
  };
}
