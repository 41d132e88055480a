// Limits, rate limits, security headers and load shedding (issue 6), on the embedded engine: none
// of it depends on the database engine.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { type AddressInfo, connect, createServer } from 'node:net';
import { PassThrough } from 'node:stream';
import Fastify from 'fastify';
import t from 'tap';
import { buildApp } from '../src/app.js';
import { synth } from '../src/db/synth.js';
import exportLimits from '../src/plugins/export-limits.js';
import { acceptQueue } from '../src/lib/accept-queue.js';
import rateLimit, { addressOf } from '../src/plugins/rate-limit.js';
import { buildTestApp, get, testConfig, until } from './helpers/app.js';
import { freshDatabase } from './helpers/databases.js';
import { scaled } from './helpers/scale.js';
import { countStatements } from './helpers/statements.js';
import { bearer, tokenFor } from './helpers/writes.js';

const isProblem = (res: { headers: Record<string, unknown>; body: unknown }, status: number) =>
  String(res.headers['content-type']).startsWith('application/problem+json') &&
  (res.body as { status?: number }).status === status;

t.test('security headers: a strict CSP on the API, the Swagger UI its own', async (t) => {
  const app = await buildTestApp(t, 'pglite');
  const api = await get(app, '/v1/countries/KZ');
  t.equal(api.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'");
  t.equal(api.headers['x-content-type-options'], 'nosniff');
  t.equal(api.headers['x-frame-options'], 'DENY', "as the CSP's frame-ancestors 'none' says");
  t.equal(
    api.headers['cross-origin-resource-policy'],
    'cross-origin',
    'other sites may embed the chart and fetch JSON',
  );
  t.notOk(api.headers['strict-transport-security'], 'HSTS is the TLS-terminating proxy’s job');
  const problem = await get(app, '/v1/nope');
  t.equal(problem.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'", 'errors too');
  // helmet's headers, computed once at start, on answers from every path through the app: a JSON
  // read, the cached results body, a CSV, an SVG, a problem, and one from the router (bad
  // percent-encoding). The API's kind: the headers that act on non-HTML resources, and no others.
  const apiHeaders = {
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'cross-origin-resource-policy': 'cross-origin',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
  };
  const chart = '/v1/elections/kz.presidential.2022-11-20/results/chart.svg';
  for (const url of [
    '/v1/countries/KZ',
    '/v1/elections/kz.presidential.2022-11-20/results',
    '/v1/countries?format=csv',
    chart,
    '/v1/nope',
    '/v1/countries/%E0%A4%A',
  ]) {
    const res = await app.inject({ method: 'GET', url });
    // The chart keeps its own policy (it styles itself inline), with the same frame-ancestors.
    const expected =
      url === chart
        ? {
            ...apiHeaders,
            'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
          }
        : apiHeaders;
    for (const [name, value] of Object.entries(expected))
      t.equal(res.headers[name], value, `${url} (${res.statusCode}): ${name}`);
    for (const name of ['x-xss-protection', 'x-dns-prefetch-control', 'origin-agent-cluster'])
      t.notOk(res.headers[name], `${url}: no ${name} (HTML documents only)`);
  }
  // The HTML page gets helmet's whole set (its defaults, but for HSTS and CORP), with its own CSP.
  const docs = await app.inject({ method: 'GET', url: '/docs/' });
  const full = {
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'cross-origin',
    'origin-agent-cluster': '?1',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    'x-frame-options': 'DENY',
    'x-permitted-cross-domain-policies': 'none',
    'x-xss-protection': '0',
  };
  for (const [name, value] of Object.entries(full)) t.equal(docs.headers[name], value, `/docs: ${name}`);
  t.match(docs.headers['content-security-policy'], /script-src 'self'/);
  t.notMatch(docs.headers['content-security-policy'], /unsafe-eval/);
});

t.test('rate limits: per IP and per API key, RateLimit-* headers, 429 problem with Retry-After', async (t) => {
  const app = await buildTestApp(t, 'pglite', {
    env: { RATE_LIMIT_MAX: '3', RATE_LIMIT_KEY_MAX: '5', RATE_LIMIT_WINDOW_MS: '60000' },
  });
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await get(app, '/v1/countries/KZ');
    statuses.push(res.status);
    t.equal(res.headers['ratelimit-limit'], '3');
    t.equal(res.headers['ratelimit-remaining'], String(2 - i));
    t.ok(Number(res.headers['ratelimit-reset']) > 0);
  }
  t.same(statuses, [200, 200, 200]);
  const limited = await get(app, '/v1/countries/KZ');
  t.equal(limited.status, 429);
  t.ok(isProblem(limited, 429), 'a problem document');
  t.match((limited.body as { detail: string }).detail, /Rate limit of 3 requests exceeded/);
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After in seconds');
  t.equal((await get(app, '/healthz')).status, 200, 'probes are never limited');
  t.equal((await get(app, '/readyz')).status, 200);

  // Another client address has its own budget.
  const other = await app.inject({ method: 'GET', url: '/v1/countries/KZ', remoteAddress: '10.1.2.3' });
  t.equal(other.statusCode, 200, 'another IP is not limited by the first');

  // An API key has its own (larger) budget, whatever address it comes from.
  const token = await tokenFor(app, 'read');
  for (let i = 0; i < 5; i++) {
    const res = await get(app, '/v1/countries/KZ', bearer(token));
    t.equal(res.status, 200);
    t.equal(res.headers['ratelimit-limit'], '5');
  }
  const keyLimited = await get(app, '/v1/countries/KZ', bearer(token));
  t.equal(keyLimited.status, 429, 'the key’s budget is spent too');
});

t.test(
  'rate limits: a HEAD counts once, the 429 carries the RateLimit-* headers, a new window starts afresh',
  async (t) => {
    // The limiter's clock is the test's: the window ends when the test moves time, not on a timer.
    let now = Date.parse('2026-01-01T00:00:00Z');
    const app = await buildTestApp(t, 'pglite', {
      env: { RATE_LIMIT_MAX: '2', RATE_LIMIT_WINDOW_MS: '1000' },
      clock: () => now,
    });
    const head = await app.inject({ method: 'HEAD', url: '/v1/countries/KZ' });
    t.equal(head.statusCode, 200);
    t.equal(head.headers['ratelimit-remaining'], '1', "a GET route's HEAD twin is counted once, not twice");
    t.equal((await get(app, '/v1/countries/KZ')).headers['ratelimit-remaining'], '0');
    const limited = await get(app, '/v1/countries/KZ');
    t.equal(limited.status, 429);
    t.equal(limited.headers['ratelimit-limit'], '2');
    t.equal(limited.headers['ratelimit-remaining'], '0');
    t.equal(limited.headers['ratelimit-reset'], limited.headers['retry-after'], 'Retry-After is when the window ends');
    t.match((limited.body as { detail: string }).detail, /retry in 1 s/);
    // A refused key is counted against the address too: past the limit, a 429 instead of the 401.
    const refused = await get(app, '/v1/countries/KZ', bearer(`erk_${'y'.repeat(40)}`));
    t.equal(refused.status, 429, 'made-up tokens on /v1 are limited like anything else');
    // Outside /v1 a key is not checked, so a made-up one must not buy a budget of its own.
    const madeUp = await get(app, '/openapi.json', bearer(`erk_${'x'.repeat(40)}`));
    t.equal(madeUp.status, 429, 'a made-up token counts against the address');
    t.equal(madeUp.headers['ratelimit-limit'], '2');
    const unmatched = await get(app, '/v1/nope');
    t.equal(unmatched.status, 404, 'an unknown URL is a 404, not counted');
    t.notOk(unmatched.headers['ratelimit-limit']);
    now += 999;
    t.equal((await get(app, '/v1/countries/KZ')).status, 429, 'the window lasts its whole second');
    now += 1;
    const next = await get(app, '/v1/countries/KZ');
    t.equal(next.status, 200, 'the next window has its own budget');
    t.equal(next.headers['ratelimit-remaining'], '1');
  },
);

t.test('RATE_LIMIT_MAX=0: no limit and no RateLimit-* headers', async (t) => {
  const app = await buildTestApp(t, 'pglite', { env: { RATE_LIMIT_MAX: '0' } });
  const res = await get(app, '/v1/countries/KZ');
  t.equal(res.status, 200);
  t.notOk(res.headers['ratelimit-limit']);
  t.equal((await get(app, '/v1/countries/KZ', bearer(`erk_${'y'.repeat(40)}`))).status, 401, 'a refused key is a 401');
});

t.test('the limiter keeps at most maxClients windows: past it the oldest one starts afresh', async (t) => {
  // The plugin alone on a bare Fastify: the bound is its own, and 100,000 clients are a lot of requests.
  const app = Fastify();
  await app.register(rateLimit, { max: 1, keyMax: 1, windowMs: 60_000, exempt: new Set<string>(), maxClients: 2 });
  app.get('/', async () => 'ok');
  t.teardown(() => app.close());
  const statusFrom = async (remoteAddress: string) => (await app.inject({ url: '/', remoteAddress })).statusCode;
  t.same([await statusFrom('10.0.0.1'), await statusFrom('10.0.0.1')], [200, 429], 'one request a window each');
  t.same([await statusFrom('10.0.0.2'), await statusFrom('10.0.0.2')], [200, 429], 'two clients: both remembered');
  t.equal(await statusFrom('10.0.0.3'), 200, 'a third client…');
  t.equal(await statusFrom('10.0.0.1'), 200, '…makes the oldest window (the first client’s) start afresh');
  t.equal(await statusFrom('10.0.0.3'), 429, 'the newer windows are kept');
});

t.test('refused keys count against the address: 401 within the limit, then 429', async (t) => {
  const app = await buildTestApp(t, 'pglite', { env: { RATE_LIMIT_MAX: '2' } });
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++)
    statuses.push((await get(app, '/v1/countries/KZ', bearer(`erk_${String(i).repeat(40)}`))).status);
  t.same(statuses, [401, 401, 429]);
  const malformed = await get(app, '/v1/countries/KZ', { authorization: 'Basic abc' });
  t.equal(malformed.status, 429, 'a malformed Authorization header counts too');
  t.equal(malformed.headers['ratelimit-remaining'], '0');
});

