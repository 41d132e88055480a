import { sql } from 'drizzle-orm';
import t from 'tap';
import { deleteExpiredKeys } from '../src/db/idempotency-keys.js';
import { forEachEngine, get } from './helpers/app.js';
import { snapshot } from './helpers/snapshot.js';
import { answerTo, rowsOf } from './helpers/sql.js';
import { bearer, certified2022, send, tokenFor } from './helpers/writes.js';

const KZ2022 = 'kz.presidential.2022-11-20';

forEachEngine(t, async (t, app) => {
  const token = await tokenFor(app, 'write', 'desk');
  const auth = bearer(token);

  t.test(
    'sources, organisations and candidates: 201 with Location; 409 on a taken id; 404 on a missing reference',
    async (t) => {
      const source = await send(
        app,
        'POST',
        '/v1/sources',
        {
          publisher: 'Central Election Commission',
          title: 'Protocol No. 1',
          url: 'https://example.org/protocol-1',
          published: '2022-11-22',
          kind: 'official',
          language: 'ru',
        },
        auth,
      );
      t.equal(source.status, 201);
      t.equal(source.headers.location, '/v1/sources/central-election-commission-protocol-no-1');
      t.match(source.body, { id: 'central-election-commission-protocol-no-1', kind: 'official', note: null });
      t.same((await get(app, source.headers.location as string)).body, source.body, 'Location serves what was created');
      t.equal(
        (await send(app, 'POST', '/v1/sources', { id: 'tass-2019-final-results', publisher: 'X', kind: 'news' }, auth))
          .status,
        409,
      );

      const org = await send(
        app,
        'POST',
        '/v1/organisations',
        { name: 'Respublica Party', sourceId: 'central-election-commission-protocol-no-1' },
        auth,
      );
      t.equal(org.status, 201);
      t.match(org.body, {
        id: 'respublica-party',
        name: 'Respublica Party',
        source: { id: 'central-election-commission-protocol-no-1' },
      });
      t.equal((await get(app, '/v1/organisations/respublica-party')).status, 200);
      const missing = await send(
        app,
        'POST',
        '/v1/organisations',
        { name: 'Ghost Party', sourceId: 'no-such-source' },
        auth,
      );
      t.equal(missing.status, 404);
      t.match(missing.body, { errors: [{ in: 'body', name: 'sourceId' }] });

      const person = await send(
        app,
        'POST',
        '/v1/candidates',
        { name: 'Ayşe Ünal-Çelik', sourceId: 'central-election-commission-protocol-no-1' },
        auth,
      );
      t.equal(person.status, 201);
      t.equal(person.headers.location, '/v1/candidates/ayse-unal-celik', 'the id is a slug of the name');
      t.match(person.body, { name: 'Ayşe Ünal-Çelik', voteShares: [] });
      t.same(
        (await get(app, '/v1/candidates?q=unal')).body,
        {
          data: [
            {
              id: 'ayse-unal-celik',
              name: 'Ayşe Ünal-Çelik',
              note: null,
              source: (person.body as { source: unknown }).source,
              identifiers: [],
            },
          ],
          next: null,
        },
        'and searchable',
      );
      t.equal(
        (
          await send(
            app,
            'POST',
            '/v1/candidates',
            { name: 'Kassym-Jomart Tokayev', sourceId: 'tass-2019-final-results' },
            auth,
          )
        ).status,
        409,
      );

      const bad = await send(
        app,
        'POST',
        '/v1/candidates',
        { name: 'X', sourceId: 'tass-2019-final-results', party: 'Y' },
        auth,
      );
      t.equal(bad.status, 400, 'unknown body fields are rejected');
      t.match(bad.body, { errors: [{ in: 'body', name: 'party' }] });
    },
  );

  t.test('elections: create, then PATCH guarded by If-Match', async (t) => {
    const created = await send(
      app,
      'POST',
      '/v1/elections',
      { country: 'kaz', type: 'parliamentary', date: '2027-03-21', snap: true, sourceId: 'tass-2019-final-results' },
      auth,
    );
    t.equal(created.status, 201);
    t.equal(created.headers.location, '/v1/elections/kz.parliamentary.2027-03-21');
    t.match(created.body, {
      id: 'kz.parliamentary.2027-03-21',
      country: { code: 'KZ' },
      snap: true,
      round: 1,
      currentResults: null,
    });
    const etag = created.headers.etag as string;
    t.ok(etag);
    t.equal(
      (
        await send(
          app,
          'POST',
          '/v1/elections',
          { country: 'KZ', type: 'parliamentary', date: '2027-03-21', sourceId: 'tass-2019-final-results' },
          auth,
        )
      ).status,
      409,
    );
    t.equal(
      (
        await send(
          app,
          'POST',
          '/v1/elections',
          {
            country: 'KZ',
            type: 'presidential',
            date: '2024-01-01',
            sourceId: 'tass-2019-final-results',
            previousRoundId: 'kz.presidential.2023-12-01',
          },
          auth,
        )
      ).status,
      404,
    );
    t.equal(
      (
        await send(
          app,
          'POST',
          '/v1/elections',
          { country: 'QQ', type: 'presidential', date: '2024-01-01', sourceId: 'x' },
          auth,
        )
      ).status,
      400,
    );

    const url = '/v1/elections/kz.parliamentary.2027-03-21';
    const noPrecondition = await send(app, 'PATCH', url, { note: 'x' }, auth);
    t.equal(noPrecondition.status, 428);
    const read = await get(app, url);
    t.equal(read.headers.etag, etag, 'GET serves the same ETag');
    const patched = await send(
      app,
      'PATCH',
      url,
      { candidateCount: 12, note: 'Early elections to the Mazhilis.' },
      { ...auth, 'if-match': etag },
    );
    t.equal(patched.status, 200);
    t.match(patched.body, { candidateCount: 12, note: 'Early elections to the Mazhilis.', snap: true });
    t.not(patched.headers.etag, etag, 'a new ETag');
    const stale = await send(app, 'PATCH', url, { note: 'stale edit' }, { ...auth, 'if-match': etag });
    t.equal(stale.status, 412);
    t.match((await get(app, url)).body, { note: 'Early elections to the Mazhilis.' }, 'the stale edit wrote nothing');
    t.equal(
      (await send(app, 'PATCH', url, {}, { ...auth, 'if-match': patched.headers.etag as string })).status,
      400,
      'an empty PATCH is a 400',
    );
    t.equal(
      (await send(app, 'PATCH', url, { date: '2027-03-22' }, { ...auth, 'if-match': patched.headers.etag as string }))
        .status,
      400,
      'the date is part of the id',
    );
    t.equal(
      (
        await send(
          app,
          'PATCH',
          '/v1/elections/kz.parliamentary.2099-01-01',
          { note: 'x' },
          { ...auth, 'if-match': '*' },
        )
      ).status,
      404,
    );
  });

  t.test('publishing a version appends it; older versions are untouched', async (t) => {
    const before = await get(app, `/v1/elections/${KZ2022}/results/versions/10`);
    const res = await send(
      app,
      'POST',
      `/v1/elections/${KZ2022}/results`,
      { ...certified2022, status: 'correction', note: 'Re-entered by the desk.' },
      auth,
    );
    t.equal(res.status, 201);
    t.equal(res.headers.location, `/v1/elections/${KZ2022}/results/versions/11`);
    t.match(res.headers.etag, /^"results-v11~[\w-]{16}"$/, 'the version and a digest of the body');
    t.match(res.body, { version: 11, status: 'correction', current: true, derived: { linesTotal: 7_940_478 } });
    const current = await get(app, `/v1/elections/${KZ2022}/results`);
    t.match(current.body, { version: 11 }, 'the new version is current');
    const after = await get(app, `/v1/elections/${KZ2022}/results/versions/10`);
    t.same(
      { ...(after.body as object), current: false },
      { ...(before.body as object), current: false },
      'version 10 is unchanged',
    );
    t.equal((after.body as { current: boolean }).current, false);
    t.match(
      await answerTo(app.database.primary, sql`update result_versions set status = 'certified' where number = 1`),
      /result_versions is append-only: UPDATE refused/,
      'the database refuses to rewrite a version',
    );
  });
});

