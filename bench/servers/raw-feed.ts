// Baseline for the change feed: GET /feed?since=&limit= runs the statement /v1/changes runs
// (changesAfterQuery, rendered once per request as Drizzle renders it) with `pg` directly, and
// answers with the same page (feedPage), with no Drizzle driver, no zod, no response schema and no
// plugins. The API's ratio to it is its own overhead on the feed.
import { PgDialect } from 'drizzle-orm/pg-core';
import Fastify from 'fastify';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { type ChangeRow, changesAfterQuery } from '../../src/modules/changes/changes.repository.js';
import { feedPage } from '../../src/modules/changes/changes.view.js';
import { listenForParent } from './listen.js';

const url = process.env.BENCH_DATABASE_URL;
if (!url) throw new Error('BENCH_DATABASE_URL is set by bench/run.ts');
const config = loadConfig({});
const pool = new pg.Pool({ connectionString: url, max: config.DB_POOL_MAX });
pool.on('error', () => {});
const dialect = new PgDialect();

const app = Fastify({ logger: false });
app.addHook('onClose', () => pool.end());
app.get<{ Querystring: { since?: string; limit?: string } }>('/feed', async (request) => {
  const since = Number(request.query.since ?? 0);
  const limit = Number(request.query.limit ?? 100);
  const query = dialect.sqlToQuery(changesAfterQuery({ since, limit: limit + 1 }));
  const { rows } = await pool.query<ChangeRow>(query.sql, query.params);
  return feedPage(rows, since, limit);
});
await listenForParent(app);
