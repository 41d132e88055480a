// Race calls (issue 17): their own records beside the figures, append-only and numbered per
// contest; /results shows the one that stands; every call is in the change feed.
import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { engines, forEachEngine, get } from './helpers/app.js';
import { snapshot } from './helpers/snapshot.js';
import { rowsOf } from './helpers/sql.js';
import { bearer, send, tokenFor } from './helpers/writes.js';

const KZ2022 = 'kz.presidential.2022-11-20';
const CALLS = `/v1/elections/${KZ2022}/contests/president/calls`;
const RESULTS = `/v1/elections/${KZ2022}/results`;
const SOURCE = 'astana-times-2022-preliminary-results';

interface Call {
  electionId: string;
  contest: string;
  version: number;
  status: string;
  current: boolean;
  winners: { kind: string; id: string | null; name: string }[];
  calledBy: { id: string; publisher: string };
  calledAt: string;
  recordedAt: string;
  note: string | null;
  url: string;
}

forEachEngine(t, async (t, app, engine) => {
  const auth = bearer(await tokenFor(app, 'write', 'desk'));
  const db = app.database.primary;

  await t.test('before any call: /results says null, the list is empty, a call number is a 404', async (t) => {
    const results = await get(app, RESULTS);
    t.equal(results.status, 200);
    t.equal((results.body as { call: unknown }).call, null);
    t.same(Object.keys(results.body as object).at(-1), 'call', 'call is the last key, after attribution');
    const list = await get(app, CALLS);
    t.equal(list.status, 200);
    t.same((list.body as { data: unknown[] }).data, []);
    const one = await get(app, `${CALLS}/1`);
    t.equal(one.status, 404);
    t.match(one.headers['content-type'], /application\/problem\+json/);
    t.match((one.body as { detail: string }).detail, /has no call 1/);
    t.equal((await get(app, `/v1/elections/${KZ2022}/contests/nope/calls`)).status, 404);
    t.equal((await get(app, `/v1/elections/kz.presidential.2099-01-01/contests/president/calls`)).status, 404);
  });

  await t.test('refused calls write nothing, and say which field is wrong', async (t) => {
    const before = await snapshot(db);
    const cases: [string, unknown, number, RegExp][] = [
      ['called without winners', { status: 'called', sourceId: SOURCE }, 422, /winners: must name who won/],
      [
        'two winners of a one-seat contest',
        {
          status: 'called',
          sourceId: SOURCE,
          winners: [{ candidateId: 'kassym-jomart-tokayev' }, { candidateId: 'karakat-abden' }],
        },
        422,
        /names 2 winners; the contest fills 1 seat/,
      ],
      [
        'winners on a too-early call',
        { status: 'too-early', sourceId: SOURCE, winners: [{ candidateId: 'kassym-jomart-tokayev' }] },
        422,
        /winners: must be empty for a call that is too-early/,
      ],
      [
        'a party named in a candidate contest',
        { status: 'called', sourceId: SOURCE, winners: [{ organisationId: 'peoples-coalition' }] },
        422,
        /winners\[0\]\.organisationId: a candidate contest's winner is named by candidateId/,
      ],
      [
        'someone who did not stand',
        { status: 'called', sourceId: SOURCE, winners: [{ candidateId: 'amirzhan-kosanov' }] },
        422,
        /winners\[0\]\.candidateId: is not a line of the contest's current results \(version \d+\)/,
      ],
      [
        'an unknown candidate',
        { status: 'called', sourceId: SOURCE, winners: [{ candidateId: 'no-such-person' }] },
        422,
        /winners\[0\]\.candidateId: no candidate has the id 'no-such-person'/,
      ],
      [
        'one candidate advancing to a runoff',
        { status: 'runoff', sourceId: SOURCE, winners: [{ candidateId: 'kassym-jomart-tokayev' }] },
        422,
        /must name the two or more candidates advancing/,
      ],
      [
        'a winner named twice',
        {
          status: 'runoff',
          sourceId: SOURCE,
          winners: [{ candidateId: 'kassym-jomart-tokayev' }, { candidateId: 'kassym-jomart-tokayev' }],
        },
        422,
        /winners\[1\]: is named twice/,
      ],
      ['an unknown source', { status: 'too-early', sourceId: 'no-such-source' }, 404, /sourceId: no source/],
      ['an unknown status', { status: 'decided', sourceId: SOURCE }, 400, /status/],
      [
        'a date without an offset',
        { status: 'too-early', sourceId: SOURCE, calledAt: '2022-11-20T20:00:00' },
        400,
        /calledAt/,
      ],
      ['30 February', { status: 'too-early', sourceId: SOURCE, calledAt: '2022-02-30T20:00:00Z' }, 400, /calledAt/],
      [
        'a winner with two names',
        {
          status: 'called',
          sourceId: SOURCE,
          winners: [{ candidateId: 'kassym-jomart-tokayev', option: 'Yes' }],
        },
        400,
        /winners/,
      ],
    ];
    for (const [what, body, status, detail] of cases) {
      const res = await send(app, 'POST', CALLS, body, auth);
      t.equal(res.status, status, `${what}: ${status}`);
      t.match(res.headers['content-type'], /application\/problem\+json/, `${what}: problem+json`);
      t.match((res.body as { detail: string }).detail, detail, `${what}: names what is wrong`);
    }
    const anonymous = await send(app, 'POST', CALLS, { status: 'too-early', sourceId: SOURCE });
    t.equal(anonymous.status, 401, 'no key: 401');
    const reader = await send(
      app,
      'POST',
      CALLS,
      { status: 'too-early', sourceId: SOURCE },
      bearer(await tokenFor(app, 'read')),
    );
    t.equal(reader.status, 403, 'a read key: 403');
    const noContest = await send(
      app,
      'POST',
      `/v1/elections/${KZ2022}/contests/nope/calls`,
      { status: 'too-early', sourceId: SOURCE },
      auth,
    );
    t.equal(noContest.status, 404);
    // The keys made above are rows too: compare the tables the calls would write.
    const after = await snapshot(db);
    for (const table of ['race_calls', 'race_call_winners', 'changes', 'data_version', 'audit_log', 'idempotency_keys'])
      t.equal(after[table], before[table], `${table}: nothing written`);
  });

  await t.test('a night of calls: each stands in turn, the old ones stay readable', async (t) => {
    const before = await get(app, RESULTS);
    const etag0 = String(before.headers.etag);
    const made: Call[] = [];
    const bodies = [
      { status: 'too-early', sourceId: SOURCE, calledAt: '2022-11-20T20:00:00+06:00', note: 'Polls just closed.' },
      {
        status: 'called',
        sourceId: SOURCE,
        calledAt: '2022-11-21T10:00:00+06:00',
        winners: [{ candidateId: 'kassym-jomart-tokayev' }],
      },
      { status: 'uncalled', sourceId: SOURCE, note: 'Retracted: <b>called</b> too soon & "in error".' },
      {
        status: 'called',
        sourceId: 'kazinform-2022-cec-final-results',
        winners: [{ candidateId: 'kassym-jomart-tokayev' }],
      },
    ];
    let etag = etag0;
    for (const [i, body] of bodies.entries()) {
      const res = await send(app, 'POST', CALLS, body, auth);
      t.equal(res.status, 201, `call ${i + 1}: 201`);
      t.equal(res.headers.location, `${CALLS}/${i + 1}`, `call ${i + 1}: Location`);
      const call = res.body as unknown as Call;
      t.equal(call.version, i + 1);
      t.equal(call.status, body.status);
      t.equal(call.current, true);
      t.equal(call.url, `${CALLS}/${i + 1}`);
      made.push(call);

      // The results read after the call shows it, with a new ETag: the old one is not a 304.
      const results = await get(app, RESULTS);
      t.same((results.body as { call: Call }).call, call, `call ${i + 1}: /results shows it`);
      t.not(results.headers.etag, etag, `call ${i + 1}: /results has a new ETag`);
      const stale = await get(app, RESULTS, { 'if-none-match': etag });
      t.equal(stale.status, 200, `call ${i + 1}: the ETag from before the call is not a 304`);
      etag = String(results.headers.etag);
      t.equal((await get(app, RESULTS, { 'if-none-match': etag })).status, 304, 'the new ETag is');
    }
    t.equal(made[0]!.calledAt, '2022-11-20T14:00:00.000Z', 'calledAt as given, in UTC');
    t.same(made[1]!.winners, [{ kind: 'candidate', id: 'kassym-jomart-tokayev', name: 'Kassym-Jomart Tokayev' }]);
    t.same(made[0]!.winners, []);
    t.equal(made[2]!.calledAt, made[2]!.recordedAt, 'calledAt defaults to when it is recorded');
    t.equal(made[2]!.note, 'Retracted: <b>called</b> too soon & "in error".', 'a note as written');
    t.equal(made[3]!.calledBy.id, 'kazinform-2022-cec-final-results');

    const old = await get(app, `${CALLS}/2`);
    t.equal(old.status, 200);
    t.same(old.body, { ...made[1], current: false }, 'call 2 stays readable, no longer current');
    const list = await get(app, `${CALLS}?limit=3`);
    const page = list.body as { data: Call[]; next: string | null };
    t.same(
      page.data.map((c) => [c.version, c.status, c.current]),
      [
        [1, 'too-early', false],
        [2, 'called', false],
        [3, 'uncalled', false],
      ],
      'oldest first',
    );
    const rest = await get(app, `${CALLS}?limit=3&cursor=${page.next}`);
    t.same(
      (rest.body as { data: Call[] }).data.map((c) => [c.version, c.current]),
      [[4, true]],
      'the next page',
    );

    const csv = await get(app, CALLS, { accept: 'text/csv' });
    t.equal(csv.status, 200);
    t.match(csv.headers['content-type'], /^text\/csv/);
    const rows = parse<Record<string, string>>(csv.body as string, { columns: true, bom: true });
    t.equal(rows.length, 4);
    t.same(
      { ...rows[1] },
      {
        electionId: KZ2022,
        contest: 'president',
        version: '2',
        status: 'called',
        current: 'false',
        winnerIds: 'kassym-jomart-tokayev',
        winnerNames: 'Kassym-Jomart Tokayev',
        calledById: SOURCE,
        calledByPublisher: made[1]!.calledBy.publisher,
        calledAt: '2022-11-21T04:00:00.000Z',
        recordedAt: made[1]!.recordedAt,
        note: '',
        url: `${CALLS}/2`,
      },
      'a CSV row per call',
    );

    // A version read by number is the figures alone: no call key.
    const version = await get(app, `${RESULTS}/versions/1`);
    t.notOk('call' in (version.body as object), 'a version by number carries no call');
    // The contest's own results URL and an area's view show the same call.
    const byContest = await get(app, `/v1/elections/${KZ2022}/contests/president/results`);
    t.same((byContest.body as { call: Call }).call, { ...made[3] });

    // The change feed lists each call once, in order, with a URL that reads it.
    const feed = await get(app, `/v1/changes?election=${KZ2022}&kind=call&limit=100`);
    const changes = (
      feed.body as { data: { kind: string; action: string; version: number; url: string; contest: string }[] }
    ).data;
    t.same(
      changes.map((c) => [c.kind, c.action, c.contest, c.version, c.url]),
      made.map((c) => ['call', 'published', 'president', c.version, c.url]),
      'each call in the feed, in order',
    );
    const updated = await get(app, `/v1/elections?country=KZ&updatedSince=${encodeURIComponent(made[3]!.recordedAt)}`);
    t.ok(
      (updated.body as { data: { id: string }[] }).data.some((e) => e.id === KZ2022),
      'a call counts as a change of its election for updatedSince',
    );
  });

  await t.test('calls are append-only in the engine itself', async (t) => {
    // The engine's own message, under the driver's wrapping.
    const refused = async (statement: Promise<unknown>) => {
      const err = await statement.then(
        () => undefined,
        (e: unknown) => e as { cause?: { message?: string } },
      );
      return err?.cause?.message ?? '(not refused)';
    };
    t.match(
      await refused(db.execute(sql`update race_calls set status = 'called'`)),
      /race_calls is append-only: UPDATE refused/,
    );
    t.match(
      await refused(db.execute(sql`delete from race_call_winners`)),
      /race_call_winners is append-only: DELETE refused/,
    );
    t.match(
      await refused(db.execute(sql`update race_call_winners set option = 'No' where candidate_id is not null`)),
      /append-only: UPDATE refused/,
      'a winner moves only along a merge',
    );
  });

  await t.test('a retry with the same Idempotency-Key answers the first call again', async (t) => {
    const headers = { ...auth, 'idempotency-key': `call-${engine}` };
    const body = { status: 'too-close', sourceId: SOURCE };
    const first = await send(app, 'POST', CALLS, body, headers);
    t.equal(first.status, 201);
    const again = await send(app, 'POST', CALLS, body, headers);
    t.equal(again.status, 201);
    t.same(again.body, first.body);
    t.equal(again.headers.location, first.headers.location);
    const [n] = await rowsOf<{ n: number }>(
      db,
      sql`select count(*)::int as n from race_calls where status = 'too-close'`,
    );
    t.equal(n!.n, 1, 'one call written');
  });

  await t.test('party lists and questions name their winners their way', async (t) => {
    const lists = '/v1/elections/kz.parliamentary.2023-03-19/contests/party-list/calls';
    const party = await send(
      app,
      'POST',
      lists,
      {
        status: 'called',
        sourceId: 'astana-times-2023-03-27-final-results',
        winners: [{ organisationId: 'amanat' }, { organisationId: 'auyl-party' }],
      },
      auth,
    );
    t.equal(party.status, 201);
    t.same(
      (party.body as unknown as Call).winners.map((w) => [w.kind, w.id]),
      [
        ['party', 'amanat'],
        ['party', 'auyl-party'],
      ],
    );
    const runoff = await send(
      app,
      'POST',
      lists,
      {
        status: 'runoff',
        sourceId: 'astana-times-2023-03-27-final-results',
        winners: [{ organisationId: 'amanat' }, { organisationId: 'auyl-party' }],
      },
      auth,
    );
    t.equal(runoff.status, 422);
    t.match((runoff.body as { detail: string }).detail, /status: a party-list contest has no runoff/);
    const question = '/v1/elections/kz.referendum.2022-06-05/contests/question-1/calls';
    const yes = await send(
      app,
      'POST',
      question,
      { status: 'called', sourceId: 'kazinform-2022-06-06-referendum-preliminary', winners: [{ option: 'Yes' }] },
      auth,
    );
    t.equal(yes.status, 201);
    t.same((yes.body as unknown as Call).winners, [{ kind: 'option', id: null, name: 'Yes' }]);
    const maybe = await send(
      app,
      'POST',
      question,
      { status: 'called', sourceId: 'kazinform-2022-06-06-referendum-preliminary', winners: [{ option: 'Maybe' }] },
      auth,
    );
    t.equal(maybe.status, 422);
    t.match((maybe.body as { detail: string }).detail, /winners\[0\]\.option: is not a line/);
    const referendum = await get(app, '/v1/elections/kz.referendum.2022-06-05/results');
    t.equal((referendum.body as { call: Call }).call.status, 'called');
  });

  await t.test("a merge moves a call's winner to the record that survives", async (t) => {
    const election = await send(
      app,
      'POST',
      '/v1/elections',
      { country: 'KZ', type: 'presidential', date: '2031-04-07', sourceId: SOURCE },
      auth,
    );
    t.equal(election.status, 201);
    const id = (election.body as { id: string }).id;
    const twice = [];
    for (const name of ['Call Person', 'Call Persson']) {
      const res = await send(app, 'POST', '/v1/candidates', { name, sourceId: SOURCE }, auth);
      t.equal(res.status, 201);
      twice.push((res.body as { id: string }).id);
    }
    const url = `/v1/elections/${id}/contests/president/calls`;
    const call = await send(
      app,
      'POST',
      url,
      { status: 'called', sourceId: SOURCE, winners: [{ candidateId: twice[1] }] },
      auth,
    );
    t.equal(call.status, 201, 'before any results, any existing candidate may be named');
    const merged = await send(app, 'POST', `/v1/candidates/${twice[1]}/merge`, { into: twice[0] }, auth);
    t.equal(merged.status, 200);
    const after = await get(app, `${url}/1`);
    t.same((after.body as Call).winners, [{ kind: 'candidate', id: twice[0], name: 'Call Person' }]);
  });

  if (engine !== 'postgres') return;
  await t.test('8 desks calling at once: numbered 1 to 8, each in the feed once', async (t) => {
    const url = '/v1/elections/kz.presidential.2019-06-09/contests/president/calls';
    const keys = await Promise.all(Array.from({ length: 8 }, (_, i) => tokenFor(app, 'write', `desk-${i}`)));
    const answers = await Promise.all(
      keys.map((key, i) =>
        send(app, 'POST', url, { status: 'too-close', sourceId: SOURCE, note: `desk ${i}` }, bearer(key)),
      ),
    );
    t.same(
      answers.map((a) => a.status),
      Array(8).fill(201),
    );
    t.same(
      answers.map((a) => (a.body as unknown as Call).version).sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
    const feed = await get(app, '/v1/changes?election=kz.presidential.2019-06-09&kind=call');
    t.same(
      (feed.body as { data: { version: number }[] }).data.map((c) => c.version),
      [1, 2, 3, 4, 5, 6, 7, 8],
      'the feed in number order: numbers follow commits',
    );
  });
});

t.ok(engines.length >= 1);
