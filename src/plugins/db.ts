import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type Database, type DatabaseOptions, type Db, openDatabase, type Server } from '../db/client.js';
import { seedIfChanged } from '../db/seed.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';

declare module 'fastify' {
  interface FastifyInstance {
    database: Database;
  }
  interface FastifyRequest {
    /**
     * The database this request reads: the primary for a request with an API key (an editor
     * reads their own writes at once), else any server that is up, replicas first. Chosen on
     * first use and kept for the rest of the request.
     */
    readonly db: Db;
    /** The server behind `db`, once chosen. */
    dbServer: Server | null;
  }
}

interface DbPluginOptions {
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
      await seedIfChanged(database.primary);
    }
    app.decorate('database', database);

    const [primary] = database.servers as [Server, ...Server[]];
    app.decorateRequest('dbServer', null);
    app.decorateRequest('db', {
      getter(this: FastifyRequest) {
        this.dbServer ??= this.apiKey ? primary : database.reader();
        return this.dbServer.db;
      },
    });

    // A replica that fails a request leaves the rotation at once, not at its next health check.
    app.addHook('onError', async (request, _reply, error) => {
      const served = request.dbServer;
      if (served && served !== primary && isDatabaseUnavailable(error)) {
        request.log.warn({ server: served.name }, 'replica unavailable: reads go elsewhere until it answers again');
        database.markDown(served.name);
      }
    });
    if (options.debugRouting)
      app.addHook('onSend', async (request, reply, payload) => {
        if (request.dbServer) reply.header('x-database-server', request.dbServer.name);
        return payload;
      });
    app.addHook('onReady', async () => {
      await database.checkReplicas();
      database.watchReplicas(options.replicaCheckMs ?? 2000);
    });
  },
  { name: 'db', dependencies: ['errors'] },
);
