// The packages the app and the tests import, loaded by Node's own loader before anything else in a
// test process: package.json's "tap"."test-env" names this file in NODE_OPTIONS, whose `--import`s
// run before the command line's. After them come tap's own module hooks (@tapjs/processinfo and
// @tapjs/mock, which tap adds to every test process) and tsx's. On Node 20 those hooks run on a
// separate thread, and every module loaded after them makes round trips there; these packages are a
// few hundred modules. Loaded here first, they are in Node's module cache when a test imports them
// through the hooks, and only each bare import is resolved there (the measured gain is in
// docs/decisions.md).
//
// A speed-up, not a dependency: a package left off this list loads through the hooks as before, just
// more slowly; one no longer installed fails here, in every test file at once.
import process from 'node:process';

// Only for the test process itself: the servers and CLIs a test starts inherit its environment.
// tap's test-env sets NODE_OPTIONS to this import alone (replacing any other), so none is left.
delete process.env.NODE_OPTIONS;

await Promise.all([
  import('tap'),
  import('fastify'),
  import('fastify-plugin'),
  import('fastify-type-provider-zod'),
  import('find-my-way'),
  import('fast-json-stringify'),
  import('@fastify/accept-negotiator'),
  import('@fastify/compress'),
  import('@fastify/cors'),
  import('@fastify/swagger'),
  import('@fastify/swagger-ui'),
  import('@fastify/under-pressure'),
  import('zod'),
  import('ajv-formats'),
  import('drizzle-orm'),
  import('drizzle-orm/pg-core'),
  import('drizzle-orm/utils'),
  import('drizzle-orm/pglite'),
  import('drizzle-orm/pglite/migrator'),
  import('drizzle-orm/node-postgres'),
  import('drizzle-orm/node-postgres/migrator'),
  import('@electric-sql/pglite'),
  import('@electric-sql/pglite/contrib/pg_trgm'),
  import('pg'),
  import('any-ascii'),
  import('close-with-grace'),
  import('csv-parse/sync'),
  import('csv-stringify'),
  import('csv-stringify/sync'),
  import('cyrillic-to-translit-js'),
  import('helmet'),
  import('ipaddr.js'),
  import('iso-3166'),
  import('lru-cache'),
  import('negotiator'),
  import('@sindresorhus/slugify'),
  import('vary'),
]);
