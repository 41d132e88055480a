// Every request-body example in the served OpenAPI document is what /docs offers an editor as a
// first try: each must be accepted as it is by its operation on a fresh (seeded) database.
import type { FastifyInstance } from 'fastify';
import type { OpenAPIV3_1 } from 'openapi-types';
import t from 'tap';
import { forEachEngine, get } from './helpers/app.js';
import { bearer, send, tokenFor } from './helpers/writes.js';

type Operation = OpenAPIV3_1.OperationObject;

interface Example {
  name: string;
  method: 'POST' | 'PATCH';
  path: string;
  body: unknown;
}

/** The request-body examples of a document: the media type's `example(s)`, else its schema's. */
function requestExamples(doc: OpenAPIV3_1.Document): Example[] {
  const schemas = (doc.components?.schemas ?? {}) as Record<
    string,
    { example?: unknown; examples?: unknown[] } | undefined
  >;
  const found: Example[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {}))
    for (const [method, op] of Object.entries(item ?? {}) as [string, Operation][]) {
      const media = (op.requestBody as OpenAPIV3_1.RequestBodyObject | undefined)?.content['application/json'];
      if (!media) continue;
      const name = `${op.operationId} (${method.toUpperCase()} ${path})`;
      const ref = (media.schema as { $ref?: string } | undefined)?.$ref;
      const schema = ref
        ? schemas[ref.split('/').at(-1)!]
        : (media.schema as { example?: unknown; examples?: unknown[] } | undefined);
      const bodies = [
        ...(media.example !== undefined ? [media.example] : []),
        ...Object.values(media.examples ?? {}).map((e): unknown => (e as OpenAPIV3_1.ExampleObject).value as unknown),
        ...(schema?.example !== undefined ? [schema.example] : []),
        ...(schema?.examples ?? []),
      ];
      for (const body of bodies) found.push({ name, method: method.toUpperCase() as Example['method'], path, body });
      if (bodies.length === 0)
        found.push({ name, method: method.toUpperCase() as Example['method'], path, body: null });
    }
  return found;
}

// Elections the test makes for the operations whose path names one: a day no seeded election has,
// after the regions of 2022 (an example may name one), with the main contest every election gets.
let day = 0;
async function newElection(app: FastifyInstance, auth: Record<string, string>): Promise<string> {
  day += 1;
  const date = `2031-03-${String(day).padStart(2, '0')}`;
  const res = await send(
    app,
    'POST',
    '/v1/elections',
    { country: 'KZ', type: 'presidential', date, sourceId: 'kazinform-2022-cec-final-results' },
    auth,
  );
  if (res.status !== 201) throw new Error(`could not make an election for an example: ${JSON.stringify(res.body)}`);
  return (res.body as { id: string }).id;
}

// A record of each kind the reference-data operations name in their path, made for the example
// (an edit or a merge of a seeded record would change what the other examples see).
const SOURCE = 'kazinform-2022-cec-final-results';
const NEW_RECORDS = {
  candidates: (n: number) => ({ name: `Example Person ${n}`, sourceId: SOURCE }),
  organisations: (n: number) => ({
    id: `example-party-${n}`,
    name: `Example Party ${n}`,
    kind: 'party',
    sourceId: SOURCE,
  }),
  sources: (n: number) => ({ id: `example-source-${n}`, publisher: 'Example Agency', kind: 'news' }),
  areas: (n: number) => ({
    parentId: 'kz-abai',
    level: 'district',
    name: `Example District ${n}`,
    sourceId: 'kazinform-2022-06-08-new-regions-on-the-map',
  }),
};
let made = 0;
async function newRecord(app: FastifyInstance, auth: Record<string, string>, kind: keyof typeof NEW_RECORDS) {
  made += 1;
  const res = await send(app, 'POST', `/v1/${kind}`, NEW_RECORDS[kind](made), auth);
  if (res.status !== 201) throw new Error(`could not make a record for an example: ${JSON.stringify(res.body)}`);
  return (res.body as { id: string }).id;
}

forEachEngine(t, async (t, app) => {
  const doc = (await get(app, '/openapi.json')).body as OpenAPIV3_1.Document;
  const examples = requestExamples(doc);
  const writes = Object.values(doc.paths ?? {}).flatMap((item) =>
    Object.entries(item ?? {}).filter(([, op]) => (op as Operation).requestBody),
  );
  t.ok(writes.length >= 9, `${writes.length} operations take a body`);
  t.equal(new Set(examples.map((e) => e.name)).size, writes.length, 'every operation with a body has an example');

  const auth = bearer(await tokenFor(app, 'write', 'examples'));
  // Operations on an existing resource after those that make one: a document order change cannot
  // make an example depend on another.
  for (const example of examples.sort((a, b) => Number(a.path.includes('{')) - Number(b.path.includes('{')))) {
    t.test(example.name, async (t) => {
      t.not(example.body, null, 'has an example');
      let url = example.path;
      const headers: Record<string, string> = { ...auth };
      if (url.includes('{id}') && url.startsWith('/v1/elections/')) {
        const id = await newElection(app, auth);
        url = url.replace('{id}', id);
        // The main contest every election has from the start.
        const contests = await get(app, `/v1/elections/${id}/contests`);
        const main = (contests.body as { data: { id: string; main: boolean }[] }).data.find((c) => c.main);
        url = url.replace('{contest}', main!.id);
        // A change to an existing resource states what it read.
        if (example.method === 'PATCH')
          headers['if-match'] = String((await get(app, `/v1/elections/${id}`)).headers.etag);
      }
      const kind = /^\/v1\/(candidates|organisations|sources|areas)\/\{id\}/.exec(url)?.[1];
      if (kind) {
        const id = await newRecord(app, auth, kind as keyof typeof NEW_RECORDS);
        url = url.replace('{id}', id);
        if (example.method === 'PATCH')
          headers['if-match'] = String((await get(app, `/v1/${kind}/${id}`)).headers.etag);
      }
      t.notMatch(url, /[{}]/, `${url}: every path parameter is filled`);
      const op = (doc.paths![example.path] as Record<string, Operation>)[example.method.toLowerCase()]!;
      const idempotent = op.parameters?.some((p) => 'name' in p && p.name === 'idempotency-key');
      if (idempotent) headers['idempotency-key'] = `example-${op.operationId}`;
      const res = await send(app, example.method, url, example.body, headers);
      const ok = res.status >= 200 && res.status < 300;
      t.ok(
        ok,
        `${example.name}: the documented example is accepted` +
          (ok ? '' : `, not ${res.status} ${JSON.stringify(res.body)}`),
      );
      if (!ok) return;

      // The success answer's headers as the document declares them (rate limits are off in tests).
      const declared = Object.keys((op.responses![res.status] as OpenAPIV3_1.ResponseObject).headers ?? {});
      for (const name of declared.filter((n) => !n.startsWith('RateLimit-') && n !== 'Idempotent-Replayed'))
        t.ok(res.headers[name.toLowerCase()], `${res.status} sends the declared ${name}`);
      for (const name of ['ETag', 'Location'])
        if (!declared.includes(name))
          t.notOk(res.headers[name.toLowerCase()], `${res.status} sends no undeclared ${name}`);
      if (idempotent) {
        t.ok(declared.includes('Idempotent-Replayed'), 'Idempotent-Replayed is declared');
        const replay = await send(app, example.method, url, example.body, headers);
        t.equal(replay.status, res.status, 'a retry with the same Idempotency-Key gets the first answer');
        t.equal(replay.headers['idempotent-replayed'], 'true', 'and says it is a replay');
      }
    });
  }
});
