import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type Database, type DatabaseOptions, type Db, openDatabase } from '../db/client.js';
import { routing, withRouting } from '../db/routing.js';
import { seed } from '../db/seed.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';

declare module 'fastify' {
  interface FastifyInstance {
    database: Database;
    /** Routed: reads to a replica unless the request is pinned to the primary; writes to the primary. */
    db: Db;
  }
}

export interface DbPluginOptions {
  connection: DatabaseOptions;
  /** Migrate and seed (idempotently) before the app is ready. */
  prepare: boolean;
  /** Applied to a server connection unless `connection` sets its own. */
  connectTimeoutMs?: number;
  queryTimeoutMs?: number;
  /** How often to re-check replicas (ms). */
  replicaCheckMs?: number;
  /** Name the server that answered each request's reads in an X-Database-Server header. */
  debugRouting?: boolean;
}

export default fp<DbPluginOptions>(
  async function dbPlugin(app: FastifyInstance, options) {
    const { connection } = options;
    const database = await openDatabase(
      'url' in connection
        ? {
            connectTimeoutMs: options.connectTimeoutMs,
            queryTimeoutMs: options.queryTimeoutMs,
            ...connection,
            onPoolError: (err) => app.log.warn({ err }, 'idle database client error'),
          }
        : connection,
    );
    app.addHook('onClose', async () => {
      await database.close();
      app.log.info('database connections closed');
    });
    if (options.prepare) {
      await database.migrate();
      await seed(database.primary);
    }
    app.decorate('database', database);
    app.decorate('db', database.db);

    // With replicas (or when debugging), every request gets its own routing context (see
    // src/db/routing.ts). Without them every read goes to the one server, and no context is made:
    // AsyncLocalStorage taxes every promise of the request.
    if (database.servers.length > 1 || options.debugRouting)
      app.addHook('onRequest', (_request, _reply, done) => withRouting(done));
    // A replica that fails a request leaves the rotation at once, not at its next health check.
    app.addHook('onError', async (request, _reply, error) => {
      const served = routing.getStore()?.served;
      if (served && served !== 'primary' && isDatabaseUnavailable(error)) {
        request.log.warn({ server: served }, 'replica unavailable: reads go elsewhere until it answers again');
        database.markDown(served);
      }
    });
    if (options.debugRouting)
      app.addHook('onSend', async (_request, reply, payload) => {
        const served = routing.getStore()?.served;
        if (served) reply.header('x-database-server', served);
        return payload;
      });
    app.addHook('onReady', async () => {
      await database.checkReplicas();
      database.watchReplicas(options.replicaCheckMs ?? 2000);
    });
  },
  { name: 'db', dependencies: ['errors'] },
);
