import t from 'tap';
import { collectPages, forEachEngine, get } from './helpers/app.js';

forEachEngine(t, async (t, app) => {
  t.test('every ISO 3166-1 country, paged by alpha-2 code', async (t) => {
    const { items, pages } = await collectPages<{ code: string }>(app, '/v1/countries?limit=100');
    t.equal(items.length, 249, 'the 249 ISO 3166-1 entries');
    t.equal(pages, 3);
    const codes = items.map((c) => c.code);
    t.same(codes, [...codes].sort(), 'ordered by code');
    t.equal(new Set(codes).size, 249, 'no duplicates across pages');
    t.notOk(codes.includes('XK'), 'user-assigned codes are not ISO 3166-1');
  });

  t.test('default page size is 50', async (t) => {
    const res = await get(app, '/v1/countries');
    t.equal((res.body as { data: unknown[] }).data.length, 50);
  });

  t.test('a country by alpha-2 or alpha-3, any case', async (t) => {
    for (const code of ['KZ', 'kz', 'KAZ', 'kaz', 'Kaz']) {
      const res = await get(app, `/v1/countries/${code}`);
      t.equal(res.status, 200, code);
      t.same(res.body, {
        code: 'KZ',
        alpha3: 'KAZ',
        numeric: '398',
        name: 'Kazakhstan',
        ocdId: 'ocd-division/country:kz',
      });
    }
  });

  t.test("a country's elections, with the election filters", async (t) => {
    const all = await get(app, '/v1/countries/kaz/elections');
    t.equal(all.status, 200);
    t.same(
      (all.body as { data: { id: string }[] }).data.map((e) => e.id),
      [
        'kz.parliamentary.2023-03-19',
        'kz.presidential.2022-11-20',
        'kz.referendum.2022-06-05',
        'kz.presidential.2019-06-09',
      ],
      'newest first',
    );
    const y2019 = await get(app, '/v1/countries/KZ/elections?year=2019');
    t.same(
      (y2019.body as { data: { id: string }[] }).data.map((e) => e.id),
      ['kz.presidential.2019-06-09'],
    );
    const none = await get(app, '/v1/countries/FR/elections');
    t.same(none.body, { data: [], next: null }, 'a known country with no elections is an empty list');
    const bad = await get(app, '/v1/countries/KZ/elections?country=FR');
    t.equal(bad.status, 400, 'country is the path here, not a query parameter');
  });
});
