// Run once by tap before the test files (package.json "tap.before"): migrates and seeds a PGlite
// database and dumps it, and, with TEST_DATABASE_URL, builds a template database on the server.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { migrationsFolder, openDatabase } from '../../src/db/client.js';
import * as schema from '../../src/db/schema/index.js';
import { seed } from '../../src/db/seed.js';
import { admin, PGLITE_TEMPLATE, serverUrl, templateName } from '../helpers/databases.js';

const started = Date.now();
const client = new PGlite({ extensions: { pg_trgm } });
const db = drizzle(client, { schema });
await migrate(db, { migrationsFolder });
await seed(db);
const dump = await client.dumpDataDir('gzip');
await client.close();
await mkdir(dirname(PGLITE_TEMPLATE), { recursive: true });
// Write then rename, so a test file never reads a half-written template.
const partial = `${PGLITE_TEMPLATE}.${process.pid}.partial`;
await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
await rename(partial, PGLITE_TEMPLATE);

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
