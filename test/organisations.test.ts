import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import type { OpenAPIV3_1 } from 'openapi-types';
import t, { type Test } from 'tap';
import { encodeCursor } from '../src/lib/pagination.js';
import { collectPages, forEachEngine, get } from './helpers/app.js';
import { snapshot } from './helpers/snapshot.js';
import { bearer, send, tokenFor } from './helpers/writes.js';

const table = (body: unknown) => parse<Record<string, string>>(String(body), { columns: true });
const header = (body: unknown) => String(body).split(/\r?\n/)[0] ?? '';

const ORGANISATION_HEADER =
  'id,name,sourceId,sourcePublisher,kind,shortName,abbreviation,colour,colourSourceId,members,memberOf,identifiers';
const RESULT_HEADER =
  'id,electionId,countryCode,date,type,round,contest,contestName,contestKind,contestSeats,areaId,version,status,' +
  'preliminary,current,asOf,kind,candidateId,candidateName,votes,percent,percentBase,rank,outcome,seats,sourceId';
const MAZHILIS = 'kz.parliamentary.2023-03-19';
const FINAL_2023 = 'astana-times-2023-03-27-final-results';
// Every organisation, election and figure a test invents cites this source, which says so.
const SOURCE = 'synthetic-dataset';

interface Result {
  id: number;
  electionId: string;
  contest: string;
  version: number;
  current: boolean;
  preliminary: boolean;
  kind: string;
  votes: number | null;
  percent: number | null;
  seats: number | null;
  outcome: string | null;
}

/** A read's cache headers as every list and item has them, and its revalidation to 304. */
async function checkCaching(t: Test, app: FastifyInstance, url: string, headers: Record<string, string> = {}) {
  const res = await get(app, url, headers);
  t.equal(res.status, 200, url);
  t.equal(res.headers['cache-control'], 'public, max-age=60', `${url}: Cache-Control`);
  t.match(res.headers.vary, /Accept/, `${url}: Vary names Accept (JSON and CSV share the URL)`);
  t.ok(res.headers.etag, `${url}: an ETag`);
  const again = await get(app, url, { ...headers, 'if-none-match': String(res.headers.etag) });
  t.equal(again.status, 304, `${url}: 304 on If-None-Match`);
  t.equal(again.body, '', `${url}: no body with the 304`);
  return res;
}

