// Every operation the OpenAPI document marks as secured is refused before its body is read: without
// a key (401), with a key whose scope is too small (403), with a revoked key (401), whatever the
// body, and nothing is written to any table.
import { readFile } from 'node:fs/promises';
import t from 'tap';
import { revokeKey } from '../src/db/api-keys.js';
import { forEachEngine } from './helpers/app.js';
import { snapshot } from './helpers/snapshot.js';
import { bearer, tokenFor } from './helpers/writes.js';

interface Operation {
  method: string;
  path: string;
  operationId: string;
  example?: unknown;
}

interface OpenApi {
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        security?: unknown[];
        requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
      }
    >
  >;
  components: { schemas: Record<string, { example?: unknown }> };
}

const document = JSON.parse(await readFile(new URL('../openapi.json', import.meta.url), 'utf8')) as OpenApi;

/** The secured operations, with the example body their document gives (a valid body). */
function securedOperations(): Operation[] {
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths))
    for (const [method, op] of Object.entries(methods)) {
      if (!op.security?.length) continue;
      const ref = op.requestBody?.content['application/json']?.schema.$ref;
      const example = ref ? document.components.schemas[ref.split('/').at(-1)!]?.example : undefined;
      out.push({ method: method.toUpperCase(), path, operationId: op.operationId, example });
    }
  return out;
}

const operations = securedOperations();
const KZ2022 = 'kz.presidential.2022-11-20';
const url = (path: string) => path.replace('{id}', KZ2022).replace('{contest}', 'president');

t.test('the document marks every write and the audit log as secured', async (t) => {
  t.same(operations.map((o) => o.operationId).sort(), [
    'createArea',
    'createCandidate',
    'createContest',
    'createElection',
    'createOrganisation',
    'createRaceCall',
    'createSource',
    'listAuditLog',
    'mergeCandidates',
    'mergeOrganisations',
    'publishContestResults',
    'publishResults',
    'updateArea',
    'updateCandidate',
    'updateElection',
    'updateOrganisation',
    'updateSource',
  ]);
  for (const op of operations.filter((o) => o.method !== 'GET'))
    t.ok(op.example !== undefined, `${op.operationId}: the document gives an example body`);
});

forEachEngine(t, async (t, app) => {
  const reader = await tokenFor(app, 'read', 'reader');
  const revoked = await tokenFor(app, 'write', 'gone');
  await revokeKey(app.database.primary, 'gone');
  const before = await snapshot(app.database.primary);

  const credentials = [
    { name: 'no key', headers: {}, writeStatus: 401, readStatus: 401 },
    { name: 'a read key', headers: bearer(reader), writeStatus: 403, readStatus: 200 },
    { name: 'a revoked key', headers: bearer(revoked), writeStatus: 401, readStatus: 401 },
  ];
  const bodies = [
    { name: 'a valid body', body: (op: Operation) => op.example },
    { name: 'an invalid body', body: () => ({ 'not a field': true }) },
    { name: 'a body that is not JSON', body: () => '{"unterminated' },
  ];

  for (const op of operations)
    for (const credential of credentials)
      for (const body of op.method === 'GET' ? bodies.slice(0, 1) : bodies)
        t.test(`${op.operationId} with ${credential.name} and ${body.name}`, async (t) => {
          const payload = body.body(op);
          const res = await app.inject({
            method: op.method as 'GET',
            url: url(op.path),
            headers: {
              ...credential.headers,
              'if-match': '"r1.v2"',
              ...(op.method === 'GET' ? {} : { 'content-type': 'application/json' }),
            },
            ...(op.method === 'GET'
              ? {}
              : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
          });
          const expected = op.method === 'GET' ? credential.readStatus : credential.writeStatus;
          t.equal(res.statusCode, expected, `${res.statusCode}: ${res.body.slice(0, 200)}`);
          if (expected >= 400) {
            t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
            t.notMatch(res.body, /errors/, 'no field is named: the body was not looked at');
          }
        });

  t.test('nothing was written to any table', async (t) => {
    t.same(await snapshot(app.database.primary), before);
  });

  t.test('an anonymous body of a whole MiB is not read: 401, not 400 or 413', async (t) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/sources',
      headers: { 'content-type': 'application/json' },
      payload: `{"publisher":"${'x'.repeat(1024 * 1024)}"`,
    });
    t.equal(res.statusCode, 401);
  });
});
