import { defineConfig } from 'drizzle-kit';

// Only `generate` is used: migrations are applied by src/db/migrate.ts on both engines.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/index.ts',
  out: './migrations',
});
