import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { createKey, revokeKey } from '../src/db/api-keys.js';
import { buildTestApp, capturedLog, forEachEngine, get } from './helpers/app.js';
import { rowsOf } from './helpers/sql.js';
import { bearer, send, tokenFor } from './helpers/writes.js';

const source = { publisher: 'Test Gazette', title: 'A test', kind: 'news' };

forEachEngine(t, async (t, app) => {
  t.test('writes need a valid key with the write scope; reads stay public', async (t) => {
    const missing = await send(app, 'POST', '/v1/sources', source);
    t.equal(missing.status, 401);
    t.match(missing.headers['content-type'], 'application/problem+json');
    t.match(missing.headers['www-authenticate'], /^Bearer/);
    t.match(missing.body, { status: 401, detail: /Authorization: Bearer/ });

    for (const header of ['Bearer erk_not-a-real-token-at-all', 'Bearer', 'Basic dXNlcjpwYXNz', 'Bearer a b']) {
      const res = await send(app, 'POST', '/v1/sources', source, { authorization: header });
      t.equal(res.status, 401, header);
    }

    const reader = await tokenFor(app, 'read');
    const forbidden = await send(app, 'POST', '/v1/sources', source, bearer(reader));
    t.equal(forbidden.status, 403);
    t.match(forbidden.body, { detail: /'read' scope/ });

    const writer = await tokenFor(app, 'write', 'desk');
    const created = await send(app, 'POST', '/v1/sources', source, bearer(writer));
    t.equal(created.status, 201);

    t.ok(await revokeKey(app.database.primary, 'desk'));
    const revoked = await send(app, 'POST', '/v1/sources', { ...source, title: 'Another' }, bearer(writer));
    t.equal(revoked.status, 401);
    t.match(revoked.body, { detail: 'This API key has been revoked.' });

    t.equal((await get(app, '/v1/sources')).status, 200, 'reads need no key');
  });

  t.test('a token that differs only after the lookup prefix is refused', async (t) => {
    const token = await tokenFor(app, 'write');
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    const res = await send(app, 'POST', '/v1/sources', source, bearer(token.slice(0, -1) + last));
    t.equal(res.status, 401);
  });
});

t.test('tokens never appear in the logs, even at trace level', async (t) => {
  const log = capturedLog();
  const app = await buildTestApp(t, 'pglite', { env: { LOG_LEVEL: 'trace' }, logStream: log.stream });
  const writer = await tokenFor(app, 'write', 'logged');
  const reader = await tokenFor(app, 'read', 'reader');
  await send(app, 'POST', '/v1/sources', source, bearer(writer));
  await send(app, 'POST', '/v1/sources', source, bearer(writer)); // 409
  await send(app, 'POST', '/v1/sources', source, bearer(reader)); // 403
  await revokeKey(app.database.primary, 'logged');
  await send(app, 'POST', '/v1/sources', source, bearer(writer)); // 401 revoked
  await send(app, 'POST', '/v1/sources', { bogus: 1 }, bearer(writer)); // 400
  await app.inject({ method: 'GET', url: '/v1/audit-log', headers: bearer(reader) });
  t.ok(log.text().length > 1000, 'requests were logged');
  t.notOk(log.text().includes(writer), 'the write token is not in the logs');
  t.notOk(log.text().includes(reader), 'the read token is not in the logs');
  t.notOk(log.text().includes(writer.slice(4, 20)), 'nor any part of it');
});

t.test('only a SHA-256 of a token is stored, never the token', async (t) => {
  const app = await buildTestApp(t, 'pglite');
  const { token } = await createKey(app.database.primary, 'hashed', 'write');
  const rows = await rowsOf<{ row: string; token_hash: string; token_prefix: string }>(
    app.database.primary,
    sql`select to_jsonb(k)::text as row, token_hash, token_prefix from api_keys k where name = 'hashed'`,
  );
  t.equal(rows.length, 1);
  const [row] = rows;
  t.equal(row!.token_hash, createHash('sha256').update(token).digest('hex'), 'the hash of the token');
  t.equal(row!.token_prefix, token.slice(0, 12), 'and its first 12 characters, to find the row');
  t.notOk(row!.row.includes(token.slice(12)), 'no column holds the secret part of the token');
});

t.test('Cookie and Authorization values never reach the logs, whatever the answer', async (t) => {
  const log = capturedLog();
  const app = await buildTestApp(t, 'pglite', { env: { LOG_LEVEL: 'trace' }, logStream: log.stream });
  const headers = { cookie: 'session=cookie-secret-value', authorization: 'Bearer erk_authorization-secret-value' };
  // A read, an unknown URL, a refused key on a write, a bad body: every path that logs a request.
  const statuses = [
    (await app.inject({ method: 'GET', url: '/v1/countries/KZ', headers: { cookie: headers.cookie } })).statusCode,
    (await app.inject({ method: 'GET', url: '/v1/nope', headers: { cookie: headers.cookie } })).statusCode,
    (await app.inject({ method: 'POST', url: '/v1/sources', headers, payload: { publisher: 'x', kind: 'news' } }))
      .statusCode,
    (await app.inject({ method: 'GET', url: '/v1/countries?limit=x', headers })).statusCode,
  ];
  t.same(statuses, [200, 404, 401, 401]);
  t.ok(log.text().includes('"url":"/v1/countries/KZ"'), 'the requests were logged');
  t.notOk(log.text().includes('cookie-secret-value'), 'the cookie value appears nowhere');
  t.notOk(log.text().includes('authorization-secret-value'), 'nor the token');
});
