// The committed openapi.json and examples/api.d.ts are what clients are generated from: they must be
// exactly what the server serves, and what openapi-typescript makes of it.
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import t from 'tap';
import { buildTestApp, get } from './helpers/app.js';
import { root } from './helpers/process.js';

const committedPath = new URL('openapi.json', pathToFileURL(root));
const typesPath = new URL('examples/api.d.ts', pathToFileURL(root));

t.test('the committed openapi.json is the document the server serves', async (t) => {
  const app = await buildTestApp(t, 'pglite');
  const served = await get(app, '/openapi.json');
  t.equal(served.status, 200);
  const committed: unknown = JSON.parse(await readFile(committedPath, 'utf8'));
  t.strictSame(
    committed,
    served.body,
    'openapi.json is stale: run `npm run openapi:export` (then `npm run client:types`) and commit the result',
  );
});

t.test('the committed examples/api.d.ts is what openapi-typescript generates from openapi.json', async (t) => {
  // What the `openapi-typescript openapi.json --output ...` of `npm run client:types` writes.
  const generated = COMMENT_HEADER + astToString(await openapiTS(committedPath, { silent: true }));
  const committed = await readFile(typesPath, 'utf8');
  t.ok(generated === committed, 'examples/api.d.ts is stale: run `npm run client:types` and commit the result');
});