t.test('limits: body 413, request target 414, headers 431, `limit` maximum 400', async (t) => {
  const app = await buildTestApp(t, 'pglite', { env: { BODY_LIMIT_BYTES: '2048', MAX_URL_LENGTH: '300' } });
  const token = await tokenFor(app);
  const big = await app.inject({
    method: 'POST',
    url: '/v1/sources',
    headers: { ...bearer(token), 'content-type': 'application/json' },
    payload: JSON.stringify({ publisher: 'x'.repeat(4096), kind: 'news' }),
  });
  t.equal(big.statusCode, 413);
  t.equal(big.json<{ status: number }>().status, 413);
  t.match(big.headers['content-type'], /problem\+json/);

  const long = await get(app, `/v1/candidates?q=${'a'.repeat(400)}`);
  t.equal(long.status, 414);
  t.ok(isProblem(long, 414));

  const tooMany = await get(app, '/v1/elections?limit=100000');
  t.equal(tooMany.status, 400);
  t.match(JSON.stringify(tooMany.body), /limit/);

  // Header overflow is refused by Node's parser before Fastify: needs a real socket.
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const res = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
    const req = httpRequest(
      { port, host: '127.0.0.1', path: '/v1/countries', headers: { 'x-padding': 'p'.repeat(20_000) } },
      (r) => {
        let body = '';
        r.on('data', (c: Buffer) => (body += c.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, type: String(r.headers['content-type']), body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
  t.equal(res.status, 431);
  t.match(res.type, /problem\+json/);
  t.equal((JSON.parse(res.body) as { status: number }).status, 431);
});

t.test('a request not received within REQUEST_TIMEOUT_MS gets a 408 problem', async (t) => {
  const app = await buildTestApp(t, 'pglite', { env: { REQUEST_TIMEOUT_MS: '1000' } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const started = performance.now();
  // A slow client: the request line and one header, then nothing.
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () =>
      socket.write('GET /v1/countries HTTP/1.1\r\nHost: x\r\n'),
    );
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
  const ms = performance.now() - started;
  t.match(answer, /^HTTP\/1\.1 408 /, '408');
  t.match(answer, /content-type: application\/problem\+json/i);
  t.match(answer, /"status":408/);
  // Node looks for timed-out requests every 30 s by default; the app checks every quarter of the limit.
  t.ok(ms < 20_000, `answered after ${Math.round(ms)} ms, not after Node's 30 s check interval`);
});

t.test('an API key sent with a read is checked: 401 when wrong, served from the primary when right', async (t) => {
  const app = await buildTestApp(t, 'pglite');
  const wrong = await get(app, '/v1/countries/KZ', bearer('erk_notarealtoken'));
  t.equal(wrong.status, 401);
  t.ok(isProblem(wrong, 401));
  const malformed = await get(app, '/v1/countries/KZ', { authorization: 'Basic abc' });
  t.equal(malformed.status, 401);
  const token = await tokenFor(app, 'read');
  const right = await get(app, '/v1/elections/kz.presidential.2022-11-20/results', bearer(token));
  t.equal(right.status, 200);
  t.equal((right.body as { lines: { percent: number }[] }).lines[0]?.percent, 81.31);
});

t.test('overload: 503 problem with Retry-After while the event loop lags; /healthz still answers', async (t) => {
  const app = await buildTestApp(t, 'pglite', { env: { OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '50' } });
  // Block the loop as a runaway computation would; under-pressure's next sample sees the delay and
  // sheds until a later sample finds the loop calm again. Both are polled for, not slept on.
  const block = Date.now() + 1500;
  while (Date.now() < block) {
    /* busy */
  }
  const shed = await until(
    () => get(app, '/v1/countries/KZ'),
    (res) => res.status === 503,
  );
  t.ok(isProblem(shed, 503));
  t.equal(shed.headers['retry-after'], '5');
  t.equal((await get(app, '/healthz')).status, 200, 'liveness is not shed');
  const served = await until(
    () => get(app, '/v1/countries/KZ'),
    (res) => res.status === 200,
  );
  t.equal(served.status, 200, 'served again once the loop is calm');
});

t.test(
  'while the server closes: in-flight requests finish, later ones on the same connection get a 503 problem',
  async (t) => {
    const fresh = await freshDatabase('pglite');
    const app = await buildApp({ config: testConfig(), database: fresh.options });
    // The handler says when it has started and finishes when the test lets it: no timing involved.
    let started!: () => void;
    const hasStarted = new Promise<void>((resolve) => (started = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    app.get('/test/slow', async () => {
      started();
      await released;
      return { done: true };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    // One kept-alive socket: the second request waits for it and is written once the first is answered.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const call = (path: string) =>
      new Promise<{ status: number; connection?: string; type?: string; body: string } | Error>((resolve) => {
        const req = httpRequest({ port, host: '127.0.0.1', path, agent }, (r) => {
          let body = '';
          r.on('data', (c: Buffer) => (body += c.toString()));
          r.on('end', () =>
            resolve({
              status: r.statusCode ?? 0,
              connection: r.headers.connection,
              type: r.headers['content-type'],
              body,
            }),
          );
        });
        req.on('error', resolve);
        req.end();
      });
    const inFlight = call('/test/slow');
    await hasStarted;
    const closed = app.close();
    const late = call('/v1/countries/KZ');
    release();
    const first = await inFlight;
    t.ok(
      !(first instanceof Error) && first.status === 200 && first.body === '{"done":true}',
      'the in-flight request finished',
    );
    const second = await late;
    if (second instanceof Error) t.fail(`the late request got no answer: ${second.message}`);
    else {
      t.equal(second.status, 503, 'a late request on the kept-alive connection: 503');
      t.equal(second.connection, 'close');
      t.match(second.type, /problem\+json/);
    }
    await closed;
    agent.destroy();
    await fresh.drop();
  },
);

t.test('IPv6 clients are limited by their /64; an IPv4-mapped address as its IPv4 address', async (t) => {
  t.equal(addressOf('2001:db8:1:2::1'), '2001:db8:1:2::/64');
  t.equal(addressOf('2001:0db8:0001:0002:ffff:0:0:5'), '2001:db8:1:2::/64');
  t.equal(addressOf('::ffff:192.0.2.7'), '192.0.2.7');
  t.equal(addressOf('192.0.2.7'), '192.0.2.7');
  const app = await buildTestApp(t, 'pglite', { env: { RATE_LIMIT_MAX: '1' } });
  const from = async (remoteAddress: string) =>
    (await app.inject({ method: 'GET', url: '/v1/countries/KZ', remoteAddress })).statusCode;
  t.equal(await from('2001:db8:1:2::1'), 200);
  t.equal(await from('2001:db8:1:2:ffff::5'), 429, 'another address of the same /64 shares its budget');
  t.equal(await from('2001:db8:1:3::1'), 200, 'the next /64 has its own');
});

t.test('an address that has sent its limit of refused keys gets its 429 before the next is looked up', async (t) => {
  const app = await buildTestApp(t, 'pglite', { env: { RATE_LIMIT_MAX: '2' } });
  const madeUp = (i: number) => get(app, '/v1/countries/KZ', bearer(`erk_${String(i).repeat(40)}`));
  t.same([(await madeUp(1)).status, (await madeUp(2)).status], [401, 401], 'each looked up and refused');
  const statements = countStatements(app);
  const third = await madeUp(3);
  statements.restore();
  t.equal(third.status, 429);
  t.equal(statements.count, 0, 'no query was spent on the third token');
  const valid = await get(app, '/v1/countries/KZ', bearer(await tokenFor(app, 'read')));
  t.equal(valid.status, 429, 'a valid key from that address waits for the window too: nothing tells it apart unread');
  const elsewhere = await app.inject({
    method: 'GET',
    url: '/v1/countries/KZ',
    remoteAddress: '10.9.9.9',
    headers: bearer(await tokenFor(app, 'read')),
  });
  t.equal(elsewhere.statusCode, 200, 'from another address it is looked up and served');
});

t.test('X-Forwarded-For over a real socket: trusted only with TRUST_PROXY', async (t) => {
  const statuses = async (env: NodeJS.ProcessEnv) => {
    const fresh = await freshDatabase('pglite');
    const app = await buildApp({ config: testConfig({ RATE_LIMIT_MAX: '1', ...env }), database: fresh.options });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const from = async (client: string) => {
      const res = await fetch(`http://127.0.0.1:${port}/v1/countries/KZ`, { headers: { 'x-forwarded-for': client } });
      await res.body?.cancel();
      return res.status;
    };
    const out = [await from('203.0.113.7'), await from('203.0.113.7'), await from('203.0.113.8')];
    await app.close();
    await fresh.drop();
    return out;
  };
  t.same(await statuses({ TRUST_PROXY: '1' }), [200, 429, 200], 'behind one proxy: each forwarded client counted');
  t.same(await statuses({ TRUST_PROXY: 'loopback' }), [200, 429, 200], 'a trusted proxy address works the same');
  t.same(await statuses({}), [200, 429, 429], 'without TRUST_PROXY the header is ignored: one socket address');
});

t.test(
  'export slots: a few at once per client (429) and per instance (503), freed when a response closes',
  async (t) => {
    // The two plugins on a bare Fastify, with a route whose stream the test ends: no timing involved.
    const app = Fastify();
    await app.register(rateLimit, { max: 0, keyMax: 0, windowMs: 60_000, exempt: new Set<string>() });
    await app.register(exportLimits, { max: 2, perClient: 1 });
    const streams: PassThrough[] = [];
    app.get('/export', (request, reply) => {
      app.takeExportSlot(request, reply);
      const stream = new PassThrough();
      streams.push(stream);
      stream.write('header\n');
      return reply.type('text/csv').send(stream);
    });
    app.setErrorHandler((err: Error & { status?: number }, _request, reply) =>
      reply.code(err.status ?? 500).send({ status: err.status, detail: err.message }),
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    t.teardown(() => app.close());
    const { port } = app.server.address() as AddressInfo;
    const open = (localAddress: string) =>
      new Promise<{ status: number; retryAfter?: string; ended: Promise<void> }>((resolve, reject) => {
        const req = httpRequest({ port, host: '127.0.0.1', path: '/export', localAddress }, (res) => {
          const ended = new Promise<void>((done) => res.on('end', () => done()).on('close', () => done()));
          res.resume();
          resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], ended });
        });
        req.on('error', reject);
        req.end();
      });
    const a = await open('127.0.0.2');
    t.equal(a.status, 200);
    const again = await open('127.0.0.2');
    t.same([again.status, again.retryAfter], [429, '5'], "a client's second export at once");
    const b = await open('127.0.0.3');
    t.equal(b.status, 200, 'another client may export');
    const c = await open('127.0.0.4');
    t.same([c.status, c.retryAfter], [503, '5'], 'a third client: the instance runs its two exports');
    streams[0]!.end();
    await a.ended;
    const next = await until(
      () => open('127.0.0.4'),
      (res) => res.status === 200,
    );
    t.equal(next.status, 200, 'once an export has finished, its slot serves the next client');
    for (const stream of streams) stream.end();
  },
);

t.test('a CSV export takes a slot, gives it back, and counts each further page as a request', async (t) => {
  const app = await buildTestApp(t, 'pglite', { env: { EXPORTS_MAX: '1', RATE_LIMIT_MAX: '1000' } });
  // Five pages of 2,000 lines (three under a quick TEST_SCALE: still pages after the first to count).
  await synth(app.database.primary, { elections: scaled(600, 1000), seed: 3 });
  const url = '/v1/vote-shares?versions=all&format=csv';
  const first = await app.inject({ method: 'GET', url });
  t.equal(first.statusCode, 200);
  const lines = first.body.trimEnd().split('\n').length - 1;
  t.ok(lines > scaled(4000, 8000), `${lines} lines`);
  const pages = Math.floor(lines / 2000) + 1;
  const after = await app.inject({ method: 'GET', url: '/v1/countries/KZ' });
  t.equal(
    Number(after.headers['ratelimit-remaining']),
    Number(first.headers['ratelimit-remaining']) - (pages - 1) - 1,
    `each of the export's ${pages} pages after the first counted as a request`,
  );
  t.equal((await app.inject({ method: 'GET', url })).statusCode, 200, 'the one slot was given back');
  // Two at once: PGlite answers queries in turn, so the second asks for the slot while the first
  // still reads its pages.
  const pair = await Promise.all([app.inject({ method: 'GET', url }), app.inject({ method: 'GET', url })]);
  t.same(
    pair.map((r) => r.statusCode),
    [200, 503],
    'the route takes the slot: a second export at once is refused',
  );
});

t.test(
  "the shutdown sees connections waiting in the listener's accept queue",
  { skip: existsSync('/proc/net/tcp') ? false : 'no /proc/net/tcp (not Linux)' },
  async (t) => {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.teardown(() => server.close());
    const { port } = server.address() as AddressInfo;
    t.equal(acceptQueue(port), 0, 'nothing queued');
    // The event loop is blocked while a child connects twice: the kernel queues both connections,
    // and Node accepts them only on its next turn.
    const child = spawnSync(process.execPath, [
      '-e',
      `const net = require('node:net'); let open = 0;
       for (let i = 0; i < 2; i++) net.connect(${port}, '127.0.0.1', () => { if (++open === 2) process.exit(0); });`,
    ]);
    t.equal(child.status, 0, 'the child connected');
    t.equal(acceptQueue(port), 2, 'two connections queued, not yet accepted');
    t.equal(
      await until(
        async () => acceptQueue(port),
        (queued) => queued === 0,
      ),
      0,
      'accepted: nothing queued',
    );
  },
);
