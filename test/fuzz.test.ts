// Property-based fuzzing of every operation in openapi.json (issue 6): random and hostile
// parameters, headers and bodies; no 5xx, every 4xx a problem document, every 2xx what the
// operation declares, and the database unchanged after every rejected write. FUZZ_REQUESTS (10,000
// under TEST_SCALE=full, as CI runs it; 2,000 otherwise) requests are split between the engines, from a fixed seed, so that one
// commit always sends the same requests (FUZZ_SEED picks another; `npm run fuzz` a random one, for
// longer). A failure prints the request (method, URL, headers, body) and the seed to replay it:
// `npm run fuzz -- --seed S --runs N`.
// Before the random requests, the bugs the fuzzer found, as fixed examples.
import type { FastifyInstance, InjectOptions } from 'fastify';
import t, { type Test } from 'tap';
import { encodeCursor } from '../src/lib/pagination.js';
import { buildTestApp, engines } from './helpers/app.js';
import { checksum, failureReport, fuzzContext, histogram, runFuzz } from './helpers/fuzz.js';
import { scaled } from './helpers/scale.js';
import { certified2022 } from './helpers/writes.js';

const TOTAL = Number(process.env.FUZZ_REQUESTS ?? scaled(2000, 10_000));
const seed = Number(process.env.FUZZ_SEED ?? 1_204_2026);
const runs = Math.ceil(TOTAL / engines.length);
const KZ2022 = 'kz.presidential.2022-11-20';

/** Asserts a problem document of `status`, naming `field` when given. */
async function problem(t: Test, app: FastifyInstance, request: InjectOptions, status: number, field?: string) {
  const res = await app.inject(request);
  const what = `${request.method ?? 'GET'} ${typeof request.url === 'string' ? request.url : ''}`;
  t.equal(res.statusCode, status, `${what}: ${status}`);
  t.match(res.headers['content-type'], /^application\/problem\+json/, `${what}: a problem document`);
  const body = res.json<{ status: number; errors?: { name: string }[] }>();
  t.equal(body.status, status, `${what}: its status`);
  if (field)
    t.ok(
      body.errors?.some((e) => e.name === field),
      `${what}: names ${field}`,
    );
}

