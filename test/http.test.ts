// HTTP as RFC 9110 and real clients expect it (issue 15): content negotiation with Accept weights,
// CORS for every method and the headers browser code must read, conditional requests (lists of
// tags, *, a 304 with no Content-Length, a tag per content coding), 405 with Allow, OPTIONS, the
// order and wording of 4xx answers, decimal-only integers, and the CSV's byte-order mark. On every
// engine; the request-line limit over a real socket.
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { forEachEngine } from './helpers/app.js';
import { snapshot } from './helpers/snapshot.js';
import { bearer, send, tokenFor } from './helpers/writes.js';

const ELECTION = '/v1/elections/kz.presidential.2022-11-20';

async function headersOf(app: FastifyInstance, url: string, headers: Record<string, string> = {}) {
  const res = await app.inject({ method: 'GET', url, headers });
  return { status: res.statusCode, headers: res.headers, body: res.body, raw: res.rawPayload };
}

forEachEngine(t, async (t, app) => {
  t.test('Accept: weights count, refusals are honoured, 406 only when nothing named is here', async (t) => {
    const table: [string | undefined, number, string | undefined][] = [
      [undefined, 200, 'application/json'],
      ['', 200, 'application/json'],
      ['text/csv;q=0', 200, 'application/json'],
      ['application/json;q=0.9, text/csv;q=0.1', 200, 'application/json'],
      ['application/json;q=0.1, text/csv;q=0.9', 200, 'text/csv'],
      ['text/csv', 200, 'text/csv'],
      ['text/*', 200, 'text/csv'],
      ['*/*;q=0.1, text/csv', 200, 'text/csv'],
      ['image/avif,image/webp,*/*', 200, 'application/json'],
      ['application/json, text/csv', 200, 'application/json'],
      ['application/xml', 406, undefined],
      ['application/json;q=0, text/csv;q=0', 406, undefined],
      ['*/*;q=0', 406, undefined],
    ];
    for (const [accept, status, type] of table) {
      const res = await headersOf(app, '/v1/countries', accept === undefined ? {} : { accept });
      const label = `Accept: ${accept ?? '(none)'}`;
      t.equal(res.status, status, label);
      if (type) t.equal(String(res.headers['content-type']).split(';')[0], type, `${label}: ${type}`);
      else {
        t.match(res.headers['content-type'], /^application\/problem\+json/, `${label}: a problem`);
        t.match(JSON.parse(res.body), { status: 406, detail: /application\/json, text\/csv/ }, `${label}: names both`);
      }
      if (status === 200) t.match(res.headers.vary, /\bAccept\b/, `${label}: Vary: Accept`);
    }
    // ?format= is the client saying it outright, whatever Accept says.
    const csv = await headersOf(app, '/v1/countries?format=csv', { accept: 'application/json' });
    t.equal(String(csv.headers['content-type']).split(';')[0], 'text/csv');
    // A read with one representation: CSV refused with a 406, JSON served to */*.
    t.equal((await headersOf(app, `${ELECTION}`, { accept: 'text/csv' })).status, 406);
    t.equal((await headersOf(app, `${ELECTION}`, { accept: '*/*' })).status, 200);
    // Results negotiate too.
    const results = await headersOf(app, `${ELECTION}/results`, { accept: 'text/csv;q=0.5, application/json' });
    t.equal(String(results.headers['content-type']).split(';')[0], 'application/json');
  });

  t.test('CORS: a browser may PATCH, read the headers it needs, and cache the preflight', async (t) => {
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: ELECTION,
      headers: {
        origin: 'https://newsroom.example',
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization, content-type, if-match, idempotency-key',
      },
    });
    t.equal(preflight.statusCode, 204);
    t.equal(preflight.headers['access-control-allow-origin'], '*');
    t.match(preflight.headers['access-control-allow-methods'], /\bPATCH\b/);
    t.match(preflight.headers['access-control-allow-methods'], /\bPOST\b/);
    t.match(String(preflight.headers['access-control-allow-headers']).toLowerCase(), /if-match/);
    t.equal(preflight.headers['access-control-max-age'], '86400');
    const read = await headersOf(app, ELECTION, { origin: 'https://newsroom.example' });
    const exposed = String(read.headers['access-control-expose-headers'])
      .split(',')
      .map((h) => h.trim().toLowerCase());
    for (const header of [
      'etag',
      'location',
      'retry-after',
      'ratelimit-limit',
      'ratelimit-remaining',
      'ratelimit-reset',
      'idempotent-replayed',
      'content-disposition',
    ])
      t.ok(exposed.includes(header), `exposes ${header}`);
  });

  t.test('If-None-Match: a list, *, weak tags; a 304 has no body, no Content-Length', async (t) => {
    const first = await headersOf(app, '/v1/countries');
    const etag = String(first.headers.etag);
    t.match(etag, /^"[^"]+"$/, 'a strong tag');
    for (const inm of [etag, `"other", ${etag}`, `${etag}, "other"`, '*', `W/${etag}`]) {
      const res = await headersOf(app, '/v1/countries', { 'if-none-match': inm });
      t.equal(res.status, 304, `If-None-Match: ${inm}`);
      t.equal(res.raw.length, 0, `${inm}: no body`);
      t.equal(res.headers['content-length'], undefined, `${inm}: no Content-Length (RFC 9110 §8.6)`);
      t.equal(res.headers['content-type'], undefined, `${inm}: no Content-Type`);
      t.ok(res.headers.etag, `${inm}: the tag`);
      t.equal(res.headers['cache-control'], first.headers['cache-control'], `${inm}: Cache-Control as the 200`);
    }
    const other = await headersOf(app, '/v1/countries', { 'if-none-match': '"other", W/"another"' });
    t.equal(other.status, 200, 'no tag of the list matches: the body');
    // The route-made 304s of results and CSV exports say the same.
    for (const url of [`${ELECTION}/results`, '/v1/sources?format=csv']) {
      const ok = await headersOf(app, url);
      const not = await headersOf(app, url, { 'if-none-match': `"x", ${String(ok.headers.etag)}` });
      t.equal(not.status, 304, url);
      t.equal(not.headers['content-length'], undefined, `${url}: no Content-Length`);
      t.equal(not.raw.length, 0);
    }
  });

  t.test('each content coding has its own strong tag, and each revalidates', async (t) => {
    const plain = await headersOf(app, '/v1/countries', { 'accept-encoding': 'identity' });
    const tag = String(plain.headers.etag);
    t.equal(plain.headers['content-encoding'], undefined);
    const tags = new Set([tag]);
    for (const coding of ['br', 'gzip', 'deflate']) {
      const res = await headersOf(app, '/v1/countries', { 'accept-encoding': coding });
      t.equal(res.headers['content-encoding'], coding);
      t.equal(res.headers.etag, `${tag.slice(0, -1)}-${coding}"`, `${coding}: its own tag`);
      tags.add(String(res.headers.etag));
      const again = await headersOf(app, '/v1/countries', {
        'accept-encoding': coding,
        'if-none-match': String(res.headers.etag),
      });
      t.equal(again.status, 304, `${coding}: revalidates with its tag`);
      t.equal(again.headers.etag, res.headers.etag, `${coding}: the 304 names it`);
      // A CDN that stored one coding and forwards another client's request still gets its 304.
      const across = await headersOf(app, '/v1/countries', { 'accept-encoding': 'identity', 'if-none-match': tag });
      t.equal(across.status, 304);
    }
    t.equal(tags.size, 4, 'four representations, four tags');
  });

  t.test('If-Match takes the tag of a compressed read, and never a weak one', async (t) => {
    const token = await tokenFor(app);
    const read = await headersOf(app, ELECTION, { 'accept-encoding': 'gzip' });
    const tag = String(read.headers.etag);
    const body = { note: `A note set by the HTTP test (${tag}).` };
    const weak = await send(app, 'PATCH', ELECTION, body, bearer(token, { 'if-match': `W/${tag}` }));
    t.equal(weak.status, 412, 'a weak tag never matches If-Match (strong comparison)');
    const patched = await send(app, 'PATCH', ELECTION, body, bearer(token, { 'if-match': tag }));
    t.equal(patched.status, 200, `If-Match: ${tag}`);
  });

  t.test('OPTIONS answers with Allow; a known path asked with another method is a 405', async (t) => {
    const options = await app.inject({ method: 'OPTIONS', url: '/v1/countries' });
    t.equal(options.statusCode, 204);
    t.equal(options.headers.allow, 'GET, HEAD, OPTIONS');
    t.equal(options.rawPayload.length, 0);
    const writes = await app.inject({ method: 'OPTIONS', url: `${ELECTION}/results` });
    t.equal(writes.headers.allow, 'GET, HEAD, POST, OPTIONS');
    const unknown = await app.inject({ method: 'OPTIONS', url: '/v1/nothing-here' });
    t.equal(unknown.statusCode, 404);
    t.match(unknown.headers['content-type'], /^application\/problem\+json/);
    const deleted = await app.inject({ method: 'DELETE', url: '/v1/countries/KZ' });
    t.equal(deleted.statusCode, 405);
    t.equal(deleted.headers.allow, 'GET, HEAD, OPTIONS');
  });

  t.test('a write that is not JSON is a 415 (after the key), and writes nothing', async (t) => {
    const token = await tokenFor(app);
    const before = await snapshot(app.database.primary);
    const noKey = await app.inject({
      method: 'POST',
      url: '/v1/sources',
      payload: 'id=x',
      headers: { 'content-type': 'text/plain' },
    });
    t.equal(noKey.statusCode, 401, 'no key: the key is checked first');
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'text/csv']) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/sources',
        payload: 'id=x',
        headers: { ...bearer(token), 'content-type': type },
      });
      t.equal(res.statusCode, 415, type);
      t.match(res.headers['content-type'], /^application\/problem\+json/);
      t.match(res.json(), { status: 415, detail: new RegExp(`application/json.*${type.replace('+', '\\+')}`) });
    }
    t.same(await snapshot(app.database.primary), before, 'nothing written, in any table');
  });

  t.test('a parameter given twice is named as such', async (t) => {
    for (const url of ['/v1/countries?limit=1&limit=2', '/v1/elections?country=KZ&country=UZ&limit=1']) {
      const res = await headersOf(app, url);
      const name = url.includes('limit=1&limit') ? 'limit' : 'country';
      t.equal(res.status, 400, url);
      t.match(JSON.parse(res.body), {
        detail: `query parameter '${name}': was given 2 times; give it once`,
        errors: [{ in: 'query', name, message: 'was given 2 times; give it once' }],
      });
    }
  });

  t.test('integers in the URL are decimal digits only', async (t) => {
    for (const value of ['1e1', '0x10', '%201', '1.0', '-1', '+1', '0b1', '1%20', '']) {
      const res = await headersOf(app, `/v1/countries?limit=${value}`);
      t.equal(res.status, 400, `limit=${value}`);
      t.match(JSON.parse(res.body), { errors: [{ in: 'query', name: 'limit' }] }, `limit=${value}: names limit`);
    }
    t.equal((await headersOf(app, '/v1/countries?limit=10')).status, 200);
    t.equal((await headersOf(app, `${ELECTION}/results/versions/0x2`)).status, 400, 'a path integer too');
    t.equal((await headersOf(app, `${ELECTION}/results/versions/2`)).status, 200);
    t.equal((await headersOf(app, '/v1/elections?year=2e3')).status, 400);
  });

  t.test('CSV with ?bom=true starts with a byte-order mark, and only then', async (t) => {
    for (const url of ['/v1/countries', `${ELECTION}/results`]) {
      const bom = await headersOf(app, `${url}?format=csv&bom=true`);
      t.same([...bom.raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], `${url}: BOM`);
      const plain = await headersOf(app, `${url}?format=csv`);
      t.not(plain.raw[0], 0xef, `${url}: no BOM by default`);
      t.equal(bom.raw.subarray(3).toString('utf8'), plain.raw.toString('utf8'), `${url}: the same CSV after it`);
    }
    t.equal((await headersOf(app, '/v1/countries?format=csv&bom=yes')).status, 400);
  });
});

t.test('a request target over the header limit is a 414, not a 431', async (t) => {
  const { buildTestApp } = await import('./helpers/app.js');
  const app = await buildTestApp(t, 'pglite');
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const ask = (request: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(request));
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
  const long = await ask(`GET /v1/countries?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
  t.match(long, /^HTTP\/1\.1 414 URI Too Long\r\n/);
  t.match(long, /Content-Type: application\/problem\+json/);
  const body = JSON.parse(long.slice(long.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
  t.match(body, { status: 414, detail: /request target/ });
  t.notOk('instance' in body, 'no empty instance');
  const headers = await ask(`GET /v1/countries HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`);
  t.match(headers, /^HTTP\/1\.1 431 /, 'big headers are still a 431');
});
