import { connect, type Socket } from 'node:net';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import type { DatabaseOptions } from '../src/db/client.js';
import { buildTestApp, engines, get, until } from './helpers/app.js';
import { freshDatabase } from './helpers/databases.js';
import { scaled } from './helpers/scale.js';
import { rowsOf } from './helpers/sql.js';
import { bearer, certified2022, send, tokenFor } from './helpers/writes.js';

// Live push (issue 17): /v1/changes/stream over real HTTP, as a browser's EventSource reads it.
// Every condition is polled for (until), never slept on.
const KZ2022 = 'kz.presidential.2022-11-20';
const SOURCE = 'kazinform-2022-cec-final-results';

interface Event {
  id: string;
  data: {
    id: string;
    kind: string;
    action: string;
    resourceId: string;
    electionId: string | null;
    version: number | null;
  };
}

/** An SSE client on a raw socket: the response head, the events parsed so far, and whether it ended. */
class SseClient {
  head = '';
  events: Event[] = [];
  comments = 0;
  retry: number | null = null;
  ended = false;
  private buffer = '';
  private tail = '';
  readonly socket: Socket;

  constructor(port: number, path: string, headers: Record<string, string> = {}, opts: { read?: boolean } = {}) {
    this.socket = connect(port, '127.0.0.1');
    const lines = Object.entries({ host: 'localhost', accept: 'text/event-stream', ...headers }).map(
      ([k, v]) => `${k}: ${v}\r\n`,
    );
    this.socket.write(`GET ${path} HTTP/1.1\r\n${lines.join('')}\r\n`);
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => {
      this.tail = (this.tail + chunk).slice(-5);
      this.buffer += chunk;
      if (!this.head) {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        this.head = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 4);
        // A client that stops reading once the stream has begun.
        if (opts.read === false) this.socket.pause();
      }
      this.parse();
    });
    this.socket.on('close', () => (this.ended = true));
    this.socket.on('error', () => (this.ended = true));
  }

  /** The body's last chunk came (the server ended the stream), not only a closed socket. */
  get finished() {
    return this.tail === '0\r\n\r\n';
  }

  get status() {
    return Number(/^HTTP\/1\.1 (\d+)/.exec(this.head)?.[1] ?? 0);
  }

  header(name: string) {
    const line = this.head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
    return line?.slice(name.length + 1).trim();
  }

  /** Parses whole events out of the chunked body: chunk sizes are lines of hex digits alone. */
  private parse() {
    let at: number;
    while ((at = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, at);
      this.buffer = this.buffer.slice(at + 2);
      const fields = block.split(/\r?\n/).filter((l) => l !== '' && !/^[0-9a-f]+$/i.test(l));
      if (fields.length === 0) continue;
      if (fields.every((l) => l.startsWith(':'))) {
        this.comments += 1;
        continue;
      }
      const value = (name: string) => fields.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
      const retry = value('retry');
      if (retry !== undefined) this.retry = Number(retry);
      const id = value('id');
      const data = value('data');
      if (id !== undefined && data !== undefined) this.events.push({ id, data: JSON.parse(data) as Event['data'] });
    }
  }

  close() {
    this.socket.destroy();
  }
}

