import ipaddr from 'ipaddr.js';
import { z } from 'zod';

const booleanFlag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    // Embedded PGlite data directory, used when DATABASE_URL is not set.
    DATA_DIR: z.string().min(1).default('./data'),
    // The embedded database's shared_buffers in MB (PostgreSQL's default is 128). Every start of
    // the embedded database zeroes them, so a smaller value starts sooner; the seed is a few MB and
    // the OS caches the data files besides.
    PGLITE_SHARED_BUFFERS_MB: z.coerce.number().int().min(1).max(4096).default(32),
    DATABASE_URL: z
      .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' })
      .optional(),
    // Apply migrations and the idempotent seed at start-up (turn off when a separate step does it).
    AUTO_MIGRATE: booleanFlag.default(true),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    // Write each response with zod too and compare it with the compiled serializer's bytes (a
    // difference is a 500): the tests turn it on; it doubles the cost of writing a body.
    RESPONSE_CHECK: booleanFlag.default(false),
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
    // Streaming replicas for reads (comma-separated postgres:// URLs; empty: none). Needs DATABASE_URL.
    DATABASE_REPLICA_URLS: z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((url) => url.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.url({ protocol: /^postgres(ql)?$/, error: 'must list postgres:// or postgresql:// URLs' }))),
    // Fail fast when the database is gone: the longest wait for a pooled connection, and the longest
    // statement (server-side statement_timeout and client-side query timeout).
    DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(1000),
    DB_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(1500),
    // Debug only: /readyz lists every server, responses name the server that answered (X-Database-Server).
    DEBUG_DATABASE_ROUTING: booleanFlag.default(false),
    // Requests per window per client IP, and per API key; RATE_LIMIT_MAX=0 turns rate limiting off.
    RATE_LIMIT_MAX: z.coerce.number().int().min(0).max(100_000_000).default(1200),
    RATE_LIMIT_KEY_MAX: z.coerce.number().int().min(1).max(100_000_000).default(6000),
    RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(1000).max(86_400_000).default(60_000),
    // Request limits: body bytes (413), request-target length (414), time to receive a request.
    BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024 * 1024)
      .default(1024 * 1024),
    MAX_URL_LENGTH: z.coerce.number().int().min(256).max(65_536).default(2048),
    REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
    // Behind a load balancer: trust X-Forwarded-For from it, so rate limits see the client's IP.
    // 'true' (any proxy), a hop count, or comma-separated proxy IPs/CIDRs; 'false' (default) none.
    TRUST_PROXY: z
      .string()
      .default('false')
      .transform((value, ctx): boolean | number | string[] => {
        if (value === 'true' || value === 'false') return value === 'true';
        if (/^\d+$/.test(value)) return Number(value);
        const proxies = value.split(',').map((s) => s.trim());
        const wrong = proxies.find((p) => !isProxyAddress(p));
        if (wrong === undefined) return proxies;
        ctx.addIssue({
          code: 'custom',
          message:
            `'${wrong}' is not true, false, a hop count, or a proxy address: give IPs or CIDRs ` +
            '(comma-separated), or loopback, linklocal, uniquelocal',
        });
        return z.NEVER;
      }),
    // Shed load (503 + Retry-After) when the event loop lags more than this; 0 turns it off.
    OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
    // Streamed CSV exports at once on this instance (503 beyond), and per client (429 beyond).
    EXPORTS_MAX: z.coerce.number().int().min(1).max(1000).default(4),
    EXPORTS_MAX_PER_CLIENT: z.coerce.number().int().min(1).max(1000).default(2),
    // Live push (/v1/changes/stream): open streams per client (429 beyond) and on this instance (503
    // beyond), the heartbeat, and what a stream may hold unread before its client is cut off.
    STREAMS_MAX: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
    STREAMS_MAX_PER_CLIENT: z.coerce.number().int().min(1).max(1_000_000).default(20),
    STREAM_HEARTBEAT_MS: z.coerce.number().int().min(1000).max(600_000).default(15_000),
    STREAM_MAX_BUFFERED_BYTES: z.coerce.number().int().min(1024).max(1_073_741_824).default(1_048_576),
    // How long a write's Idempotency-Key is remembered (hours).
    IDEMPOTENCY_KEY_TTL_HOURS: z.coerce.number().int().min(1).max(8760).default(24),
  })
  .superRefine((config, ctx) => {
    if (config.DATABASE_REPLICA_URLS.length > 0 && !config.DATABASE_URL)
      ctx.addIssue({ code: 'custom', path: ['DATABASE_REPLICA_URLS'], message: 'needs DATABASE_URL (the primary)' });
  });

// What proxy-addr (Fastify's trustProxy) takes besides hop counts: addresses, CIDRs, and its names.
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
function isProxyAddress(value: string): boolean {
  if (PROXY_NAMES.has(value)) return true;
  if (!value.includes('/')) return ipaddr.isValid(value);
  try {
    ipaddr.parseCIDR(value);
    return true;
  } catch {
    return false;
  }
}

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

/**
 * The process's memory budget against the configuration: the results cache may take at most a
 * quarter of V8's heap limit (`npm start` and the image set `--max-old-space-size=1024`), so that a
 * full cache, the requests in flight and a CSV export never meet the limit and crash the process.
 */
export function checkHeap(config: Config, heapLimitBytes: number): void {
  const limitMb = Math.floor(heapLimitBytes / 2 ** 20);
  if (config.RESULTS_CACHE_MB > limitMb / 4)
    throw new ConfigError(
      `RESULTS_CACHE_MB=${config.RESULTS_CACHE_MB} is more than a quarter of this process's heap limit (${limitMb} MB): ` +
        `lower it, or start node with a larger --max-old-space-size (at least ${config.RESULTS_CACHE_MB * 4}).`,
    );
}
