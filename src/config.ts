import { z } from 'zod';

const booleanFlag = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  // Embedded PGlite data directory, used when DATABASE_URL is not set.
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
  // Apply migrations and the idempotent seed at start-up (turn off when a separate step does it).
  AUTO_MIGRATE: booleanFlag.default(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Comma-separated allowed origins, or * (the default: a public read API).
  CORS_ORIGINS: z.string().min(1).default('*'),
  // max-age in seconds of the Cache-Control sent with successful reads.
  CACHE_MAX_AGE: z.coerce.number().int().min(0).max(86_400).default(60),
  // ... of results still unofficial (they change on election night), and of final ones.
  CACHE_MAX_AGE_PRELIMINARY: z.coerce.number().int().min(0).max(86_400).default(10),
  CACHE_MAX_AGE_FINAL: z.coerce.number().int().min(0).max(86_400).default(300),
  // The in-process results cache: how often to notice writes made by other processes (ms; 0 never),
  // and its size.
  RESULTS_CACHE_REVALIDATE_MS: z.coerce.number().int().min(0).max(3_600_000).default(1000),
  RESULTS_CACHE_MB: z.coerce.number().int().min(0).max(4096).default(64),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(10),
});

export type Config = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
