import t from 'tap';
import { collectPages, forEachEngine, get } from './helpers/app.js';

const ids = (body: unknown) => (body as { data: { id: string }[] }).data.map((c) => c.id);

forEachEngine(t, async (t, app) => {
  t.test('everyone, paged by id', async (t) => {
    const { items, pages } = await collectPages<{ id: string }>(app, '/v1/candidates?limit=3');
    t.equal(items.length, 13, 'the seven of 2019, the five others of 2022, and Nazarbayev, named in the article');
    t.equal(pages, 5);
    t.same(
      items.map((c) => c.id),
      items.map((c) => c.id).sort(),
    );
  });

  t.test('search ignores case and accents, and matches part of a name', async (t) => {
    for (const q of ['tokayev', 'TOKAYEV', 'Tokáyev', 'jomart', 'Kassym Jomart', 'kassym-jomart-tok']) {
      const res = await get(app, `/v1/candidates?q=${encodeURIComponent(q)}`);
      t.same(ids(res.body), ['kassym-jomart-tokayev'], q);
    }
    t.same(ids((await get(app, '/v1/candidates?q=nazar')).body), ['nursultan-nazarbayev']);
    t.same(ids((await get(app, '/v1/candidates?q=bayev')).body).sort(), [
      'nurlan-auesbayev',
      'nursultan-nazarbayev',
      'zhiguli-dairabayev',
    ]);
    t.same(ids((await get(app, '/v1/candidates?q=putin')).body), []);
    const blank = await get(app, '/v1/candidates?q=%20%21');
    t.equal(blank.status, 400);
    t.match(blank.body, { errors: [{ in: 'query', name: 'q' }] });
  });

  t.test("Tokayev's vote shares over time", async (t) => {
    const res = await get(app, '/v1/candidates/kassym-jomart-tokayev');
    t.equal(res.status, 200);
    const body = res.body as {
      name: string;
      voteShares: {
        electionId: string;
        version: number;
        status: string;
        current: boolean;
        percent: number;
        votes: number | null;
      }[];
    };
    t.equal(body.name, 'Kassym-Jomart Tokayev');
    t.same(
      body.voteShares.map((v) => [v.electionId, v.version, v.status, v.current, v.percent, v.votes]),
      [
        ['kz.presidential.2019-06-09', 3, 'unofficial-complete', false, 70.76, 6_504_054],
        ['kz.presidential.2019-06-09', 4, 'certified', true, 70.96, 6_539_715],
        ['kz.presidential.2022-11-20', 8, 'unofficial-complete', false, 81.3, null],
        ['kz.presidential.2022-11-20', 9, 'unofficial-complete', false, 81.31, 6_456_392],
        ['kz.presidential.2022-11-20', 10, 'certified', true, 81.31, 6_456_393],
      ],
    );
  });

  t.test("a candidate's vote shares come a page at a time", async (t) => {
    const url = '/v1/candidates/kassym-jomart-tokayev';
    const whole = (await get(app, url)).body as { voteShares: { id: number }[]; voteSharesNext: string | null };
    t.equal(whole.voteSharesNext, null, 'five lines fit the default page');
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(app, `${url}?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      t.equal(res.status, 200);
      const body = res.body as { voteShares: { id: number }[]; voteSharesNext: string | null };
      seen.push(...body.voteShares.map((v) => v.id));
      cursor = body.voteSharesNext;
      pages += 1;
    } while (cursor && pages < 10);
    t.equal(pages, 2, 'three lines, then two');
    t.same(
      seen,
      whole.voteShares.map((v) => v.id),
      'the same lines in the same order, each once',
    );
    t.equal((await get(app, `${url}?limit=0`)).status, 400);
    t.equal((await get(app, `${url}?cursor=bm9wZQ`)).status, 400, 'a cursor it did not issue');
  });

  t.test('Nazarbayev is a person of the record with no vote shares here', async (t) => {
    const res = await get(app, '/v1/candidates/nursultan-nazarbayev');
    t.match(res.body, { name: 'Nursultan Nazarbayev', voteShares: [], source: { publisher: 'Nikkei Asia' } });
  });

  t.test('unknown and malformed ids', async (t) => {
    t.equal((await get(app, '/v1/candidates/vladimir-putin')).status, 404);
    const bad = await get(app, '/v1/candidates/Not%20An%20Id');
    t.equal(bad.status, 400);
    t.match(bad.body, { errors: [{ in: 'path', name: 'id' }] });
  });
});
