// The SQL each endpoint runs, taken from the app itself: an in-process app (not the one under
// load) answers each path once while every statement sent through `pg` is recorded. That is what
// EXPLAIN is run on and what the raw-pg baseline replays, whatever the repositories look like.
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { PlanParam, ResultsPlan } from './results-plan.js';
import { withClient } from './datasets.js';

export interface Statement {
  text: string;
  values: unknown[];
}

type Query = (this: pg.Client, ...args: unknown[]) => unknown;

/** A function of the app whose statements are recorded, e.g. a service call no route makes alone. */
export type Call = (app: FastifyInstance) => Promise<unknown>;

/**
 * Each path's statements, in the order the app sent them (throws when a path does not answer 200),
 * and each call's.
 */
export async function captureStatements(
  url: string,
  paths: Record<string, string>,
  calls: Record<string, Call> = {},
): Promise<Record<string, Statement[]>> {
  const proto = pg.Client.prototype as unknown as { query: Query };
  const original = proto.query;
  let log: Statement[] | undefined;
  proto.query = function (this: pg.Client, ...args: unknown[]) {
    const [config, values] = args;
    if (log) {
      const text = typeof config === 'string' ? config : (config as { text?: string }).text;
      const params = Array.isArray(values) ? values : ((config as { values?: unknown[] }).values ?? []);
      if (text) log.push({ text, values: params as unknown[] });
    }
    return original.apply(this, args);
  };
  try {
    return await withApp(url, async (app) => {
      const out: Record<string, Statement[]> = {};
      for (const [key, path] of Object.entries(paths)) {
        log = [];
        await getOk(app, path);
        out[key] = log;
        log = undefined;
      }
      for (const [key, call] of Object.entries(calls)) {
        log = [];
        await call(app);
        out[key] = log;
        log = undefined;
      }
      return out;
    });
  } finally {
    log = undefined;
    proto.query = original;
  }
}

/** An in-process app on `url` (not the one under load), closed after `fn`. */
async function withApp<T>(url: string, fn: (app: FastifyInstance) => Promise<T>): Promise<T> {
  const app = await buildApp({ config: loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent', AUTO_MIGRATE: 'false' }) });
  try {
    await app.ready();
    return await fn(app);
  } finally {
    await app.close();
  }
}

/** A GET that must answer 200: a path that does not would measure error handling, not the endpoint. */
async function getOk(app: FastifyInstance, path: string) {
  const res = await app.inject({ method: 'GET', url: path });
  if (res.statusCode !== 200) throw new Error(`${path}: HTTP ${res.statusCode} ${res.body.slice(0, 300)}`);
  return res;
}

/**
 * Turns the statements of one read of a result version into a plan the raw-pg server can replay for
 * any election: the sample election's id and its version's id become slots.
 */
export async function resultsPlan(url: string, statements: Statement[], electionId: string): Promise<ResultsPlan> {
  const [first] = statements;
  if (!first) throw new Error('the results endpoint ran no SQL');
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ id: number }>(
      'select id from result_versions where election_id = $1 order by number desc limit 1',
      [electionId],
    );
    const versionId = rows[0]?.id;
    const slot = (value: unknown): PlanParam =>
      value === electionId
        ? { kind: 'election' }
        : value === versionId
          ? { kind: 'version' }
          : { kind: 'value', value };
    const queries = statements.map((s) => ({ text: s.text, params: s.values.map(slot) }));
    const needsVersion = queries.slice(1).some((q) => q.params.some((p) => p.kind === 'version'));
    const head = await c.query<unknown[]>({ text: first.text, values: first.values, rowMode: 'array' });
    let versionColumn: number | null = null;
    if (needsVersion) {
      versionColumn = head.rows[0]?.findIndex((v) => v === versionId) ?? -1;
      if (versionColumn < 0) throw new Error('cannot find the version id in the first statement of /results');
    }
    // One statement that returns the finished JSON body as text: the baseline passes it through.
    let bodyColumn: number | null = null;
    if (queries.length === 1) {
      const index = head.rows[0]?.findIndex((v) => typeof v === 'string' && v.startsWith('{') && isJson(v)) ?? -1;
      bodyColumn = index < 0 ? null : index;
    }
    return { queries, versionColumn, bodyColumn };
  });
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** EXPLAIN (ANALYZE, BUFFERS) of each statement, as text. */
export async function explain(url: string, statements: Statement[]): Promise<{ sql: string; plan: string }[]> {
  return withClient(url, async (c) => {
    const out = [];
    for (const s of statements) {
      const { rows } = await c.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${s.text}`, s.values);
      out.push({ sql: interpolate(s), plan: rows.map((r) => r['QUERY PLAN']).join('\n') });
    }
    return out;
  });
}

/** The statement with its parameters written in, for a reader (never executed). */
function interpolate(s: Statement): string {
  return s.text.replace(/\$(\d+)/g, (_, n: string) => {
    const v = s.values[Number(n) - 1];
    return typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`;
  });
}

/** How many rows the first page of each list path has, asked of an in-process app on `url`. */
export function firstPageRows(url: string, paths: Record<string, string>): Promise<Record<string, number>> {
  return withApp(url, async (app) => {
    const out: Record<string, number> = {};
    for (const [key, path] of Object.entries(paths))
      out[key] = (await getOk(app, path)).json<{ data: unknown[] }>().data.length;
    return out;
  });
}
