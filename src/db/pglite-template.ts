// The empty PGlite cluster `npm install` makes (scripts/pglite-template.mjs): a first start of the
// embedded database copies it into DATA_DIR rather than running initdb inside PGlite, which is most
// of a first start; a copy of files is far quicker.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { fromRoot } from '../lib/project-root.js';

const nodeModules = fromRoot('node_modules');

/** Where the template of the installed PGlite version is (it may not exist). */
export function pgliteTemplateDir(): string | undefined {
  try {
    const { version } = JSON.parse(readFileSync(join(nodeModules, '@electric-sql/pglite/package.json'), 'utf8')) as {
      version: string;
    };
    return join(nodeModules, '.cache/election-api', `pglite-${version}`);
  } catch {
    return undefined; // PGlite installed elsewhere (hoisted above the project): no template
  }
}

/**
 * The directory a PGlite `dataDir` names on disk: a plain path, or one after `file://` (PGlite's
 * node file system); none for its other schemes (`memory://`, `idb://`, `opfs-ahp://`, ...).
 */
function onDisk(dataDir: string): string | undefined {
  if (dataDir.startsWith('file://')) return dataDir.slice('file://'.length);
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(dataDir) ? undefined : dataDir;
}

/**
 * When `dataDir` is on disk and holds no database yet (missing or empty), and the template exists,
 * copies it there and says so; otherwise leaves everything to PGlite (which resumes a database,
 * keeps it in memory, or runs initdb).
 */
export async function seedDataDirFromTemplate(
  dataDir: string,
  template: string | undefined = pgliteTemplateDir(),
): Promise<boolean> {
  const dir = onDisk(dataDir);
  if (!dir || (existsSync(dir) && readdirSync(dir).length > 0)) return false;
  if (!template || !existsSync(join(template, 'PG_VERSION'))) return false;
  // Into a missing or empty directory: nothing there to overwrite.
  await cp(template, dir, { recursive: true });
  return true;
}
