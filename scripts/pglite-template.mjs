// `npm install` (postinstall): an empty PGlite cluster, made once per installed PGlite version in
// node_modules/.cache/election-api/, which the first start of the embedded database copies instead
// of running initdb (src/db/pglite-template.ts): initdb is most of a first start, a copy of files is
// far quicker. The cluster holds no table: the migrations and the seed still run on the first start.
//
// Never fails an install: without the template (`--ignore-scripts`, a read-only node_modules), a
// first start runs initdb as before. Logs one line.
import console from 'node:console';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const started = Date.now();
const root = fileURLToPath(new URL('..', import.meta.url));
try {
  // The same folder as pgliteTemplateDir() in src/db/pglite-template.ts (test/pglite-template.test.ts checks).
  const manifest = readFileSync(join(root, 'node_modules/@electric-sql/pglite/package.json'), 'utf8');
  const version = /"version"\s*:\s*"([^"]+)"/.exec(manifest)?.[1] ?? 'unknown';
  const target = join(root, 'node_modules/.cache/election-api', `pglite-${version}`);
  if (existsSync(`${target}/PG_VERSION`)) {
    console.log(`pglite template: ${target} (already made)`);
  } else {
    // Made aside then renamed: a start never copies a half-made cluster.
    const partial = `${target}.${process.pid}.partial`;
    await mkdir(dirname(target), { recursive: true });
    await rm(partial, { recursive: true, force: true });
    const { PGlite } = await import('@electric-sql/pglite');
    const db = new PGlite(partial);
    await db.waitReady;
    await db.close();
    await rm(target, { recursive: true, force: true });
    await rename(partial, target);
    console.log(`pglite template: ${target} made in ${Date.now() - started} ms`);
  }
} catch (err) {
  console.warn(`pglite template not made (a first start will run initdb): ${err?.message ?? err}`);
}
