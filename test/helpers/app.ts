import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Test } from 'tap';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { DatabaseOptions } from '../../src/db/client.js';
import { type Engine, engines, freshDatabase } from './databases.js';

export { engines, type Engine };

// Rate limiting and load shedding are off unless a test turns them on: a suite sends thousands of
// requests from one address, and a loaded CI machine lags.
export const testConfig = (env: NodeJS.ProcessEnv = {}) =>
  loadConfig({
    AUTO_MIGRATE: 'false',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_MAX: '0',
    OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
    RESPONSE_CHECK: 'true',
    ...env,
  });

/** An app over a fresh seeded database of `engine`, closed (and the database dropped) after `t`. */
export async function buildTestApp(
  t: Test,
  engine: Engine,
  opts: {
    env?: NodeJS.ProcessEnv;
    database?: DatabaseOptions;
    logStream?: NodeJS.WritableStream;
    clock?: () => number;
  } = {},
): Promise<FastifyInstance> {
  const fresh = opts.database ? undefined : await freshDatabase(engine);
  const app = await buildApp({
    // The serializers do not depend on the engine: zod checks them beside PGlite's answers, and
    // PostgreSQL's runs (CI's slowest half) write each body once, as the server does.
    config: testConfig(engine === 'postgres' ? { RESPONSE_CHECK: 'false', ...opts.env } : opts.env),
    database: opts.database ?? fresh?.options,
    logStream: opts.logStream,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  await app.ready();
  t.teardown(async () => {
    await app.close();
    await fresh?.drop();
  });
  return app;
}

/** A stream to give buildTestApp as `logStream`, and the log written to it so far. */
export function capturedLog() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text, lines: () => text.split('\n').filter(Boolean) };
}

/** Runs `fn` once per engine, each as its own subtest with its own app and database. */
export function forEachEngine(t: Test, fn: (t: Test, app: FastifyInstance, engine: Engine) => Promise<void>) {
  for (const engine of engines) {
    t.test(engine, async (t) => fn(t, await buildTestApp(t, engine), engine));
  }
}

/** GET as JSON, asserting nothing: the caller checks status and body. */
export async function get(app: FastifyInstance, url: string, headers: InjectOptions['headers'] = {}) {
  const res = await app.inject({ method: 'GET', url, headers });
  const type = String(res.headers['content-type'] ?? '');
  return {
    status: res.statusCode,
    headers: res.headers,
    type,
    body: type.includes('json') && res.body !== '' ? res.json() : res.body,
  };
}

/** Follows `next` cursors from `url` to the last page; returns every item and the page count. */
export async function collectPages<T = Record<string, unknown>>(app: FastifyInstance, url: string) {
  const items: T[] = [];
  let pages = 0;
  let next: string | null = null;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res = await get(app, next ? `${url}${sep}cursor=${encodeURIComponent(next)}` : url);
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`);
    const body = res.body as { data: T[]; next: string | null };
    items.push(...body.data);
    next = body.next;
    pages += 1;
  } while (next && pages < 1000);
  return { items, pages };
}

/**
 * Polls `probe` until `done` holds for its value, every 25 ms for up to `timeoutMs` (generous: a
 * loaded machine is slow, and a condition polled for is not a race); returns that value.
 */
export async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (performance.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)?.slice(0, 300)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
