// Contests, areas and results per area (issue 14): the seeded figures, the read endpoints and
// their CSV, the 404s and 400s, and every rule a version with areas must keep (422, nothing written).
import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { forEachEngine, get } from './helpers/app.js';
import { snapshot } from './helpers/snapshot.js';
import { bearer, send, tokenFor } from './helpers/writes.js';

const KZ2022 = 'kz.presidential.2022-11-20';
const KZ2019 = 'kz.presidential.2019-06-09';
const REFERENDUM = 'kz.referendum.2022-06-05';
const MAZHILIS = 'kz.parliamentary.2023-03-19';
const SOURCE = 'astana-times-2023-03-27-final-results';

interface AreaFigures {
  area: { id: string; name: string; level: string; isoCode: string | null };
  complete: boolean;
  turnout: { turnoutPercent: number | null; ballotsCast: number | null };
  lines: { name: string; kind: string; votes: number | null; percent: number | null; seats: number | null }[];
}
type ResultsBody = AreaFigures & {
  version: number;
  contest: { id: string; kind: string; seats: number | null; thresholdPercent: number | null; main: boolean };
  areas: AreaFigures[];
};

const csvRows = (body: string) => parse<Record<string, string>>(body, { columns: true });

async function expectProblem(t: Test, app: FastifyInstance, url: string, status: number, detail: RegExp) {
  const res = await get(app, url);
  t.equal(res.status, status, `${url}: ${status}`);
  t.match(String(res.headers['content-type']), /^application\/problem\+json/);
  t.match(res.body, { status, detail });
}

