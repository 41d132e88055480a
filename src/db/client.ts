import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import type { Config } from '../config.js';
import { fromRoot } from '../lib/project-root.js';
import { seedDataDirFromTemplate } from './pglite-template.js';
import * as schema from './schema/index.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/** One PostgreSQL server (or the embedded engine) as seen by this process. */
export interface Server {
  name: string;
  db: Db;
  /** False while health checks fail; reads skip a replica that is down. */
  up: boolean;
  /** Whether the server is a hot standby (pg_is_in_recovery()); throws when it cannot answer. */
  inRecovery(): Promise<boolean>;
}

export interface Database {
  /** The primary: every write, and every read that must see the latest writes. */
  primary: Db;
  /** The primary first, then the replicas. */
  servers: Server[];
  /** The server for a read that may lag: a random replica that is up, else the primary. */
  reader(): Server;
  engine: 'postgres' | 'pglite';
  /** Throws when the primary cannot answer a trivial query. */
  ping(): Promise<void>;
  /** Re-checks every replica now (also done every few seconds once `watchReplicas` runs). */
  checkReplicas(): Promise<void>;
  /** Takes a replica out of the read rotation until the next check finds it answering. */
  markDown(name: string): void;
  watchReplicas(intervalMs: number): void;
  /** Applies the committed drizzle-kit migrations; safe on every start and from several processes. */
  migrate(): Promise<void>;
  /**
   * LISTEN on the primary: `onNotify` gets each notification's payload on `channel`. `onListening`
   * runs each time the subscription is in place: at first, and after a lost connection is
   * re-established (notifications sent in between are lost: read what they would have said).
   * Resolves with the function that stops listening.
   */
  listen(channel: string, handlers: ListenHandlers): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface ListenHandlers {
  onNotify(payload: string): void;
  onListening(): void;
  /** A lost or refused connection; a new one is tried after `LISTEN_RETRY_MS`. */
  onError(err: Error): void;
}

const LISTEN_RETRY_MS = 1000;

export interface ServerOptions {
  url: string;
  /** Streaming replicas: reads are spread over them, writes go to `url`. */
  replicaUrls?: string[];
  poolMax?: number;
  /** Longest wait for a pooled connection (new or free), in ms; unbounded when omitted. */
  connectTimeoutMs?: number;
  /** statement_timeout on the server and a read timeout in the client, in ms; none when omitted. */
  queryTimeoutMs?: number;
  onPoolError?: (err: Error) => void;
}

/** The embedded engine: a data directory (or a dump to load in memory), and its shared_buffers. */
export type PgliteOptions = ({ dataDir: string } | { loadDataDir: Blob }) & { sharedBuffersMb?: number };

export type DatabaseOptions = ServerOptions | PgliteOptions;

export const migrationsFolder = fromRoot('migrations');

// For `<%` in name search: pg_trgm's default (0.6) misses a one-letter typo in a short word
// ("tokayv" is 0.57 of "tokaev", "eskvist" 0.45 of "mei eskuist"); every connection sets it.
export const WORD_SIMILARITY_THRESHOLD = 0.45;

// Arbitrary constant: serialises migrations when several API processes start at once.
const MIGRATION_LOCK = 727_202_211;

/** The primary (DATABASE_URL) or the embedded data dir, as the CLIs open it: no request timeouts. */
export function databaseOptions(
  config: Pick<Config, 'DATABASE_URL' | 'DB_POOL_MAX' | 'DATA_DIR' | 'PGLITE_SHARED_BUFFERS_MB'>,
): DatabaseOptions {
  return config.DATABASE_URL
    ? { url: config.DATABASE_URL, poolMax: config.DB_POOL_MAX }
    : { dataDir: config.DATA_DIR, sharedBuffersMb: config.PGLITE_SHARED_BUFFERS_MB };
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return 'url' in options ? openPostgres(options) : openPglite(options);
}

function pool(url: string, options: ServerOptions): pg.Pool {
  const timeout = options.queryTimeoutMs;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolMax ?? 10,
    // A lost server must not hang requests: bounded waits for a connection and for every statement.
    connectionTimeoutMillis: options.connectTimeoutMs ?? 0,
    ...(timeout
      ? { statement_timeout: timeout, query_timeout: timeout + 250, idle_in_transaction_session_timeout: timeout * 4 }
      : {}),
    keepAlive: true,
    // Name search (src/modules/search): a query word this close to a part of a name matches.
    options: `-c pg_trgm.word_similarity_threshold=${WORD_SIMILARITY_THRESHOLD}`,
  });
  // Without a listener an idle client's error (e.g. the server restarting) crashes the process.
  pool.on('error', options.onPoolError ?? (() => {}));
  return pool;
}

function server(name: string, db: Db): Server {
  return {
    name,
    db,
    up: true,
    inRecovery: async () => {
      const result = (await db.execute(sql`select pg_is_in_recovery() as recovery`)) as {
        rows: { recovery: boolean }[];
      };
      return result.rows[0]?.recovery ?? false;
    },
  };
}

