// Run once by tap before the test files (package.json "tap.before"): migrates and seeds a PGlite
// database and writes it as a data directory and as a dump, and, with TEST_DATABASE_URL, builds a template database on the server.
import { execFileSync } from 'node:child_process';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { migrationsFolder, openDatabase } from '../../src/db/client.js';
import { seedDataDirFromTemplate } from '../../src/db/pglite-template.js';
import * as schema from '../../src/db/schema/index.js';
import { seed } from '../../src/db/seed.js';
import { admin, PGLITE_DUMP, PGLITE_TEMPLATE, serverUrl, templateName } from '../helpers/databases.js';

const started = Date.now();
// The processes tests start (test/helpers/process.ts) run dist/, as npm start does: compiled now
// when src/ changed (scripts/build.mjs skips an up-to-date build).
execFileSync(process.execPath, [fileURLToPath(new URL('../../scripts/build.mjs', import.meta.url))], {
  stdio: 'inherit',
});
// Written aside then renamed, so a test file never copies a half-written template.
await mkdir(dirname(PGLITE_TEMPLATE), { recursive: true });
const partial = `${PGLITE_TEMPLATE}.${process.pid}.partial`;
// From the empty cluster npm install made, as a first start does, rather than initdb (about 5 s).
await seedDataDirFromTemplate(partial);
const client = new PGlite(partial, { extensions: { pg_trgm } });
const db = drizzle(client, { schema });
await migrate(db, { migrationsFolder });
await seed(db);
const dump = await client.dumpDataDir('none');
await client.close();
await writeFile(`${partial}.tar`, Buffer.from(await dump.arrayBuffer()));
await rm(PGLITE_TEMPLATE, { recursive: true, force: true });
await rename(partial, PGLITE_TEMPLATE);
await rename(`${partial}.tar`, PGLITE_DUMP);

if (serverUrl) {
  const template = templateName(serverUrl);
  await admin(serverUrl, `drop database if exists "${template}" with (force)`);
  await admin(serverUrl, `create database "${template}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${template}`;
  const database = await openDatabase({ url: url.toString(), poolMax: 2 });
  await database.migrate();
  await seed(database.primary);
  await database.close();
}
console.log(`# test templates ready in ${Date.now() - started} ms (${serverUrl ? 'pglite + postgres' : 'pglite'})`);
