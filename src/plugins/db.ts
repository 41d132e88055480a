import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type Database, type DatabaseOptions, type Db, openDatabase } from '../db/client.js';
import { seed } from '../db/seed.js';

declare module 'fastify' {
  interface FastifyInstance {
    database: Database;
    db: Db;
  }
}

export interface DbPluginOptions {
  connection: DatabaseOptions;
  /** Migrate and seed (idempotently) before the app is ready. */
  prepare: boolean;
}

export default fp<DbPluginOptions>(
  async function dbPlugin(app: FastifyInstance, options) {
    const database = await openDatabase(
      'url' in options.connection
        ? { ...options.connection, onPoolError: (err) => app.log.warn({ err }, 'idle database client error') }
        : options.connection,
    );
    app.addHook('onClose', () => database.close());
    if (options.prepare) {
      await database.migrate();
      await seed(database.db);
    }
    app.decorate('database', database);
    app.decorate('db', database.db);
  },
  { name: 'db' },
);