// [what is wrong, body change, the field the 422 names]
const invalid: [string, (b: typeof certified2022) => unknown, string][] = [
  [
    'a percentage above 100',
    (b) => ({ ...b, complete: false, percentBase: 'unknown', lines: [{ ...b.lines[0], percent: 101 }] }),
    'lines.0.percent',
  ],
  [
    'a negative percentage',
    (b) => ({ ...b, complete: false, percentBase: 'unknown', lines: [{ ...b.lines[0], percent: -1 }] }),
    'lines.0.percent',
  ],
  [
    'negative votes',
    (b) => ({ ...b, lines: b.lines.map((l, i) => (i === 2 ? { ...l, votes: -5 } : l)) }),
    'lines.2.votes',
  ],
  [
    'percentages of a complete version summing to 99.8',
    (b) => ({ ...b, percentBase: 'unknown', lines: b.lines.map((l, i) => (i === 0 ? { ...l, percent: 81.11 } : l)) }),
    'lines',
  ],
  [
    'votes summing past the ballots cast',
    (b) => ({ ...b, turnout: { ...b.turnout, ballotsCast: 7_000_000 } }),
    'lines',
  ],
  [
    'a misprinted percentage (Kazhyken 300,907 votes)',
    (b) => ({ ...b, complete: false, percentBase: 'ballots-cast', lines: [{ ...b.lines[4], votes: 300_907 }] }),
    'lines.0.percent',
  ],
  [
    'an unknown candidate',
    (b) => ({ ...b, lines: b.lines.map((l, i) => (i === 3 ? { ...l, candidateId: 'nobody-known' } : l)) }),
    'lines.3.candidateId',
  ],
  [
    'an unknown nominator',
    (b) => ({ ...b, lines: b.lines.map((l, i) => (i === 0 ? { ...l, nominatorId: 'no-party' } : l)) }),
    'lines.0.nominatorId',
  ],
  ['an unknown source', (b) => ({ ...b, sourceId: 'no-such-source' }), 'sourceId'],
  [
    'a candidate line without a candidate',
    (b) => ({ ...b, lines: b.lines.map((l, i) => (i === 5 ? { ...l, candidateId: null } : l)) }),
    'lines.5.candidateId',
  ],
  [
    'a labelled line without a label',
    (b) => ({ ...b, lines: b.lines.map((l, i) => (i === 1 ? { ...l, label: null } : l)) }),
    'lines.1.label',
  ],
  [
    'a candidate listed twice',
    (b) => ({
      ...b,
      complete: false,
      percentBase: 'unknown',
      turnout: {},
      lines: [b.lines[0], b.lines[2], b.lines[0]],
    }),
    'lines.2',
  ],
  ['an unofficial version after a certified one', (b) => ({ ...b, status: 'unofficial-complete' }), 'status'],
  ['a turnout over 100%', (b) => ({ ...b, turnout: { ...b.turnout, turnoutPercent: 140 } }), 'turnout.turnoutPercent'],
  [
    'more ballots than voters',
    (b) => ({ ...b, turnout: { ...b.turnout, registeredVoters: 100 } }),
    'turnout.ballotsCast',
  ],
  [
    'an against-all line with a rank',
    (b) => ({ ...b, lines: b.lines.map((l, i) => (i === 1 ? { ...l, rank: 2 } : l)) }),
    'lines.1.rank',
  ],
  ['a second certified version', (b) => ({ ...b, status: 'certified' }), 'status'],
];

