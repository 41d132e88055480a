import t from 'tap';
import { forEachEngine, get } from './helpers/app.js';
import { rowsOf } from './helpers/sql.js';
import { bearer, certified2022, send, tokenFor } from './helpers/writes.js';
import { sql } from 'drizzle-orm';

// The change feed: every change to public data, in commit order, from a cursor. (Concurrent
// writers, which only PostgreSQL runs at once, are in races.test.ts.)
const KZ2022 = 'kz.presidential.2022-11-20';
const SOURCE = 'kazinform-2022-cec-final-results';

interface Change {
  id: string;
  kind: string;
  action: string;
  resourceId: string;
  electionId: string | null;
  countryCode: string | null;
  contest: string | null;
  version: number | null;
  url: string;
  at: string;
}
interface Feed {
  data: Change[];
  next: string;
  more: boolean;
}

const feed = async (app: Parameters<typeof get>[0], query: string) => {
  const res = await get(app, `/v1/changes${query}`);
  if (res.status !== 200) throw new Error(`${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as Feed;
};

/** Follows the cursor from `since` until the feed says there is no more. */
async function follow(app: Parameters<typeof get>[0], since: string, filters = '') {
  const seen: Change[] = [];
  let cursor = since;
  for (;;) {
    const page = await feed(app, `?since=${cursor}&limit=100${filters}`);
    seen.push(...page.data);
    t.ok(BigInt(page.next) >= BigInt(cursor), 'the cursor never goes back');
    cursor = page.next;
    if (!page.more) return { seen, cursor };
  }
}

forEachEngine(t, async (t, app) => {
  const auth = bearer(await tokenFor(app, 'write'));
  const headOf = async () =>
    String(
      (await rowsOf<{ head: string }>(app.database.primary, sql`select max(id)::text as head from changes`))[0]!.head,
    );

  t.test('from the start: everything seeded, once each, oldest first', async (t) => {
    const { seen, cursor } = await follow(app, '0');
    const total = (await rowsOf<{ n: string }>(app.database.primary, sql`select count(*)::text as n from changes`))[0]!;
    t.equal(seen.length, Number(total.n), 'every row of the feed');
    t.ok(
      seen.every((c, i) => i === 0 || BigInt(c.id) > BigInt(seen[i - 1]!.id)),
      'ids strictly increasing',
    );
    t.equal(cursor, await headOf(), 'the last cursor is the head');
    const versions = seen.filter((c) => c.kind === 'results' && c.electionId === KZ2022).map((c) => c.version);
    t.same(versions, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "the 2022 election's versions, in the order published");
    t.match(
      seen.find((c) => c.kind === 'results' && c.electionId === KZ2022 && c.version === 10),
      {
        action: 'published',
        countryCode: 'KZ',
        contest: 'president',
        url: `/v1/elections/${KZ2022}/contests/president/results/versions/10`,
        at: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/,
      },
    );
    for (const kind of ['source', 'area', 'organisation', 'candidate', 'election'])
      t.ok(
        seen.some((c) => c.kind === kind && c.action === 'created'),
        `${kind}s are in it`,
      );
    const empty = await feed(app, `?since=${cursor}`);
    t.same(empty, { data: [], next: cursor, more: false }, 'at the head: nothing, and the same cursor');
  });

  t.test('each write appears once, in order; a refused one never does', async (t) => {
    const start = await headOf();
    const made = await send(
      app,
      'POST',
      '/v1/sources',
      { id: 'feed-test', publisher: 'Feed Test', kind: 'news' },
      auth,
    );
    t.equal(made.status, 201);
    const refused = await send(
      app,
      'POST',
      `/v1/elections/${KZ2022}/results`,
      { ...certified2022, status: 'unofficial-partial' },
      auth,
    );
    t.equal(refused.status, 422, 'an unofficial version after a certified one is refused');
    const published = await send(
      app,
      'POST',
      `/v1/elections/${KZ2022}/results`,
      { ...certified2022, status: 'correction' },
      auth,
    );
    t.equal(published.status, 201);
    const person = '/v1/candidates/meiram-kazhyken';
    const patched = await send(
      app,
      'PATCH',
      person,
      { note: 'Edited for the feed test.' },
      { ...auth, 'if-match': String((await get(app, person)).headers.etag) },
    );
    t.equal(patched.status, 200);
    t.equal((await send(app, 'POST', '/v1/candidates', { name: 'Feed Dup', sourceId: SOURCE }, auth)).status, 201);
    const merged = await send(app, 'POST', '/v1/candidates/feed-dup/merge', { into: 'meiram-kazhyken' }, auth);
    t.equal(merged.status, 200);

    const { seen } = await follow(app, start);
    t.same(
      seen.map((c) => [c.kind, c.action, c.resourceId, c.version, c.url]),
      [
        ['source', 'created', 'feed-test', null, '/v1/sources/feed-test'],
        ['results', 'published', KZ2022, 11, `/v1/elections/${KZ2022}/contests/president/results/versions/11`],
        ['candidate', 'updated', 'meiram-kazhyken', null, person],
        ['candidate', 'created', 'feed-dup', null, '/v1/candidates/feed-dup'],
        ['candidate', 'merged', 'feed-dup', null, person],
      ],
      'the writes, in order; the version number an election keeps is not an edit of it',
    );
  });

  t.test('filters, and a cursor that moves past what they leave out', async (t) => {
    const all = (await follow(app, '0')).seen;
    const kz = await follow(app, '0', `&election=${KZ2022}`);
    t.same(
      kz.seen.map((c) => c.id),
      all.filter((c) => c.electionId === KZ2022).map((c) => c.id),
    );
    t.equal(kz.cursor, await headOf(), 'the cursor ends at the head, not at the last match');
    const results = await follow(app, '0', '&kind=results&country=kaz');
    t.ok(results.seen.length > 0);
    t.ok(results.seen.every((c) => c.kind === 'results' && c.countryCode === 'KZ'));
    const small = await feed(app, '?limit=2');
    t.equal(small.data.length, 2);
    t.equal(small.more, true);
    t.equal(small.next, small.data[1]!.id);
    for (const bad of ['?since=-1', '?since=1e3', '?kind=vote', '?country=XX', '?since=0&contry=KZ', '?limit=1001']) {
      const res = await get(app, `/v1/changes${bad}`);
      t.equal(res.status, 400, bad);
      t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    }
  });

  t.test('revalidated, never served stale from a cache', async (t) => {
    const res = await get(app, '/v1/changes?since=0&limit=5');
    t.equal(res.headers['cache-control'], 'no-cache');
    t.ok(res.headers.etag);
    t.equal((await get(app, '/v1/changes?since=0&limit=5', { 'if-none-match': String(res.headers.etag) })).status, 304);
    const head = await headOf();
    const before = await get(app, `/v1/changes?since=${head}`);
    t.equal(
      (await send(app, 'POST', '/v1/sources', { id: 'feed-test-2', publisher: 'X', kind: 'news' }, auth)).status,
      201,
    );
    const after = await get(app, `/v1/changes?since=${head}`, { 'if-none-match': String(before.headers.etag) });
    t.equal(after.status, 200, 'a new change: a new body, not a 304');
    t.match(after.body, { data: [{ resourceId: 'feed-test-2' }] });
  });
});
