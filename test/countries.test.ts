import { sql } from 'drizzle-orm';
import t from 'tap';
import { readDataVersion } from '../src/db/data-version.js';
import { seed } from '../src/db/seed.js';
import { collectPages, forEachEngine, get } from './helpers/app.js';

forEachEngine(t, async (t, app) => {
  t.test("ISO's own English short names, diacritics and all, for countries and their areas", async (t) => {
    for (const [code, name] of [
      ['CI', "Côte d'Ivoire"],
      ['RE', 'Réunion'],
      ['CW', 'Curaçao'],
      ['AX', 'Åland Islands'],
      ['KR', 'Korea, Republic of'],
      ['CZ', 'Czechia'],
      ['KZ', 'Kazakhstan'],
    ] as const) {
      t.equal((await get(app, `/v1/countries/${code}`)).body.name, name, code);
      t.equal((await get(app, `/v1/areas/${code.toLowerCase()}`)).body.name, name, `area ${code.toLowerCase()}`);
    }
  });

  t.test(
    'a database seeded with older names gets the ISO ones; a seed with nothing to change writes nothing',
    async (t) => {
      const db = app.database.primary;
      await db.execute(sql`update countries set name = 'Cote d''Ivoire' where code = 'CI'`);
      await db.execute(sql`update areas set name = 'Cote d''Ivoire' where id = 'ci'`);
      await seed(db);
      t.equal((await get(app, '/v1/countries/CI')).body.name, "Côte d'Ivoire");
      t.equal((await get(app, '/v1/areas/ci')).body.name, "Côte d'Ivoire");
      const version = await readDataVersion(db);
      await seed(db);
      t.equal(await readDataVersion(db), version, 'the data version (and so every ETag) is unchanged');
    },
  );

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
