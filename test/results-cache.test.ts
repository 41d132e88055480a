import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import t from 'tap';
import { createResultsCache } from '../src/modules/results/results.cache.js';
import { findContest } from '../src/modules/contests/contests.repository.js';
import { insertVersion } from '../src/modules/results/results.repository.js';
import { resultsInputSchema } from '../src/modules/results/results.schemas.js';
import { buildTestApp, forEachEngine, get, until } from './helpers/app.js';
import { countStatements } from './helpers/statements.js';
import { bearer, certified2022, send, tokenFor } from './helpers/writes.js';

const KZ2022 = 'kz.presidential.2022-11-20';
const url = `/v1/elections/${KZ2022}/results`;
/** A results tag: what it is of, then a digest of the body (so an edited name changes it too). */
const tagOf = (prefix: string) => new RegExp(`^"${prefix}~[A-Za-z0-9_-]{16}"$`);

forEachEngine(t, async (t, app) => {
  t.test('a cached result is never stale after a write through the API', async (t) => {
    const first = await get(app, url);
    const statements = countStatements(app);
    const again = await get(app, url);
    statements.restore();
    t.same(again.body, first.body, 'the same body');
    t.equal(statements.count, 0, 'served from the cache: no statement ran');
    t.match(again.headers.etag, tagOf('results-v10'), 'the version, and a digest of the body');
    t.equal(again.headers['content-type'], 'application/json; charset=utf-8');
    t.equal((await get(app, url, { 'if-none-match': String(again.headers.etag) })).status, 304);

    const auth = bearer(await tokenFor(app));
    const published = await send(app, 'POST', url, { ...certified2022, status: 'correction' }, auth);
    t.equal(published.status, 201);
    const after = await get(app, url);
    t.match(after.body, { version: 11, status: 'correction', current: true }, 'the very next read is current');
    t.match(after.headers.etag, tagOf('results-v11'));
    const v10 = await get(app, `${url}/versions/10`);
    t.match(v10.body, { version: 10, current: false }, "an older version's `current` flag follows too");

    const etag = String((await get(app, `/v1/elections/${KZ2022}`)).headers.etag);
    await send(app, 'PATCH', `/v1/elections/${KZ2022}`, { note: 'patched' }, { ...auth, 'if-match': etag });
    t.match((await get(app, `/v1/elections/${KZ2022}`)).body, { note: 'patched' });
  });
});

t.test("another process's write is seen within the revalidation interval", async (t) => {
  const app = await buildTestApp(t, 'pglite', { env: { RESULTS_CACHE_REVALIDATE_MS: '100' } });
  t.match((await get(app, url)).body, { version: 10 });
  // Straight into the database, as another API process or `npm run import` would: no invalidate().
  await insertVersion(
    app.database.primary,
    KZ2022,
    (await findContest(app.database.primary, KZ2022))!.contest.id,
    11,
    resultsInputSchema.parse({ ...certified2022, status: 'correction' }),
  );
  const seen = await until(
    () => get(app, url),
    (res) => (res.body as { version: number }).version === 11,
  );
  t.match(seen.body, { version: 11 }, 'current again after the poll');
});

forEachEngine(t, async (t, app) => {
  t.test("a superseded version's ETag changes with its body: never a wrong 304", async (t) => {
    const v10 = `${url}/versions/10`;
    const before = await get(app, v10);
    t.match(before.headers.etag, tagOf('results-v10'));
    t.match(before.body, { current: true });
    const csv = await get(app, `${v10}?format=csv`);
    t.match(csv.headers.etag, tagOf('results-v10-csv'));
    t.match(csv.body, /,true,false,Kazakhstan,country,,,,,,,,Kazinform[^\r\n]*\r?\n/, 'its lines say current');

    const published = await send(
      app,
      'POST',
      url,
      { ...certified2022, status: 'correction' },
      bearer(await tokenFor(app)),
    );
    t.equal(published.status, 201);

    const stale = await get(app, v10, { 'if-none-match': String(before.headers.etag) });
    t.equal(stale.status, 200, 'the tag of the body that said current: true no longer matches');
    t.match(stale.body, { version: 10, current: false });
    t.match(stale.headers.etag, tagOf('results-v10-superseded'));
    t.equal((await get(app, v10, { 'if-none-match': String(stale.headers.etag) })).status, 304);
    const staleCsv = await get(app, `${v10}?format=csv`, { 'if-none-match': String(csv.headers.etag) });
    t.equal(staleCsv.status, 200);
    t.match(staleCsv.headers.etag, tagOf('results-v10-superseded-csv'));
    t.notMatch(staleCsv.body, /,true,false,Kazakhstan,/, 'no line says current any more');
    t.match(staleCsv.body, /,false,false,Kazakhstan,country,,,,,,,,Kazinform[^\r\n]*\r?\n/, 'each says superseded');
    t.match((await get(app, url)).headers.etag, tagOf('results-v11'), 'the current version keeps the plain tag');
  });
});

