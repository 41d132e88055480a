// Read replicas (issue 6) on a real primary + hot standby (pg_basebackup -R, streaming): anonymous
// reads go to the replica and may lag; an editor (a request with an API key) reads from the primary
// and sees their write at once. Replay on the standby is paused to make the lag certain, and
// DEBUG_DATABASE_ROUTING's X-Database-Server header says which server answered.
import t, { type Test } from 'tap';
import { createPrimary, createReplica, type PgCluster, clusterSkip } from './helpers/pg-cluster.js';
import { exitOf, runTs, startServer } from './helpers/process.js';
import { certified2022 } from './helpers/writes.js';

const skip = await clusterSkip();

const ELECTION = '/v1/elections/kz.presidential.2022-11-20';
const REVALIDATE_MS = 200;

interface Read {
  status: number;
  server: string | null;
  etag: string | null;
  body: Record<string, unknown> & { currentResults?: { version: number }; version?: number; note?: string | null };
}

async function read(base: string, path: string, token?: string, init: RequestInit = {}): Promise<Read> {
  const res = await fetch(base + path, {
    ...init,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string>) },
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return {
    status: res.status,
    server: res.headers.get('x-database-server'),
    etag: res.headers.get('etag'),
    body: (text ? JSON.parse(text) : {}) as Read['body'],
  };
}

/** `npm run keys:create` on the primary; the token is the last line printed. */
async function createKey(primaryUrl: string, name: string): Promise<string> {
  const run = await exitOf(
    runTs('src/cli/keys.ts', { DATABASE_URL: primaryUrl, LOG_LEVEL: 'warn' }, [
      'create',
      '--name',
      name,
      '--scope',
      'write',
    ]),
  );
  if (run.code !== 0) throw new Error(`keys create failed: ${run.output}`);
  return run.output.trim().split('\n').at(-1)!;
}

/** The servers /readyz lists, by name, whatever the exact shape (an array of { name, inRecovery }). */
function listedServers(body: unknown): Map<string, Record<string, unknown>> {
  const found = new Map<string, Record<string, unknown>>();
  const visit = (value: unknown, key?: string) => {
    if (Array.isArray(value)) value.forEach((v) => visit(v));
    else if (value && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      const name = [o.name, o.server, o.role, key].find((n): n is string => typeof n === 'string');
      if ('inRecovery' in o) found.set(name ?? '?', o);
      else for (const [k, v] of Object.entries(o)) visit(v, k);
    }
  };
  visit(body);
  return found;
}

