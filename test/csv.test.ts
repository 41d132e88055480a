import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import t from 'tap';
import type { ServerOptions } from '../src/db/client.js';
import { databaseTrouble, isDatabaseUnavailable } from '../src/db/unavailable.js';
import { runImport } from '../src/import/import.js';
import { planFromCsv } from '../src/import/plan.js';
import { type AllRowsOptions, allRows } from '../src/formats/list.js';
import { listVoteShares } from '../src/modules/vote-shares/vote-shares.repository.js';
import { buildTestApp, engines, forEachEngine, get } from './helpers/app.js';
import { freshDatabase } from './helpers/databases.js';
import { bearer, send, tokenFor } from './helpers/writes.js';

const KZ2022 = 'kz.presidential.2022-11-20';
const table = (body: unknown) => parse<Record<string, string>>(String(body), { columns: true });

forEachEngine(t, async (t, app) => {
  t.test('every list endpoint: CSV by ?format=csv or Accept: text/csv, all rows, no paging', async (t) => {
    const lists: [string, number, string][] = [
      ['/v1/countries', 249, 'code,alpha3,numeric,name,ocdId'],
      ['/v1/elections', 4, 'id,title,countryCode'],
      ['/v1/countries/KZ/elections', 4, 'id,title,countryCode'],
      ['/v1/candidates', 13, 'id,name,note,sourceId,sourcePublisher'],
      ['/v1/sources', 58, 'id,publisher,title,url,published,kind,language,note'],
      ['/v1/areas', 269, 'id,countryCode,parentId,level,name,isoCode,authorityCode'],
      ['/v1/areas?country=KZ&level=region', 20, 'id,countryCode,parentId,level,name,isoCode,authorityCode'],
      ['/v1/elections/kz.parliamentary.2023-03-19/contests', 2, 'electionId,id,name,kind,seats,thresholdPercent'],
      [
        '/v1/organisations',
        16,
        'id,name,sourceId,sourcePublisher,kind,shortName,abbreviation,colour,colourSourceId,members,memberOf',
      ],
      [
        '/v1/vote-shares',
        33,
        'id,electionId,countryCode,date,type,contest,version,status,asOf,complete,percentBase,sourceId,areaId,' +
          'registeredVoters,ballotsCast,validVotes,invalidVotes,turnoutPercent,kind,name,candidateId,nominatorId,' +
          'nominatorName,votes,percent,rank,outcome,seats,publishedAsIs,current,preliminary,areaName,areaLevel,areaIsoCode',
      ],
      [`/v1/elections/${KZ2022}/results/versions`, 10, 'electionId,contest,version,status'],
    ];
    for (const [url, rows, header] of lists) {
      for (const [how, res] of [
        ['?format=csv', await get(app, `${url}${url.includes('?') ? '&' : '?'}format=csv&limit=1`)],
        ['Accept', await get(app, `${url}${url.includes('?') ? '&' : '?'}limit=1`, { accept: 'text/csv' })],
      ] as const) {
        t.equal(res.status, 200, `${url} ${how}`);
        t.equal(res.headers['content-type'], 'text/csv; charset=utf-8', `${url} ${how}`);
        t.match(res.headers['content-disposition'], /^attachment; filename=".+\.csv"$/);
        const body = String(res.body);
        t.ok(body.startsWith(header), `${url}: header row ${header}`);
        t.equal(table(body).length, rows, `${url} ${how}: every row, limit ignored`);
      }
    }
    t.equal((await get(app, '/v1/elections?format=xml')).status, 400, 'an unknown format is a 400');
  });

  t.test('the results as CSV: one row per line, numbers unformatted, UTF-8', async (t) => {
    const res = await get(app, `/v1/elections/${KZ2022}/results?format=csv`);
    t.equal(res.status, 200);
    const rows = table(res.body);
    t.equal(rows.length, 7);
    // The first request loaded the version (a promise), this one finds it cached (answered at once).
    t.equal(
      String((await get(app, `/v1/elections/${KZ2022}/results?format=csv`)).body),
      String(res.body),
      'the same CSV from the cache',
    );
    t.match(rows[0], {
      electionId: KZ2022,
      version: '10',
      status: 'certified',
      complete: 'true',
      percentBase: 'lines-total',
      registeredVoters: '11953465',
      ballotsCast: '8300046',
      turnoutPercent: '69.44',
      kind: 'candidate',
      name: 'Kassym-Jomart Tokayev',
      votes: '6456393',
      percent: '81.31',
      rank: '1',
      outcome: 'elected',
      publishedAsIs: 'false',
      current: 'true',
      preliminary: 'false',
      nominatorName: "People's Coalition",
    });
    t.match(rows[1], { kind: 'against-all', name: 'Against all', candidateId: '', rank: '', percent: '5.8' });
    t.equal(rows[6]?.nominatorName, 'Qazaq Analary – Dasturge Zhol', 'UTF-8 survives');
    const v8 = table((await get(app, `/v1/elections/${KZ2022}/results/versions/8?format=csv`)).body);
    t.match(v8, [{ version: '8', percent: '81.3', votes: '', preliminary: 'true', current: 'false' }]);
    const again = await get(app, `/v1/elections/${KZ2022}/results?format=csv`, {
      'if-none-match': String(res.headers.etag),
    });
    t.equal(again.status, 304);
    t.not(
      res.headers.etag,
      (await get(app, `/v1/elections/${KZ2022}/results`)).headers.etag,
      'JSON and CSV have different ETags',
    );
  });

  t.test('an export imports back as a new version', async (t) => {
    const exported = String((await get(app, `/v1/elections/${KZ2022}/results?format=csv`)).body);
    const edited = exported.replace(/,10,certified,/g, ',11,correction,');
    const summary = await runImport(app.database.primary, planFromCsv(edited));
    t.match(summary, { versions: 1, lines: 7, created: { elections: 0, candidates: 0 } });
    const diff = await get(app, `/v1/elections/${KZ2022}/results/versions/10/diff/11`);
    const changes = (diff.body as { lines: { change: string }[] }).lines.map((l) => l.change);
    t.same(changes, Array(7).fill('unchanged'), 'the same figures, all seven lines');
  });

  t.test('text a spreadsheet would run as a formula is escaped, and imported back as it was', async (t) => {
    const auth = bearer(await tokenFor(app));
    const hostile = ['=HYPERLINK("http://example.org","x")', '+1+2', '-2+3', '@SUM(A1)'];
    const created = await send(
      app,
      'POST',
      '/v1/sources',
      { publisher: hostile[0], title: hostile[3], kind: 'news' },
      auth,
    );
    t.equal(created.status, 201);
    const sources = table((await get(app, '/v1/sources?format=csv')).body);
    const row = sources.find((r) => r.id === (created.body as { id: string }).id);
    t.equal(row?.publisher, `'${hostile[0]}`, 'a leading = gets a quote');
    t.equal(row?.title, `'${hostile[3]}`, 'a leading @ too');

    const url = `/v1/elections/${KZ2022}/results`;
    const published = await send(
      app,
      'POST',
      url,
      {
        status: 'correction',
        complete: false,
        sourceId: 'kazinform-2022-cec-final-results',
        percentBase: 'unknown',
        lines: [
          { kind: 'against-all', label: hostile[1], votes: 1 },
          { kind: 'against-all', label: hostile[2], votes: 2 },
        ],
      },
      auth,
    );
    t.equal(published.status, 201);
    const csv = String((await get(app, `${url}?format=csv`)).body);
    const lines = table(csv);
    // In the order of the JSON: by votes.
    t.same(
      lines.map((l) => [l.name, l.votes]),
      [
        [`'${hostile[2]}`, '2'],
        [`'${hostile[1]}`, '1'],
      ],
      'labels starting with + and - are escaped; numbers are not',
    );
    const version = (published.body as { version: number }).version;
    const plan = planFromCsv(csv.replaceAll(`,${version},correction,`, `,${version + 1},correction,`));
    t.same(
      // Rows that name the contest's own area (`kz`) are planned as that area's block.
      [plan.versions[0]!.version.lines, ...plan.versions[0]!.version.areas.map((a) => a.lines)]
        .flat()
        .map((l) => l.label),
      [hostile[2], hostile[1]],
      'the import takes the quote off',
    );
  });

  t.test('CSV lists revalidate with the data version: 304 until something is written', async (t) => {
    const first = await get(app, '/v1/vote-shares?format=csv');
    t.match(first.headers.etag, /^W\/"csv-\d+"$/);
    t.equal(
      (await get(app, '/v1/vote-shares?format=csv', { 'if-none-match': String(first.headers.etag) })).status,
      304,
    );
    const token = await tokenFor(app);
    t.equal(
      (await send(app, 'POST', '/v1/sources', { publisher: 'Another Wire', kind: 'news' }, bearer(token))).status,
      201,
    );
    const after = await get(app, '/v1/vote-shares?format=csv', { 'if-none-match': String(first.headers.etag) });
    t.equal(after.status, 200, 'a write makes the old tag stale');
  });
});

