import t from 'tap';
import { collectPages, forEachEngine, get } from './helpers/app.js';

const ids = (body: unknown) => (body as { data: { id: string }[] }).data.map((e) => e.id);
const KZ2022 = 'kz.presidential.2022-11-20';
const KZ2019 = 'kz.presidential.2019-06-09';

forEachEngine(t, async (t, app) => {
  t.test('the list, newest first', async (t) => {
    const res = await get(app, '/v1/elections');
    t.equal(res.status, 200);
    t.same(ids(res.body), [KZ2022, KZ2019]);
    t.equal((res.body as { next: unknown }).next, null);
  });

  t.test('pagination across pages with a keyset cursor', async (t) => {
    const { items, pages } = await collectPages<{ id: string }>(app, '/v1/elections?limit=1');
    t.equal(pages, 2);
    t.same(
      items.map((e) => e.id),
      [KZ2022, KZ2019],
    );
  });

  t.test('each filter', async (t) => {
    const cases: [string, string[]][] = [
      ['country=KZ', [KZ2022, KZ2019]],
      ['country=kaz', [KZ2022, KZ2019]],
      ['country=FR', []],
      ['type=presidential', [KZ2022, KZ2019]],
      ['type=parliamentary', []],
      ['year=2022', [KZ2022]],
      ['year=2019', [KZ2019]],
      ['year=2020', []],
      ['from=2020-01-01', [KZ2022]],
      ['to=2020-01-01', [KZ2019]],
      ['from=2019-06-09&to=2019-06-09', [KZ2019]],
      ['from=2022-11-21', []],
      ['status=certified', [KZ2022, KZ2019]],
      ['status=unofficial-partial', []],
      ['country=KZ&type=presidential&year=2022&status=certified', [KZ2022]],
    ];
    for (const [query, expected] of cases) {
      const res = await get(app, `/v1/elections?${query}`);
      t.equal(res.status, 200, query);
      t.same(ids(res.body), expected, query);
    }
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
        version: 2,
        status: 'certified',
        preliminary: false,
        asOf: '2022-11-22',
        complete: true,
      },
    });
    const y2019 = await get(app, `/v1/elections/${KZ2019}`);
    t.match(y2019.body, { snap: null, termEndYear: null, currentResults: { complete: false } });
  });

  t.test('reads carry ETag and Cache-Control, and revalidate to 304', async (t) => {
    const first = await get(app, `/v1/elections/${KZ2022}`);
    t.ok(first.headers.etag, 'an ETag');
    t.match(first.headers['cache-control'], /public, max-age=\d+/);
    const again = await get(app, `/v1/elections/${KZ2022}`, { 'if-none-match': String(first.headers.etag) });
    t.equal(again.status, 304);
    const cors = await get(app, `/v1/elections/${KZ2022}`, { origin: 'https://newsroom.example' });
    t.equal(cors.headers['access-control-allow-origin'], '*');
  });
});
