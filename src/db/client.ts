import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from './schema/index.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  engine: 'postgres' | 'pglite';
  /** Throws when the database cannot answer a trivial query. */
  ping(): Promise<void>;
  /** Applies the committed drizzle-kit migrations; safe on every start and from several processes. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseOptions =
  | { url: string; poolMax?: number; onPoolError?: (err: Error) => void }
  | { dataDir: string }
  | { loadDataDir: Blob };

export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

// Arbitrary constant: serialises migrations when several API processes start at once.
const MIGRATION_LOCK = 727_202_211;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return 'url' in options ? openPostgres(options) : openPglite(options);
}

function openPostgres(options: {
  url: string;
  poolMax?: number;
  onPoolError?: (err: Error) => void;
}): Database {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolMax ?? 10 });
  // Without a listener an idle client's error (e.g. the server restarting) crashes the process.
  pool.on('error', options.onPoolError ?? (() => {}));
  const db: Db = drizzlePg(pool, { schema });
  return {
    db,
    engine: 'postgres',
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    migrate: async () => {
      // A session lock needs one connection for lock, migrations and unlock.
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
        await migratePg(drizzlePg(client, { schema }), { migrationsFolder });
      } finally {
        await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

async function openPglite(options: { dataDir: string } | { loadDataDir: Blob }): Promise<Database> {
  // pg_trgm backs candidate search (migration 0005), as on a server.
  const extensions = { pg_trgm };
  const client =
    'dataDir' in options
      ? new PGlite(options.dataDir, { extensions })
      : new PGlite({ loadDataDir: options.loadDataDir, extensions });
  await client.waitReady;
  const pglite = drizzlePglite(client, { schema });
  return {
    db: pglite,
    engine: 'pglite',
    ping: async () => {
      await pglite.execute(sql`select 1`);
    },
    migrate: () => migratePglite(pglite, { migrationsFolder }),
    close: async () => {
      if (!client.closed) await client.close();
    },
  };
}
