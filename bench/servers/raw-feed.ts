// Baseline for the change feed: GET /feed?since=&limit= runs the statement /v1/changes runs (one
// statement: the changes after `since` and the feed's head, src/modules/changes/changes.repository.ts)
// with `pg` directly, and answers as the route does (data, next, more), with no Drizzle, no zod, no
// response schema and no plugins. The API's ratio to it is its own overhead on the feed.
import Fastify from 'fastify';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { listenForParent } from './listen.js';

const url = process.env.BENCH_DATABASE_URL;
if (!url) throw new Error('BENCH_DATABASE_URL is set by bench/run.ts');
const config = loadConfig({});
const pool = new pg.Pool({ connectionString: url, max: config.DB_POOL_MAX });
pool.on('error', () => {});

const FEED = `select h.head::text as head, c.id::text as id,
    to_char(c.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at,
    c.kind, c.action, c.resource_id, c.election_id, c.country_code, c.contest, c.version, c.url
  from (select max(id) as head from changes) h
  left join lateral (select * from changes c where c.id > $1 order by c.id limit $2) c on true
  order by c.id`;

interface Row {
  head: string | null;
  id: string | null;
  at: string;
  kind: string;
  action: string;
  resource_id: string;
  election_id: string | null;
  country_code: string | null;
  contest: string | null;
  version: number | null;
  url: string;
}

const app = Fastify({ logger: false });
app.addHook('onClose', () => pool.end());
app.get<{ Querystring: { since?: string; limit?: string } }>('/feed', async (request) => {
  const since = Number(request.query.since ?? 0);
  const limit = Number(request.query.limit ?? 100);
  const { rows } = await pool.query<Row>(FEED, [since, limit + 1]);
  const found = rows.filter((r) => r.id !== null);
  const shown = found.slice(0, limit);
  const more = found.length > limit;
  const last = more ? shown.at(-1)!.id : (rows[0]?.head ?? null);
  return {
    data: shown.map((r) => ({
      id: r.id,
      at: r.at,
      kind: r.kind,
      action: r.action,
      resourceId: r.resource_id,
      electionId: r.election_id,
      countryCode: r.country_code,
      contest: r.contest,
      version: r.version,
      url: r.url,
    })),
    next: last !== null && Number(last) > since ? last : String(since),
    more,
  };
});
await listenForParent(app);
