import { getHeapStatistics } from 'node:v8';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { checkHeap, ConfigError, loadConfig } from './config.js';

const started = performance.now();
let config;
try {
  config = loadConfig();
  checkHeap(config, getHeapStatistics().heap_size_limit);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}

const app = await buildApp({ config });

// SIGTERM/SIGINT: stop accepting, let in-flight requests finish (up to 10 s), close the pools.
closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'closing after an error');
  else app.log.info({ signal }, 'closing');
  await app.close();
  app.log.info('closed');
});

try {
  await app.listen({ port: config.PORT, host: config.HOST });
  app.log.info({ engine: app.database.engine, readyMs: Math.round(performance.now() - started) }, 'ready');
} catch (err) {
  app.log.error({ err }, 'failed to start');
  await app.close().catch(() => {});
  process.exit(1);
}
