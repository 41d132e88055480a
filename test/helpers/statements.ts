import type { FastifyInstance } from 'fastify';

type Queryable = { query: (...args: unknown[]) => unknown };

/**
 * Counts the statements an app sends outside transactions, on every server it reads (PGlite's
 * client or pg's pool): the proof that a read was served from memory is that the count stays put.
 */
export function countStatements(app: FastifyInstance): { readonly count: number; restore(): void } {
  let count = 0;
  const restores = app.database.servers.map((server) => {
    const client = (server.db as unknown as { $client: Queryable }).$client;
    const original = client.query;
    client.query = function (this: unknown, ...args: unknown[]) {
      count += 1;
      return original.apply(this, args);
    };
    return () => {
      client.query = original;
    };
  });
  return {
    get count() {
      return count;
    },
    restore: () => restores.forEach((restore) => restore()),
  };
}
