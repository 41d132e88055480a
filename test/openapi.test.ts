import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { OpenAPIV3_1 } from 'openapi-types';
import t, { type Test } from 'tap';
import { PROBLEM_CONTENT_TYPE as PROBLEM_TYPE } from '../src/lib/problem.js';
import { buildTestApp, get } from './helpers/app.js';

const app = await buildTestApp(t, 'pglite');
const served = await get(app, '/openapi.json');
const doc = served.body as OpenAPIV3_1.Document;

t.test('the served document is valid OpenAPI 3.1', async (t) => {
  t.equal(served.status, 200);
  t.equal(doc.openapi, '3.1.0');
  const result = await new Validator().validate(structuredClone(doc));
  t.ok(result.valid, JSON.stringify(result.errors, null, 2));
});

t.test('every operation: operationId, tags, summary, and every status it can return', async (t) => {
  const ids = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item ?? {}) as [string, OpenAPIV3_1.OperationObject][]) {
      const name = `${method.toUpperCase()} ${path}`;
      t.ok(op.operationId, `${name}: operationId`);
      t.notOk(ids.has(op.operationId!), `${name}: operationId is unique`);
      ids.add(op.operationId!);
      t.ok(op.tags?.length, `${name}: tags`);
      t.ok(op.summary, `${name}: summary`);
      const statuses = Object.keys(op.responses ?? {}).sort();
      // 401: reads need no key, but a key that is sent is checked; 414 and 429: limits.
      const read = [
        '200',
        // A live stream (text/event-stream) has nothing to revalidate.
        ...(op.responses?.['200'] &&
        'content' in op.responses['200'] &&
        op.responses['200'].content?.['text/event-stream']
          ? []
          : ['304']),
        '400',
        '401',
        '406',
        '414',
        '429',
        '500',
        '503',
        ...(path.includes('{') ? ['404'] : []),
        // A person or party merged into another: its old id answers 301.
        ...(/^\/v1\/(candidates|organisations)\/\{id\}/.test(path) ? ['301'] : []),
      ];
      t.ok(op.description, `${name}: description`);
      t.ok(op.security, `${name}: security is stated (public: [])`);
      if (method === 'get' && path.startsWith('/v1/') && !op.security?.length)
        t.same(
          statuses,
          read.sort(),
          `${name}: 200, 304, 400, 401, 414, 429, 500, 503 (and 404 with a path id, 301 for merged ids)`,
        );
      else if (op.security?.length) {
        t.same(op.security, [{ bearerAuth: [] }], `${name}: needs a bearer key`);
        for (const status of ['400', '401', '403', '414', '429', '500', '503'])
          t.ok(statuses.includes(status), `${name}: documents ${status}`);
        // A body too large, not JSON, or an Idempotency-Key reused for another request.
        if (op.requestBody)
          for (const status of ['413', '415', '422']) t.ok(statuses.includes(status), `${name}: documents ${status}`);
        t.ok(
          statuses.some((s) => s.startsWith('2')),
          `${name}: documents its success`,
        );
        const body = op.requestBody as OpenAPIV3_1.RequestBodyObject | undefined;
        if (body) {
          const ref = (body.content['application/json']?.schema as { $ref?: string } | undefined)?.$ref ?? '';
          const schema: { example?: unknown } | undefined = doc.components?.schemas?.[ref.split('/').at(-1) ?? ''];
          t.ok(schema?.example, `${name}: the request body has an example`);
        }
      } else
        t.same(
          statuses,
          path === '/readyz' ? ['200', '414', '500', '503'] : ['200', '414', '500'],
          `${name}: responses (414: the request-target limit)`,
        );
      for (const [status, response] of Object.entries(op.responses ?? {}) as [string, OpenAPIV3_1.ResponseObject][]) {
        t.ok(response.description, `${name} ${status}: description`);
        if (Number(status) >= 400)
          t.ok(response.content?.['application/problem+json'], `${name} ${status}: a problem document`);
      }
    }
  }
  t.ok(ids.size >= 25, `${ids.size} operations`);
  t.ok(doc.components?.securitySchemes?.bearerAuth, 'the bearer scheme is declared');
});

