// The SQL each endpoint runs, taken from the app itself: an in-process app (not the one under
// load) answers each path once while every statement sent through `pg` is recorded. That is what
// EXPLAIN is run on and what the raw-pg baseline replays, whatever the repositories look like. On
// the embedded engine (`--only pglite`) the same is done with every statement sent through PGlite.
import { PGlite } from '@electric-sql/pglite';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { PlanParam, ResultsPlan } from './results-plan.js';
import { type Place, withClient, withDatabase } from './datasets.js';

export interface Statement {
  text: string;
  values: unknown[];
  /** The connection's `options` (its `-c` settings, e.g. pg_trgm's thresholds), to replay it alike. */
  options?: string;
}

type Query = (this: pg.Client, ...args: unknown[]) => unknown;

/** A function of the app whose statements are recorded, e.g. a service call no route makes alone. */
export type Call = (app: FastifyInstance) => Promise<unknown>;

/**
 * Each path's statements, in the order the app sent them (throws when a path does not answer 200),
 * and each call's.
 */
export async function captureStatements(
  place: Place,
  paths: Record<string, string>,
  calls: Record<string, Call> = {},
): Promise<Record<string, Statement[]>> {
  let log: Statement[] | undefined;
  const record = (config: unknown, values: unknown, options?: string) => {
    if (!log) return;
    const text = typeof config === 'string' ? config : (config as { text?: string }).text;
    const params = Array.isArray(values) ? values : ((config as { values?: unknown[] }).values ?? []);
    if (text) log.push({ text, values: params as unknown[], ...(options ? { options } : {}) });
  };
  const proto = (typeof place === 'string' ? pg.Client.prototype : PGlite.prototype) as unknown as { query: Query };
  const original = proto.query;
  const own = Object.hasOwn(proto, 'query');
  proto.query = function (this: pg.Client, ...args: unknown[]) {
    const [config, values] = args;
    const { options } =
      (this as pg.Client & { connectionParameters?: { options?: string } }).connectionParameters ?? {};
    record(config, values, options);
    return original.apply(this, args);
  };
  try {
    return await withApp(place, async (app) => {
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
    // PGlite's query is inherited: the wrapper goes, and the prototype chain answers again.
    if (own) proto.query = original;
    else delete (proto as { query?: Query }).query;
  }
}

/** An in-process app on `place` (not the one under load), closed after `fn`. */
async function withApp<T>(place: Place, fn: (app: FastifyInstance) => Promise<T>): Promise<T> {
  const where = typeof place === 'string' ? { DATABASE_URL: place } : { DATA_DIR: place.dataDir };
  const app = await buildApp({ config: loadConfig({ ...where, LOG_LEVEL: 'silent', AUTO_MIGRATE: 'false' }) });
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

/** One election's read of a result version: its id and the statements the app sent. */
export interface Sample {
  electionId: string;
  statements: Statement[];
}

/** A value that may come from an earlier row: an id, a number (not null, not a flag). */
const keyLike = (v: unknown) => typeof v === 'string' || typeof v === 'number';
const same = (a: unknown, b: unknown) => a === b || (a instanceof Date && b instanceof Date && +a === +b);

/**
 * Turns the statements of one read of a result version, captured for two or more elections, into a
 * plan the raw-pg server can replay for any election. A parameter is the election's id, a column of
 * an earlier statement's first row (the one that holds each sample's value), or a constant (the same
 * in every sample); anything else cannot be replayed and is an error. Samples of elections that
 * differ (another contest id, another current version) keep a coincidence from passing for a rule.
 */
export async function resultsPlan(url: string, samples: Sample[]): Promise<ResultsPlan> {
  const [first] = samples;
  if (!first?.statements.length) throw new Error('the results read ran no SQL');
  if (
    samples.some((s) => s.statements.map((q) => q.text).join('\0') !== first.statements.map((q) => q.text).join('\0'))
  )
    throw new Error('the results read ran different statements for the sample elections: cannot replay it');
  return withClient(url, async (c) => {
    // Every sample's rows, statement by statement, as the replay will see them.
    const rows: unknown[][][][] = [];
    for (const sample of samples) {
      const out = [];
      for (const s of sample.statements)
        out.push((await c.query<unknown[]>({ text: s.text, values: s.values, rowMode: 'array' })).rows);
      rows.push(out);
    }
    const slot = (k: number, p: number): PlanParam => {
      const values = samples.map((s) => s.statements[k]!.values[p]);
      if (values.every((v, i) => v === samples[i]!.electionId)) return { kind: 'election' };
      for (let statement = 0; statement < k; statement++) {
        const width = rows[0]![statement]![0]?.length ?? 0;
        for (let column = 0; column < width; column++)
          if (values.every((v, i) => keyLike(v) && same(rows[i]![statement]![0]?.[column], v)))
            return { kind: 'column', statement, column };
      }
      if (values.every((v) => same(v, values[0]))) return { kind: 'value', value: values[0] };
      throw new Error(
        `cannot replay parameter $${p + 1} of statement ${k + 1}: ${first.statements[k]!.text.slice(0, 200)}`,
      );
    };
    const queries = first.statements.map((s, k) => ({ text: s.text, params: s.values.map((_, p) => slot(k, p)) }));
    // One statement that returns the finished JSON body as text: the baseline passes it through.
    let bodyColumn: number | null = null;
    if (queries.length === 1) {
      const index = rows[0]![0]![0]?.findIndex((v) => typeof v === 'string' && v.startsWith('{') && isJson(v)) ?? -1;
      bodyColumn = index < 0 ? null : index;
    }
    return { queries, bodyColumn };
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

/** EXPLAIN (ANALYZE, BUFFERS) of each statement, as text, on a connection with the app's settings. */
export async function explain(place: Place, statements: Statement[]): Promise<{ sql: string; plan: string }[]> {
  return withDatabase(
    place,
    async (c) => {
      const out = [];
      for (const s of statements) {
        // Run once first: a fresh connection's first plan loads the catalog caches, which would be
        // counted as Planning Time. (Every captured statement is a read.)
        await c.query(s.text, s.values);
        const { rows } = await c.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${s.text}`, s.values);
        out.push({ sql: interpolate(s), plan: rows.map((r) => r['QUERY PLAN']).join('\n') });
      }
      return out;
    },
    statements[0]?.options,
  );
}

/** The statement with its parameters written in, for a reader (never executed). */
function interpolate(s: Statement): string {
  return s.text.replace(/\$(\d+)/g, (_, n: string) => {
    const v = s.values[Number(n) - 1];
    return typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`;
  });
}

/** How many rows the first page of each list path has, asked of an in-process app on `place`. */
export function firstPageRows(place: Place, paths: Record<string, string>): Promise<Record<string, number>> {
  return withApp(place, async (app) => {
    const out: Record<string, number> = {};
    for (const [key, path] of Object.entries(paths))
      out[key] = (await getOk(app, path)).json<{ data: unknown[] }>().data.length;
    return out;
  });
}
