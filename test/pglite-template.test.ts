// The empty cluster `npm install` makes (scripts/pglite-template.mjs) and a first start's copy of
// it (src/db/pglite-template.ts): the script and the server agree on where it is, a new data
// directory becomes a working database from it, and a directory holding anything is left alone.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { openDatabase } from '../src/db/client.js';
import { countries } from '../src/db/schema/index.js';
import { pgliteTemplateDir, seedDataDirFromTemplate } from '../src/db/pglite-template.js';
import { root } from './helpers/process.js';

const template = pgliteTemplateDir();

t.test('the postinstall script makes (or finds) the template where the server looks', async (t) => {
  // After npm install it exists and the script says so; otherwise the script makes it now.
  const out = execFileSync(process.execPath, ['scripts/pglite-template.mjs'], { cwd: root, encoding: 'utf8' });
  t.ok(template, 'the server knows where the template of the installed PGlite is');
  t.match(
    out,
    new RegExp(`^pglite template: ${template?.replace(/[.\\]/g, '\\$&')} (\\(already made\\)|made in \\d+ ms)`),
  );
  t.ok(existsSync(join(template!, 'PG_VERSION')), 'and it holds a cluster');
  t.notOk(
    (await readdir(join(template!, '..'))).some((name) => name.endsWith('.partial')),
    'nothing half-made is left beside it',
  );
});

t.test('a new data directory starts as a copy, then migrates and answers', async (t) => {
  const parent = await mkdtemp(join(tmpdir(), 'elections-template-'));
  t.teardown(() => rm(parent, { recursive: true, force: true }));
  const missing = join(parent, 'missing');
  t.equal(await seedDataDirFromTemplate(missing, template), true, 'a missing directory: copied');
  t.ok(existsSync(join(missing, 'PG_VERSION')), 'PG_VERSION is there');
  t.equal(
    await seedDataDirFromTemplate(missing, template),
    false,
    'a second call: a database is there, nothing copied',
  );

  const empty = join(parent, 'empty');
  await mkdir(empty);
  t.equal(await seedDataDirFromTemplate(empty, template), true, 'an empty directory: copied');

  const other = join(parent, 'other');
  await mkdir(other);
  await writeFile(join(other, 'notes.txt'), 'mine');
  t.equal(await seedDataDirFromTemplate(other, template), false, 'a directory holding a file: left alone');
  t.same(await readdir(other), ['notes.txt'], 'and untouched');

  // PGlite's other file systems are not directories: nothing is made on disk for them.
  const cwdBefore = await readdir(process.cwd());
  for (const scheme of ['memory://', 'memory://fuzz', 'idb://elections'])
    t.equal(await seedDataDirFromTemplate(scheme, template), false, `${scheme}: not a directory, nothing copied`);
  t.same(await readdir(process.cwd()), cwdBefore, 'and nothing appeared in the working directory');
  const fileUrl = join(parent, 'file-url');
  t.equal(await seedDataDirFromTemplate(`file://${fileUrl}`, template), true, 'file://<path>: copied to <path>');
  t.ok(existsSync(join(fileUrl, 'PG_VERSION')), 'PG_VERSION is there');

  t.equal(
    await seedDataDirFromTemplate(join(parent, 'none'), join(parent, 'no-template')),
    false,
    'no template (npm install --ignore-scripts): nothing copied, PGlite runs initdb',
  );

  // What a first start does: open (the copy), migrate, query.
  const db = await openDatabase({ dataDir: join(parent, 'fresh'), sharedBuffersMb: 16 });
  t.teardown(() => db.close());
  await db.migrate();
  const [row] = await db.primary.select({ n: sql<number>`count(*)::int` }).from(countries);
  t.equal(row?.n, 0, 'the copied cluster migrates to an empty schema');
});
