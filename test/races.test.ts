// Writers racing each other. These run on PostgreSQL only: PGlite runs one transaction at a time, so
// two requests there are served in turn and no race can happen, and a test of one could not fail.
// CI sets TEST_DATABASE_URL, and REQUIRE_POSTGRES=1, under which a run without PostgreSQL fails here.
import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp, engines, get } from './helpers/app.js';
import { snapshot } from './helpers/snapshot.js';
import { rowsOf } from './helpers/sql.js';
import { bearer, certified2022, send, tokenFor } from './helpers/writes.js';

const KZ2022 = 'kz.presidential.2022-11-20';
const SOURCE = 'kazinform-2022-cec-final-results';
const onPostgres = engines.includes('postgres');

if (!onPostgres && process.env.REQUIRE_POSTGRES)
  t.fail('CI must run the race tests on PostgreSQL: set TEST_DATABASE_URL');

t.test(
  'on PostgreSQL',
  { skip: onPostgres ? false : 'needs TEST_DATABASE_URL: PGlite serves one transaction at a time' },
  async (t) => {
    const app = await buildTestApp(t, 'postgres');
    const auth = bearer(await tokenFor(app, 'write'));
    const results = `/v1/elections/${KZ2022}/results`;

    t.test('two editors on one election: one wins, the other gets 412, nothing is lost', async (t) => {
      const url = `/v1/elections/${KZ2022}`;
      const etag = (await get(app, url)).headers.etag as string;
      const [a, b] = await Promise.all([
        send(app, 'PATCH', url, { note: 'Editor A' }, { ...auth, 'if-match': etag }),
        send(app, 'PATCH', url, { termEndYear: 2030 }, { ...auth, 'if-match': etag }),
      ]);
      t.same([a.status, b.status].sort(), [200, 412]);
      const winner = a.status === 200 ? a : b;
      const now = (await get(app, url)).body as { note: string; termEndYear: number };
      t.same(
        { note: now.note, termEndYear: now.termEndYear },
        {
          note: winner === a ? 'Editor A' : 'A seven-year term; presidents may not be re-elected after it.',
          termEndYear: winner === b ? 2030 : 2029,
        },
      );
    });

    t.test('publishers with the same If-Match: one 201, the others 412', async (t) => {
      const etag = (await get(app, results)).headers.etag as string;
      t.match(etag, /^"results-v10~[\w-]{16}"$/);
      const body = { ...certified2022, status: 'correction' };
      const answers = await Promise.all(
        [1, 2, 3, 4].map(() => send(app, 'POST', results, body, { ...auth, 'if-match': etag })),
      );
      t.same(answers.map((r) => r.status).sort(), [201, 412, 412, 412]);
      const versions = (await get(app, `${results}/versions`)).body as { data: unknown[] };
      t.equal(versions.data.length, 11, 'exactly one version was added');
    });

    t.test('without If-Match, concurrent publishers all append, numbered in turn', async (t) => {
      const body = { ...certified2022, status: 'correction' };
      const answers = await Promise.all([1, 2, 3, 4, 5, 6].map(() => send(app, 'POST', results, body, auth)));
      t.same(
        answers.map((r) => r.status),
        [201, 201, 201, 201, 201, 201],
      );
      t.same(
        answers.map((r) => (r.body as { version: number }).version).sort((a, b) => a - b),
        [12, 13, 14, 15, 16, 17],
      );
    });

    t.test('two editors on one person: one wins, the other gets 412', async (t) => {
      const made = await send(app, 'POST', '/v1/candidates', { name: 'Race Person', sourceId: SOURCE }, auth);
      t.equal(made.status, 201);
      const url = '/v1/candidates/race-person';
      const etag = String((await get(app, url)).headers.etag);
      const answers = await Promise.all(
        ['A', 'B', 'C'].map((who) => send(app, 'PATCH', url, { note: `Editor ${who}` }, { ...auth, 'if-match': etag })),
      );
      t.same(answers.map((r) => r.status).sort(), [200, 412, 412]);
      const winner = answers.find((r) => r.status === 200)!;
      t.match((await get(app, url)).body, { note: (winner.body as { note: string }).note });
      t.match(String((await get(app, url)).headers.etag), /^"r2~/, 'one revision, not three');
    });

    t.test('two merges crossing (A into B, B into A): one happens, the other is a 404', async (t) => {
      for (const name of ['Cross One', 'Cross Two'])
        t.equal((await send(app, 'POST', '/v1/candidates', { name, sourceId: SOURCE }, auth)).status, 201);
      const [a, b] = await Promise.all([
        send(app, 'POST', '/v1/candidates/cross-one/merge', { into: 'cross-two' }, auth),
        send(app, 'POST', '/v1/candidates/cross-two/merge', { into: 'cross-one' }, auth),
      ]);
      t.same([a.status, b.status].sort(), [200, 404]);
      const [kept, gone] = a.status === 200 ? ['cross-two', 'cross-one'] : ['cross-one', 'cross-two'];
      t.equal((await get(app, `/v1/candidates/${kept}`)).status, 200, 'the record that stays');
      const old = await get(app, `/v1/candidates/${gone}`);
      t.equal(old.status, 301);
      t.equal(old.headers.location, `/v1/candidates/${kept}`, 'no redirect cycle');
    });

    t.test('a merge racing a publish that cites the merged-away person: no line is lost', async (t) => {
      t.equal((await send(app, 'POST', '/v1/candidates', { name: 'Race Dup', sourceId: SOURCE }, auth)).status, 201);
      const body = {
        ...certified2022,
        status: 'correction',
        // Another candidate's line, now citing the duplicate.
        lines: certified2022.lines.map((l) =>
          l.candidateId === 'meiram-kazhyken' ? { ...l, candidateId: 'race-dup' } : l,
        ),
      };
      t.ok(body.lines.some((l) => l.candidateId === 'race-dup'));
      const answers = await Promise.all([
        send(app, 'POST', results, body, auth),
        send(app, 'POST', '/v1/candidates/race-dup/merge', { into: 'kassym-jomart-tokayev' }, auth),
      ]);
      const [published, merged] = answers;
      t.not(published.status, 500, JSON.stringify(published.body));
      t.not(merged.status, 500, JSON.stringify(merged.body));
      if (published.status === 201) {
        // Published first: the merge found both in one version and refused (409), or published
        // after: impossible, the line names race-dup. Either way the version is whole.
        t.equal(merged.status, 409, 'both in one version: not one person');
        const n = (published.body as { version: number }).version;
        const v = (await get(app, `${results}/versions/${n}`)).body as { lines: unknown[] };
        t.equal(v.lines.length, certified2022.lines.length, 'every line kept');
      } else {
        t.equal(merged.status, 200, 'merged first');
        t.equal(published.status, 422, 'the publish names a person who is no longer there');
        t.match(published.body, { errors: [{ name: /candidateId/ }] });
      }
    });

    t.test('8 writers at once, a reader following the change feed: no gap, no duplicate', async (t) => {
      const head = async () =>
        String((await rowsOf<{ h: string }>(app.database.primary, sql`select max(id)::text as h from changes`))[0]!.h);
      const start = await head();
      const elections: string[] = [];
      for (let i = 1; i <= 8; i++) {
        const made = await send(
          app,
          'POST',
          '/v1/elections',
          { country: 'KZ', type: 'local', date: `2033-01-${String(i).padStart(2, '0')}`, sourceId: SOURCE },
          auth,
        );
        t.equal(made.status, 201);
        elections.push((made.body as { id: string }).id);
      }
      let writing = true;
      const seen: string[] = [];
      const reader = (async () => {
        let cursor = start;
        for (;;) {
          const done = !writing;
          const page = (await get(app, `/v1/changes?since=${cursor}&limit=7`)).body as {
            data: { id: string }[];
            next: string;
            more: boolean;
          };
          seen.push(...page.data.map((c) => c.id));
          cursor = page.next;
          // One more full read after the writers finished: then everything committed is there.
          if (done && !page.more) return;
        }
      })();
      const statuses = ['certified', 'correction', 'correction', 'recount'];
      await Promise.all(
        elections.map(async (id) => {
          for (const status of statuses) {
            const res = await send(app, 'POST', `/v1/elections/${id}/results`, { ...certified2022, status }, auth);
            t.equal(res.status, 201, `${id} ${status}`);
            // A rolled-back write between them: it must never show.
            await send(
              app,
              'POST',
              `/v1/elections/${id}/results`,
              { ...certified2022, status: 'unofficial-partial' },
              auth,
            );
          }
        }),
      );
      writing = false;
      await reader;
      const committed = (
        await rowsOf<{ id: string }>(
          app.database.primary,
          sql`select id::text as id from changes where id > ${Number(start)} order by id`,
        )
      ).map((r) => r.id);
      t.equal(new Set(seen).size, seen.length, 'no change twice');
      t.same(seen, committed, 'every committed change, in id order, none missed');
      t.equal(committed.length, 8 + 8 * statuses.length, 'the elections and their versions, nothing rolled back');
    });

    t.test('the same Idempotency-Key twice at once: one write, both get its answer', async (t) => {
      const concurrent = { ...auth, 'idempotency-key': 'concurrent-1' };
      const body = { publisher: 'Racing Times', kind: 'news' };
      const pair = await Promise.all([
        send(app, 'POST', '/v1/sources', body, concurrent),
        send(app, 'POST', '/v1/sources', body, concurrent),
      ]);
      t.same(
        pair.map((r) => r.status),
        [201, 201],
        'both get the one response',
      );
      t.same(pair[0].body, pair[1].body);
      t.same(
        pair.map((r) => r.headers['idempotent-replayed']).sort(),
        ['true', undefined],
        'one wrote, the other waited and replayed it',
      );
      const before = await snapshot(app.database.primary);
      t.equal((await send(app, 'POST', '/v1/sources', body, concurrent)).status, 201);
      t.same(await snapshot(app.database.primary), before, 'a later retry writes nothing either');
    });
  },
);
