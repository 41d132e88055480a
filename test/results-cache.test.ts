import t from 'tap';
import { insertVersion } from '../src/modules/elections/results.repository.js';
import { resultsInputSchema } from '../src/modules/elections/results.schemas.js';
import { buildTestApp, forEachEngine, get } from './helpers/app.js';
import { bearer, certified2022, send, tokenFor } from './helpers/writes.js';

const KZ2022 = 'kz.presidential.2022-11-20';
const url = `/v1/elections/${KZ2022}/results`;

forEachEngine(t, async (t, app) => {
  t.test('a cached result is never stale after a write through the API', async (t) => {
    const first = await get(app, url);
    const again = await get(app, url);
    t.same(again.body, first.body, 'served from the cache, the same body');
    t.equal(again.headers.etag, '"results-v2"');
    t.equal(again.headers['content-type'], 'application/json; charset=utf-8');
    t.equal((await get(app, url, { 'if-none-match': '"results-v2"' })).status, 304);

    const auth = bearer(await tokenFor(app));
    const published = await send(app, 'POST', url, { ...certified2022, status: 'correction' }, auth);
    t.equal(published.status, 201);
    const after = await get(app, url);
    t.match(after.body, { version: 3, status: 'correction', current: true }, 'the very next read is current');
    t.equal(after.headers.etag, '"results-v3"');
    const v2 = await get(app, `${url}/versions/2`);
    t.match(v2.body, { version: 2, current: false }, "an older version's `current` flag follows too");

    const etag = String((await get(app, `/v1/elections/${KZ2022}`)).headers.etag);
    await send(app, 'PATCH', `/v1/elections/${KZ2022}`, { note: 'patched' }, { ...auth, 'if-match': etag });
    t.match((await get(app, `/v1/elections/${KZ2022}`)).body, { note: 'patched' });
  });
});

t.test("another process's write is seen within the revalidation interval", async (t) => {
  const app = await buildTestApp(t, 'pglite', { env: { RESULTS_CACHE_REVALIDATE_MS: '100' } });
  t.match((await get(app, url)).body, { version: 2 });
  // Straight into the database, as another API process or `npm run import` would: no invalidate().
  await insertVersion(app.db, KZ2022, 3, resultsInputSchema.parse({ ...certified2022, status: 'correction' }));
  await new Promise((resolve) => setTimeout(resolve, 400));
  t.match((await get(app, url)).body, { version: 3 }, 'current again after the poll');
});

t.test('RESULTS_CACHE_MB=0 turns the cache off: every read is the database', async (t) => {
  const app = await buildTestApp(t, 'pglite', { env: { RESULTS_CACHE_MB: '0', RESULTS_CACHE_REVALIDATE_MS: '0' } });
  t.match((await get(app, url)).body, { version: 2 });
  await insertVersion(app.db, KZ2022, 3, resultsInputSchema.parse({ ...certified2022, status: 'correction' }));
  t.match((await get(app, url)).body, { version: 3 }, 'seen at once, with no poll at all');
});