forEachEngine(t, async (t, app) => {
  const auth = bearer(await tokenFor(app, 'write'));
  const url = `/v1/elections/${KZ2022}/results`;

  t.test('each rule: 422 naming the offending field, and nothing written', async (t) => {
    const before = await snapshot(app.database.primary);
    for (const [what, change, field] of invalid) {
      const res = await send(app, 'POST', url, change({ ...certified2022, status: 'correction' }), auth);
      t.equal(res.status, 422, what);
      t.match(res.headers['content-type'], 'application/problem+json');
      t.ok(
        res.body?.errors?.some((e) => e.name === field),
        `${what}: names ${field}`,
      );
      t.equal(res.body?.errors?.length, 1, `${what}: and nothing else (${JSON.stringify(res.body?.errors)})`);
    }
    t.same(await snapshot(app.database.primary), before, 'no table changed');
  });

  t.test('a misprint kept on purpose is accepted when flagged as published as-is', async (t) => {
    const body = {
      ...certified2022,
      status: 'correction',
      complete: false,
      percentBase: 'lines-total',
      lines: [{ ...certified2022.lines[0], percent: 81.9, publishedAsIs: true }],
    };
    const res = await send(app, 'POST', url, { ...body, percentBase: 'ballots-cast' }, auth);
    t.equal(res.status, 201);
    t.match(res.body, { lines: [{ percent: 81.9, publishedAsIs: true }] });
  });

  t.test('a recount may follow a certified version, and a certified one may follow a recount', async (t) => {
    t.equal((await send(app, 'POST', url, { ...certified2022, status: 'recount' }, auth)).status, 201);
    t.equal((await send(app, 'POST', url, { ...certified2022, status: 'certified' }, auth)).status, 201);
  });
});

