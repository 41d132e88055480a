import t from 'tap';
import { forEachEngine, get } from './helpers/app.js';

const KZ2022 = 'kz.presidential.2022-11-20';
const garbageCursor = 'not-a-cursor!';
const wrongShapeCursor = Buffer.from(JSON.stringify({ evil: "'; drop table elections; --" })).toString('base64url');

// [url, where, parameter]: every invalid input is a 400 problem naming the parameter.
const badRequests: [string, string, string][] = [
  ['/v1/elections?limit=0', 'query', 'limit'],
  ['/v1/elections?limit=101', 'query', 'limit'],
  ['/v1/elections?limit=abc', 'query', 'limit'],
  ['/v1/elections?limit=1.5', 'query', 'limit'],
  ['/v1/elections?limit=-1', 'query', 'limit'],
  ['/v1/elections?limit=99999999999999999999999', 'query', 'limit'],
  ['/v1/elections?limit=1&limit=2', 'query', 'limit'],
  ['/v1/countries?limit=251', 'query', 'limit'],
  ['/v1/elections?country=zz', 'query', 'country'],
  ['/v1/elections?country=XK', 'query', 'country'],
  ['/v1/elections?country=kazakhstan', 'query', 'country'],
  ['/v1/elections?from=2022-13-01', 'query', 'from'],
  ['/v1/elections?from=2022-02-30', 'query', 'from'],
  ['/v1/elections?to=yesterday', 'query', 'to'],
  ['/v1/elections?from=2023-01-01&to=2022-01-01', 'query', 'to'],
  ['/v1/elections?year=20222', 'query', 'year'],
  ['/v1/elections?year=99999999999999999999', 'query', 'year'],
  ['/v1/elections?type=mayoral', 'query', 'type'],
  ['/v1/elections?status=final', 'query', 'status'],
  ['/v1/elections?contry=KZ', 'query', 'contry'],
  [`/v1/elections?cursor=${garbageCursor}`, 'query', 'cursor'],
  [`/v1/elections?cursor=${wrongShapeCursor}`, 'query', 'cursor'],
  [`/v1/countries?cursor=${wrongShapeCursor}`, 'query', 'cursor'],
  [`/v1/vote-shares?cursor=${garbageCursor}`, 'query', 'cursor'],
  [`/v1/candidates?cursor=${wrongShapeCursor}`, 'query', 'cursor'],
  [`/v1/sources?cursor=${'x'.repeat(600)}`, 'query', 'cursor'],
  [`/v1/elections/${KZ2022}/results/versions?cursor=${wrongShapeCursor}`, 'query', 'cursor'],
  ['/v1/countries/K', 'path', 'code'],
  ['/v1/countries/KAZAKHSTAN', 'path', 'code'],
  ['/v1/countries/ZZ', 'path', 'code'],
  ['/v1/countries/zzz/elections', 'path', 'code'],
  ['/v1/elections/kazakhstan-2022', 'path', 'id'],
  ["/v1/elections/kz.presidential.2022-11-20'%20or%201=1", 'path', 'id'],
  ['/v1/elections/kz.presidential.2022-11-20/results/versions/0', 'path', 'n'],
  ['/v1/elections/kz.presidential.2022-11-20/results/versions/two', 'path', 'n'],
  ['/v1/elections/kz.presidential.2022-11-20/results/versions/2147483648', 'path', 'n'],
  ['/v1/elections/kz.presidential.2022-11-20/results/versions/99999999999999999999', 'path', 'n'],
  ['/v1/candidates?q=', 'query', 'q'],
  [`/v1/candidates?q=${'a'.repeat(101)}`, 'query', 'q'],
  ['/v1/candidates/TOKAYEV', 'path', 'id'],
  ['/v1/vote-shares?year=0', 'query', 'year'],
];

const notFounds = [
  '/v1/elections/kz.presidential.2030-01-01',
  '/v1/candidates/nobody',
  '/v1/sources/nothing-here',
  '/v1/nothing',
  '/v2/elections',
  '/',
];

forEachEngine(t, async (t, app) => {
  t.test('invalid parameters: 400 problem+json naming the parameter', async (t) => {
    for (const [url, where, name] of badRequests) {
      const res = await get(app, url);
      t.equal(res.status, 400, url);
      t.match(res.type, 'application/problem+json', url);
      const body = res.body as {
        title: string;
        status: number;
        detail: string;
        instance: string;
        type: string;
        errors: { in: string; name: string }[];
      };
      t.match(body, { type: 'about:blank', title: 'Bad Request', status: 400 }, url);
      t.equal(body.instance, url.split('?')[0], `${url}: instance is the path`);
      t.ok(
        body.errors.some((e) => e.in === where && e.name === name),
        `${url}: names ${where} '${name}'`,
      );
      t.match(body.detail, name, `${url}: the detail names it too`);
      t.equal(res.headers['cache-control'], 'no-store', `${url}: errors are not cached`);
    }
  });

  t.test('unknown ids and routes: 404 problem+json', async (t) => {
    for (const url of notFounds) {
      const res = await get(app, url);
      t.equal(res.status, 404, url);
      t.match(res.type, 'application/problem+json', url);
      t.match(res.body, { status: 404, title: 'Not Found', type: 'about:blank' }, url);
    }
  });

  t.test('a method a path does not serve: 405 with Allow, a problem, not a 404 or a 500', async (t) => {
    for (const [method, url, allow] of [
      ['DELETE', '/v1/elections/kz.presidential.2022-11-20', 'GET, HEAD, PATCH, OPTIONS'],
      ['PUT', '/v1/elections/kz.presidential.2022-11-20', 'GET, HEAD, PATCH, OPTIONS'],
      ['DELETE', '/v1/countries', 'GET, HEAD, OPTIONS'],
      ['PATCH', '/v1/sources', 'GET, HEAD, POST, OPTIONS'],
    ] as const) {
      const res = await app.inject({ method, url });
      t.equal(res.statusCode, 405, `${method} ${url}`);
      t.equal(res.headers.allow, allow, `${method} ${url}: Allow`);
      t.match(res.headers['content-type'], 'application/problem+json');
      t.match(res.json(), { status: 405, instance: url, detail: new RegExp(`does not answer ${method}`) });
    }
    const unknown = await app.inject({ method: 'DELETE', url: '/v1/nothing-here' });
    t.equal(unknown.statusCode, 404, 'an unknown path is still a 404');
    t.equal(unknown.headers.allow, undefined);
  });
});

t.test('a URL Node cannot parse gets a problem too', async (t) => {
  const { buildTestApp } = await import('./helpers/app.js');
  const app = await buildTestApp(t, 'pglite');
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const { connect } = await import('node:net');
  const raw = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write('GET /v1/candidates?q=TOK\u00c1YEV HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1');
    });
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString()));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
  t.match(raw, /^HTTP\/1.1 400/);
  t.match(raw, /application\/problem\+json/);
  t.match(raw, /"status":400/);
});
