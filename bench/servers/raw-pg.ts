// Baseline 2: the statements of the results endpoint run with `pg` directly (no Drizzle, no zod,
// no response schema), serialised as plain JSON. The API's ratio to it is its own overhead on
// the database path.
import Fastify from 'fastify';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { bindParams, type PlannedQuery, type ResultsPlan } from '../lib/results-plan.js';
import { listenForParent } from './listen.js';

const url = process.env.BENCH_DATABASE_URL;
const plan = JSON.parse(process.env.BENCH_RESULTS_PLAN ?? 'null') as ResultsPlan | null;
if (!url || !plan?.queries.length) throw new Error('BENCH_DATABASE_URL and BENCH_RESULTS_PLAN are set by bench/run.ts');
const [first, ...rest] = plan.queries as [PlannedQuery, ...PlannedQuery[]];

const config = loadConfig({});
const pool = new pg.Pool({ connectionString: url, max: config.DB_POOL_MAX });
pool.on('error', () => {});

// As Drizzle's pg driver does: dates and timestamps stay strings, rows come as arrays.
const RAW = new Set([1082, 1114, 1184, 1186]);
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary'): ((value: string) => unknown) =>
    RAW.has(oid) ? (value: string) => value : (pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown),
};

// Unnamed statements by default, as the app sends them (PostgreSQL plans each one afresh);
// BENCH_RAW_PREPARED names them, so the server keeps their plans: the floor prepared statements reach.
const names = new Map(plan.queries.map((q, i) => [q, process.env.BENCH_RAW_PREPARED ? `bench_results_${i}` : undefined]));

const run = async (query: PlannedQuery, electionId: string, versionId: unknown) =>
  (
    await pool.query<unknown[]>({
      name: names.get(query),
      text: query.text,
      values: bindParams(query, electionId, versionId),
      rowMode: 'array',
      types,
    })
  ).rows;

const app = Fastify({
  logger: { level: config.LOG_LEVEL, redact: ['req.headers.authorization', 'req.headers.cookie'] },
});
app.addHook('onClose', () => pool.end());
app.get<{ Params: { id: string } }>('/results/:id', async (request, reply) => {
  const { id } = request.params;
  const head = await run(first, id, null);
  if (head.length === 0) return reply.code(404).send({ status: 404 });
  const versionId = plan.versionColumn === null ? null : head[0]?.[plan.versionColumn];
  const others = await Promise.all(rest.map((q) => run(q, id, versionId)));
  return { head, others };
});
await listenForParent(app);
