// src/boot.ts (the entry's fast module loading): the modules it resolves itself are the ones Node
// resolves, ESM and CommonJS alike, and the server's dependencies load the same with it as without.
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { root } from './helpers/process.js';

// Imports the app's heaviest dependencies and prints what each exports, with or without boot().
const script = (withBoot: boolean) => `
  ${withBoot ? "(await import('./dist/boot.js')).boot();" : ''}
  const seen = {};
  for (const name of ['drizzle-orm', 'drizzle-orm/pg-core', 'drizzle-orm/pglite', 'fastify', 'zod', 'pg', 'ajv'])
    seen[name] = Object.keys(await import(name)).sort();
  const module = await import('node:module');
  console.log(JSON.stringify({ seen, hooks: typeof module.registerHooks === 'function' }));`;

const run = (withBoot: boolean) =>
  JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script(withBoot)], { cwd: root, encoding: 'utf8' }),
  ) as { seen: Record<string, string[]>; hooks: boolean };

t.test('with boot(), every dependency exports what it exports without it', async (t) => {
  const plain = run(false);
  const booted = run(true);
  t.comment(
    `module.registerHooks ${plain.hooks ? 'exists: the hook ran' : 'does not exist here (Node 20): nothing changed'}`,
  );
  t.ok(
    Object.values(plain.seen).every((keys) => keys.length > 0),
    'each dependency exports something',
  );
  t.same(booted.seen, plain.seen, 'the same exports, module by module');
  t.ok(
    plain.seen['drizzle-orm']?.includes('sql') && plain.seen['drizzle-orm/pg-core']?.includes('pgTable'),
    'drizzle-orm exports sql, its pg-core pgTable',
  );
});
