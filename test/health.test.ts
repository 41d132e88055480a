import t from 'tap';
import { buildTestApp, forEachEngine, get } from './helpers/app.js';

forEachEngine(t, async (t, app, engine) => {
  const health = await get(app, '/healthz');
  t.equal(health.status, 200);
  t.same(health.body, { status: 'ok' });
  t.equal(health.headers['cache-control'], 'no-store');

  const ready = await get(app, '/readyz');
  t.equal(ready.status, 200);
  t.same(ready.body, { status: 'ok', database: engine });

  // The request-target limit applies to the probes too, and their OpenAPI entries say so.
  for (const path of ['/healthz', '/readyz']) {
    const long = await get(app, `${path}?pad=${'x'.repeat(2100)}`);
    t.equal(long.status, 414, `${path}: 414 over the limit`);
    t.match(long.type, 'application/problem+json');
  }
});

t.test('readyz is a 503 problem and healthz stays 200 when the server is unreachable', async (t) => {
  // Port 9 on loopback: nothing listens there, so connecting is refused at once.
  const app = await buildTestApp(t, 'postgres', {
    database: { url: 'postgres://nobody@127.0.0.1:9/none', poolMax: 1 },
  });
  const ready = await get(app, '/readyz');
  t.equal(ready.status, 503);
  t.match(ready.type, 'application/problem+json');
  t.match(ready.body, { status: 503, title: 'Service Unavailable', instance: '/readyz' });
  t.notMatch(JSON.stringify(ready.body), /select|ECONNREFUSED|at /i, 'no internals in the body');
  t.equal(ready.headers['retry-after'], '5');
  t.equal((await get(app, '/healthz')).status, 200);
  t.equal((await get(app, '/v1/elections')).status, 503, 'reads answer 503, not 500');
});

t.test('readyz is a 503 problem once the embedded database is closed', async (t) => {
  const app = await buildTestApp(t, 'pglite');
  await app.database.close();
  const ready = await get(app, '/readyz');
  t.equal(ready.status, 503);
  t.match(ready.body, { status: 503, detail: 'The database is unavailable.' });
});