async function regressions(t: Test, app: FastifyInstance, ctx: Awaited<ReturnType<typeof fuzzContext>>) {
  const auth = { authorization: `Bearer ${ctx.tokens.write}` };
  const before = await checksum(app.database.primary, ctx.tables);
  const post = (url: string, body: unknown, headers: Record<string, string> = {}): InjectOptions => ({
    method: 'POST',
    url,
    headers: { ...auth, ...headers },
    payload: body as InjectOptions['payload'],
  });

  await t.test('NUL and unpaired surrogates in text fields: 400 naming the field, not a 500', async (t) => {
    await problem(t, app, post('/v1/sources', { publisher: 'a\u0000b', kind: 'news' }), 400, 'publisher');
    await problem(
      t,
      app,
      post('/v1/sources', { id: 'lone-surrogate', publisher: '\ud800', kind: 'news' }),
      400,
      'publisher',
    );
    await problem(
      t,
      app,
      post('/v1/sources', { publisher: 'ok', kind: 'news', note: 'x\u0000' }, { 'idempotency-key': 'nul' }),
      400,
      'note',
    );
    await problem(t, app, post('/v1/candidates', { name: '\u0000', sourceId: 'tass-2019-final-results' }), 400, 'name');
    await problem(
      t,
      app,
      post('/v1/organisations', { name: 'a\udc00', sourceId: 'tass-2019-final-results' }),
      400,
      'name',
    );
    await problem(
      t,
      app,
      {
        method: 'PATCH',
        url: `/v1/elections/${KZ2022}`,
        headers: { ...auth, 'if-match': '*' },
        payload: { note: '\u0000' },
      },
      400,
      'note',
    );
    const lines = [{ kind: 'against-all', label: 'Against\u0000all', votes: 1, percent: 100 }];
    await problem(
      t,
      app,
      post(`/v1/elections/${KZ2022}/results`, {
        status: 'recount',
        complete: true,
        sourceId: 'tass-2019-final-results',
        percentBase: 'unknown',
        lines,
      }),
      400,
      'lines.0.label',
    );
  });

  await t.test('cursors the database cannot compare: 400, not a 500', async (t) => {
    await problem(t, app, { url: `/v1/organisations?cursor=${encodeCursor(['a\u0000'])}` }, 400, 'cursor');
    await problem(t, app, { url: `/v1/sources?cursor=${encodeCursor(['\ud800'])}` }, 400, 'cursor');
    await problem(t, app, { url: `/v1/elections?cursor=${encodeCursor(['2022-11-20', 'kz\u0000'])}` }, 400, 'cursor');
    await problem(t, app, { url: `/v1/vote-shares?cursor=${encodeCursor([2 ** 31])}` }, 400, 'cursor');
    await problem(
      t,
      app,
      { url: `/v1/elections/${KZ2022}/results/versions?cursor=${encodeCursor([2 ** 31])}` },
      400,
      'cursor',
    );
    await problem(
      t,
      app,
      { url: `/v1/audit-log?cursor=${encodeCursor([-(2 ** 31) - 1])}`, headers: auth },
      400,
      'cursor',
    );
    t.equal(
      (await app.inject({ url: `/v1/vote-shares?cursor=${encodeCursor([2 ** 31 - 1])}` })).statusCode,
      200,
      'the largest line id is a cursor',
    );
  });

  await t.test('the year 0000, which PostgreSQL dates lack: 400, not a 500', async (t) => {
    await problem(t, app, { url: '/v1/elections?from=0000-01-01' }, 400, 'from');
    await problem(t, app, { url: '/v1/countries/KZ/elections?to=0000-02-29' }, 400, 'to');
    await problem(t, app, { url: `/v1/elections?cursor=${encodeCursor(['0000-01-01', 'x'])}` }, 400, 'cursor');
    await problem(
      t,
      app,
      post('/v1/elections', { country: 'KZ', type: 'local', date: '0000-01-01', sourceId: 'tass-2019-final-results' }),
      400,
      'date',
    );
    t.equal(
      (await app.inject({ url: '/v1/elections?from=0001-01-01&to=9999-12-31' })).statusCode,
      200,
      'years 0001 to 9999 are fine',
    );
  });

  await t.test(
    'results that pass the schema but not the database or the rules: 400 or 422, not a 409 or a 500',
    async (t) => {
      const url = `/v1/elections/${KZ2022}/results`;
      // Two lines of 2^53 - 1 votes summed past JavaScript's exact integers: the version was stored,
      // then every read of it failed. Counts are now at most ten billion.
      const huge = [
        { candidateId: 'kassym-jomart-tokayev', votes: 2 ** 53 - 1, percent: 50 },
        { candidateId: 'karakat-abden', votes: 2 ** 53 - 1, percent: 50 },
      ];
      await problem(
        t,
        app,
        post(url, {
          status: 'recount',
          complete: true,
          sourceId: 'tass-2019-final-results',
          percentBase: 'lines-total',
          lines: huge,
        }),
        400,
        'lines.0.votes',
      );
      // The same source twice among additionalSources hit a primary key: a 409 "created concurrently".
      const twice = [
        { sourceId: 'baribar-2022-cec-final-results', covers: 'a' },
        { sourceId: 'baribar-2022-cec-final-results', covers: 'b' },
      ];
      await problem(
        t,
        app,
        post(url, { ...certified2022, status: 'recount', additionalSources: twice }),
        422,
        'additionalSources.1.sourceId',
      );
    },
  );

  await t.test('an OPTIONS that is no CORS preflight is a question about the resource, not a 400', async (t) => {
    // @fastify/cors answered these with a plain-text 400 "Invalid Preflight Request".
    for (const headers of [{}, { origin: 'https://x.example' }, { 'access-control-request-method': 'GET' }]) {
      const res = await app.inject({ method: 'OPTIONS', url: '/v1/elections', headers });
      t.equal(res.statusCode, 204, JSON.stringify(headers));
      t.equal(res.headers.allow, 'GET, HEAD, POST, OPTIONS');
    }
  });

  await t.test('URLs the router cannot decode or match: problems, not Fastify JSON', async (t) => {
    for (const url of ['/v1/elections/%C0%AF', '/v1/sources/%FF', '/v1/candidates/%', '/v1/elections/%zz/results'])
      await problem(t, app, { url }, 400);
    await problem(t, app, { url: `/v1/candidates/${'a'.repeat(300)}` }, 414);
  });

  await t.test('the oracle: the checksum sees a write and nothing else', async (t) => {
    t.same(
      await checksum(app.database.primary, ctx.tables),
      before,
      'none of the rejected writes above changed the database',
    );
    await app.inject({ url: `/v1/elections/${KZ2022}/results` });
    t.same(await checksum(app.database.primary, ctx.tables), before, 'a read changes nothing');
    // Paired surrogates (an emoji) are text like any other.
    const created = await app.inject(
      post('/v1/organisations', { id: 'fuzz-oracle', name: 'Oracle 🗳️', sourceId: 'tass-2019-final-results' }),
    );
    t.equal(created.statusCode, 201);
    t.notSame(await checksum(app.database.primary, ctx.tables), before, 'a write changes the checksum');
    const big = [
      { candidateId: 'kassym-jomart-tokayev', votes: 10_000_000_000, percent: 50 },
      { candidateId: 'karakat-abden', votes: 10_000_000_000, percent: 50 },
    ];
    const published = await app.inject(
      post('/v1/elections/kz.presidential.2019-06-09/results', {
        status: 'recount',
        complete: true,
        sourceId: 'tass-2019-final-results',
        percentBase: 'lines-total',
        lines: big,
      }),
    );
    t.equal(published.statusCode, 201, 'the largest counts are stored');
    t.equal(
      (await app.inject({ url: '/v1/elections/kz.presidential.2019-06-09/results' })).statusCode,
      200,
      'and read back',
    );
  });
}

