import t from 'tap';
import { checkHeap, ConfigError, loadConfig } from '../src/config.js';

t.test('defaults', async (t) => {
  t.match(loadConfig({}), {
    PORT: 3000,
    HOST: '0.0.0.0',
    DATA_DIR: './data',
    DATABASE_URL: undefined,
    AUTO_MIGRATE: true,
    LOG_LEVEL: 'info',
    CORS_ORIGINS: '*',
    CACHE_MAX_AGE: 60,
  });
});

t.test('values from the environment', async (t) => {
  const config = loadConfig({
    PORT: '8080',
    DATABASE_URL: 'postgres://u:p@db:5432/elections',
    AUTO_MIGRATE: 'false',
    LOG_LEVEL: 'warn',
  });
  t.match(config, {
    PORT: 8080,
    DATABASE_URL: 'postgres://u:p@db:5432/elections',
    AUTO_MIGRATE: false,
    LOG_LEVEL: 'warn',
  });
});

t.test('bad values fail fast, naming every variable', async (t) => {
  t.throws(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' }), ConfigError);
  try {
    loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', AUTO_MIGRATE: 'maybe' });
  } catch (err) {
    const message = (err as Error).message;
    for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'AUTO_MIGRATE']) t.match(message, name);
  }
});

t.test('the results cache must fit a quarter of the heap limit', async (t) => {
  const mb = 2 ** 20;
  // 1024 MB is what `npm start` and the image give V8 (--max-old-space-size=1024).
  t.doesNotThrow(() => checkHeap(loadConfig({}), 1024 * mb), 'the default 64 MB cache');
  t.doesNotThrow(() => checkHeap(loadConfig({ RESULTS_CACHE_MB: '256' }), 1024 * mb));
  t.throws(() => checkHeap(loadConfig({ RESULTS_CACHE_MB: '257' }), 1024 * mb), {
    name: 'ConfigError',
    message: /RESULTS_CACHE_MB=257 is more than a quarter of this process's heap limit \(1024 MB\).*at least 1028/,
  });
});
