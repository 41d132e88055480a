import t from 'tap';
import { collectPages, forEachEngine, get } from './helpers/app.js';
import { rowsOf } from './helpers/sql.js';
import { bearer, send, tokenFor } from './helpers/writes.js';
import { sql } from 'drizzle-orm';
import { parse } from 'csv-parse/sync';

// Editing people, parties, sources and areas (PATCH with If-Match), and merging a person or a party
// recorded twice (the old id answers 301). Every record these tests change they create first,
// except where a test checks what an edit does to the seeded results, and puts them back.
const SOURCE = 'edit-tests';
const KZ2022 = 'kz.presidential.2022-11-20';

forEachEngine(t, async (t, app) => {
  const auth = bearer(await tokenFor(app, 'write'));
  const source = { id: SOURCE, publisher: 'The test suite', note: 'Made up for these tests.', kind: 'news' };
  t.equal((await send(app, 'POST', '/v1/sources', source, auth)).status, 201);
  const count = async (table: string) =>
    Number((await rowsOf<{ n: string }>(app.database.primary, sql.raw(`select count(*) as n from ${table}`)))[0]!.n);
  const tables = ['candidates', 'organisations', 'sources', 'areas', 'names', 'external_ids', 'redirects', 'audit_log'];
  const counts = async () =>
    Object.fromEntries(await Promise.all(tables.map(async (n): Promise<[string, number]> => [n, await count(n)])));

  t.test('PATCH a candidate: 428 without If-Match, 412 when stale, 200 with the tag read', async (t) => {
    const created = await send(app, 'POST', '/v1/candidates', { name: 'Edit Testperson', sourceId: SOURCE }, auth);
    t.equal(created.status, 201);
    const url = '/v1/candidates/edit-testperson';
    const read = await get(app, url);
    const etag = String(read.headers.etag);
    t.match(etag, /^"r1~[A-Za-z0-9_-]+"$/, 'the tag is the revision and a digest of the body');
    t.equal((await get(app, url, { 'if-none-match': etag })).status, 304);

    const before = await counts();
    const without = await send(app, 'PATCH', url, { note: 'x' }, auth);
    t.equal(without.status, 428);
    t.equal(without.headers['content-type'], 'application/problem+json; charset=utf-8');
    t.match(without.body, { detail: /If-Match/ });
    const stale = await send(app, 'PATCH', url, { note: 'x' }, { ...auth, 'if-match': '"r0~abc"' });
    t.equal(stale.status, 412);
    const weak = await send(app, 'PATCH', url, { note: 'x' }, { ...auth, 'if-match': `W/${etag}` });
    t.equal(weak.status, 412, 'a weak tag never admits a write');
    const empty = await send(app, 'PATCH', url, {}, { ...auth, 'if-match': etag });
    t.equal(empty.status, 400);
    const badSource = await send(app, 'PATCH', url, { sourceId: 'no-such-source' }, { ...auth, 'if-match': etag });
    t.equal(badSource.status, 404);
    t.match(badSource.body, { errors: [{ in: 'body', name: 'sourceId' }] });
    const readOnly = bearer(await tokenFor(app, 'read'));
    t.equal((await send(app, 'PATCH', url, { note: 'x' }, { ...readOnly, 'if-match': etag })).status, 403);
    t.same(await counts(), before, 'nothing written by any refused PATCH, in any table');
    t.same((await get(app, url)).body, read.body);

    const changed = await send(
      app,
      'PATCH',
      url,
      { name: 'Edit Test-Person', note: 'Renamed.' },
      { ...auth, 'if-match': `${etag.slice(0, -1)}-br"` },
    );
    t.equal(changed.status, 200, 'the tag of a compressed read admits the write');
    t.match(changed.body, { id: 'edit-testperson', name: 'Edit Test-Person', note: 'Renamed.', voteShares: [] });
    t.match(changed.headers.etag, /^"r2~/);
    const after = await get(app, url);
    t.equal(after.headers.etag, changed.headers.etag, 'a read of the same record has the same tag');
    t.equal((await get(app, url, { 'if-none-match': etag })).status, 200, 'the old tag no longer revalidates');
    t.equal((await send(app, 'PATCH', url, { note: 'y' }, { ...auth, 'if-match': etag })).status, 412);
    t.equal((await send(app, 'PATCH', url, { note: 'y' }, { ...auth, 'if-match': '"r2"' })).status, 200);

    const audit = await rowsOf<{ action: string; resource_type: string; resource_id: string }>(
      app.database.primary,
      sql`select action, resource_type, resource_id from audit_log where resource_id = 'edit-testperson' order by id`,
    );
    t.same(
      audit.map((a) => a.action),
      ['create', 'update', 'update'],
    );
    // The old name stays searchable; the new one is the name shown.
    const search = async (q: string) =>
      ((await get(app, `/v1/search?q=${encodeURIComponent(q)}&kind=person`)).body as { data: { id: string }[] }).data;
    t.equal((await search('Edit Testperson'))[0]?.id, 'edit-testperson');
    t.equal((await search('edit test-person'))[0]?.id, 'edit-testperson');
  });

  t.test('a renamed candidate changes the results ETag: no stale 304', async (t) => {
    const url = `/v1/elections/${KZ2022}/results`;
    const first = await get(app, url);
    const etag = String(first.headers.etag);
    t.match(etag, /^"results-v\d+~/);
    t.equal((await get(app, url, { 'if-none-match': etag })).status, 304);
    const csv = await get(app, `${url}?format=csv`);
    const person = '/v1/candidates/zhiguli-dairabayev';
    const tag = String((await get(app, person)).headers.etag);
    const renamed = await send(app, 'PATCH', person, { name: 'Zhiguli Dairabaev' }, { ...auth, 'if-match': tag });
    t.equal(renamed.status, 200);
    const again = await get(app, url, { 'if-none-match': etag });
    t.equal(again.status, 200, 'the body changed, so the old tag does not match');
    t.not(again.headers.etag, etag);
    t.match(JSON.stringify(again.body), /Zhiguli Dairabaev"/);
    const csvAgain = await get(app, `${url}?format=csv`, { 'if-none-match': String(csv.headers.etag) });
    t.equal(csvAgain.status, 200);
    t.match(String(csvAgain.body), /Zhiguli Dairabaev/);
    // Publishing still takes the tag of the current version, digest or not.
    const back = await send(app, 'PATCH', person, { name: 'Zhiguli Dairabayev' }, { ...auth, 'if-match': '"r2"' });
    t.equal(back.status, 200);
    t.equal((await get(app, url)).headers.etag, etag, 'the same body has the same tag again');
  });

  t.test('merging a person recorded twice: 301 from the old id, one record everywhere', async (t) => {
    // A duplicate of a seeded candidate, with a line of their own in a scratch election.
    t.equal(
      (await send(app, 'POST', '/v1/candidates', { id: 'k-tokayev', name: 'K. Tokayev', sourceId: SOURCE }, auth))
        .status,
      201,
    );
    const election = 'kz.local.2098-03-01';
    t.equal(
      (
        await send(
          app,
          'POST',
          '/v1/elections',
          { country: 'KZ', type: 'local', date: '2098-03-01', sourceId: SOURCE },
          auth,
        )
      ).status,
      201,
    );
    const published = await send(
      app,
      'POST',
      `/v1/elections/${election}/results`,
      {
        status: 'unofficial-partial',
        asOf: '2098-03-02',
        complete: false,
        percentBase: 'lines-total',
        sourceId: SOURCE,
        lines: [{ candidateId: 'k-tokayev', votes: 100, percent: 100, rank: 1 }],
      },
      auth,
    );
    t.equal(published.status, 201, JSON.stringify(published.body));

    const clash = await send(
      app,
      'POST',
      '/v1/candidates/zhiguli-dairabayev/merge',
      { into: 'kassym-jomart-tokayev' },
      auth,
    );
    t.equal(clash.status, 409, 'two people standing in one result are not one person');
    t.match(clash.body, { detail: /side by side/ });
    t.equal((await send(app, 'POST', '/v1/candidates/k-tokayev/merge', { into: 'k-tokayev' }, auth)).status, 422);
    const missing = await send(app, 'POST', '/v1/candidates/k-tokayev/merge', { into: 'nobody-at-all' }, auth);
    t.equal(missing.status, 404);
    t.match(missing.body, { errors: [{ in: 'body', name: 'into' }] });

    const merged = await send(app, 'POST', '/v1/candidates/k-tokayev/merge', { into: 'kassym-jomart-tokayev' }, auth);
    t.equal(merged.status, 200);
    t.same(merged.body, {
      id: 'kassym-jomart-tokayev',
      mergedFrom: 'k-tokayev',
      location: '/v1/candidates/kassym-jomart-tokayev',
    });
    t.equal(merged.headers.location, '/v1/candidates/kassym-jomart-tokayev');

    const old = await get(app, '/v1/candidates/k-tokayev?limit=5&lang=kk');
    t.equal(old.status, 301);
    t.equal(old.headers.location, '/v1/candidates/kassym-jomart-tokayev?limit=5&lang=kk', 'the query is kept');
    t.match(old.headers['cache-control'], /max-age/);
    const followed = await get(app, String(old.headers.location));
    t.equal(followed.status, 200);

    // The line now names the person kept; the results, the list and the search show one record.
    const results = (await get(app, `/v1/elections/${election}/results`)).body as {
      lines: { candidate: { id: string; name: string } }[];
    };
    t.same(
      results.lines.map((l) => l.candidate.id),
      ['kassym-jomart-tokayev'],
    );
    const list = await collectPages<{ id: string }>(app, '/v1/candidates?limit=100');
    t.notOk(
      list.items.some((c) => c.id === 'k-tokayev'),
      'the merged-away id is not listed',
    );
    const hits = (await get(app, '/v1/search?q=K.%20Tokayev&kind=person')).body as { data: { id: string }[] };
    t.equal(hits.data.filter((h) => h.id === 'kassym-jomart-tokayev').length, 1);
    t.notOk(hits.data.some((h) => h.id === 'k-tokayev'));
    const shares = (await get(app, '/v1/vote-shares?candidate=kassym-jomart-tokayev&limit=100')).body as {
      data: { electionId: string }[];
    };
    t.ok(
      shares.data.some((s) => s.electionId === election),
      "the duplicate's line is in the kept person's vote shares",
    );
    const again = await send(app, 'POST', '/v1/candidates/k-tokayev/merge', { into: 'kassym-jomart-tokayev' }, auth);
    t.equal(again.status, 404);
    t.match(again.body, { detail: /merged into kassym-jomart-tokayev/ });
    const patch = await send(app, 'PATCH', '/v1/candidates/k-tokayev', { note: 'x' }, { ...auth, 'if-match': '*' });
    t.equal(patch.status, 404);
    t.match(patch.body, { detail: /edit \/v1\/candidates\/kassym-jomart-tokayev/ });
  });

  t.test('PATCH an organisation: the rules of a create hold; a merge answers 301 on every path', async (t) => {
    const make = async (id: string, name: string) =>
      (await send(app, 'POST', '/v1/organisations', { id, name, kind: 'party', sourceId: SOURCE }, auth)).status;
    t.equal(await make('edit-party', 'Edit Party'), 201);
    t.equal(await make('edit-party-dup', 'The Edit Party'), 201);
    const url = '/v1/organisations/edit-party';
    const etag = String((await get(app, url)).headers.etag);
    t.match(etag, /^"r1~/);
    const before = await counts();
    const lonely = await send(app, 'PATCH', url, { colour: '#123456' }, { ...auth, 'if-match': etag });
    t.equal(lonely.status, 422, 'a colour needs its source');
    t.match(lonely.body, { errors: [{ in: 'body', name: 'colourSourceId' }] });
    t.same(await counts(), before, 'nothing written');
    const coloured = await send(
      app,
      'PATCH',
      url,
      { colour: '#ABCDEF', colourSourceId: SOURCE, shortName: 'EditP' },
      { ...auth, 'if-match': etag },
    );
    t.equal(coloured.status, 200);
    t.match(coloured.body, { colour: '#abcdef', colourSource: { id: SOURCE }, shortName: 'EditP', name: 'Edit Party' });
    t.match(coloured.headers.etag, /^"r2~/);
    const hit = (await get(app, '/v1/search?q=EditP&kind=party')).body as { data: { id: string }[] };
    t.equal(hit.data[0]?.id, 'edit-party', 'the new short name is searchable');

    const merged = await send(app, 'POST', '/v1/organisations/edit-party-dup/merge', { into: 'edit-party' }, auth);
    t.equal(merged.status, 200);
    for (const path of ['', '/results?limit=5']) {
      const old = await get(app, `/v1/organisations/edit-party-dup${path}`);
      t.equal(old.status, 301);
      t.equal(old.headers.location, `/v1/organisations/edit-party${path}`);
    }
    const hits = (await get(app, '/v1/search?q=the%20edit%20party&kind=party')).body as { data: { id: string }[] };
    const ids = hits.data.map((h) => h.id);
    t.equal(ids[0], 'edit-party', 'found first by the merged-away name too');
    t.notOk(ids.includes('edit-party-dup'), 'the merged-away record is not listed');
    const alliance = await send(
      app,
      'POST',
      '/v1/organisations',
      {
        id: 'edit-alliance',
        name: 'Edit Alliance',
        kind: 'alliance',
        members: [{ memberId: 'edit-party', sourceId: SOURCE }],
        sourceId: SOURCE,
      },
      auth,
    );
    t.equal(alliance.status, 201);
    const tag = String((await get(app, '/v1/organisations/edit-alliance')).headers.etag);
    const unally = await send(
      app,
      'PATCH',
      '/v1/organisations/edit-alliance',
      { kind: 'party' },
      { ...auth, 'if-match': tag },
    );
    t.equal(unally.status, 422);
    t.match(unally.body, { errors: [{ name: 'kind' }] });
    const nested = await send(app, 'POST', '/v1/organisations/edit-party/merge', { into: 'edit-alliance' }, auth);
    t.equal(nested.status, 409);
  });

  t.test('PATCH a source: its terms and credit line, shown wherever it is cited', async (t) => {
    const url = '/v1/sources/kazinform-2022-cec-final-results';
    const results = `/v1/elections/${KZ2022}/results`;
    const before = await get(app, results);
    const read = await get(app, url);
    t.match(read.body, { terms: null, termsUrl: null, attribution: null });
    const etag = String(read.headers.etag);
    const bad = await send(app, 'PATCH', url, { termsUrl: 'ftp://example.org' }, { ...auth, 'if-match': etag });
    t.equal(bad.status, 400);
    t.match(bad.body, { errors: [{ in: 'body', name: 'termsUrl' }] });
    // The certified version draws on two more sources, which state no credit line: their publishers.
    const others = '; The Astana Times; Baribar';
    t.match(before.body, { attribution: `Kazinform${others}`, sources: [{ attribution: null, terms: null }] });
    const edit = { attribution: 'Kazinform (kazinform.kz)', terms: 'Facts; link to the source' };
    const patched = await send(app, 'PATCH', url, edit, { ...auth, 'if-match': etag });
    t.equal(patched.status, 200);
    t.match(patched.body, { ...edit, publisher: 'Kazinform' });
    const after = await get(app, results, { 'if-none-match': String(before.headers.etag) });
    t.equal(after.status, 200, 'the results citing it have a new tag');
    const credit = `${edit.attribution}${others}`;
    t.match(after.body, { attribution: credit, sources: [{ id: url.split('/').pop(), ...edit }] });
    const csv = await get(app, `${results}?format=csv`);
    const rows: Record<string, string>[] = parse(String(csv.body), { columns: true });
    t.ok(rows.length > 0 && rows.every((r) => r.attribution === credit), 'every CSV row has the credit line');
    const chart = String((await get(app, `${results}/chart.svg`)).body);
    const notes = [...chart.matchAll(/<text class="note"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]).join(' ');
    t.match(notes, `Credit: ${credit}. Terms: ${edit.terms}.`, 'the chart prints the credit line and the terms');
    const undo = await send(app, 'PATCH', url, { attribution: null, terms: null }, { ...auth, 'if-match': '"r2"' });
    t.equal(undo.status, 200);
    t.equal((await get(app, results)).headers.etag, before.headers.etag);
  });

  t.test('PATCH an area: codes checked, the hierarchy and countries left alone', async (t) => {
    const url = '/v1/areas/kz-abai';
    const etag = String((await get(app, url)).headers.etag);
    t.match(etag, /^"r1~/);
    const before = await counts();
    const foreign = await send(app, 'PATCH', url, { isoCode: 'RU-MOW' }, { ...auth, 'if-match': etag });
    t.equal(foreign.status, 422);
    const taken = await send(app, 'PATCH', url, { isoCode: 'KZ-11' }, { ...auth, 'if-match': etag });
    t.equal(taken.status, 409, 'an ISO code another area holds');
    const dates = await send(app, 'PATCH', url, { validTo: '2000-01-01' }, { ...auth, 'if-match': etag });
    t.equal(dates.status, 422);
    t.match(dates.body, { errors: [{ name: 'validTo' }] });
    const parent = await send(app, 'PATCH', url, { parentId: 'kz' }, { ...auth, 'if-match': etag });
    t.equal(parent.status, 400, 'the parent is not editable');
    const country = await send(app, 'PATCH', '/v1/areas/kz', { note: 'x' }, { ...auth, 'if-match': '*' });
    t.equal(country.status, 422);
    t.same(await counts(), before, 'nothing written');
    const noted = await send(app, 'PATCH', url, { authorityCode: '10' }, { ...auth, 'if-match': etag });
    t.equal(noted.status, 200);
    t.match(noted.body, { id: 'kz-abai', authorityCode: '10' });
  });

  t.test('lines stay append-only: the engine admits a new candidate only along a redirect', async (t) => {
    const db = app.database.primary;
    const refusal = (statement: ReturnType<typeof sql>) =>
      db.execute(statement).then(
        () => 'written',
        (err: Error & { cause?: Error }) => err.cause?.message ?? err.message,
      );
    t.match(
      await refusal(
        sql`update vote_shares set candidate_id = 'zhiguli-dairabayev' where candidate_id = 'karakat-abden'`,
      ),
      /append-only/,
    );
    t.match(
      await refusal(sql`update vote_shares set votes = votes + 1 where candidate_id = 'karakat-abden'`),
      /append-only/,
    );
    t.match(await refusal(sql`delete from vote_shares where candidate_id = 'karakat-abden'`), /append-only/);
  });
});
