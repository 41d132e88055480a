import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's folder (the nearest one above this module holding a package.json): the same
 * whether this code runs from src/ (tsx), from dist/ file by file (the CLIs), or bundled into
 * dist/server.js (`npm start`), so files the code reads (seeds, migrations, public/) are found
 * from here rather than from each module's own place.
 */
export const projectRoot = ((): string => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
  }
})();

/** A path in the project's folder. */
export const fromRoot = (...parts: string[]): string => join(projectRoot, ...parts);
