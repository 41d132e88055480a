// Stored responses of warm results reads (src/modules/results/results.stored.ts): a request the
// pipeline has answered from the results cache is answered again with the same status, headers and
// bytes without it, but for the per-request rate limit; whatever no stored response may answer
// (credentials, conditions, HEAD, CSV, another Vary value, a write since) still goes through the
// route. Over a real socket, as clients see it; the debug log says which responses were stored ones.
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { buildTestApp, capturedLog, until } from './helpers/app.js';
import { bearer, certified2022, send, tokenFor } from './helpers/writes.js';

const KZ2022 = 'kz.presidential.2022-11-20';
const RESULTS = `/v1/elections/${KZ2022}/results`;
const STORED = 'results: a stored response';
// Per request: the date, and the rate limit left (its window's reset may tick over between two).
const PER_REQUEST = new Set(['date', 'ratelimit-remaining', 'ratelimit-reset']);

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** Whether the app's log says a stored response answered it. */
  stored: boolean;
}

/** An app on a real port with rate limits on and a debug log to read. */
async function serve(t: Test, env: NodeJS.ProcessEnv = {}) {
  const log = capturedLog();
  const app = await buildTestApp(t, 'pglite', {
    env: { LOG_LEVEL: 'debug', RATE_LIMIT_MAX: '1000', ...env },
    logStream: log.stream,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const storedCount = () => log.lines().filter((line) => line.includes(STORED)).length;
  /** The request log's "request completed" lines, with the status each logged. */
  const completed = () =>
    log
      .lines()
      .filter((line) => line.includes('"request completed"'))
      .map((line) => JSON.parse(line) as { res: { statusCode: number } });
  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    new Promise<Answer>((resolve, reject) => {
      const before = storedCount();
      const req = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            stored: storedCount() > before,
          }),
        );
      });
      req.on('error', reject).end();
    });
  /** Fills the results cache for `path`, with an Accept no test sends otherwise (so nothing stored answers it). */
  const fill = (path: string) => get(path, { accept: 'application/json;q=1' });
  return { app, get, fill, completed };
}

/** The headers two answers must share: all but the per-request ones. */
const lasting = (a: Answer) => Object.fromEntries(Object.entries(a.headers).filter(([k]) => !PER_REQUEST.has(k)));

t.test('the same request again: the same status, headers and bytes, and its rate limit counted', async (t) => {
  const { get, fill, completed } = await serve(t);
  await fill(RESULTS); // read into the cache
  await fill(RESULTS); // answered from it, and stored
  await fill(`${RESULTS}?area=kz&level=region`);
  const logged = completed().length;
  t.ok((await get(RESULTS, { accept: 'application/json;q=1' })).stored, 'stored');
  await until(
    async () => completed(),
    (done) => done.length > logged,
  );
  t.equal(completed().at(-1)?.res.statusCode, 200, 'a stored response is in the request log as any other');
  const variants: [string, Record<string, string>][] = [
    ['no headers', {}],
    ['Accept: application/json', { accept: 'application/json' }],
    ['gzip', { 'accept-encoding': 'gzip' }],
    ['as browsers ask', { 'accept-encoding': 'gzip, deflate, br', accept: '*/*', origin: 'https://x.example' }],
    ['an area and a level', {}],
  ];
  for (const [label, headers] of variants) {
    const path = label === 'an area and a level' ? `${RESULTS}?area=kz&level=region` : RESULTS;
    const first = await get(path, headers);
    t.equal(first.status, 200, `${label}: 200`);
    t.notOk(first.stored, `${label}: the first answer is the route's (from the cache)`);
    const second = await get(path, headers);
    const third = await get(path, headers);
    t.ok(second.stored && third.stored, `${label}: the next two are the stored response`);
    for (const again of [second, third]) {
      t.equal(again.status, 200);
      t.same(lasting(again), lasting(first), `${label}: the same headers`);
      t.ok(again.body.equals(first.body), `${label}: the same bytes`);
    }
    t.equal(
      Number(third.headers['ratelimit-remaining']),
      Number(second.headers['ratelimit-remaining']) - 1,
      `${label}: each counted against the rate limit`,
    );
    t.ok(first.headers.etag && first.headers['last-modified'] && first.headers['cache-control'], label);
  }
  // A different Vary value is a different response: gzip's stored one never answers br.
  const br = await get(RESULTS, { 'accept-encoding': 'br' });
  t.notOk(br.stored, 'Accept-Encoding: br is not answered with the gzip response');
  t.equal(br.headers['content-encoding'], 'br');
  t.ok((await get(RESULTS, { 'accept-encoding': 'br' })).stored, 'then stored in its turn');
});

