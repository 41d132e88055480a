import t from 'tap';
import { collectPages, forEachEngine, get } from './helpers/app.js';

interface Row {
  id: number;
  electionId: string;
  version: number;
  name: string;
  percent: number;
  current: boolean;
}

const rows = (body: unknown) => (body as { data: Row[] }).data;

forEachEngine(t, async (t, app) => {
  t.test('current lines of every election by default', async (t) => {
    const { items } = await collectPages<Row>(app, '/v1/vote-shares');
    t.equal(
      items.length,
      33,
      '7 for 2022, 7 for 2019, 4 for the referendum, 8 party lists and 7 chamber lines for 2023',
    );
    t.same(
      items.filter((r) => !r.current),
      [],
      'all current',
    );
  });

  t.test('versions=all, paged across pages in a stable order', async (t) => {
    const { items, pages } = await collectPages<Row>(app, '/v1/vote-shares?versions=all&limit=10');
    t.equal(items.length, 69);
    t.equal(pages, 7);
    t.equal(new Set(items.map((r) => r.id)).size, 69, 'no row twice');
    const ids = items.map((r) => r.id);
    t.same(
      ids,
      [...ids].sort((a, b) => a - b),
      'in the order the lines were recorded',
    );
    const versions = items.map((r) => `${r.electionId}|${r.version}`);
    t.equal(
      new Set(versions).size,
      versions.filter((v, i) => v !== versions[i - 1]).length,
      "a version's lines stay together",
    );
  });

  t.test('each filter', async (t) => {
    const count = async (q: string) => {
      const res = await get(app, `/v1/vote-shares?${q}&limit=100`);
      t.equal(res.status, 200, q);
      return rows(res.body).length;
    };
    t.equal(await count('country=KZ'), 33);
    t.equal(await count('country=US'), 0);
    t.equal(await count('election=kz.presidential.2022-11-20'), 7);
    t.equal(await count('election=kz.presidential.2022-11-20&versions=all'), 15, '1 + 7 + 7: the night has no lines');
    t.equal(await count('candidate=kassym-jomart-tokayev'), 2);
    t.equal(await count('candidate=kassym-jomart-tokayev&versions=all'), 5);
    t.equal(await count('candidate=nursultan-nazarbayev'), 0);
    t.equal(await count('year=2019'), 7);
    t.equal(await count('year=2021'), 0);
    t.equal(await count('status=certified'), 33);
    t.equal(await count('status=unofficial-complete'), 0, 'no election is still preliminary');
    t.equal(await count('status=unofficial-complete&versions=all'), 36);
    t.equal(await count('party=amanat'), 2, 'its list, and its seats in the chamber');
    t.equal(await count('contestKind=party-list'), 15);
    t.equal(await count('contestKind=ballot-question&versions=all'), 17, 'national and Almaty-city lines');
    t.equal(await count('contest=chamber'), 7);
    t.equal(await count('area=kz-almaty-city&versions=all'), 4, 'Yes, No, both marked, invalid');
    t.equal(await count('area=kz&versions=all'), 60, "the country's lines: all but the 9 of regions");
    const tokayev2022 = await get(app, '/v1/vote-shares?candidate=kassym-jomart-tokayev&year=2022');
    t.match(rows(tokayev2022.body), [
      { percent: 81.31, name: 'Kassym-Jomart Tokayev', nominatorName: "People's Coalition" },
    ]);
  });

  t.test('unknown filter values are a 400 naming the parameter, in CSV too and beside a known id', async (t) => {
    for (const [q, name] of <[string, string][]>[
      ['candidate=nobody-at-all', 'candidate'],
      ['election=kz.presidential.2030-01-01', 'election'],
      ['election=not-an-id', 'election'],
      ['versions=latest', 'versions'],
      ['status=final', 'status'],
      ['country=Kazakhstan', 'country'],
      ['party=no-such-party', 'party'],
      ['area=kz-nowhere', 'area'],
      ['area=Not An Id', 'area'],
      ['contestKind=mayor', 'contestKind'],
      ['candidate=nobody-at-all&format=csv', 'candidate'],
      ['election=kz.presidential.2030-01-01&format=csv', 'election'],
      ['party=no-such-party&format=csv', 'party'],
      ['area=kz-nowhere&format=csv', 'area'],
      ['candidate=kassym-jomart-tokayev&party=no-such-party', 'party'],
      ['election=kz.presidential.2022-11-20&area=kz-nowhere', 'area'],
    ]) {
      const res = await get(app, `/v1/vote-shares?${q}`);
      t.equal(res.status, 400, q);
      t.match(res.headers['content-type'], /^application\/problem\+json/, q);
      t.match(res.body, { errors: [{ in: 'query', name }] }, q);
    }
    // Known ids that match no line: an empty page, not a 400.
    const res = await get(app, '/v1/vote-shares?candidate=kassym-jomart-tokayev&year=1990');
    t.equal(res.status, 200);
    t.same(res.body.data, []);
  });
});