function openPostgres(options: ServerOptions): Database {
  const pools = [options.url, ...(options.replicaUrls ?? [])].map((url) => pool(url, options));
  const servers = pools.map((p, i) => server(i === 0 ? 'primary' : `replica-${i}`, drizzlePg(p, { schema })));
  const [primary, ...replicas] = servers as [Server, ...Server[]];

  const reader = (): Server => {
    const live = replicas.filter((r) => r.up);
    return live.length ? live[Math.floor(Math.random() * live.length)]! : primary;
  };

  const checkReplicas = async () => {
    await Promise.all(
      replicas.map(async (r) => {
        r.up = await r.inRecovery().then(
          () => true,
          () => false,
        );
      }),
    );
  };
  let timer: NodeJS.Timeout | undefined;

  return {
    primary: primary.db,
    servers,
    reader,
    engine: 'postgres',
    ping: async () => {
      await primary.db.execute(sql`select 1`);
    },
    checkReplicas,
    markDown: (name) => {
      const replica = replicas.find((r) => r.name === name);
      if (replica) replica.up = false;
    },
    watchReplicas: (intervalMs) => {
      if (replicas.length === 0 || timer) return;
      timer = setInterval(() => void checkReplicas(), intervalMs);
      timer.unref();
    },
    migrate: async () => {
      // Its own connection without the request timeouts (an index build may take minutes); a
      // session lock needs one connection for lock, migrations and unlock.
      const client = new pg.Client({ connectionString: options.url });
      await client.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
        await migratePg(drizzlePg(client, { schema }), { migrationsFolder });
      } finally {
        await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
        await client.end();
      }
    },
    listen: (channel, handlers) => listenPostgres(options.url, channel, handlers),
    close: async () => {
      clearInterval(timer);
      await Promise.all(pools.map((p) => p.end()));
    },
  };
}

/**
 * A connection of its own (a pooled one would be handed to other queries), re-opened after
 * LISTEN_RETRY_MS whenever it is lost, until stopped.
 */
async function listenPostgres(url: string, channel: string, handlers: ListenHandlers): Promise<() => Promise<void>> {
  if (!/^[a-z_]+$/.test(channel)) throw new Error(`not a plain channel name: ${channel}`);
  let stopped = false;
  let current: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: url, keepAlive: true });
    let lost = false;
    const onLost = (err: Error) => {
      if (lost || stopped) return void (lost = true);
      lost = true;
      handlers.onError(err);
      client.end().catch(() => {});
      if (!stopped) retry = setTimeout(() => void connect(), LISTEN_RETRY_MS);
    };
    client.on('notification', (message) => {
      if (message.channel === channel) handlers.onNotify(message.payload ?? '');
    });
    client.on('error', onLost);
    client.on('end', () => onLost(new Error('the listening connection ended')));
    current = client;
    try {
      await client.connect();
      await client.query(`listen ${channel}`);
    } catch (err) {
      onLost(err as Error);
      return;
    }
    if (!lost && !stopped) handlers.onListening();
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await current?.end().catch(() => {});
  };
}

/**
 * The embedded engine itself, ready, on an existing data dir or a dump: the extension and the
 * session setting the app's statements need, and `sharedBuffersMb` (PGlite's default otherwise).
 */
export async function pgliteClient(options: PgliteOptions): Promise<PGlite> {
  // pg_trgm backs candidate search (migration 0005), as on a server.
  const extensions = { pg_trgm };
  const startParams = options.sharedBuffersMb
    ? [...PGlite.defaultStartParams, '-c', `shared_buffers=${options.sharedBuffersMb}MB`]
    : undefined;
  const client =
    'dataDir' in options
      ? new PGlite(options.dataDir, { extensions, startParams })
      : new PGlite({ loadDataDir: options.loadDataDir, extensions, startParams });
  await client.waitReady;
  await client.exec(`set pg_trgm.word_similarity_threshold = ${WORD_SIMILARITY_THRESHOLD}`);
  return client;
}

async function openPglite(options: PgliteOptions): Promise<Database> {
  // A new data dir starts as a copy of the empty cluster `npm install` made, not by initdb.
  if ('dataDir' in options) await seedDataDirFromTemplate(options.dataDir);
  const client = await pgliteClient(options);
  const pglite = drizzlePglite(client, { schema });
  const only = server('primary', pglite);
  return {
    primary: pglite,
    servers: [only],
    reader: () => only,
    engine: 'pglite',
    ping: async () => {
      await pglite.execute(sql`select 1`);
    },
    checkReplicas: async () => {},
    markDown: () => {},
    watchReplicas: () => {},
    migrate: () => migratePglite(pglite, { migrationsFolder }),
    listen: async (channel, handlers) => {
      // One engine in this process: its notifications never get lost on the way.
      const stop = await client.listen(channel, (payload) => handlers.onNotify(payload));
      handlers.onListening();
      return async () => {
        if (!client.closed) await stop();
      };
    },
    close: async () => {
      if (!client.closed) await client.close();
    },
  };
}
