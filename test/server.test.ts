// The two commands a newcomer runs, as processes: the CLIs and `npm start` on a fresh data dir.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { admin, serverUrl } from './helpers/databases.js';
import { exitOf, runTs, startServer } from './helpers/process.js';

async function certifiedTokayev(url: string) {
  const res = await fetch(`${url}/v1/elections/kz.presidential.2022-11-20/results`);
  const body = (await res.json()) as { status: string; lines: { name: string; percent: number; votes: number }[] };
  return { status: body.status, first: body.lines[0] };
}

t.test('embedded: the first start creates, migrates and seeds DATA_DIR; later starts reuse it', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'elections-data-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));

  const first = await startServer({ DATA_DIR: dataDir });
  t.same(await (await fetch(`${first.url}/readyz`)).json(), { status: 'ok', database: 'pglite' });
  t.match(await certifiedTokayev(first.url), {
    status: 'certified',
    first: { name: 'Kassym-Jomart Tokayev', percent: 81.31, votes: 6_456_393 },
  });
  const stopped = await first.stop();
  t.equal(stopped.code, 0, 'SIGTERM closes cleanly');

  const second = await startServer({ DATA_DIR: dataDir });
  t.comment(`start to ready: first start ${first.readyMs} ms, existing data dir ${second.readyMs} ms`);
  const elections = (await (await fetch(`${second.url}/v1/elections`)).json()) as { data: unknown[] };
  t.equal(elections.data.length, 4, 'same data, seeded once');
  t.equal((await second.stop()).code, 0);
});

t.test('db:migrate and db:seed on the embedded database', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'elections-cli-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const env = { DATA_DIR: dataDir };
  const migrated = await exitOf(runTs('src/cli/db-migrate.ts', env));
  t.equal(migrated.code, 0, migrated.output);
  t.match(migrated.output, 'migrated (pglite)');
  for (const run of [1, 2]) {
    const seeded = await exitOf(runTs('src/cli/db-seed.ts', env));
    t.equal(seeded.code, 0, `seed run ${run}: ${seeded.output}`);
  }
  const server = await startServer({ ...env, AUTO_MIGRATE: 'false' });
  t.match(await certifiedTokayev(server.url), { status: 'certified', first: { percent: 81.31 } });
  await server.stop();
});

t.test('a bad environment fails fast with a message', async (t) => {
  const run = await exitOf(runTs('src/server.ts', { PORT: 'eighty' }));
  t.equal(run.code, 1);
  t.match(run.output, /Invalid configuration:\n\s+PORT:/);
});

t.test(
  'DATABASE_URL: the same start on an empty PostgreSQL database',
  { skip: !serverUrl && 'TEST_DATABASE_URL is not set' },
  async (t) => {
    const name = `start_${process.pid}_${Date.now()}`;
    await admin(serverUrl!, `create database "${name}"`);
    t.teardown(() => admin(serverUrl!, `drop database if exists "${name}" with (force)`));
    const url = new URL(serverUrl!);
    url.pathname = `/${name}`;
    const server = await startServer({ DATABASE_URL: url.toString() });
    t.same(await (await fetch(`${server.url}/readyz`)).json(), { status: 'ok', database: 'postgres' });
    t.match(await certifiedTokayev(server.url), { status: 'certified', first: { percent: 81.31, votes: 6_456_393 } });
    t.equal((await server.stop()).code, 0);
  },
);