async function until<T>(what: string, probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 10_000) {
  const started = performance.now();
  for (;;) {
    const value = await probe();
    if (done(value)) return { value, ms: Math.round(performance.now() - started) };
    if (performance.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

t.test('primary + hot standby: routing, lag, read-your-writes', { skip, timeout: 120_000 }, async (t: Test) => {
  const clusters: PgCluster[] = [];
  const running: { api?: Awaited<ReturnType<typeof startServer>> } = {};
  t.teardown(async () => {
    const stopped = await running.api?.stop();
    if (stopped && stopped.code !== 0) t.comment(`the API exited with ${stopped.code}`);
    for (const c of clusters.reverse()) await c.destroy();
  });

  const primary = await createPrimary();
  clusters.push(primary);
  const primaryUrl = await primary.createDatabase('elections');
  const replica = await createReplica(primary);
  clusters.push(replica);
  const replicaUrl = replica.url('elections');

  // The API migrates and seeds the primary (AUTO_MIGRATE); the standby streams it.
  const api = (running.api = await startServer({
    DATABASE_URL: primaryUrl,
    DATABASE_REPLICA_URLS: replicaUrl,
    DEBUG_DATABASE_ROUTING: 'true',
    RESULTS_CACHE_REVALIDATE_MS: String(REVALIDATE_MS),
    RATE_LIMIT_MAX: '0',
  }));
  const base = api.url;
  const token = await createKey(primaryUrl, 'desk');
  await replica.waitForReplay(await primary.currentLsn());

  await t.test('/readyz lists the primary and the replica with inRecovery', async (t) => {
    const ready = await read(base, '/readyz');
    t.equal(ready.status, 200, '/readyz 200');
    const servers = listedServers(ready.body);
    t.comment(`/readyz: ${JSON.stringify(ready.body)}`);
    t.match(servers.get('primary'), { inRecovery: false }, 'primary: not in recovery');
    t.match(servers.get('replica-1'), { inRecovery: true }, 'replica-1: a hot standby');
  });

  await t.test('anonymous reads go to the replica, an editor’s to the primary', async (t) => {
    const anonymous = await read(base, ELECTION);
    t.equal(anonymous.status, 200, 'anonymous read 200');
    t.equal(anonymous.server, 'replica-1', 'anonymous read: X-Database-Server replica-1');
    const editor = await read(base, ELECTION, token);
    t.equal(editor.status, 200, 'editor read 200');
    t.equal(editor.server, 'primary', 'editor read: X-Database-Server primary');
    t.same(editor.body, anonymous.body, 'the same data while nothing lags');
    t.equal((await read(base, '/v1/elections?country=KZ')).server, 'replica-1', 'a list, anonymous: replica-1');
    t.equal((await read(base, '/v1/vote-shares?country=KZ', token)).server, 'primary', 'a list with a key: primary');
    const bad = await read(base, ELECTION, 'erk_not-a-real-token');
    t.equal(bad.status, 401, 'a GET with an invalid key is a 401, not an anonymous read');
  });

  await t.test('with replay paused: the editor reads the write at once, anonymous readers lag', async (t) => {
    // Warm the results cache with the current version as anonymous readers see it.
    const before = await read(base, `${ELECTION}/results`);
    t.match(before.body, { version: 10 }, 'results: version 10 to start with');
    const electionBefore = await read(base, ELECTION);
    t.match(electionBefore.body, { currentResults: { version: 10 } }, 'election: version 10 to start with');

    await replica.pauseReplay();
    t.teardown(() => replica.resumeReplay().catch(() => {}));

    // An editor's key made while the standby is paused: checking it must not depend on the replica.
    const freshToken = await createKey(primaryUrl, 'fresh-desk');
    const fresh = await read(base, ELECTION, freshToken);
    t.equal(fresh.status, 200, 'a key created a moment ago works (keys are checked on the primary)');

    // Publish version 11 and change the election's note, as an editor.
    const published = await fetch(`${base}${ELECTION}/results`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'if-match': '"results-v10"' },
      body: JSON.stringify({ ...certified2022, status: 'correction', note: 'Re-entered by the desk (replica test).' }),
    });
    t.equal(published.status, 201, 'version 11 published', { body: await published.text() });
    const etag = (await read(base, ELECTION, token)).etag!;
    const patched = await fetch(base + ELECTION, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'if-match': etag },
      body: JSON.stringify({ note: 'Patched while the replica lags.' }),
    });
    t.equal(patched.status, 200, 'election patched', { body: await patched.text() });
    const written = await primary.currentLsn();

    // The editor: the new data at once, from the primary, past the results cache.
    const editorResults = await read(base, `${ELECTION}/results`, token);
    t.match(editorResults.body, { version: 11, status: 'correction' }, 'editor: version 11 at once');
    t.equal(editorResults.server, 'primary', 'editor results: from the primary');
    const editorElection = await read(base, ELECTION, token);
    t.match(
      editorElection.body,
      { note: 'Patched while the replica lags.', currentResults: { version: 11 } },
      'editor: the patch at once',
    );
    t.equal(editorElection.server, 'primary', 'editor election: from the primary');

    // Anonymous readers: the replica, still before the writes (replay is paused). A few poll
    // intervals pass first, so that a cache that wrongly took the primary's version would show it.
    await new Promise((r) => setTimeout(r, REVALIDATE_MS * 3));
    const anonElection = await read(base, ELECTION);
    t.equal(anonElection.server, 'replica-1', 'anonymous: answered by the replica');
    t.match(
      anonElection.body,
      { note: electionBefore.body.note ?? null, currentResults: { version: 10 } },
      'anonymous: the old data (the replica lags)',
    );
    const anonResults = await read(base, `${ELECTION}/results`);
    t.match(anonResults.body, { version: 10 }, 'anonymous results: still version 10 (cache and replica agree)');
    t.ok(
      anonResults.server === null || anonResults.server === 'replica-1',
      `anonymous results from the cache or the replica (${anonResults.server ?? 'cache hit, no header'})`,
    );
    t.equal(
      (await read(base, `${ELECTION}/results/versions/11`)).status,
      404,
      'anonymous: version 11 does not exist yet on the replica',
    );

    // Replay resumes: anonymous readers catch up (results within the cache's poll interval).
    const resumed = performance.now();
    await replica.resumeReplay();
    await replica.waitForReplay(written);
    const replayMs = Math.round(performance.now() - resumed);
    const election = await until(
      'the anonymous election read to show the patch',
      () => read(base, ELECTION),
      (r) => r.body.note === 'Patched while the replica lags.',
    );
    t.equal(election.value.server, 'replica-1', 'anonymous: still the replica');
    t.match(election.value.body, { currentResults: { version: 11 } }, 'anonymous: version 11 once replayed');
    const results = await until(
      'anonymous results to show version 11',
      () => read(base, `${ELECTION}/results`),
      (r) => r.body.version === 11,
      15_000,
    );
    t.pass(
      `anonymous results show version 11 ${results.ms} ms after replay caught up (poll every ${REVALIDATE_MS} ms)`,
    );
    t.comment(
      `replay caught up ${replayMs} ms after resuming; anonymous /results showed version 11 ${results.ms} ms later (header ${results.value.server ?? 'none: from the cache'})`,
    );
  });

  await t.test(
    'the replica stopped: one read fails at most, then the primary answers; the replica comes back',
    async (t) => {
      await replica.stop('fast');
      const started = performance.now();
      const seen: string[] = [];
      const statuses: number[] = [];
      while (performance.now() - started < 5000) {
        const at = Math.round(performance.now() - started);
        const r = await read(base, '/v1/elections?country=KZ').catch((err: Error) => ({
          status: 0,
          server: err.message,
        }));
        seen.push(`${at} ms: ${r.status} ${r.server ?? '-'}`);
        statuses.push(r.status);
        await new Promise((r) => setTimeout(r, 250));
      }
      // The request that meets the dead replica is a 503 and takes it out of the rotation.
      t.ok(statuses.filter((s) => s !== 200).length <= 1, 'at most one anonymous read failed');
      t.equal(statuses.at(-1), 200, 'then reads are served (by the primary)');
      const editor = await read(base, ELECTION, token);
      const ready = await read(base, '/readyz');
      t.comment(`anonymous reads with the replica stopped: ${seen.join('; ')}`);
      t.comment(
        `editor read: ${editor.status} ${editor.server}; /readyz ${ready.status} ${JSON.stringify(ready.body)}`,
      );
      t.equal(editor.status, 200, 'an editor reads from the primary regardless');
      await replica.start();
      const back = await until(
        'anonymous reads to return to the replica',
        () => read(base, '/v1/elections?country=KZ'),
        (r) => r.server === 'replica-1',
        15_000,
      ).catch((err: Error) => ({ ms: -1, value: { server: err.message } }));
      t.comment(`replica restarted: anonymous reads back on replica-1 after ${back.ms} ms (${back.value.server})`);
      t.equal(back.value.server, 'replica-1', 'reads return to the replica once it answers again');
    },
  );
});