t.test("an editor reads another process's write at once, privately, without replicas", async (t) => {
  // No poll: only a read that goes around the cache can see the version written behind its back.
  const app = await buildTestApp(t, 'pglite', { env: { RESULTS_CACHE_REVALIDATE_MS: '0' } });
  const token = await tokenFor(app, 'read');
  const anonymous = await get(app, url);
  t.match(anonymous.body, { version: 10 });
  t.equal(anonymous.headers['cache-control'], 'public, max-age=300, stale-while-revalidate=300');
  t.equal(anonymous.headers.vary, 'accept-encoding, Accept, Authorization');
  await insertVersion(
    app.database.primary,
    KZ2022,
    (await findContest(app.database.primary, KZ2022))!.contest.id,
    11,
    resultsInputSchema.parse({ ...certified2022, status: 'correction' }),
  );
  t.match((await get(app, url)).body, { version: 10 }, 'anonymous readers get the cached version until the poll');
  const editor = await get(app, url, bearer(token));
  t.match(editor.body, { version: 11 }, 'a request with a key reads around the cache');
  t.equal(editor.headers['cache-control'], 'private, no-cache', 'and its answer is for that client only');
  t.equal(editor.headers.vary, 'accept-encoding, Accept, Authorization');
  const list = await get(app, '/v1/elections', bearer(token));
  t.equal(list.headers['cache-control'], 'private, no-cache', 'every read with a key');
  t.match(String(list.headers.vary), /Authorization/);
  t.equal((await get(app, '/v1/elections')).headers['cache-control'], 'public, max-age=60');
});

t.test('RESULTS_CACHE_MB=0 turns the cache off: every read is the database', async (t) => {
  const app = await buildTestApp(t, 'pglite', { env: { RESULTS_CACHE_MB: '0', RESULTS_CACHE_REVALIDATE_MS: '0' } });
  t.match((await get(app, url)).body, { version: 10 });
  await insertVersion(
    app.database.primary,
    KZ2022,
    (await findContest(app.database.primary, KZ2022))!.contest.id,
    11,
    resultsInputSchema.parse({ ...certified2022, status: 'correction' }),
  );
  t.match((await get(app, url)).body, { version: 11 }, 'seen at once, with no poll at all');
});

