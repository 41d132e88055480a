import { existsSync, readFileSync } from 'node:fs';
import module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// What Node 22.15+ and 24 offer (absent from Node 20's types and runtime).
interface ModuleApi {
  enableCompileCache?: () => unknown;
  registerHooks?: (hooks: {
    resolve: (
      specifier: string,
      context: { parentURL?: string | undefined },
      next: (specifier: string, context: unknown) => unknown,
    ) => unknown;
  }) => unknown;
}

/** The nearest package.json's `type` for each directory looked up, read once. */
const types = new Map<string, 'module' | 'commonjs'>();
function packageType(dir: string): 'module' | 'commonjs' {
  const known = types.get(dir);
  if (known) return known;
  const file = join(dir, 'package.json');
  let type: 'module' | 'commonjs';
  if (existsSync(file)) {
    type = (JSON.parse(readFileSync(file, 'utf8')) as { type?: string }).type === 'module' ? 'module' : 'commonjs';
  } else {
    const up = dirname(dir);
    type = up === dir ? 'commonjs' : packageType(up);
  }
  types.set(dir, type);
  return type;
}

/**
 * Makes loading the app's modules fast on Node 22 and 24, before anything else is imported:
 * - Node's compile cache (in the OS's temporary folder, or NODE_COMPILE_CACHE) keeps the compiled
 *   code of the app and its dependencies between starts;
 * - a relative import with its extension from a file in node_modules is resolved here, its format
 *   from the nearest package.json's `type` (each read once): on Node 22.23 and 24.22 a CPU profile
 *   of importing drizzle-orm (whose package.json is 179 KB) put most of its 2 s in Node's
 *   package.json reader, against 0.25 s on Node 20 (figures in docs/decisions.md).
 * On Node 20 neither API exists and nothing changes.
 */
export function boot(): void {
  const api = module as unknown as ModuleApi;
  api.enableCompileCache?.();
  api.registerHooks?.({
    resolve(specifier, context, next) {
      const parent = context.parentURL;
      if (
        parent?.startsWith('file:') &&
        parent.includes('/node_modules/') &&
        (specifier.startsWith('./') || specifier.startsWith('../')) &&
        /\.(js|mjs|cjs)$/.test(specifier)
      ) {
        const url = new URL(specifier, parent);
        const path = fileURLToPath(url);
        // A file that is not there is Node's to report.
        if (existsSync(path)) {
          const format = path.endsWith('.mjs')
            ? 'module'
            : path.endsWith('.cjs')
              ? 'commonjs'
              : packageType(dirname(path));
          return { url: url.href, format, shortCircuit: true };
        }
      }
      return next(specifier, context);
    },
  });
}
