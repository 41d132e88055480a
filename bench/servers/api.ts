// The API under test: buildApp with its default settings (loadConfig with only DATABASE_URL and
// the rate limit of lib/api-env.ts), logging at its default level to stdout, which the parent
// points at /dev/null.
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { BENCH_API_ENV } from '../lib/api-env.js';
import { listenForParent } from './listen.js';

// BENCH_RESULTS_CACHE_MB=0 runs the uncached database path (the "cold" target).
const app = await buildApp({
  config: loadConfig({
    DATABASE_URL: process.env.BENCH_DATABASE_URL,
    ...BENCH_API_ENV,
    ...(process.env.BENCH_RESULTS_CACHE_MB ? { RESULTS_CACHE_MB: process.env.BENCH_RESULTS_CACHE_MB } : {}),
  }),
});
await listenForParent(app);