forEachEngine(t, async (t, app) => {
  const auth = bearer(await tokenFor(app, 'write'));
  const url = `/v1/elections/${KZ2022}/results`;

  t.test('Idempotency-Key: a retry returns the first response and creates nothing', async (t) => {
    const headers = { ...auth, 'idempotency-key': 'publish-2022-correction-7' };
    const body = { ...certified2022, status: 'correction', note: 'idempotent' };
    const first = await send(app, 'POST', url, body, headers);
    t.equal(first.status, 201);
    const before = await snapshot(app.database.primary);
    const retry = await send(app, 'POST', url, body, headers);
    t.equal(retry.status, 201);
    t.equal(retry.headers['idempotent-replayed'], 'true');
    t.equal(retry.headers.location, first.headers.location);
    t.equal(retry.headers.etag, first.headers.etag, 'the same ETag: If-Match with it still works');
    t.equal(retry.headers['content-type'], 'application/json; charset=utf-8');
    t.same(retry.body, first.body);
    t.same(await snapshot(app.database.primary), before, 'nothing new was written');
    const reused = await send(app, 'POST', url, { ...body, note: 'different' }, headers);
    t.equal(reused.status, 422);
    t.match(reused.body, { errors: [{ in: 'header', name: 'Idempotency-Key' }] });

    t.equal(
      (
        await send(
          app,
          'POST',
          '/v1/sources',
          { publisher: 'Long Keys Weekly', kind: 'news' },
          { ...auth, 'idempotency-key': 'x'.repeat(256) },
        )
      ).status,
      400,
    );
  });

  t.test('a replayed election create carries its ETag: a PATCH with it succeeds', async (t) => {
    const headers = { ...auth, 'idempotency-key': 'create-local-2099' };
    const body = {
      country: 'KZ',
      type: 'local',
      date: '2099-05-05',
      sourceId: 'nikkei-asia-2022-11-22-kazakhstan-tilting-to-china',
    };
    const first = await send(app, 'POST', '/v1/elections', body, headers);
    t.equal(first.status, 201);
    t.match(first.headers.etag, /^"r1\.v0~[\w-]{16}"$/);
    const retry = await send(app, 'POST', '/v1/elections', body, headers);
    t.equal(retry.headers['idempotent-replayed'], 'true');
    t.equal(retry.headers.etag, first.headers.etag, 'the replay carries the same tag');
    t.equal(retry.headers.location, '/v1/elections/kz.local.2099-05-05');
    const patched = await send(
      app,
      'PATCH',
      '/v1/elections/kz.local.2099-05-05',
      { note: 'after a retry' },
      {
        ...auth,
        'if-match': String(retry.headers.etag),
      },
    );
    t.equal(patched.status, 200);
  });

  t.test('Idempotency-Keys belong to one API key, and expire', async (t) => {
    const other = bearer(await tokenFor(app, 'write', 'other-desk'));
    const body = { publisher: 'Scoped Herald', kind: 'news' };
    const key = { 'idempotency-key': 'scoped-1' };
    t.equal((await send(app, 'POST', '/v1/sources', body, { ...auth, ...key })).status, 201);
    const elsewhere = await send(app, 'POST', '/v1/sources', body, { ...other, ...key });
    t.equal(elsewhere.status, 409, "another key's request with the same Idempotency-Key runs for real");
    t.notOk(elsewhere.headers['idempotent-replayed']);
    t.equal((await send(app, 'POST', '/v1/sources', body, { ...auth, ...key })).headers['idempotent-replayed'], 'true');

    // A day later (the default time to live is 24 hours) the key is free again.
    await app.database.primary.execute(
      sql`update idempotency_keys set created_at = now() - interval '25 hours' where key = 'scoped-1'`,
    );
    const later = await send(app, 'POST', '/v1/sources', body, { ...auth, ...key });
    t.equal(later.status, 409, 'an expired key is not replayed: the request runs again');
    t.notOk(later.headers['idempotent-replayed']);

    await app.database.primary.execute(
      sql`update idempotency_keys set created_at = now() - interval '25 hours' where key = 'scoped-1'`,
    );
    t.equal(await deleteExpiredKeys(app.database.primary, 24), 1, 'the sweep deletes it');
    const left = await rowsOf<{ n: number }>(
      app.database.primary,
      sql`select count(*)::int as n from idempotency_keys where key = 'scoped-1'`,
    );
    t.same(left, [{ n: 0 }]);
  });

  t.test('the audit trail says which key made which write, when', async (t) => {
    const reader = await tokenFor(app, 'read', 'auditor');
    t.equal((await get(app, '/v1/audit-log')).status, 401, 'the trail needs a key');
    const res = await get(app, '/v1/audit-log?limit=100', bearer(reader));
    t.equal(res.status, 200);
    t.equal(res.headers['cache-control'], 'no-store');
    const entries = (
      res.body as {
        data: { key: { name: string }; action: string; resourceType: string; resourceId: string; at: string }[];
      }
    ).data;
    t.equal(entries.length, 4, 'a publish, an election created and patched, a source: no refused or replayed request');
    t.match(
      entries.find((e) => e.resourceType === 'source'),
      { action: 'create', resourceId: 'scoped-herald', key: { name: /write-key/ } },
    );
    const publishes = entries.filter((e) => e.action === 'publish');
    t.ok(publishes.length >= 1, `${publishes.length} publishes`);
    t.same(
      publishes.filter((e) => !e.resourceId.startsWith(`${KZ2022}/`)),
      [],
      'each names the version it added',
    );
    t.same(
      entries.filter((e) => Number.isNaN(Date.parse(e.at))),
      [],
      'every entry has its time',
    );
    t.equal(
      entries.filter((e) => e.resourceId === 'scoped-herald').length,
      1,
      'a replayed request is not audited twice',
    );
  });

  t.test('diff: what changed from the preliminary to the certified version', async (t) => {
    const res = await get(app, `/v1/elections/${KZ2022}/results/versions/8/diff/10`);
    t.equal(res.status, 200);
    const diff = res.body as {
      fields: { field: string; from: unknown; to: unknown }[];
      lines: { key: string; change: string; percentDelta: number | null; votesDelta: number | null }[];
    };
    t.match(diff.fields, [{ field: 'status', from: 'unofficial-complete', to: 'certified' }]);
    t.ok(diff.fields.some((f) => f.field === 'turnout.ballotsCast' && f.from === null && f.to === 8_300_046));
    t.match(diff.lines[0], {
      key: 'candidate:kassym-jomart-tokayev',
      change: 'changed',
      percentDelta: 0.01,
      votesDelta: null,
    });
    t.equal(diff.lines.filter((l) => l.change === 'added').length, 6);
    const same = await get(app, `/v1/elections/${KZ2022}/results/versions/10/diff/10`);
    t.same(
      (same.body as typeof diff).lines.map((l) => l.change),
      Array(7).fill('unchanged'),
    );
    t.equal((await get(app, `/v1/elections/${KZ2022}/results/versions/8/diff/99`)).status, 404);
  });
});
