// Test databases: a migrated + seeded template made once per run (test/setup/prepare-templates.ts),
// then a fresh copy per test file. PGlite always; a PostgreSQL server when TEST_DATABASE_URL is set.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { DatabaseOptions } from '../../src/db/client.js';

export type Engine = 'pglite' | 'postgres';

export const PGLITE_TEMPLATE = fileURLToPath(new URL('../../.tap/pglite-template.tar.gz', import.meta.url));

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

export interface TestDatabase {
  options: DatabaseOptions;
  drop(): Promise<void>;
}

/** A fresh, seeded database of the given engine, private to the caller. */
export async function freshDatabase(engine: Engine): Promise<TestDatabase> {
  if (engine === 'pglite') {
    const dump = await readFile(PGLITE_TEMPLATE);
    return { options: { loadDataDir: new Blob([dump]) }, drop: async () => {} };
  }
  if (!serverUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `test_${Date.now()}_${randomBytes(4).toString('hex')}`;
  await admin(serverUrl, `create database "${name}" template "${templateName(serverUrl)}"`);
  return {
    options: { url: withDatabase(serverUrl, name), poolMax: 4 },
    drop: async () => void (await admin(serverUrl, `drop database if exists "${name}" with (force)`)),
  };
}
