import t from 'tap';
import { checkHeap, ConfigError, loadConfig } from '../src/config.js';

t.test('defaults', async (t) => {
  t.match(loadConfig({}), {
    PORT: 3000,
    HOST: '0.0.0.0',
    DATA_DIR: './data',
    PGLITE_SHARED_BUFFERS_MB: 32,
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
  t.throws(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', AUTO_MIGRATE: 'maybe' }), {
    name: 'ConfigError',
    message: /^(?=[\s\S]*\bPORT:)(?=[\s\S]*\bDATABASE_URL:)(?=[\s\S]*\bLOG_LEVEL:)(?=[\s\S]*\bAUTO_MIGRATE:)/,
  });
});

t.test('TRUST_PROXY: true, false, a hop count, or proxy addresses; anything else is refused at once', async (t) => {
  t.equal(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY, true);
  t.equal(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY, false);
  t.equal(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY, 2);
  t.same(loadConfig({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16,loopback,::1' }).TRUST_PROXY, [
    '10.0.0.1',
    '192.168.0.0/16',
    'loopback',
    '::1',
  ]);
  for (const value of ['yes', 'TRUE', 'on', '10.0.0.300', '10.0.0.0/33', '10.0.0.1,', 'proxy.example.org'])
    t.throws(
      () => loadConfig({ TRUST_PROXY: value }),
      {
        name: 'ConfigError',
        message: /TRUST_PROXY: .* is not true, false, a hop count, or a proxy address/,
      },
      value,
    );
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
