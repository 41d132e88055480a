// npm run openapi:export [-- <file>]: writes the OpenAPI document the server serves at /openapi.json
// to ./openapi.json (committed, and the input of `npm run client:types`), or to <file>.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { fromRoot } from '../lib/project-root.js';

const target = process.argv[2] ? resolve(process.argv[2]) : fromRoot('openapi.json');

// A fixed configuration, not the environment: the document must not depend on who exports it.
// The document needs the routes, not data: a pg pool connects on its first query only, and with
// AUTO_MIGRATE off nothing queries, so this address is never resolved and no database is opened.
const app = await buildApp({
  config: loadConfig({ AUTO_MIGRATE: 'false', LOG_LEVEL: 'silent' }),
  database: { url: 'postgresql://openapi-export.invalid/none' },
});
try {
  await app.ready();
  await writeFile(target, `${JSON.stringify(app.swagger(), null, 2)}\n`);
  console.log(`wrote ${target}`);
} finally {
  await app.close();
}
