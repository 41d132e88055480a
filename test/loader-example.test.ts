// examples/newsroom-loader.ts, run as a newsroom runs it: a process following the change feed of a
// live server, mirroring each change into a folder, stopped and started again.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { buildTestApp, engines, get, until } from './helpers/app.js';
import { exitOf, runTs } from './helpers/process.js';
import { rowsOf } from './helpers/sql.js';
import { bearer, certified2022, send, tokenFor } from './helpers/writes.js';

const KZ2022 = 'kz.presidential.2022-11-20';

const feed = (app: FastifyInstance, election?: string) =>
  rowsOf<{ id: string; url: string }>(
    app.database.primary,
    election === undefined
      ? sql`select c.id::text, c.url from changes c order by c.id`
      : sql`select c.id::text, c.url from changes c where c.election_id = ${election} order by c.id`,
  );

const mirrored = async (out: string, url: string) =>
  JSON.parse(await readFile(join(out, `${url.slice(1)}.json`), 'utf8')) as unknown;

/** The change lines a run printed (one per change: its id first). */
const changeLines = (output: string) => output.split('\n').filter((line) => /^\d+\t/.test(line));

for (const engine of engines) {
  t.test(engine, async (t) => {
    const app = await buildTestApp(t, engine);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const apiUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const auth = bearer(await tokenFor(app, 'write'));
    const out = await mkdtemp(join(tmpdir(), 'elections-loader-'));
    t.teardown(() => rm(out, { recursive: true, force: true }));
    const loader = (...args: string[]) =>
      runTs('examples/newsroom-loader.ts', { API_URL: apiUrl }, ['--out', out, ...args]);
    const correction = (note: string) =>
      send(app, 'POST', `/v1/elections/${KZ2022}/results`, { ...certified2022, status: 'correction', note }, auth);

    t.test('a first run mirrors every change of the election, then the cursor stops it', async (t) => {
      const changes = await feed(app, KZ2022);
      t.ok(changes.length >= 5, 'the seeds gave the election several changes', { changes: changes.length });
      const run = await exitOf(loader('--election', KZ2022));
      t.equal(run.code, 0, 'exits 0', { output: run.output });
      t.same(
        changeLines(run.output).map((line) => line.split('\t')[0]),
        changes.map((c) => c.id),
        'each change of the election once, in feed order',
      );
      // The feed's head, not the election's last change: what the filter left out is settled too.
      const head = (await feed(app)).at(-1)!.id;
      t.equal((await readFile(join(out, 'cursor'), 'utf8')).trim(), head, 'the cursor is the head of the feed');
      for (const { url } of changes) {
        const live = await get(app, url);
        t.same(await mirrored(out, url), live.body, `${url}: the mirror holds what the API serves`);
      }
      const again = await exitOf(loader('--election', KZ2022));
      t.equal(again.code, 0);
      t.same(changeLines(again.output), [], 'run again: nothing new, nothing twice');
      t.match(again.output, new RegExp(`^0 changes; cursor ${head}$`, 'm'));
    });

    t.test('a new version published while it was stopped: the next run takes that one alone', async (t) => {
      const published = await correction('A loader test correction.');
      t.equal(published.status, 201, 'published', { body: published.body });
      const version = (published.body as { version: number }).version;
      const run = await exitOf(loader('--election', KZ2022));
      t.equal(run.code, 0, { output: run.output });
      const lines = changeLines(run.output);
      t.equal(lines.length, 1, 'one change', { output: run.output });
      const url = `/v1/elections/${KZ2022}/contests/president/results/versions/${version}`;
      t.match(
        lines[0],
        new RegExp(`\\tresults published\\t${KZ2022.replaceAll('.', '\\.')} president v${version}\\t${url}$`),
      );
      const file = (await mirrored(out, url)) as { version: number; note: string | null; lines: unknown[] };
      t.equal(file.version, version);
      t.equal(file.note, 'A loader test correction.', 'the version as published, note and all');
      t.equal(file.lines.length, certified2022.lines.length);
    });

    t.test('--follow: a version published while it runs is on disk within seconds; SIGTERM stops it', async (t) => {
      const child = loader('--election', KZ2022, '--follow', '--interval', '0.2');
      const exited = exitOf(child);
      // Started and caught up: the cursor file is the feed's head (it was already).
      const published = await correction('Published while the loader follows.');
      t.equal(published.status, 201, { body: published.body });
      const version = (published.body as { version: number }).version;
      const url = `/v1/elections/${KZ2022}/contests/president/results/versions/${version}`;
      const file = await until(
        () => mirrored(out, url).catch(() => null),
        (body) => body !== null,
      );
      t.equal((file as { note: string }).note, 'Published while the loader follows.');
      const head = (await feed(app)).at(-1)!.id;
      await until(
        () => readFile(join(out, 'cursor'), 'utf8').then((s) => s.trim()),
        (cursor) => cursor === head,
      );
      child.kill('SIGTERM');
      const run = await exited;
      t.equal(run.code, 0, 'stops cleanly on SIGTERM', { output: run.output });
      t.equal(changeLines(run.output).length, 1, 'the one new change', { output: run.output });
    });
  });
}