forEachEngine(t, async (t, app) => {
  t.test('areas: 20 regions with ISO codes; 17 before Abai, Zhetysu and Ulytau (8 June 2022)', async (t) => {
    const now = await get(app, '/v1/areas?country=KZ&level=region&validOn=2022-11-20&limit=100');
    t.equal(now.status, 200);
    const items = (now.body as { data: { id: string; isoCode: string; parentId: string }[] }).data;
    t.equal(items.length, 20);
    t.ok(
      items.every((a) => /^KZ-\d\d$/.test(a.isoCode) && a.parentId === 'kz'),
      'each with its ISO 3166-2 code, within kz',
    );
    const before = await get(app, '/v1/areas?country=KZ&level=region&validOn=2022-06-05&limit=100');
    const ids = (before.body as { data: { id: string }[] }).data.map((a) => a.id);
    t.equal(ids.length, 17);
    t.notOk(['kz-abai', 'kz-zhetysu', 'kz-ulytau'].some((id) => ids.includes(id)));

    t.match((await get(app, '/v1/areas/kz-abai')).body, {
      id: 'kz-abai',
      name: 'Abai',
      level: 'region',
      isoCode: 'KZ-10',
      validFrom: '2022-06-08',
      validTo: null,
      source: { id: /.+/ },
    });
    const search = await get(app, '/v1/areas?q=KZ-10');
    t.same(
      (search.body as { data: { id: string }[] }).data.map((a) => a.id),
      ['kz-abai'],
      'found by ISO code',
    );
    const byName = await get(app, '/v1/areas?q=Zhetysu');
    t.same(
      (byName.body as { data: { id: string }[] }).data.map((a) => a.id),
      ['kz-zhetysu'],
    );

    const csv = await app.inject({ url: '/v1/areas?country=KZ&level=region&format=csv' });
    t.equal(csv.statusCode, 200);
    t.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
    const rows = csvRows(csv.body);
    t.equal(rows.length, 20);
    t.match(
      rows.find((r) => r.id === 'kz-abai'),
      { isoCode: 'KZ-10', validFrom: '2022-06-08', parentId: 'kz' },
    );

    await expectProblem(t, app, '/v1/areas/kz-atlantis', 404, /kz-atlantis/);
    await expectProblem(t, app, '/v1/areas/KZ_ABAI', 400, /area id/);
    await expectProblem(t, app, '/v1/areas?parent=kz-atlantis', 400, /parent/);
  });

  t.test("an area's elections: those held while it existed", async (t) => {
    const abai = await get(app, '/v1/areas/kz-abai/elections');
    t.equal(abai.status, 200);
    t.same((abai.body as { data: { id: string }[] }).data.map((e) => e.id).sort(), [MAZHILIS, KZ2022].sort());
    const akmola = await get(app, '/v1/areas/kz-akmola/elections');
    t.same(
      (akmola.body as { data: { id: string }[] }).data.map((e) => e.id).sort(),
      [KZ2019, KZ2022, REFERENDUM, MAZHILIS].sort(),
    );
  });

  t.test('contests: the 2023 Mazhilis has the party lists (main) and the chamber', async (t) => {
    const res = await get(app, `/v1/elections/${MAZHILIS}/contests`);
    t.equal(res.status, 200);
    const items = (res.body as { data: Record<string, unknown>[] }).data;
    t.match(items, [
      {
        id: 'party-list',
        kind: 'party-list',
        main: true,
        seats: 69,
        thresholdPercent: 5,
        area: { id: 'kz', level: 'country' },
        currentResults: { version: 3, status: 'certified', preliminary: false },
        resultsUrl: `/v1/elections/${MAZHILIS}/results`,
      },
      {
        id: 'chamber',
        main: false,
        seats: 98,
        resultsUrl: `/v1/elections/${MAZHILIS}/contests/chamber/results`,
      },
    ]);
    t.equal(items.length, 2);
    const csv = await app.inject({ url: `/v1/elections/${MAZHILIS}/contests?format=csv` });
    t.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
    t.same(
      csvRows(csv.body).map((r) => [r.id, r.main, r.seats, r.areaId, r.currentVersion]),
      [
        ['party-list', 'true', '69', 'kz', '3'],
        ['chamber', 'false', '98', 'kz', '1'],
      ],
    );
    t.match((await get(app, `/v1/elections/${REFERENDUM}/contests/question-1`)).body, {
      id: 'question-1',
      kind: 'ballot-question',
      seats: null,
      main: true,
    });
    await expectProblem(t, app, `/v1/elections/${MAZHILIS}/contests/district-99`, 404, /no contest 'district-99'/);
    await expectProblem(t, app, `/v1/elections/${MAZHILIS}/contests/Party_List`, 400, /contest id/);
    await expectProblem(t, app, '/v1/elections/kz.parliamentary.1900-01-01/contests', 404, /not found/);
  });

  t.test('party lists: votes, percent and seats, preliminary and final; the chamber by party', async (t) => {
    const res = await get(app, `/v1/elections/${MAZHILIS}/results`);
    const body = res.body as ResultsBody;
    t.match(body, { version: 3, status: 'certified', contest: { id: 'party-list', kind: 'party-list', seats: 69 } });
    const amanat = body.lines.find((l) => l.name.toLowerCase().includes('amanat'));
    t.match(amanat, { kind: 'party', seats: 40 });
    t.equal(
      body.lines.reduce((s, l) => s + (l.seats ?? 0), 0),
      69,
      'the party-list seats add up to the contest seats',
    );
    t.ok(
      body.lines.some((l) => l.kind === 'against-all'),
      'against all is a line of its own',
    );
    const chamber = await get(app, `/v1/elections/${MAZHILIS}/contests/chamber/results`);
    t.equal(chamber.status, 200);
    const seats = (chamber.body as ResultsBody).lines.reduce((s, l) => s + (l.seats ?? 0), 0);
    t.equal(seats, 98, 'every seat of the chamber, by party, as the source gives them');
    const versions = await get(app, `/v1/elections/${MAZHILIS}/contests/chamber/results/versions`);
    t.match(versions.body, { data: [{ version: 1, contest: 'chamber', status: 'certified' }] });
  });

  t.test('the referendum: Yes / No / both marked / invalid, of all participants', async (t) => {
    const res = await get(app, `/v1/elections/${REFERENDUM}/results`);
    const body = res.body as ResultsBody;
    t.match(body, { status: 'certified', contest: { id: 'question-1', kind: 'ballot-question' } });
    t.same(body.lines.map((l) => l.kind).sort(), ['option', 'option', 'other', 'other']);
    const yes = body.lines.find((l) => l.name === 'Yes');
    t.ok(yes && yes.percent! > 77 && yes.percent! < 78, `Yes ${yes?.percent}%`);
    const prelim = await get(app, `/v1/elections/${REFERENDUM}/results/versions/6?level=region`);
    const areas = (prelim.body as ResultsBody).areas;
    t.equal(areas.length, 6, 'the preliminary count gives Almaty city and five regions, nothing more');
    t.same(
      areas
        .find((a) => a.area.id === 'kz-almaty-city')!
        .lines.map((l) => l.name)
        .sort(),
      ['Both options marked', 'Invalid', 'No', 'Yes'],
    );
    t.ok(
      areas
        .filter((a) => a.area.id !== 'kz-almaty-city')
        .every((a) => a.lines.length === 1 && a.lines[0]!.name === 'No'),
      'elsewhere only the share of No that the source gives',
    );
  });

  t.test('?area= and ?level=: a region, and every region in one request', async (t) => {
    const url = `/v1/elections/${KZ2022}/results/versions/7`;
    const regions = await get(app, `${url}?level=region`);
    t.equal(regions.status, 200);
    const body = regions.body as ResultsBody;
    t.equal(body.area.id, 'kz');
    t.equal(body.areas.length, 20, 'the 20 regions of 20 Nov 2022');
    t.ok(
      body.areas.every((a) => a.area.level === 'region' && a.area.isoCode && a.turnout.turnoutPercent !== null),
      'each with its code and its turnout',
    );
    t.same(
      body.areas.map((a) => a.area.name),
      [...body.areas.map((a) => a.area.name)].sort(),
      'by name',
    );
    const plain = await get(app, url);
    t.same((plain.body as ResultsBody).areas, [], 'no ?level=: no areas');

    const abai = await get(app, `${url}?area=kz-abai`);
    t.equal(abai.status, 200);
    const one = abai.body as ResultsBody;
    t.match(one.area, { id: 'kz-abai', isoCode: 'KZ-10' });
    t.equal(one.turnout.turnoutPercent, body.areas.find((a) => a.area.id === 'kz-abai')!.turnout.turnoutPercent);
    t.same(one.lines, [], 'no votes by region in any source: turnout only');

    const referendum = await get(app, `/v1/elections/${REFERENDUM}/results/versions/1?level=region`);
    t.equal((referendum.body as ResultsBody).areas.length, 17, 'the 17 regions of 5 June 2022');

    await expectProblem(t, app, `${url}?area=kz-atlantis`, 404, /No area has the id 'kz-atlantis'/);
    await expectProblem(t, app, `${url}?area=ru`, 404, /not within kz/);
    await expectProblem(t, app, `${url}?area=Abai`, 400, /area/);
    await expectProblem(t, app, `${url}?level=province`, 400, /level/);
    await expectProblem(t, app, `/v1/elections/${KZ2022}/contests/vice-president/results`, 404, /no contest/);
  });

  t.test('a region-by-region CSV: a row per region, with its code', async (t) => {
    const res = await app.inject({ url: `/v1/elections/${KZ2022}/results/versions/7?level=region&format=csv` });
    t.equal(res.statusCode, 200);
    t.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
    t.equal(res.headers['content-disposition'], `attachment; filename="${KZ2022}-by-region-v7.csv"`);
    t.match(res.headers.etag, /^"results-v7-superseded-csv~[\w-]{16}"$/);
    const rows = csvRows(res.body);
    t.equal(rows.length, 21, 'the country, then 20 regions');
    t.match(rows[0], { areaId: 'kz', areaLevel: 'country', turnoutPercent: '69.43', kind: '' });
    const abai = rows.find((r) => r.areaId === 'kz-abai');
    t.match(abai, { areaIsoCode: 'KZ-10', areaName: 'Abai', areaLevel: 'region', contest: 'president', version: '7' });
    t.ok(Number(abai!.turnoutPercent) > 0);
  });

  t.test('a contest of its own, with per-area figures and every rule', async (t) => {
    const token = await tokenFor(app);
    const auth = bearer(token);
    const db = app.database.primary;
    // Two synthetic districts of Abai, created through the API.
    for (const [id, name] of [
      [undefined, 'District One'],
      ['kz-abai-district-two', 'District Two'],
    ]) {
      const res = await send(
        app,
        'POST',
        '/v1/areas',
        { id, parentId: 'kz-abai', level: 'district', name, sourceId: SOURCE, note: 'synthetic (test)' },
        auth,
      );
      t.equal(res.status, 201, res.body?.detail as string);
      t.equal(res.headers.location, `/v1/areas/${id ?? 'kz-district-one'}`, 'the id given, or made from the name');
    }
    t.match(
      (
        await send(
          app,
          'POST',
          '/v1/areas',
          { parentId: 'kz-abai', level: 'region', name: 'X', sourceId: SOURCE },
          auth,
        )
      ).body,
      { status: 422, errors: [{ name: 'level' }] },
      'a region cannot be within a region',
    );
    const contest = await send(
      app,
      'POST',
      `/v1/elections/${MAZHILIS}/contests`,
      {
        id: 'district-abai',
        name: 'Abai district (synthetic)',
        kind: 'candidate',
        areaId: 'kz-abai',
        seats: 1,
        sourceId: SOURCE,
      },
      auth,
    );
    t.equal(contest.status, 201);
    t.equal(contest.headers.location, `/v1/elections/${MAZHILIS}/contests/district-abai`);
    t.match(contest.body, { id: 'district-abai', main: false, currentResults: null });

    const url = `/v1/elections/${MAZHILIS}/contests/district-abai/results`;
    const valid = {
      status: 'unofficial-partial',
      complete: false,
      sourceId: SOURCE,
      percentBase: 'ballots-cast',
      turnout: { ballotsCast: 100 },
      lines: [
        { kind: 'party', nominatorId: 'amanat', votes: 60, percent: 60 },
        { kind: 'party', nominatorId: 'baytaq', votes: 40, percent: 40 },
      ],
      areas: [
        {
          areaId: 'kz-district-one',
          complete: true,
          turnout: { ballotsCast: 70 },
          lines: [
            { kind: 'party', nominatorId: 'amanat', votes: 40, percent: 57.14 },
            { kind: 'party', nominatorId: 'baytaq', votes: 30, percent: 42.86 },
          ],
        },
        {
          areaId: 'kz-abai-district-two',
          complete: true,
          turnout: { ballotsCast: 30 },
          lines: [
            { kind: 'party', nominatorId: 'amanat', votes: 20, percent: 66.67 },
            { kind: 'party', nominatorId: 'baytaq', votes: 10, percent: 33.33 },
          ],
        },
      ],
    };
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      ['an unknown area', { areas: [{ areaId: 'kz-atlantis' }] }, 'areas.0.areaId', /no area has the id/],
      [
        'an area outside the contest',
        { areas: [{ areaId: 'kz-akmola' }] },
        'areas.0.areaId',
        /not within the contest's area/,
      ],
      ['the contest area itself', { areas: [{ areaId: 'kz-abai' }] }, 'areas.0.areaId', /contest's own area/],
      [
        'an area twice',
        { areas: [{ areaId: 'kz-district-one' }, { areaId: 'kz-district-one' }] },
        'areas.1.areaId',
        /repeats areas.0/,
      ],
      [
        "more ballots than the parent's",
        { areas: [{ areaId: 'kz-district-one', turnout: { ballotsCast: 101 } }] },
        'areas.0.turnout.ballotsCast',
        /more than kz-abai's 100/,
      ],
      [
        "more votes for a line than the parent's",
        { areas: [{ areaId: 'kz-district-one', lines: [{ kind: 'party', nominatorId: 'amanat', votes: 61 }] }] },
        'areas.0.lines.0.votes',
        /more than kz-abai's 60/,
      ],
      [
        'complete children that do not add up',
        { turnout: { ballotsCast: 99 }, lines: [] },
        'turnout.ballotsCast',
        /not the sum of the areas within kz-abai \(100\)/,
      ],
      [
        "a percentage off the area's own base",
        {
          areas: [
            { ...valid.areas[0], lines: [{ ...valid.areas[0]!.lines[0]!, percent: 40 }, valid.areas[0]!.lines[1]!] },
            valid.areas[1],
          ],
        },
        'areas.0.lines.0.percent',
        /disagrees with votes \/ ballots-cast = 57.143/,
      ],
      [
        'a party line without its party',
        { lines: [{ kind: 'party', votes: 60 }] },
        'lines.0.nominatorId',
        /required for a party line/,
      ],
      [
        'a party line with a rank',
        { lines: [{ kind: 'party', nominatorId: 'amanat', rank: 1 }] },
        'lines.0.rank',
        /ranks order candidates/,
      ],
    ];
    for (const [what, change, field, message] of cases) {
      const before = await snapshot(db);
      const res = await send(app, 'POST', url, { ...valid, ...change }, auth);
      t.equal(res.status, 422, `${what}: 422`);
      t.match(
        res.body?.errors?.find((e) => e.name === field),
        { in: 'body', name: field, message },
        `${what}: names ${field}`,
      );
      t.same(await snapshot(db), before, `${what}: nothing written`);
    }

    const before2019 = await snapshot(db);
    const stale = await send(
      app,
      'POST',
      `/v1/elections/${KZ2019}/results`,
      {
        status: 'correction',
        complete: false,
        sourceId: SOURCE,
        percentBase: 'unknown',
        areas: [{ areaId: 'kz-abai', turnout: { turnoutPercent: 50 } }],
      },
      auth,
    );
    t.equal(stale.status, 422);
    t.match(stale.body?.errors, [{ name: 'areas.0.areaId', message: /did not exist on polling day \(2019-06-09\)/ }]);
    t.same(await snapshot(db), before2019, 'a region that did not exist yet: nothing written');

    const created = await send(app, 'POST', url, valid, auth);
    t.equal(created.status, 201, JSON.stringify(created.body?.errors));
    t.equal(created.headers.location, `${url}/versions/1`);
    t.match(created.headers.etag, /^"results-v1~[\w-]{16}"$/);
    t.match(created.body, { version: 1, contest: { id: 'district-abai', main: false }, area: { id: 'kz-abai' } });

    const asIs = await send(
      app,
      'POST',
      url,
      {
        ...valid,
        turnout: { ballotsCast: 99 },
        lines: [],
        areas: valid.areas.map((a, i) => ({ ...a, publishedAsIs: i === 0 })),
      },
      auth,
    );
    t.equal(asIs.status, 201, 'sums that do not match are kept when the source printed them so');

    const districts = await get(app, `${url}/versions/1?level=district`);
    t.same(
      (districts.body as ResultsBody).areas.map((a) => [a.area.id, a.turnout.ballotsCast, a.lines[0]?.votes]),
      [
        ['kz-district-one', 70, 40],
        ['kz-abai-district-two', 30, 20],
      ],
    );
    const one = await get(app, `${url}/versions/1?area=kz-abai-district-two`);
    t.match(one.body, {
      area: { id: 'kz-abai-district-two', level: 'district' },
      complete: true,
      lines: [{ votes: 20 }],
    });

    const shares = await get(
      app,
      `/v1/vote-shares?election=${MAZHILIS}&contest=district-abai&versions=all&area=kz-district-one`,
    );
    t.match((shares.body as { data: unknown[] }).data, [
      { contest: 'district-abai', areaId: 'kz-district-one', areaLevel: 'district', votes: 40, nominatorId: 'amanat' },
      { contest: 'district-abai', areaId: 'kz-district-one', areaLevel: 'district', votes: 30, nominatorId: 'baytaq' },
    ]);
    t.equal((shares.body as { data: unknown[] }).data.length, 4, 'in both versions');
    const party = await get(app, `/v1/vote-shares?party=amanat&contestKind=party-list`);
    t.match((party.body as { data: unknown[] }).data, [{ electionId: MAZHILIS, contest: 'party-list', seats: 40 }]);
    t.equal((await get(app, '/v1/vote-shares?party=no-such-party')).status, 400);
    t.equal((await get(app, '/v1/vote-shares?area=kz-atlantis')).status, 400);

    const missing = await send(app, 'POST', `/v1/elections/${MAZHILIS}/contests/district-99/results`, valid, auth);
    t.equal(missing.status, 404);
    t.match(missing.body, { detail: /no contest 'district-99'/ });
  });
});
