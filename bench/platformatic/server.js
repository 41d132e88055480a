// A generic REST layer over the API's tables: Platformatic's sql-mapper reads the schema of the
// database at BENCH_DATABASE_URL and sql-openapi serves a CRUD route per table, on Fastify with its
// request log, as a user who picks such a layer instead of this API would run it. The bench
// (`npm run bench -- --only platformatic`) installs this folder on first use and starts this file
// with an IPC channel; it answers with its port.
import Fastify from 'fastify';
import mapper from '@platformatic/sql-mapper';
import openapi from '@platformatic/sql-openapi';

const url = process.env.BENCH_DATABASE_URL;
if (!url) throw new Error('BENCH_DATABASE_URL is not set');
// The API's pool size (src/db/client.ts), so neither side has more connections to the database.
const app = Fastify({ logger: { level: 'info' } });
await app.register(mapper, { connectionString: url, poolSize: 10 });
await app.register(openapi, { exposeRoute: false });
await app.listen({ host: '127.0.0.1', port: 0 });
if (!process.send) throw new Error('start this server from bench/run.ts (it needs an IPC channel)');
process.send({ port: app.server.address().port });
process.on('disconnect', () => {
  void app.close().finally(() => process.exit(0));
});