async function listening(
  t: Test,
  engine: (typeof engines)[number],
  env: NodeJS.ProcessEnv = {},
  database?: DatabaseOptions,
) {
  const app = await buildTestApp(t, engine, { env, ...(database ? { database } : {}) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, port: (app.server.address() as { port: number }).port };
}

const headOf = async (app: FastifyInstance) =>
  (await rowsOf<{ head: string }>(app.database.primary, sql`select max(id)::text as head from changes`))[0]!.head;

const correction = (app: FastifyInstance, auth: Record<string, string>, note: string) =>
  send(app, 'POST', `/v1/elections/${KZ2022}/results`, { ...certified2022, status: 'correction', note }, auth);

const newPerson = (app: FastifyInstance, auth: Record<string, string>, name: string) =>
  send(app, 'POST', '/v1/candidates', { name, sourceId: SOURCE }, auth);

for (const engine of engines) {
  t.test(engine, async (t) => {
    const fresh = await freshDatabase(engine);
    t.teardown(() => fresh.drop());
    const env = { STREAMS_MAX_PER_CLIENT: '3' };
    const { app, port } = await listening(t, engine, env, fresh.options);
    const auth = bearer(await tokenFor(app, 'write'));

    t.test('an election stream: headers, then each new version of it as it is committed', async (t) => {
      const stream = new SseClient(port, `/v1/changes/stream?election=${KZ2022}`, {
        'accept-encoding': 'gzip, deflate, br',
        origin: 'https://newsroom.example',
      });
      t.teardown(() => stream.close());
      await until(
        async () => stream.retry,
        (r) => r !== null,
      );
      t.equal(stream.status, 200);
      t.equal(stream.header('content-type'), 'text/event-stream; charset=utf-8');
      t.equal(stream.header('cache-control'), 'no-store');
      t.equal(stream.header('x-accel-buffering'), 'no', 'nginx does not buffer it');
      t.equal(stream.header('content-encoding'), undefined, 'never compressed: each event leaves at once');
      t.equal(stream.header('access-control-allow-origin'), '*', 'CORS as on every read');
      t.equal(stream.header('x-content-type-options'), 'nosniff', 'the security headers as on every read');
      t.equal(stream.retry, 2000, 'tells EventSource when to reconnect');
      t.same(stream.events, [], 'nothing before the first change (no Last-Event-ID, no since)');

      t.equal((await newPerson(app, auth, 'Stream Elsewhere')).status, 201, 'a change outside the filter');
      const made = await correction(app, auth, 'stream test 1');
      t.equal(made.status, 201);
      const [event] = await until(
        async () => stream.events,
        (e) => e.length >= 1,
      );
      t.match(event!.data, {
        kind: 'results',
        action: 'published',
        electionId: KZ2022,
        version: made.body!.version,
      });
      t.equal(event!.id, event!.data.id, 'the event id is the change id');
      const feed = await get(app, `/v1/changes?since=${Number(event!.id) - 1}&limit=1`);
      t.same((feed.body as { data: unknown[] }).data[0], event!.data, 'the same Change as the feed shows');
      t.equal(stream.events.length, 1, 'the new person (not of this election) was not sent');
    });

    t.test('Last-Event-ID: what was missed from the feed, then live, nothing twice', async (t) => {
      const before = await headOf(app);
      t.equal((await newPerson(app, auth, 'Stream Missed One')).status, 201);
      t.equal((await correction(app, auth, 'stream missed')).status, 201);
      const stream = new SseClient(port, '/v1/changes/stream?since=0', { 'last-event-id': before });
      t.teardown(() => stream.close());
      await until(
        async () => stream.events.length,
        (n) => n >= 2,
      );
      t.equal((await newPerson(app, auth, 'Stream Live One')).status, 201);
      await until(
        async () => stream.events.length,
        (n) => n >= 3,
      );
      const feed = await get(app, `/v1/changes?since=${before}&limit=1000`);
      const expected = (feed.body as { data: { id: string }[] }).data.map((c) => c.id);
      t.same(
        stream.events.map((e) => e.id),
        expected,
        'exactly the changes after Last-Event-ID (it wins over since=0), in order, once each',
      );
      t.match(
        stream.events.map((e) => [e.data.kind, e.data.action]),
        [
          ['candidate', 'created'],
          ['results', 'published'],
          ['candidate', 'created'],
        ],
      );
    });

    t.test('a write rolled back never reaches a stream', async (t) => {
      const stream = new SseClient(port, '/v1/changes/stream?kind=candidate');
      t.teardown(() => stream.close());
      await until(
        async () => stream.retry,
        (r) => r !== null,
      );
      await app.database.primary
        .transaction(async (tx) => {
          await tx.execute(
            sql`insert into candidates (id, name, source_id) values ('stream-rolled-back', 'Rolled Back', ${SOURCE})`,
          );
          throw new Error('roll back');
        })
        .catch(() => {});
      t.equal((await newPerson(app, auth, 'Stream Committed')).status, 201);
      const events = await until(
        async () => stream.events,
        (e) => e.length >= 1,
      );
      t.same(
        events.map((e) => e.data.resourceId),
        ['stream-committed'],
        'only the committed person',
      );
    });

    t.test('bad Last-Event-ID and the per-client limit are problems', async (t) => {
      const bad = await app.inject({ url: '/v1/changes/stream', headers: { 'last-event-id': 'yesterday' } });
      t.equal(bad.statusCode, 400);
      t.match(bad.headers['content-type'], /^application\/problem\+json/);
      t.match(bad.json(), { errors: [{ in: 'header', name: 'last-event-id' }] });

      const streams = [1, 2, 3].map(() => new SseClient(port, '/v1/changes/stream'));
      t.teardown(() => streams.forEach((s) => s.close()));
      await until(
        async () => streams.map((s) => s.status),
        (s) => s.every((x) => x === 200),
      );
      const refused = new SseClient(port, '/v1/changes/stream');
      t.teardown(() => refused.close());
      await until(
        async () => refused.ended || refused.status !== 0,
        (x) => x,
      );
      t.equal(refused.status, 429, 'a fourth stream from one client');
      t.equal(refused.header('retry-after'), '5');
      t.match(refused.header('content-type'), /^application\/problem\+json/);
      streams[0]!.close();
      const again = await until(
        async () => {
          const s = new SseClient(port, '/v1/changes/stream');
          await until(
            async () => s.status,
            (x) => x !== 0,
          );
          if (s.status !== 200) s.close();
          return s;
        },
        (s) => s.status === 200,
      );
      t.teardown(() => again.close());
      t.pass('a closed stream gives its place back');
    });

    if (engine === 'postgres') {
      t.test('a write through one instance reaches the streams of another', async (t) => {
        // A second instance on the same database, as two behind a load balancer: only PostgreSQL
        // has sessions of other processes to notify.
        const other = await listening(t, engine, env, fresh.options);
        const stream = new SseClient(other.port, '/v1/changes/stream?kind=candidate');
        t.teardown(() => stream.close());
        await until(
          async () => stream.retry,
          (r) => r !== null,
        );
        t.equal((await newPerson(app, auth, 'Stream Other Instance')).status, 201, 'written through the first');
        const [event] = await until(
          async () => stream.events,
          (e) => e.length >= 1,
        );
        t.equal(event!.data.resourceId, 'stream-other-instance', 'seen on a stream of the second');
      });
    }
  });
}

t.test('a client that stops reading is cut off, not buffered', async (t) => {
  const { app, port } = await listening(t, 'pglite', {
    STREAM_MAX_BUFFERED_BYTES: '65536',
    STREAMS_MAX_PER_CLIENT: '1',
  });
  const slow = new SseClient(port, '/v1/changes/stream', {}, { read: false });
  t.teardown(() => slow.close());
  await until(
    async () => slow.status,
    (s) => s === 200,
  );
  // 40,000 new people in one statement (a bulk import): ~10 MB of events, more than the socket
  // buffers of both ends and the limit hold.
  await app.database.primary.execute(
    sql`insert into candidates (id, name, source_id)
        select 'stream-bulk-' || g, 'Bulk ' || g, ${SOURCE} from generate_series(1, 40000) g`,
  );
  await until(
    async () => slow.ended,
    (ended) => ended,
    60_000,
  );
  t.pass('the server closed the stream of the client that did not read');
  const next = new SseClient(port, '/v1/changes/stream');
  t.teardown(() => next.close());
  await until(
    async () => next.status,
    (s) => s !== 0,
  );
  t.equal(next.status, 200, 'its place was given back (the limit is one stream per client)');
});

t.test('closing the server ends every open stream', async (t) => {
  const fresh = await freshDatabase('pglite');
  t.teardown(() => fresh.drop());
  const { buildApp } = await import('../src/app.js');
  const { testConfig } = await import('./helpers/app.js');
  const app = await buildApp({ config: testConfig({ STREAMS_MAX_PER_CLIENT: '1000' }), database: fresh.options });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  const streams = Array.from({ length: scaled(200, 1000) }, () => new SseClient(port, '/v1/changes/stream'));
  await until(
    async () => streams.filter((s) => s.status === 200).length,
    (n) => n === streams.length,
    30_000,
  );
  const started = performance.now();
  await app.close();
  const took = performance.now() - started;
  await until(
    async () => streams.filter((s) => !s.ended).length,
    (n) => n === 0,
  );
  t.ok(
    streams.every((s) => s.finished),
    'each stream was ended by the server (its last chunk sent), not cut when the drain gave up',
  );
  t.comment(`closed with ${streams.length} open streams in ${took.toFixed(0)} ms`);
  streams.forEach((s) => s.close());
});