t.test('what no stored response may answer goes through the route', async (t) => {
  const { app, get, fill } = await serve(t);
  await fill(RESULTS);
  const warm = await get(RESULTS);
  t.ok((await get(RESULTS)).stored, 'warm: stored');
  const etag = String(warm.headers.etag);

  const conditional = await get(RESULTS, { 'if-none-match': etag });
  t.equal(conditional.status, 304, 'If-None-Match: 304');
  t.equal(conditional.body.length, 0);
  t.notOk(conditional.stored);
  // A second after Last-Modified, once that is past (a date in the future is no date).
  const later = Date.parse(String(warm.headers['last-modified'])) + 1000;
  await until(
    async () => Date.now(),
    (now) => now > later,
  );
  const since = await get(RESULTS, { 'if-modified-since': new Date(later).toUTCString() });
  t.equal(since.status, 304, 'If-Modified-Since: 304');
  t.notOk(since.stored);

  const head = await get(RESULTS, {}, 'HEAD');
  t.equal(head.status, 200, 'HEAD: 200');
  t.equal(head.body.length, 0, 'HEAD: no body');
  t.notOk(head.stored);

  const csv = await get(RESULTS, { accept: 'text/csv' });
  t.match(csv.headers['content-type'], /^text\/csv/, 'Accept: text/csv: CSV, not the stored JSON');
  t.notOk((await get(RESULTS, { accept: 'text/csv' })).stored, 'and CSV is never stored');

  const key = await get(RESULTS, bearer(await tokenFor(app, 'read')));
  t.equal(key.headers['cache-control'], 'private, no-cache', 'an API key: its own, private answer');
  t.notOk(key.stored);

  t.notOk((await get(`${RESULTS}?format=csv`)).stored, '?format=csv: another URL');
  t.notOk((await get(`${RESULTS}?level=region`)).stored, 'another query: another URL');
});

t.test('a write since: the next read is the new version, then stored in its turn', async (t) => {
  const { app, get, fill } = await serve(t);
  await fill(RESULTS);
  await get(RESULTS);
  const before = await get(RESULTS);
  t.ok(before.stored, 'warm: stored');
  const auth = bearer(await tokenFor(app));
  const published = await send(app, 'POST', RESULTS, { ...certified2022, status: 'correction' }, auth);
  t.equal(published.status, 201);
  const after = await get(RESULTS);
  t.notOk(after.stored, 'not the stored response of the old version');
  t.match(JSON.parse(after.body.toString()), { version: 11, status: 'correction' });
  t.not(after.headers.etag, before.headers.etag, 'a new ETag');
  t.notOk((await get(RESULTS)).stored, 'from the cache, through the route');
  const again = await get(RESULTS);
  t.ok(again.stored, 'the new version stored');
  t.match(JSON.parse(again.body.toString()), { version: 11 });
});

t.test('CORS with a list of origins: each origin its own response', async (t) => {
  const { get, fill } = await serve(t, { CORS_ORIGINS: 'https://a.example,https://b.example' });
  const a = { origin: 'https://a.example' };
  const b = { origin: 'https://b.example' };
  await fill(RESULTS);
  await get(RESULTS, a);
  t.ok((await get(RESULTS, a)).stored);
  const fromB = await get(RESULTS, b);
  t.notOk(fromB.stored, 'another Origin: not the stored response of the first');
  t.equal(fromB.headers['access-control-allow-origin'], 'https://b.example');
  const again = await get(RESULTS, b);
  t.ok(again.stored);
  t.equal(again.headers['access-control-allow-origin'], 'https://b.example');
  t.match(String(again.headers.vary), /Origin/);
  const other = await get(RESULTS, { origin: 'https://c.example' });
  t.equal(other.headers['access-control-allow-origin'], undefined, 'an origin not listed is not allowed');
});

t.test('past the rate limit: 429, stored response or not', async (t) => {
  const { get, fill } = await serve(t, { RATE_LIMIT_MAX: '4' });
  await fill(RESULTS);
  const answers = [await get(RESULTS), await get(RESULTS), await get(RESULTS), await get(RESULTS)];
  t.same(
    answers.map((a) => a.status),
    [200, 200, 200, 429],
  );
  t.ok(answers[1]!.stored && answers[2]!.stored, 'the second and third were the stored response');
  t.equal(answers[2]!.headers['ratelimit-remaining'], '0');
  t.ok(answers[3]!.headers['retry-after'], '429 with Retry-After');
  t.match(answers[3]!.headers['content-type'], /^application\/problem\+json/, 'a problem document');
});
