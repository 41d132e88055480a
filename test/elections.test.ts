import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { collectPages, forEachEngine, get } from './helpers/app.js';
import { snapshot } from './helpers/snapshot.js';
import { bearer, send, tokenFor } from './helpers/writes.js';

const ids = (body: unknown) => (body as { data: { id: string }[] }).data.map((e) => e.id);
const table = (body: unknown) => parse<Record<string, string>>(String(body), { columns: true });
const KZ2023 = 'kz.parliamentary.2023-03-19';
const KZ2022 = 'kz.presidential.2022-11-20';
const REF2022 = 'kz.referendum.2022-06-05';
const KZ2019 = 'kz.presidential.2019-06-09';
const SEEDED = [KZ2023, KZ2022, REF2022, KZ2019];
// Every election the tests add cites this source, which says it is invented.
const SOURCE = 'synthetic-dataset';

forEachEngine(t, async (t, app) => {
  t.test('the list, newest first', async (t) => {
    const res = await get(app, '/v1/elections');
    t.equal(res.status, 200);
    t.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    t.same(ids(res.body), SEEDED);
    t.equal((res.body as { next: unknown }).next, null);
  });

  t.test('pagination across pages with a keyset cursor', async (t) => {
    for (const [limit, pages] of [
      [1, 4],
      [3, 2],
      [4, 1],
    ]) {
      const all = await collectPages<{ id: string }>(app, `/v1/elections?limit=${limit}`);
      t.equal(all.pages, pages, `limit=${limit}`);
      t.same(
        all.items.map((e) => e.id),
        SEEDED,
        `limit=${limit}: each election once, in order`,
      );
    }
  });

  t.test('each filter', async (t) => {
    const cases: [string, string[]][] = [
      ['country=KZ', SEEDED],
      ['country=kaz', SEEDED],
      ['country=FR', []],
      ['type=presidential', [KZ2022, KZ2019]],
      ['type=parliamentary', [KZ2023]],
      ['type=referendum', [REF2022]],
      ['type=local', []],
      ['year=2022', [KZ2022, REF2022]],
      ['year=2019', [KZ2019]],
      ['year=2020', []],
      ['from=2020-01-01', [KZ2023, KZ2022, REF2022]],
      ['to=2020-01-01', [KZ2019]],
      ['from=2019-06-09&to=2019-06-09', [KZ2019]],
      ['from=2022-06-06&to=2022-12-31', [KZ2022]],
      ['from=2023-03-20', []],
      ['status=certified', SEEDED],
      ['status=unofficial-partial', []],
      ['round=1', SEEDED],
      ['round=2', []],
      ['country=KZ&type=presidential&year=2022&status=certified&round=1', [KZ2022]],
    ];
    for (const [query, expected] of cases) {
      const res = await get(app, `/v1/elections?${query}`);
      t.equal(res.status, 200, query);
      t.same(ids(res.body), expected, query);
    }
  });

  t.test("another contest's version with the main contest's current number: still one row", async (t) => {
    // 2023's chamber contest has version 1; its main (party-list) contest is at version 3. Give the
    // chamber a version 3 (a copy of its version 1, written straight into the table).
    const db = app.database.primary;
    await db.execute(sql`
      create temp table chamber_v3 as
        select r.* from result_versions r join contests c on c.id = r.contest_id
        where c.election_id = 'kz.parliamentary.2023-03-19' and c.slug = 'chamber' and r.number = 1`);
    await db.execute(sql`update chamber_v3 set id = (select max(id) + 1 from result_versions), number = 3`);
    await db.execute(sql`insert into result_versions overriding system value select * from chamber_v3`);
    await db.execute(sql`drop table chamber_v3`);
    const listed = await collectPages<{ id: string; currentResults: { version: number } | null }>(
      app,
      '/v1/elections?country=KZ&limit=2',
    );
    const ids = listed.items.map((e) => e.id);
    t.same(ids, [...new Set(ids)], 'every election once');
    const one = await get(app, '/v1/elections/kz.parliamentary.2023-03-19');
    t.match(one.body, { currentResults: { version: 3, status: 'certified' } }, "the main contest's version 3");
  });

  t.test('one election, with its summary of current results', async (t) => {
    const res = await get(app, `/v1/elections/${KZ2022}`);
    t.equal(res.status, 200);
    t.same(res.body, {
      id: KZ2022,
      title: 'Kazakhstan presidential election, 20 November 2022',
      country: { code: 'KZ', name: 'Kazakhstan' },
      type: 'presidential',
      date: '2022-11-20',
      snap: true,
      round: 1,
      previousRoundId: null,
      nextRoundId: null,
      termEndYear: 2029,
      candidateCount: 6,
      note: 'A seven-year term; presidents may not be re-elected after it.',
      source: {
        id: 'nikkei-asia-2022-11-22-kazakhstan-tilting-to-china',
        publisher: 'Nikkei Asia',
        title: "Kazakhstan seen tilting to China after president's landslide win",
        url: null,
      },
      currentResults: {
        version: 10,
        status: 'certified',
        preliminary: false,
        asOf: '2022-11-22',
        complete: true,
      },
      identifiers: [],
    });
    t.match((await get(app, `/v1/elections/${KZ2019}`)).body, {
      identifiers: [
        {
          scheme: 'electionguide',
          value: '3257',
          url: 'https://www.electionguide.org/elections/id/3257/',
          source: {
            id: 'electionguide-2019-kazakhstan-president',
            url: 'https://electionguide.org/elections/id/3257/',
          },
        },
      ],
      snap: null,
      termEndYear: null,
      candidateCount: 7,
      currentResults: { version: 4, status: 'certified', asOf: '2019-06-10', complete: true },
    });
    t.match((await get(app, `/v1/elections/${REF2022}`)).body, {
      title: 'Kazakhstan referendum, 5 June 2022',
      type: 'referendum',
      currentResults: { version: 7, status: 'certified', asOf: '2022-06-07' },
    });
    t.match((await get(app, `/v1/elections/${KZ2023}`)).body, {
      title: 'Kazakhstan parliamentary election, 19 March 2023',
      currentResults: { version: 3, status: 'certified', asOf: '2023-03-27' },
    });
  });

  t.test('the list as CSV, by ?format=csv or Accept', async (t) => {
    const csv = await get(app, '/v1/elections?format=csv');
    t.equal(csv.status, 200);
    t.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
    t.equal(csv.headers['content-disposition'], 'attachment; filename="elections.csv"');
    t.match(csv.headers.etag, /^W\/"csv-\d+"$/);
    t.equal(
      String(csv.body).split(/\r?\n/)[0],
      'id,title,countryCode,countryName,type,date,snap,round,previousRoundId,termEndYear,candidateCount,note,' +
        'sourceId,sourcePublisher,sourceUrl,currentVersion,currentStatus,preliminary,currentAsOf,currentComplete,' +
        'nextRoundId,identifiers',
    );
    t.same(
      table(csv.body).map((r) => [r.id, r.round, r.previousRoundId, r.nextRoundId, r.currentVersion, r.identifiers]),
      [
        [KZ2023, '1', '', '', '3', 'electionguide:4078'],
        [KZ2022, '1', '', '', '10', ''],
        [REF2022, '1', '', '', '7', ''],
        [KZ2019, '1', '', '', '4', 'electionguide:3257'],
      ],
    );
    t.equal((await get(app, '/v1/elections?limit=1', { accept: 'text/csv' })).body, csv.body, 'the same by Accept');
  });

  t.test('reads carry ETag and Cache-Control, and revalidate to 304', async (t) => {
    const first = await get(app, `/v1/elections/${KZ2022}`);
    t.ok(first.headers.etag, 'an ETag');
    t.match(first.headers['cache-control'], /public, max-age=\d+/);
    const again = await get(app, `/v1/elections/${KZ2022}`, { 'if-none-match': String(first.headers.etag) });
    t.equal(again.status, 304);
    const cors = await get(app, `/v1/elections/${KZ2022}`, { origin: 'https://newsroom.example' });
    t.equal(cors.headers['access-control-allow-origin'], '*');
    const list = await get(app, '/v1/elections?round=1');
    t.equal(list.headers['cache-control'], 'public, max-age=60');
    t.equal((await get(app, '/v1/elections?round=1', { 'if-none-match': String(list.headers.etag) })).status, 304);
  });

  t.test('404 for an unknown election, 400 for a malformed id or filter: problem documents', async (t) => {
    const unknown = await get(app, '/v1/elections/kz.presidential.2031-01-01');
    t.equal(unknown.status, 404);
    t.equal(unknown.headers['content-type'], 'application/problem+json; charset=utf-8');
    t.match(unknown.body, { status: 404, detail: /kz\.presidential\.2031-01-01/ });
    for (const [url, name] of <[string, string][]>[
      ['/v1/elections/not-an-id', 'id'],
      ['/v1/elections?round=0', 'round'],
      ['/v1/elections?round=first', 'round'],
      ['/v1/elections?round=11', 'round'],
      ['/v1/elections?round=1.5', 'round'],
      ['/v1/countries/KZ/elections?round=0', 'round'],
      ['/v1/elections?type=nope', 'type'],
    ]) {
      const res = await get(app, url);
      t.equal(res.status, 400, url);
      t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8', url);
      t.match(res.body, { status: 400, errors: [{ name }] }, url);
    }
  });

  t.test('rounds: a first round and its runoff, linked both ways, filtered by round', async (t) => {
    const auth = bearer(await tokenFor(app, 'write', 'rounds'));
    const source = { id: SOURCE, publisher: 'Synthetic data (tests)', kind: 'news', note: 'Invented by the tests.' };
    t.equal((await send(app, 'POST', '/v1/sources', source, auth)).status, 201);
    const election = (date: string, more: Record<string, unknown> = {}) =>
      send(
        app,
        'POST',
        '/v1/elections',
        { country: 'FR', type: 'presidential', date, sourceId: SOURCE, ...more },
        auth,
      );
    const first = 'fr.presidential.2022-04-10';
    const runoff = 'fr.presidential.2022-04-24';

    const created = await election('2022-04-10');
    t.equal(created.status, 201);
    t.match(created.body, { id: first, round: 1, previousRoundId: null, nextRoundId: null });
    const before = await get(app, `/v1/elections/${first}`);
    const etag = String(before.headers.etag);

    const second = await election('2022-04-24', { previousRoundId: first });
    t.equal(second.status, 201);
    t.match(second.body, {
      id: runoff,
      title: 'France presidential election, round 2, 24 April 2022',
      round: 2,
      previousRoundId: first,
      nextRoundId: null,
    });

    const after = await get(app, `/v1/elections/${first}`);
    t.match(after.body, { round: 1, previousRoundId: null, nextRoundId: runoff });
    t.not(after.headers.etag, etag, 'the ETag changes when the next round is recorded');
    t.equal((await get(app, `/v1/elections/${first}`, { 'if-none-match': etag })).status, 200, 'no stale 304');

    const list = async (q: string) => {
      const res = await get(app, `/v1/elections?${q}`);
      t.equal(res.status, 200, q);
      return ids(res.body);
    };
    t.same(await list('round=2'), [runoff]);
    t.same(await list('country=FR&round=1'), [first]);
    t.same(await list('country=FR'), [runoff, first]);
    t.same(await list('round=3'), []);
    t.same(await list('round=1'), SEEDED.slice(0, 2).concat(REF2022, first, KZ2019));
    t.same(ids((await get(app, '/v1/countries/FR/elections?round=2')).body), [runoff], 'on a country too');
    t.same(ids((await get(app, '/v1/areas/fr/elections?round=1')).body), [first], 'and on an area');

    t.match(table((await get(app, '/v1/elections?country=FR&format=csv')).body), [
      { id: runoff, round: '2', previousRoundId: first, nextRoundId: '' },
      { id: first, round: '1', previousRoundId: '', nextRoundId: runoff },
    ]);

    // Each rule of the links: 422 naming the field, and nothing written.
    const snap = await snapshot(app.database.primary);
    const rules: [string, () => ReturnType<typeof election>, string[]][] = [
      ['a round not the one after', () => election('2022-05-08', { previousRoundId: runoff, round: 2 }), ['round']],
      [
        'a previous round with another next',
        () => election('2022-05-01', { previousRoundId: first }),
        ['previousRoundId'],
      ],
      ['a previous round held later', () => election('2022-04-01', { previousRoundId: runoff }), ['previousRoundId']],
      [
        'a previous round in another country',
        () =>
          send(
            app,
            'POST',
            '/v1/elections',
            { country: 'DE', type: 'presidential', date: '2023-01-01', previousRoundId: KZ2022, sourceId: SOURCE },
            auth,
          ),
        ['previousRoundId'],
      ],
      [
        'several at once',
        () => election('2022-04-01', { previousRoundId: first, round: 3 }),
        ['previousRoundId', 'previousRoundId', 'round'],
      ],
    ];
    for (const [what, request, fields] of rules) {
      const res = await request();
      t.equal(res.status, 422, what);
      t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8', what);
      t.same(
        res.body?.errors?.map((e) => `${e.in}:${e.name}`),
        fields.map((f) => `body:${f}`),
        `${what}: ${JSON.stringify(res.body?.errors)}`,
      );
    }
    const patch = async (id: string, body: unknown) => {
      const { headers } = await get(app, `/v1/elections/${id}`);
      return send(app, 'PATCH', `/v1/elections/${id}`, body, { ...auth, 'if-match': String(headers.etag) });
    };
    for (const [what, id, body, field] of <[string, string, unknown, string][]>[
      ['the election as its own previous round', runoff, { previousRoundId: runoff }, 'previousRoundId'],
      ['a round number out of step with the previous one', runoff, { round: 3 }, 'round'],
      ['a round number out of step with the next one', first, { round: 2 }, 'round'],
    ]) {
      const res = await patch(id, body);
      t.equal(res.status, 422, what);
      t.same(
        res.body?.errors?.map((e) => e.name),
        [field],
        `${what}: ${JSON.stringify(res.body?.errors)}`,
      );
    }
    const missing = await election('2022-05-01', { previousRoundId: 'fr.presidential.2022-01-01' });
    t.equal(missing.status, 404, 'an unknown previous round is a 404');
    t.match(missing.body, { errors: [{ in: 'body', name: 'previousRoundId' }] });
    const malformed = await election('2022-05-01', { previousRoundId: 'round one' });
    t.equal(malformed.status, 400, 'a malformed one a 400');
    t.match(malformed.body, { errors: [{ in: 'body', name: 'previousRoundId' }] });
    t.same(await snapshot(app.database.primary), snap, 'no table changed');

    // Unlinking and linking again by PATCH: the round follows the link it is given.
    const unlinked = await patch(runoff, { previousRoundId: null });
    t.equal(unlinked.status, 200, JSON.stringify(unlinked.body));
    t.match(unlinked.body, { round: 2, previousRoundId: null, nextRoundId: null }, 'a round 2 may stand alone');
    t.match((await get(app, `/v1/elections/${first}`)).body, { nextRoundId: null });
    const relinked = await patch(runoff, { round: 1 });
    t.match(relinked.body, { round: 1 });
    const linked = await patch(runoff, { previousRoundId: first });
    t.equal(linked.status, 200, JSON.stringify(linked.body));
    t.match(linked.body, { round: 2, previousRoundId: first }, 'the round after the one it names');
    t.match((await get(app, `/v1/elections/${first}`)).body, { nextRoundId: runoff });
  });
});
