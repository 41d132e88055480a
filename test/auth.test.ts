import { Writable } from 'node:stream';
import t from 'tap';
import { revokeKey } from '../src/db/api-keys.js';
import { buildTestApp, forEachEngine, get } from './helpers/app.js';
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
  let logs = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs += chunk.toString();
      done();
    },
  });
  const app = await buildTestApp(t, 'pglite', { env: { LOG_LEVEL: 'trace' }, logStream: stream });
  const writer = await tokenFor(app, 'write', 'logged');
  const reader = await tokenFor(app, 'read', 'reader');
  await send(app, 'POST', '/v1/sources', source, bearer(writer));
  await send(app, 'POST', '/v1/sources', source, bearer(writer)); // 409
  await send(app, 'POST', '/v1/sources', source, bearer(reader)); // 403
  await revokeKey(app.database.primary, 'logged');
  await send(app, 'POST', '/v1/sources', source, bearer(writer)); // 401 revoked
  await send(app, 'POST', '/v1/sources', { bogus: 1 }, bearer(writer)); // 400
  await app.inject({ method: 'GET', url: '/v1/audit-log', headers: bearer(reader) });
  t.ok(logs.length > 1000, 'requests were logged');
  t.notOk(logs.includes(writer), 'the write token is not in the logs');
  t.notOk(logs.includes(reader), 'the read token is not in the logs');
  t.notOk(logs.includes(writer.slice(4, 20)), 'nor any part of it');
});
