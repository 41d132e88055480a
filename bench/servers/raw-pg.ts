// Baseline 2: statements that read one result version, run with `pg` directly (no Drizzle, no zod,
// no response schema, no plugins). Plans captured from the app (see lib/capture.ts), each served at
// GET /<plan>/:id, e.g.:
//   /rows/:id       the plain row statements (the tests' reference rendering): the contest, its
//                   version, areas, lines and sources, in turn, the rows serialised as plain JSON;
//   /api-sql/:id    the statement /v1/elections/{id}/results runs; when that is one statement
//                   returning the finished body, the body is sent as it is, as the API does;
//   /area-sql/:id   the same with ?area=kz&level=region (the per-area dataset);
//   /search-<q>/-   the statements of one search (/v1/search?q=…, /v1/candidates?q=…), their
//                   parameters as captured, the rows of each returned as JSON;
//   /record-<k>/-   the statements of a record or a list (--only records), the rows as objects in
//                   the API's envelope (ResultsPlan.json), written with JSON.stringify.
// The API's ratio to each is its own overhead on the database path. With BENCH_PGLITE_DIR instead
// of BENCH_DATABASE_URL (`--only pglite`) the statements run on PGlite in this process, opened on
// that data dir as the API opens its own: the same engine, the same shared_buffers.
import Fastify, { type FastifyReply } from 'fastify';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { pgliteClient } from '../../src/db/client.js';
import { bindParams, type PlannedQuery, type ResultsPlan } from '../lib/results-plan.js';
import { listenForParent } from './listen.js';

const url = process.env.BENCH_DATABASE_URL;
const dataDir = process.env.BENCH_PGLITE_DIR;
const plans = JSON.parse(process.env.BENCH_RESULTS_PLANS ?? 'null') as Record<string, ResultsPlan> | null;
if (!(url || dataDir) || !plans || Object.values(plans).some((p) => !p.queries.length))
  throw new Error('BENCH_DATABASE_URL (or BENCH_PGLITE_DIR) and BENCH_RESULTS_PLANS are set by bench/run.ts');

const config = loadConfig({});
// BENCH_PG_OPTIONS: the API's connection settings (captured with its SQL), e.g. pg_trgm's thresholds.
const options = process.env.BENCH_PG_OPTIONS;
const pool = url
  ? new pg.Pool({ connectionString: url, max: config.DB_POOL_MAX, ...(options ? { options } : {}) })
  : undefined;
pool?.on('error', () => {});
const pglite = dataDir ? await pgliteClient({ dataDir, sharedBuffersMb: config.PGLITE_SHARED_BUFFERS_MB }) : undefined;

// As Drizzle's pg driver does: dates and timestamps stay strings, rows come as arrays.
const RAW = new Set([1082, 1114, 1184, 1186]);
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary'): ((value: string) => unknown) =>
    RAW.has(oid)
      ? (value: string) => value
      : (pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown),
};

// Unnamed statements by default (PostgreSQL plans each one afresh); BENCH_RAW_PREPARED names them,
// so the server keeps their plans, as the API's prepared statements do.
const names = new Map<PlannedQuery, string | undefined>();
for (const [plan, { queries }] of Object.entries(plans))
  queries.forEach((q, i) =>
    names.set(q, process.env.BENCH_RAW_PREPARED ? `bench_${plan.replace(/\W/g, '_')}_${i}` : undefined),
  );

// As Drizzle's PGlite driver does: the same types stay strings.
const parsers = Object.fromEntries([...RAW].map((oid) => [oid, (value: string) => value]));

const run = async (query: PlannedQuery, electionId: string, earlier: unknown[][][], objects: boolean) =>
  pglite
    ? (
        await pglite.query<unknown[]>(query.text, bindParams(query, electionId, earlier), {
          rowMode: objects ? 'object' : 'array',
          parsers,
        })
      ).rows
    : (
        await pool!.query<unknown[]>({
          name: names.get(query),
          text: query.text,
          values: bindParams(query, electionId, earlier),
          ...(objects ? {} : { rowMode: 'array' }),
          types,
        })
      ).rows;

const app = Fastify({
  logger: { level: config.LOG_LEVEL, redact: ['req.headers.authorization', 'req.headers.cookie'] },
});
app.addHook('onClose', async () => {
  await pool?.end();
  await pglite?.close();
});

for (const [name, plan] of Object.entries(plans)) {
  app.get<{ Params: { id: string } }>(`/${name}/:id`, async (request, reply: FastifyReply) => {
    const { id } = request.params;
    // In turn, as the app runs them: each may need what the one before returned.
    const results: unknown[][][] = [];
    for (const query of plan.queries) {
      const rows = await run(query, id, results, plan.json !== undefined);
      if (results.length === 0 && rows.length === 0) return reply.code(404).send({ status: 404 });
      results.push(rows);
    }
    if (plan.bodyColumn !== null)
      return reply.type('application/json; charset=utf-8').send(results[0]![0]![plan.bodyColumn]);
    if (plan.json === undefined) return results;
    const [rows = [], ...related] = results;
    const body = plan.json === 'list' ? { data: rows, next: null } : rows[0];
    return reply
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(related.length ? { ...body, related } : body));
  });
}
await listenForParent(app);
