// `npm run build` (and `npm start` first): src/*.ts transpiled file by file to dist/*.js by esbuild,
// with source maps. No type check here: `npm run check` (tsc) does that. Each file is transpiled on
// its own, which tsconfig's isolatedModules and verbatimModuleSyntax make safe. The server's entry,
// dist/server.js, is instead written as one bundle of the app and most of its dependencies, so
// that a start loads one file instead of hundreds (the CLIs keep the file-by-file build). Packages
// that read their own files at run time (PGlite's WebAssembly, pino's worker, @fastify/swagger's
// package.json, the Swagger UI's assets) stay in node_modules, imported as usual, and so does the
// optional pg-native.
//
// Only when something changed: dist/.build-inputs lists every input (src/, this script,
// tsconfig.json, the lockfile) with its size and mtime; a build whose list matches it is skipped
// (about 0.1 s instead of 0.7–0.8). Otherwise dist/ is emptied first, so a source deleted or renamed
// leaves no stale module behind. `--force` always builds.
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const record = join(dist, '.build-inputs');

/** @param {string} dir @returns {Promise<string[]>} every file under `dir` */
async function files(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map(async (e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)])),
  );
  return nested.flat();
}

const inputs = [
  ...(await files(join(root, 'src'))),
  fileURLToPath(import.meta.url),
  join(root, 'tsconfig.json'),
  join(root, 'package-lock.json'),
].sort();
const listed = (
  await Promise.all(
    inputs.map(async (file) => {
      const s = await stat(file).catch(() => null);
      return s ? `${relative(root, file)}\t${s.size}\t${s.mtimeMs}` : '';
    }),
  )
).join('\n');

const previous = await readFile(record, 'utf8').catch(() => '');
if (previous === listed && !process.argv.includes('--force')) process.exit(0);

const { build } = await import('esbuild');
await rm(dist, { recursive: true, force: true });
const entry = join(root, 'src', 'server.ts');
const common = {
  absWorkingDir: root,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  sourcemap: true,
  logLevel: 'warning',
};
// Every other module file by file; the entry only as the bundle.
await build({
  ...common,
  entryPoints: inputs.filter((file) => file.startsWith(join(root, 'src')) && file.endsWith('.ts') && file !== entry),
  outbase: 'src',
  outdir: 'dist',
});
await build({
  ...common,
  entryPoints: [entry],
  outfile: 'dist/server.js',
  bundle: true,
  external: ['@electric-sql/pglite', 'pg-native', 'pino', '@fastify/swagger', '@fastify/swagger-ui'],
  // The CommonJS packages inside an ES module bundle `require` Node's built-ins.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
  },
});
await writeFile(record, listed);
