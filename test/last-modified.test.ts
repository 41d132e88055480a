// Last-Modified and If-Modified-Since (issue 17): on every public read, and never a wrong 304, even
// for a write made within the same second as the read, or in flight while it was read.
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { forEachEngine, get, until } from './helpers/app.js';
import { bearer, send, tokenFor } from './helpers/writes.js';

forEachEngine(t, async (t, app, engine) => {
  const auth = bearer(await tokenFor(app, 'write'));
  let made = 0;
  const write = async () => {
    made += 1;
    const res = await send(
      app,
      'POST',
      '/v1/sources',
      { id: `lm-${made}`, publisher: 'LM Gazette', kind: 'news' },
      auth,
    );
    if (res.status !== 201) throw new Error(`write: ${res.status}`);
  };

  // Within the second of the last write (here, the start), a read is dated by the probe's clock,
  // before the data: no 304 can follow until a probe in a later second (every RESULTS_CACHE_REVALIDATE_MS).
  const settled = async () => {
    await app.lastModified.refresh();
    const res = await get(app, '/v1/countries');
    return (await get(app, '/v1/countries', { 'if-modified-since': String(res.headers['last-modified']) })).status;
  };
  t.equal(await until(settled, (status) => status === 304), 304, 'a probe a second later dates reads after the data');

  await t.test('every public read dates itself; If-Modified-Since at that date is a 304', async (t) => {
    for (const url of ['/v1/countries', '/v1/elections/kz.presidential.2022-11-20/results', '/v1/sources?format=csv']) {
      const res = await get(app, url);
      t.equal(res.status, 200, url);
      const lm = String(res.headers['last-modified']);
      t.match(lm, /^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/, `${url}: an HTTP date`);
      t.ok(Date.parse(lm) <= Date.now(), `${url}: not in the future`);
      const again = await get(app, url, { 'if-modified-since': lm });
      t.equal(again.status, 304, `${url}: 304 at its own date`);
      t.equal(again.body, '', `${url}: no body`);
      t.equal(again.headers['content-type'], undefined);
      t.ok(again.headers.etag, `${url}: the 304 keeps its ETag`);
      t.ok(again.headers['cache-control'], `${url}: and its Cache-Control`);
    }
  });

  await t.test('what is not a 304: If-None-Match wins, a future or bad date, a key', async (t) => {
    const res = await get(app, '/v1/countries');
    const lm = String(res.headers['last-modified']);
    t.equal((await get(app, '/v1/countries', { 'if-modified-since': lm, 'if-none-match': '"other"' })).status, 200);
    t.equal((await get(app, '/v1/countries', { 'if-modified-since': 'yesterday' })).status, 200);
    const future = new Date(Date.now() + 86_400_000).toUTCString();
    t.equal((await get(app, '/v1/countries', { 'if-modified-since': future })).status, 200, 'a future date');
    const keyed = await get(app, '/v1/countries', { ...auth, 'if-modified-since': lm });
    t.equal(keyed.status, 200, 'an API key reads uncached');
    t.equal(keyed.headers['last-modified'], undefined, 'and undated');
    const old = new Date(Date.parse(lm) - 1000).toUTCString();
    t.equal((await get(app, '/v1/countries', { 'if-modified-since': old })).status, 200, 'a second earlier');
  });

  await t.test('a write right after a read, in the same second or not: its date is no 304', async (t) => {
    let sameSecond = 0;
    for (let i = 0; i < 15; i += 1) {
      const before = await get(app, '/v1/sources?limit=100');
      t.equal(before.status, 200);
      const lm = String(before.headers['last-modified']);
      const at = Date.now();
      await write();
      if (Math.floor(at / 1000) === Math.floor(Date.now() / 1000)) sameSecond += 1;
      const after = await get(app, '/v1/sources?limit=100', { 'if-modified-since': lm });
      t.equal(after.status, 200, `write ${i + 1}: the read before it is stale`);
      if (after.status !== 200) break;
    }
    t.ok(sameSecond > 0, 'some writes fell in the second of the read before them', { sameSecond });
  });

  if (engine !== 'postgres') return;
  await t.test('a write in flight while a read is dated: no 304 once it commits', async (t) => {
    // A table the change feed does not follow: only the data version's bump takes the feed's lock.
    const rename = (name: string) => sql`update countries set name = ${name} where code = 'FR'`;
    let dated = '';
    await app.database.primary.transaction(async (tx) => {
      await tx.execute(rename('France (in flight)'));
      // Past the next whole second: a probe dated by the clock alone would now claim this write.
      await sleep(1000 - (Date.now() % 1000) + 50);
      await app.lastModified.refresh();
      const read = await get(app, '/v1/countries/FR');
      t.equal((read.body as { name: string }).name, 'France', 'the read cannot see the write');
      dated = String(read.headers['last-modified']);
    });
    const after = await get(app, '/v1/countries/FR', { 'if-modified-since': dated });
    t.equal(after.status, 200, 'the write committed after the read: not a 304');
    t.equal((after.body as { name: string }).name, 'France (in flight)');
    await app.database.primary.execute(rename('France'));
  });
});