t.test('caching, compression and CORS', async (t) => {
  const app = await buildTestApp(t, 'pglite', {
    env: { CORS_ORIGINS: 'https://newsroom.example,https://graphics.example' },
  });
  const token = await tokenFor(app);

  t.test('results: a short max-age while preliminary, a longer one once certified', async (t) => {
    const certified = await get(app, `/v1/elections/${KZ2022}/results`);
    t.equal(certified.headers['cache-control'], 'public, max-age=300, stale-while-revalidate=300');
    const preliminary = await get(app, `/v1/elections/${KZ2022}/results/versions/1`);
    t.equal(preliminary.headers['cache-control'], 'public, max-age=10, stale-while-revalidate=10');
    t.equal((await get(app, '/v1/elections')).headers['cache-control'], 'public, max-age=60');
    t.match((await get(app, '/v1/elections')).headers.vary, /\bAccept\b/, 'JSON and CSV share URLs: Vary: Accept');
    const write = await send(app, 'POST', '/v1/sources', { publisher: 'Cache Test', kind: 'news' }, bearer(token));
    t.equal(write.headers['cache-control'], 'no-store', 'writes are not cached');
  });

  t.test('large bodies are compressed with brotli or gzip; small ones are not', async (t) => {
    const br = await app.inject({ url: '/v1/countries?limit=250', headers: { 'accept-encoding': 'br' } });
    t.equal(br.headers['content-encoding'], 'br');
    t.equal((JSON.parse(brotliDecompressSync(br.rawPayload).toString()) as { data: unknown[] }).data.length, 249);
    const gz = await app.inject({ url: '/v1/vote-shares?format=csv', headers: { 'accept-encoding': 'gzip' } });
    t.equal(gz.headers['content-encoding'], 'gzip');
    t.match(gunzipSync(gz.rawPayload).toString(), /^id,electionId,/);
    const small = await app.inject({ url: '/healthz', headers: { 'accept-encoding': 'br, gzip' } });
    t.equal(small.headers['content-encoding'], undefined);
  });

  t.test('CORS: only the configured origins', async (t) => {
    const allowed = await get(app, '/v1/elections', { origin: 'https://graphics.example' });
    t.equal(allowed.headers['access-control-allow-origin'], 'https://graphics.example');
    const other = await get(app, '/v1/elections', { origin: 'https://elsewhere.example' });
    t.equal(other.headers['access-control-allow-origin'], undefined);
    // The answer depends on Origin as well as Accept: a shared cache must key on both.
    t.match(allowed.headers.vary, /\bOrigin\b/, 'Vary keeps the Origin CORS set');
    t.match(allowed.headers.vary, /\bAccept\b/);
    // Results bodies add Accept-Encoding to it (compressed from the cache or not), and a 304
    // names what its 200 varies by.
    const results = `/v1/elections/${KZ2022}/results`;
    for (const encoding of ['br', 'identity']) {
      const headers = { origin: 'https://graphics.example', 'accept-encoding': encoding };
      const res = await app.inject({ url: results, headers });
      t.equal(
        res.headers.vary,
        'Origin, accept-encoding, Accept, Authorization',
        `results, Accept-Encoding: ${encoding}`,
      );
      const notModified = await app.inject({
        url: results,
        headers: { ...headers, 'if-none-match': String(res.headers.etag) },
      });
      t.equal(notModified.statusCode, 304);
      t.equal(
        notModified.headers.vary,
        'Origin, accept-encoding, Accept, Authorization',
        'the 304 varies as its 200 does',
      );
    }
  });
});