forEachEngine(t, async (t, app) => {
  const auth = bearer(await tokenFor(app, 'write', 'desk'));
  const synthetic = await send(
    app,
    'POST',
    '/v1/sources',
    {
      id: SOURCE,
      publisher: 'Synthetic data (tests)',
      kind: 'news',
      note: 'Invented by the tests: none of its organisations, elections or figures is real.',
    },
    auth,
  );
  t.equal(synthetic.status, 201, JSON.stringify(synthetic.body));

  t.test('the seeded organisations with their kinds, names and (absent) colours', async (t) => {
    const amanat = await checkCaching(t, app, '/v1/organisations/amanat');
    t.equal(amanat.headers['content-type'], 'application/json; charset=utf-8');
    t.same(amanat.body, {
      id: 'amanat',
      name: 'AMANAT',
      kind: 'party',
      shortName: 'Amanat',
      abbreviation: null,
      colour: null,
      colourSource: null,
      source: {
        id: FINAL_2023,
        publisher: (amanat.body as { source: { publisher: string } }).source.publisher,
        title: (amanat.body as { source: { title: string | null } }).source.title,
        url: (amanat.body as { source: { url: string | null } }).source.url,
      },
      members: [],
      memberOf: [],
      identifiers: [],
    });
    t.match((await get(app, '/v1/organisations/national-social-democratic-party')).body, {
      kind: 'party',
      abbreviation: 'JSDP',
      shortName: null,
    });
    t.match((await get(app, '/v1/organisations/peoples-coalition')).body, { kind: 'alliance', members: [] });
    t.match((await get(app, '/v1/organisations/amanat-commonwealth-of-trade-unions')).body, { kind: null });

    const { items, pages } = await collectPages<Record<string, unknown>>(app, '/v1/organisations?limit=5');
    t.equal(items.length, 16, 'every seeded organisation');
    t.equal(pages, 4);
    for (const item of items)
      t.same(
        Object.keys(item).sort(),
        [
          'abbreviation',
          'colour',
          'colourSource',
          'id',
          'identifiers',
          'kind',
          'memberOf',
          'members',
          'name',
          'shortName',
          'source',
        ],
        `${String(item.id)}: every field`,
      );

    const list = await checkCaching(t, app, '/v1/organisations');
    t.equal(list.headers['content-type'], 'application/json; charset=utf-8');
    const csv = await get(app, '/v1/organisations?format=csv');
    t.equal(csv.status, 200);
    t.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
    t.equal(csv.headers['content-disposition'], 'attachment; filename="organisations.csv"');
    t.match(csv.headers.etag, /^W\/"csv-\d+"$/, 'a CSV export is tagged with the data version');
    t.equal(header(csv.body), ORGANISATION_HEADER);
    t.equal((await get(app, '/v1/organisations', { accept: 'text/csv' })).body, csv.body, 'the same CSV by Accept');
    const rows = table(csv.body);
    t.equal(rows.length, 16);
    t.same(
      rows.find((r) => r.id === 'peoples-party-of-kazakhstan'),
      {
        id: 'peoples-party-of-kazakhstan',
        name: "People's Party of Kazakhstan",
        sourceId: FINAL_2023,
        sourcePublisher: rows.find((r) => r.id === 'amanat')?.sourcePublisher,
        kind: 'party',
        shortName: "People's Party",
        abbreviation: 'QHP',
        colour: '',
        colourSourceId: '',
        members: '',
        memberOf: '',
        identifiers: '',
      },
    );
  });

  t.test('a party with a colour and an alliance with members: round trip in JSON and CSV', async (t) => {
    const party = await send(
      app,
      'POST',
      '/v1/organisations',
      {
        name: 'Green Example Party',
        kind: 'party',
        shortName: 'Greens',
        abbreviation: 'GEP',
        colour: '#2E7D32',
        colourSourceId: SOURCE,
        sourceId: SOURCE,
      },
      auth,
    );
    t.equal(party.status, 201);
    t.equal(party.headers.location, '/v1/organisations/green-example-party');
    t.match(party.body, {
      id: 'green-example-party',
      kind: 'party',
      shortName: 'Greens',
      abbreviation: 'GEP',
      colour: '#2e7d32',
      colourSource: { id: SOURCE, publisher: 'Synthetic data (tests)' },
      source: { id: SOURCE },
      members: [],
      memberOf: [],
    });
    const other = await send(
      app,
      'POST',
      '/v1/organisations',
      { id: 'blue-example-party', name: 'Blue Example Party', kind: 'party', sourceId: SOURCE },
      auth,
    );
    t.equal(other.status, 201);
    t.match(other.body, { colour: null, colourSource: null, shortName: null, abbreviation: null });

    const alliance = await send(
      app,
      'POST',
      '/v1/organisations',
      {
        id: 'example-alliance',
        name: 'Example Alliance',
        kind: 'alliance',
        members: [
          { memberId: 'green-example-party', sourceId: SOURCE },
          { memberId: 'blue-example-party', sourceId: SOURCE },
        ],
        sourceId: SOURCE,
      },
      auth,
    );
    t.equal(alliance.status, 201);
    t.same((alliance.body as { members: unknown }).members, [
      { id: 'blue-example-party', name: 'Blue Example Party', sourceId: SOURCE },
      { id: 'green-example-party', name: 'Green Example Party', sourceId: SOURCE },
    ]);
    t.same((await get(app, '/v1/organisations/example-alliance')).body, alliance.body, 'Location serves it');
    t.match((await get(app, '/v1/organisations/blue-example-party')).body, {
      members: [],
      memberOf: [{ id: 'example-alliance', name: 'Example Alliance', sourceId: SOURCE }],
    });
    t.match((await get(app, '/v1/organisations/amanat')).body, { memberOf: [] }, 'no one else is a member');

    const { items } = await collectPages<{ id: string; memberOf: { id: string }[] }>(app, '/v1/organisations?limit=2');
    t.equal(items.length, 19, 'the new ones in the list');
    t.same(
      items.find((o) => o.id === 'green-example-party')?.memberOf.map((m) => m.id),
      ['example-alliance'],
      'memberships on a list page too',
    );

    const rows = table((await get(app, '/v1/organisations?format=csv')).body);
    t.match(
      rows.find((r) => r.id === 'example-alliance'),
      { kind: 'alliance', members: 'blue-example-party green-example-party', memberOf: '' },
    );
    t.match(
      rows.find((r) => r.id === 'green-example-party'),
      {
        shortName: 'Greens',
        abbreviation: 'GEP',
        colour: '#2e7d32',
        colourSourceId: SOURCE,
        members: '',
        memberOf: 'example-alliance',
      },
    );
  });

  t.test('each rule of colours and members: 422 naming the field, and nothing written', async (t) => {
    const base = { name: 'Rule Breakers', sourceId: SOURCE };
    const member = (memberId: string, sourceId = SOURCE) => ({ memberId, sourceId });
    const invalid: [string, Record<string, unknown>, string[]][] = [
      ['a colour without its source', { colour: '#112233' }, ['colourSourceId']],
      ['a colour source without a colour', { colourSourceId: SOURCE }, ['colourSourceId']],
      ['an unknown colour source', { colour: '#112233', colourSourceId: 'no-such-source' }, ['colourSourceId']],
      ['members of a party', { kind: 'party', members: [member('amanat')] }, ['members']],
      ['members with no kind', { members: [member('amanat')] }, ['members']],
      [
        'an unknown member',
        { kind: 'alliance', members: [member('amanat'), member('nobody')] },
        ['members.1.memberId'],
      ],
      [
        'the alliance as its own member',
        { id: 'selfish', kind: 'alliance', members: [member('selfish')] },
        ['members.0.memberId'],
      ],
      [
        'a member named twice',
        { kind: 'alliance', members: [member('amanat'), member('amanat')] },
        ['members.1.memberId'],
      ],
      [
        'an unknown membership source',
        { kind: 'alliance', members: [member('amanat', 'no-such-source')] },
        ['members.0.sourceId'],
      ],
      [
        'several at once',
        { kind: 'party', colour: '#112233', members: [member('nobody')] },
        ['colourSourceId', 'members', 'members.0.memberId'],
      ],
    ];
    const before = await snapshot(app.database.primary);
    for (const [what, change, fields] of invalid) {
      const res = await send(app, 'POST', '/v1/organisations', { ...base, ...change }, auth);
      t.equal(res.status, 422, what);
      t.match(res.headers['content-type'], 'application/problem+json');
      t.same(
        res.body?.errors?.map((e) => `${e.in}:${e.name}`),
        fields.map((f) => `body:${f}`),
        `${what}: names ${fields.join(', ')} and nothing else`,
      );
    }
    for (const [what, change, field] of <[string, Record<string, unknown>, string][]>[
      ['a colour not #rrggbb', { colour: 'green', colourSourceId: SOURCE }, 'colour'],
      ['a short colour', { colour: '#123', colourSourceId: SOURCE }, 'colour'],
      ['an unknown kind', { kind: 'movement' }, 'kind'],
      ['a member without its source', { kind: 'alliance', members: [{ memberId: 'amanat' }] }, 'members.0.sourceId'],
      ['a malformed member id', { kind: 'alliance', members: [member('Not An Id')] }, 'members.0.memberId'],
    ]) {
      const res = await send(app, 'POST', '/v1/organisations', { ...base, ...change }, auth);
      t.equal(res.status, 400, what);
      t.ok(
        res.body?.errors?.some((e) => e.name === field),
        `${what}: names ${field} (${JSON.stringify(res.body?.errors)})`,
      );
    }
    const missing = await send(app, 'POST', '/v1/organisations', { ...base, sourceId: 'no-such-source' }, auth);
    t.equal(missing.status, 404, 'an unknown sourceId stays a 404');
    t.match(missing.body, { errors: [{ in: 'body', name: 'sourceId' }] });
    t.same(await snapshot(app.database.primary), before, 'no table changed');
  });

  t.test("a party's results across elections: Amanat's 2023 lines with the seeded figures", async (t) => {
    const res = await checkCaching(t, app, '/v1/organisations/amanat/results');
    t.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    const { data, next } = res.body as { data: Result[]; next: string | null };
    t.equal(next, null);
    t.same(
      data.map(({ id: _id, ...row }) => row),
      [
        {
          electionId: MAZHILIS,
          countryCode: 'KZ',
          date: '2023-03-19',
          type: 'parliamentary',
          round: 1,
          contest: 'party-list',
          contestName: 'Party lists (nationwide)',
          contestKind: 'party-list',
          contestSeats: 69,
          areaId: 'kz',
          version: 3,
          status: 'certified',
          preliminary: false,
          current: true,
          asOf: '2023-03-27',
          kind: 'party',
          candidateId: null,
          candidateName: null,
          votes: 3_431_510,
          percent: 53.9,
          percentBase: 'lines-total',
          rank: null,
          outcome: 'elected',
          seats: 40,
          sourceId: FINAL_2023,
        },
        {
          electionId: MAZHILIS,
          countryCode: 'KZ',
          date: '2023-03-19',
          type: 'parliamentary',
          round: 1,
          contest: 'chamber',
          contestName: 'All 98 seats, by party',
          contestKind: 'party-list',
          contestSeats: 98,
          areaId: 'kz',
          version: 1,
          status: 'certified',
          preliminary: false,
          current: true,
          asOf: '2023-03-27',
          kind: 'party',
          candidateId: null,
          candidateName: null,
          votes: null,
          percent: null,
          percentBase: 'unknown',
          rank: null,
          outcome: null,
          seats: 62,
          sourceId: 'electionguide-2023-kazakhstan-mazhilis',
        },
      ],
    );

    const all = await collectPages<Result>(app, '/v1/organisations/amanat/results?versions=all&limit=1');
    t.equal(all.pages, 3, 'paged by the cursor');
    t.same(
      all.items.map((r) => [r.contest, r.version, r.preliminary, r.current, r.votes, r.percent, r.seats]),
      [
        ['party-list', 2, true, false, null, 53.9, null],
        ['party-list', 3, false, true, 3_431_510, 53.9, 40],
        ['chamber', 1, false, true, null, null, 62],
      ],
      'the preliminary percentages too, in the order recorded',
    );
    const kinds = async (q: string) =>
      ((await get(app, `/v1/organisations/amanat/results?${q}`)).body as { data: Result[] }).data.length;
    t.equal(await kinds('contestKind=party-list'), 2);
    t.equal(await kinds('contestKind=candidate'), 0);
    t.equal(await kinds('contestKind=party-list&versions=all'), 3);

    const csv = await get(app, '/v1/organisations/amanat/results?format=csv&versions=all');
    t.equal(csv.status, 200);
    t.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
    t.equal(csv.headers['content-disposition'], 'attachment; filename="amanat-results.csv"');
    t.match(csv.headers.etag, /^W\/"csv-\d+"$/);
    t.equal(
      (
        await get(app, '/v1/organisations/amanat/results?format=csv&versions=all', {
          'if-none-match': csv.headers.etag!,
        })
      ).status,
      304,
    );
    t.equal(
      (await get(app, '/v1/organisations/amanat/results?versions=all&limit=1', { accept: 'text/csv' })).body,
      csv.body,
      'the same CSV by Accept, every row whatever the limit',
    );
    t.equal(header(csv.body), RESULT_HEADER);
    const rows = table(csv.body);
    t.equal(rows.length, 3);
    t.match(rows[1], {
      electionId: MAZHILIS,
      round: '1',
      contest: 'party-list',
      contestKind: 'party-list',
      contestSeats: '69',
      areaId: 'kz',
      version: '3',
      status: 'certified',
      preliminary: 'false',
      current: 'true',
      kind: 'party',
      votes: '3431510',
      percent: '53.9',
      outcome: 'elected',
      seats: '40',
      sourceId: FINAL_2023,
    });
    t.match(rows[0], { version: '2', preliminary: 'true', votes: '', seats: '' });
  });

  t.test('the seats of every party in the 2023 Mazhilis, as seeded from each source', async (t) => {
    // Party lists: the CEC's final result (Astana Times, 27 March 2023); the whole chamber with the
    // 29 districts: IFES ElectionGuide, which gives the NSDP one district seat that another source does not.
    const expected: [string, number, number][] = [
      ['amanat', 40, 62],
      ['auyl-party', 8, 8],
      ['respublica', 6, 6],
      ['ak-zhol', 6, 6],
      ['peoples-party-of-kazakhstan', 5, 5],
      ['national-social-democratic-party', 4, 5],
      ['baytaq', 0, 0],
    ];
    let partyList = 0;
    for (const [party, listSeats, chamberSeats] of expected) {
      const { data } = (await get(app, `/v1/organisations/${party}/results?contestKind=party-list`)).body as {
        data: Result[];
      };
      const seats = (contest: string) => data.filter((r) => r.contest === contest).map((r) => r.seats);
      t.same(seats('party-list'), [listSeats], `${party}: ${listSeats} list seats`);
      t.same(seats('chamber'), chamberSeats ? [chamberSeats] : [], `${party}: ${chamberSeats} seats in the chamber`);
      partyList += listSeats;
    }
    t.equal(partyList, 69, 'the party lists fill their 69 seats');
  });

  t.test("a nominating body's results are its candidates' lines", async (t) => {
    const res = await get(app, '/v1/organisations/peoples-coalition/results');
    t.equal(res.status, 200);
    t.match((res.body as { data: unknown[] }).data, [
      {
        electionId: 'kz.presidential.2022-11-20',
        contest: 'president',
        contestKind: 'candidate',
        contestSeats: 1,
        kind: 'candidate',
        candidateId: 'kassym-jomart-tokayev',
        candidateName: 'Kassym-Jomart Tokayev',
        votes: 6_456_393,
        percent: 81.31,
        outcome: 'elected',
        current: true,
      },
    ]);
    t.equal((res.body as { data: unknown[] }).data.length, 1);
  });

  t.test('404 for an unknown organisation, 400 for a malformed id or query: problem documents', async (t) => {
    for (const url of [
      '/v1/organisations/no-such-party',
      '/v1/organisations/no-such-party/results',
      '/v1/organisations/no-such-party/results?format=csv',
    ]) {
      const res = await get(app, url);
      t.equal(res.status, 404, url);
      t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8', url);
      t.equal(res.headers['cache-control'], 'no-store', `${url}: errors are not cached`);
      t.match(res.body, { status: 404, title: 'Not Found', detail: /no-such-party/, instance: url.split('?')[0] }, url);
    }
    for (const [url, name] of <[string, string][]>[
      ['/v1/organisations/Not_An_Id', 'id'],
      ['/v1/organisations/Not_An_Id/results', 'id'],
      ['/v1/organisations/amanat/results?versions=latest', 'versions'],
      ['/v1/organisations/amanat/results?contestKind=referendum', 'contestKind'],
      ['/v1/organisations/amanat/results?cursor=abc', 'cursor'],
      [`/v1/organisations/amanat/results?cursor=${encodeCursor(['2023-03-19', 'x'])}`, 'cursor'],
      ['/v1/organisations/amanat/results?limit=0', 'limit'],
      ['/v1/organisations/amanat/results?limit=100000', 'limit'],
      ['/v1/organisations/amanat/results?format=xml', 'format'],
      ['/v1/organisations/amanat/results?party=amanat', 'party'],
    ]) {
      const res = await get(app, url);
      t.equal(res.status, 400, url);
      t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8', url);
      t.match(res.body, { status: 400, errors: [{ name }] }, url);
    }
  });

  t.test("a party's results across two rounds: advanced-to-runoff, then elected", async (t) => {
    const first = 'fr.presidential.2022-04-10';
    const runoff = 'fr.presidential.2022-04-24';
    const election = (date: string, more = {}) =>
      send(
        app,
        'POST',
        '/v1/elections',
        { country: 'FR', type: 'presidential', date, sourceId: SOURCE, ...more },
        auth,
      );
    t.equal((await election('2022-04-10')).status, 201);
    t.match((await election('2022-04-24', { previousRoundId: first })).body, { round: 2, previousRoundId: first });

    // Two candidates advance from the first round; one party nominates a candidate in both rounds.
    for (const name of ['Ann Example', 'Ben Example', 'Cat Example'])
      t.equal((await send(app, 'POST', '/v1/candidates', { name, sourceId: SOURCE }, auth)).status, 201);
    const party = { id: 'ann-party', name: 'Ann Party', kind: 'party', sourceId: SOURCE };
    t.equal((await send(app, 'POST', '/v1/organisations', party, auth)).status, 201);
    const line = (candidateId: string, votes: number, percent: number, rank: number, outcome: string) => ({
      candidateId,
      ...(candidateId === 'ann-example' ? { nominatorId: 'ann-party' } : {}),
      votes,
      percent,
      rank,
      outcome,
    });
    const results = (id: string, lines: unknown[]) =>
      send(
        app,
        'POST',
        `/v1/elections/${id}/results`,
        { status: 'certified', complete: true, sourceId: SOURCE, percentBase: 'lines-total', lines },
        auth,
      );
    const round1 = await results(first, [
      line('ann-example', 500, 50, 1, 'advanced-to-runoff'),
      line('ben-example', 300, 30, 2, 'advanced-to-runoff'),
      line('cat-example', 200, 20, 3, 'defeated'),
    ]);
    t.equal(round1.status, 201, JSON.stringify(round1.body));
    t.same(
      (round1.body as { lines: { outcome: string }[] }).lines.map((l) => l.outcome),
      ['advanced-to-runoff', 'advanced-to-runoff', 'defeated'],
    );
    const round2 = await results(runoff, [
      line('ann-example', 600, 60, 1, 'elected'),
      line('ben-example', 400, 40, 2, 'defeated'),
    ]);
    t.equal(round2.status, 201, JSON.stringify(round2.body));

    const res = await get(app, '/v1/organisations/ann-party/results');
    t.same(
      (res.body as { data: Result[] }).data.map((r) => ({ ...r, id: 0 })),
      [first, runoff].map((electionId, i) => ({
        id: 0,
        electionId,
        countryCode: 'FR',
        date: electionId.slice(-10),
        type: 'presidential',
        round: i + 1,
        contest: 'president',
        contestName: 'President',
        contestKind: 'candidate',
        contestSeats: 1,
        areaId: 'fr',
        version: 1,
        status: 'certified',
        preliminary: false,
        current: true,
        asOf: null,
        kind: 'candidate',
        candidateId: 'ann-example',
        candidateName: 'Ann Example',
        votes: [500, 600][i],
        percent: [50, 60][i],
        percentBase: 'lines-total',
        rank: 1,
        outcome: ['advanced-to-runoff', 'elected'][i],
        seats: null,
        sourceId: SOURCE,
      })),
      'one row per round, in polling order',
    );
    const rows = table((await get(app, '/v1/organisations/ann-party/results?format=csv')).body);
    t.same(
      rows.map((r) => [r.electionId, r.round, r.outcome, r.votes]),
      [
        [first, '1', 'advanced-to-runoff', '500'],
        [runoff, '2', 'elected', '600'],
      ],
    );
  });

  t.test("a region's lines are not the party's result: only each contest's own area", async (t) => {
    const id = 'kz.parliamentary.2027-01-10';
    const party = { id: 'region-example-party', name: 'Region Example Party', kind: 'party', sourceId: SOURCE };
    t.equal((await send(app, 'POST', '/v1/organisations', party, auth)).status, 201);
    t.equal(
      (
        await send(
          app,
          'POST',
          '/v1/elections',
          { country: 'KZ', type: 'parliamentary', date: '2027-01-10', sourceId: SOURCE },
          auth,
        )
      ).status,
      201,
    );
    const res = await send(
      app,
      'POST',
      `/v1/elections/${id}/results`,
      {
        status: 'certified',
        complete: false,
        sourceId: SOURCE,
        percentBase: 'lines-total',
        lines: [{ kind: 'party', nominatorId: 'region-example-party', votes: 1000, seats: 3 }],
        areas: [{ areaId: 'kz-abai', lines: [{ kind: 'party', nominatorId: 'region-example-party', votes: 100 }] }],
      },
      auth,
    );
    t.equal(res.status, 201, JSON.stringify(res.body));
    const rows = ((await get(app, '/v1/organisations/region-example-party/results')).body as { data: Result[] }).data;
    t.same(
      rows.map((r) => [r.electionId, r.contest, r.votes, r.seats]),
      [[id, 'party-list', 1000, 3]],
      'the national line only',
    );
    const regional = (await get(app, '/v1/vote-shares?party=region-example-party&area=kz-abai')).body as {
      data: Result[];
    };
    t.same(
      regional.data.map((r) => r.votes),
      [100],
      'the regional line is stored (and served by /v1/vote-shares)',
    );
  });

  t.test('the OpenAPI document: the operations, examples that fit their schemas, responses that match', async (t) => {
    const doc = (await get(app, '/openapi.json')).body as OpenAPIV3_1.Document;
    const op = doc.paths?.['/v1/organisations/{id}/results']?.get;
    t.equal(op?.operationId, 'listOrganisationResults');
    t.same((op?.parameters as OpenAPIV3_1.ParameterObject[]).map((p) => `${p.in}:${p.name}`).sort(), [
      'path:id',
      'query:bom',
      'query:contestKind',
      'query:cursor',
      'query:format',
      'query:limit',
      'query:versions',
    ]);
    const ok = op?.responses?.['200'] as OpenAPIV3_1.ResponseObject;
    t.same(Object.keys(ok.content ?? {}).sort(), ['application/json', 'text/csv'], 'JSON and CSV');
    t.ok((op?.responses?.['404'] as OpenAPIV3_1.ResponseObject).content?.['application/problem+json']);

    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema(doc, 'openapi.json');
    for (const name of [
      'Organisation',
      'OrganisationCreateInput',
      'OrganisationResult',
      'Election',
      'ElectionCreateInput',
    ]) {
      const example = doc.components?.schemas?.[name]?.example;
      t.ok(example, `${name} has an example`);
      const validate = ajv.getSchema(`openapi.json#/components/schemas/${name}`)!;
      t.ok(validate(example), `${name}: the example fits the schema ${JSON.stringify(validate.errors)}`);
    }

    const pointer = (s: string) => s.replaceAll('~', '~0').replaceAll('/', '~1');
    for (const [template, url] of <[string, string][]>[
      ['/v1/organisations', '/v1/organisations?limit=3'],
      ['/v1/organisations/{id}', '/v1/organisations/example-alliance'],
      ['/v1/organisations/{id}', '/v1/organisations/nobody'],
      ['/v1/organisations/{id}/results', '/v1/organisations/amanat/results?versions=all'],
      ['/v1/organisations/{id}/results', '/v1/organisations/peoples-coalition/results'],
      ['/v1/organisations/{id}/results', '/v1/organisations/nobody/results'],
      ['/v1/organisations/{id}/results', '/v1/organisations/amanat/results?limit=0'],
      ['/v1/elections', '/v1/elections?round=2'],
      ['/v1/elections/{id}', '/v1/elections/fr.presidential.2022-04-10'],
    ]) {
      const res = await get(app, url);
      const type = res.type.split(';')[0]!;
      const ref = `openapi.json#/paths/${pointer(template)}/get/responses/${res.status}/content/${pointer(type)}/schema`;
      const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
      t.ok(validate(res.body), `${url} -> ${res.status} ${type} ${JSON.stringify(validate.errors)}`);
    }
  });
});