t.test('the browsable reference is served at /docs', async (t) => {
  const page = await app.inject({ method: 'GET', url: '/docs' });
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], 'text/html');
  t.match(page.body, /swagger-ui/i);
  const json = await get(app, '/docs/json');
  t.same(json.body, doc, 'the page reads the same document as /openapi.json');
});

// Every response, success and error, is checked against the served document, so the document is
// exact for client generators (the zod serializer also rejects a body that breaks its schema).
t.test('responses match the document', async (t) => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(doc, 'openapi.json');
  const pointer = (s: string) => s.replaceAll('~', '~0').replaceAll('/', '~1');

  const requests: [string, string][] = [
    ['/healthz', '/healthz'],
    ['/readyz', '/readyz'],
    ['/v1/countries', '/v1/countries?limit=3'],
    ['/v1/countries', '/v1/countries?limit=0'],
    ['/v1/countries/{code}', '/v1/countries/kaz'],
    ['/v1/countries/{code}', '/v1/countries/zz'],
    ['/v1/countries/{code}/elections', '/v1/countries/KZ/elections'],
    ['/v1/elections', '/v1/elections'],
    ['/v1/elections', '/v1/elections?limit=1'],
    ['/v1/elections', '/v1/elections?type=nope'],
    ['/v1/elections/{id}', '/v1/elections/kz.presidential.2022-11-20'],
    ['/v1/elections/{id}', '/v1/elections/kz.presidential.2031-01-01'],
    ['/v1/elections/{id}/results', '/v1/elections/kz.presidential.2022-11-20/results'],
    ['/v1/elections/{id}/results', '/v1/elections/kz.presidential.2019-06-09/results'],
    ['/v1/elections/{id}/results/versions', '/v1/elections/kz.presidential.2022-11-20/results/versions'],
    ['/v1/elections/{id}/results/versions/{n}', '/v1/elections/kz.presidential.2022-11-20/results/versions/1'],
    ['/v1/elections/{id}/results/versions/{n}', '/v1/elections/kz.presidential.2022-11-20/results/versions/9'],
    ['/v1/candidates', '/v1/candidates?q=tokayev'],
    ['/v1/candidates/{id}', '/v1/candidates/kassym-jomart-tokayev'],
    ['/v1/candidates/{id}', '/v1/candidates/nursultan-nazarbayev'],
    ['/v1/vote-shares', '/v1/vote-shares?versions=all&limit=5'],
    ['/v1/vote-shares', '/v1/vote-shares?candidate=nobody'],
    ['/v1/sources', '/v1/sources'],
    ['/v1/sources/{id}', '/v1/sources/tass-2019-final-results'],
    ['/v1/elections/{id}/contests', '/v1/elections/kz.parliamentary.2023-03-19/contests'],
    ['/v1/elections/{id}/contests/{contest}', '/v1/elections/kz.parliamentary.2023-03-19/contests/chamber'],
    ['/v1/elections/{id}/contests/{contest}', '/v1/elections/kz.parliamentary.2023-03-19/contests/nope'],
    [
      '/v1/elections/{id}/contests/{contest}/results',
      '/v1/elections/kz.parliamentary.2023-03-19/contests/party-list/results',
    ],
    [
      '/v1/elections/{id}/contests/{contest}/results/versions/{n}',
      '/v1/elections/kz.referendum.2022-06-05/contests/question-1/results/versions/6?level=region',
    ],
    [
      '/v1/elections/{id}/results/versions/{n}',
      '/v1/elections/kz.presidential.2022-11-20/results/versions/7?area=kz&level=region',
    ],
    ['/v1/elections/{id}/results', '/v1/elections/kz.presidential.2022-11-20/results?area=kz-abai'],
    ['/v1/elections/{id}/results', '/v1/elections/kz.presidential.2022-11-20/results?area=Not%20an%20id'],
    ['/v1/areas', '/v1/areas?country=KZ&level=region'],
    ['/v1/areas/{id}', '/v1/areas/kz-abai'],
    ['/v1/areas/{id}', '/v1/areas/kz-nowhere'],
    ['/v1/areas/{id}/elections', '/v1/areas/kz-abai/elections'],
    ['/v1/vote-shares', '/v1/vote-shares?contestKind=ballot-question&versions=all'],
  ];
  for (const [template, url] of requests) {
    const res = await get(app, url);
    const type = res.type.split(';')[0]!;
    const ref = `openapi.json#/paths/${pointer(template)}/get/responses/${res.status}/content/${pointer(type)}/schema`;
    const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
    t.ok(validate(res.body), `${url} -> ${res.status} ${type} ${JSON.stringify(validate.errors)}`);
    checkHeaders(t, template, 'get', res.status, type, res.headers);
  }
});