t.test('compressed reads: br, gzip and deflate bodies are the JSON body, and never stale after a write', async (t) => {
  const app = await buildTestApp(t, 'pglite');
  const plain = await app.inject({ method: 'GET', url });
  t.ok(plain.rawPayload.length >= 1024, 'a body over the compression threshold');
  t.notOk(plain.headers['content-encoding']);
  t.equal(
    plain.headers.vary,
    'accept-encoding, Accept, Authorization',
    'the uncompressed body varies by Accept-Encoding too',
  );
  const decode = { br: brotliDecompressSync, gzip: gunzipSync, deflate: inflateSync } as const;
  for (const [accept, encoding] of [
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['deflate', 'deflate'],
    ['x-gzip', 'gzip'],
  ] as const) {
    for (let i = 0; i < 2; i++) {
      // The first read compresses the cached body; the second is served the kept bytes.
      const res = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': accept } });
      t.equal(res.headers['content-encoding'], encoding, `${accept}: ${encoding}`);
      t.equal(res.headers.vary, 'accept-encoding, Accept, Authorization');
      // Another representation, another strong tag (RFC 9110 §8.8.3): the coding appended.
      t.equal(res.headers.etag, `${String(plain.headers.etag).slice(0, -1)}-${encoding}"`);
      t.equal(Number(res.headers['content-length']), res.rawPayload.length);
      // A cache holding this body revalidates with its own tag: a 304 naming it, with no body.
      const again = await app.inject({
        method: 'GET',
        url,
        headers: { 'accept-encoding': accept, 'if-none-match': String(res.headers.etag) },
      });
      t.equal(again.statusCode, 304, `${accept}: its own tag revalidates`);
      t.equal(again.headers.etag, res.headers.etag);
      t.equal(again.headers['content-length'], undefined, 'a 304 has no Content-Length');
      t.ok(decode[encoding](res.rawPayload).equals(plain.rawPayload), `${accept}: the same bytes once decoded`);
    }
  }
  const weak = await app.inject({
    method: 'GET',
    url,
    headers: { 'accept-encoding': 'br', 'if-none-match': `W/${String(plain.headers.etag)}` },
  });
  t.equal(weak.statusCode, 304, 'a weakened ETag matches');
  const listed = await app.inject({
    method: 'GET',
    url,
    headers: { 'accept-encoding': 'br', 'if-none-match': `"other", ${String(plain.headers.etag)}` },
  });
  t.equal(listed.statusCode, 304, 'a tag in a list matches');
  t.notOk(listed.headers['content-encoding']);
  t.notOk(weak.headers['content-encoding'], 'a 304 carries no Content-Encoding');
  const head = await app.inject({ method: 'HEAD', url, headers: { 'accept-encoding': 'br' } });
  t.equal(head.headers['content-encoding'], 'br');
  t.equal(head.rawPayload.length, 0);
  const opted = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'br', 'x-no-compression': '1' } });
  t.notOk(opted.headers['content-encoding'], 'x-no-compression is honoured, as @fastify/compress does');
  t.equal(
    (await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'identity' } })).headers['content-encoding'],
    undefined,
  );

  const published = await send(
    app,
    'POST',
    url,
    { ...certified2022, status: 'correction' },
    bearer(await tokenFor(app)),
  );
  t.equal(published.status, 201);
  const after = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'br' } });
  t.match(
    JSON.parse(brotliDecompressSync(after.rawPayload).toString('utf8')),
    { version: 11 },
    'the compressed body follows the write',
  );
});

t.test('with the cache off, @fastify/compress compresses results as it does every other body', async (t) => {
  const app = await buildTestApp(t, 'pglite', { env: { RESULTS_CACHE_MB: '0' } });
  const plain = await app.inject({ method: 'GET', url });
  const res = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
  t.equal(res.headers['content-encoding'], 'gzip');
  t.equal(res.headers.vary, 'accept-encoding, Accept, Authorization', 'named once');
  t.ok(gunzipSync(res.rawPayload).equals(plain.rawPayload));
});

t.test("a cached body's compressed forms are kept with it and count in the cache's size", async (t) => {
  const app = await buildTestApp(t, 'pglite');
  const cache = createResultsCache({ database: app.database, maxBytes: 1024 * 1024, revalidateMs: 0, log: app.log });
  const db = app.database.primary;
  const entry = await cache.get(db, { electionId: KZ2022 });
  t.equal(await cache.get(db, { electionId: KZ2022 }), entry, 'the second read is the cached entry');
  const bytesBefore = cache.bytes;
  t.ok(bytesBefore >= entry.body.length, `the body counts (${bytesBefore} bytes)`);
  for (const encoding of ['br', 'gzip', 'deflate'] as const) {
    const encoded = cache.encodedBody(entry, encoding);
    t.ok(encoded && encoded.length > 200, `${encoding}: compressed`);
    t.equal(cache.encodedBody(entry, encoding), encoded, `${encoding}: compressed once, then kept`);
  }
  t.ok(
    cache.bytes > bytesBefore + 3 * 200,
    `the compressed bodies count in the cache's size (${bytesBefore} → ${cache.bytes} bytes)`,
  );
  const around = await cache.load(db, { electionId: KZ2022 });
  t.equal(cache.encodedBody(around, 'br'), undefined, 'an entry read around the cache is not compressed here');
});
