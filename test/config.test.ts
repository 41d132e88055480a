import t from 'tap';
import { ConfigError, loadConfig } from '../src/config.js';

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
  t.match(config, { PORT: 8080, DATABASE_URL: 'postgres://u:p@db:5432/elections', AUTO_MIGRATE: false, LOG_LEVEL: 'warn' });
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