// The headers of components.headers, as the document declares them per response: each declared one
// is sent (rate limits are off in tests), and none of them is sent undeclared.
function checkHeaders(
  t: Test,
  template: string,
  method: string,
  status: number,
  type: string,
  sent: Record<string, unknown>,
) {
  const op = (doc.paths![template] as Record<string, OpenAPIV3_1.OperationObject>)[method]!;
  const declared = Object.keys((op.responses![status] as OpenAPIV3_1.ResponseObject).headers ?? {});
  const known = Object.keys(doc.components?.headers ?? {});
  for (const name of known) {
    const lower = name.toLowerCase();
    if (sent[lower] !== undefined) t.ok(declared.includes(name), `${template} ${status}: ${name} is sent and declared`);
    else if (
      declared.includes(name) &&
      !name.startsWith('RateLimit-') &&
      (name !== 'Content-Disposition' || type === 'text/csv')
    )
      t.fail(`${template} ${status}: the declared ${name} is not sent`);
  }
}

t.test('headers: servers, components.headers, and what the plugins send', async (t) => {
  t.same(
    doc.servers?.map((s) => s.url),
    ['/'],
    'one relative server: wherever the document was fetched from',
  );
  t.ok(doc.components?.headers?.ETag, 'headers are components');
  const countries = doc.paths!['/v1/countries']!.get!;
  const ok = countries.responses['200'] as OpenAPIV3_1.ResponseObject;
  t.same(Object.keys(ok.headers ?? {}).sort(), [
    'Access-Control-Allow-Origin',
    'Cache-Control',
    'Content-Disposition',
    'ETag',
    'Last-Modified',
    'RateLimit-Limit',
    'RateLimit-Remaining',
    'RateLimit-Reset',
    'Vary',
  ]);
  t.ok((countries.responses['429'] as OpenAPIV3_1.ResponseObject).headers?.['Retry-After'], '429: Retry-After');
  t.notOk((countries.responses['414'] as OpenAPIV3_1.ResponseObject).headers?.['RateLimit-Limit'], '414: not counted');
  const create = doc.paths!['/v1/sources']!.post!.responses['201'] as OpenAPIV3_1.ResponseObject;
  t.ok(create.headers?.Location && create.headers['Idempotent-Replayed'], '201: Location, Idempotent-Replayed');

  // With limits on, every /v1 answer but a 414 carries the RateLimit-* headers the document declares.
  const limited = await buildTestApp(t, 'pglite', { env: { RATE_LIMIT_MAX: '1' } });
  const first = await limited.inject({ method: 'GET', url: '/v1/countries/KZ' });
  const second = await limited.inject({ method: 'GET', url: '/v1/countries/KZ' });
  t.equal(second.statusCode, 429);
  checkHeaders(t, '/v1/countries/{code}', 'get', 200, 'application/json', first.headers);
  checkHeaders(t, '/v1/countries/{code}', 'get', 429, PROBLEM_TYPE, second.headers);
  for (const res of [first, second])
    for (const name of ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'])
      t.ok(res.headers[name] !== undefined, `${res.statusCode}: ${name}`);
  t.ok(second.headers['retry-after'], '429: Retry-After');
});