// The budget is a number of requests, not a time: a loaded machine may need longer than tap's 120 s.
t.setTimeout(900_000);

for (const engine of engines) {
  t.test(engine, async (t) => {
    const app = await buildTestApp(t, engine);
    const ctx = await fuzzContext(app);

    await t.test('bugs the fuzzer found', (t) => regressions(t, app, ctx));

    await t.test(`${runs} random requests keep every property`, async (t) => {
      const started = Date.now();
      const { details, stats } = await runFuzz(ctx, { runs, seed });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      t.comment(
        `${engine}: ${stats.requests} requests in ${seconds} s (seed ${seed}); ${stats.rejectedWrites} rejected writes checked, ${stats.replays} idempotent replays`,
      );
      t.comment(`${engine} statuses: ${histogram(stats.statuses)}`);
      t.comment(`${engine} 2xx per operation: ${histogram(stats.successes)}`);
      t.equal(stats.undeclared.size, 0, `statuses not in openapi.json: ${histogram(stats.undeclared) || 'none'}`);
      for (const warning of stats.warnings) t.comment(`process warning during the ${engine} run: ${warning}`);
      t.notOk(details.failed, failureReport(details) ?? 'no counterexample');
      if (details.failed) return;
      t.ok(stats.requests >= runs, `sent ${stats.requests} requests`);
      // Not only rejections: valid requests reach the handlers, the database and the success paths.
      const reached = ctx.ops.filter((op) => (stats.successes.get(op.operationId) ?? 0) > 0).length;
      if (runs >= 2000)
        t.ok(
          reached >= ctx.ops.length * 0.8,
          `valid requests reached a 2xx in ${reached} of ${ctx.ops.length} operations`,
          {
            never: ctx.ops.filter((op) => (stats.successes.get(op.operationId) ?? 0) === 0).map((op) => op.operationId),
          },
        );
    });
  });
}