// An export's pages each take a pooled connection. Under load one can wait past the connect timeout,
// which used to end a streamed 200 halfway (seen in CI's SIGTERM-under-load test). A server pool of
// one connection with a 100 ms wait makes that happen on purpose: the page is asked again.
t.test(
  'an export waits out a busy database instead of ending its CSV halfway',
  { skip: engines.includes('postgres') ? false : 'needs TEST_DATABASE_URL' },
  async (t) => {
    const fresh = await freshDatabase('postgres');
    t.teardown(() => fresh.drop());
    const app = await buildTestApp(t, 'postgres', {
      database: { ...(fresh.options as ServerOptions), poolMax: 1, connectTimeoutMs: 100 },
    });
    const db = app.database.primary;
    // Drizzle runs a query when it is awaited: .then() starts it now, holding the connection.
    const hold = (seconds: number): Promise<unknown> =>
      db.execute(sql`select pg_sleep(${seconds})`).then(() => undefined);
    const everyLine = (await listVoteShares(db, { versions: 'all', limit: 1000 })).map((r) => r.id);
    t.ok(everyLine.length > 6, `${everyLine.length} lines: several pages of 3`);

    const busy = hold(0.5);
    const refused = await db.execute(sql`select 1`).catch((err: unknown) => err);
    t.ok(
      isDatabaseUnavailable(refused),
      'the setup works: with the one connection busy, a query gives up after 100 ms',
    );
    await busy;

    const pages = (options: AllRowsOptions) =>
      allRows(
        (after: number | undefined, limit) => listVoteShares(db, { versions: 'all', after, limit }),
        (r) => r.id,
        (r) => r.id,
        { pageSize: 3, ...options },
      );
    const got: number[] = [];
    let held: Promise<unknown> | undefined;
    const started = performance.now();
    for await (const id of pages({})) {
      // The first page is read; the next one finds the connection busy for half a second.
      if (got.push(id) === 1) held = hold(0.5);
    }
    await held;
    t.same(got, everyLine, 'every line, once, in order');
    t.ok(performance.now() - started >= 400, 'the second page waited for the connection');

    held = hold(1);
    const outlasted = await (async () => {
      for await (const _ of pages({ retryForMs: 200 })) void _;
    })().catch((err: unknown) => err);
    t.ok(isDatabaseUnavailable(outlasted), 'an unavailability that outlasts retryForMs ends the stream');
    await held;

    // Errors that are not a missing connection are not asked again: a wrong query, and a page that
    // timed out (the database is slow already; running it again would add load).
    const failures = {
      'a query error': sql`select * from no_such_table`,
      'a statement timeout': sql`select pg_sleep(1)`,
    };
    for (const [what, query] of Object.entries(failures)) {
      let calls = 0;
      const failing = allRows(
        () => {
          calls++;
          return db.transaction(async (tx) => {
            await tx.execute(sql`set local statement_timeout = 50`);
            await tx.execute(query);
            return [];
          });
        },
        () => 0,
        (r) => r,
      );
      const error = await (async () => {
        for await (const _ of failing) void _;
      })().catch((err: unknown) => err);
      t.equal(databaseTrouble(error), what === 'a statement timeout' ? 'too-slow' : undefined, what);
      t.equal(calls, 1, `${what} is not asked again`);
    }
  },
);
