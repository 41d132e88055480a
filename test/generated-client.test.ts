// A second generated client, from another generator than openapi-fetch: @hey-api/openapi-ts's SDK
// (examples/generated/hey-api), which parses each JSON response body with its operation's zod schema
// before handing it over. Run against a live server on every engine, it shows that what the server
// sends is what openapi.json promises, as a client generated from the document checks it at run time.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import t from 'tap';
import { ZodError } from 'zod';
import config from '../examples/generated/openapi-ts.config.js';
import { createClient, createConfig } from '../examples/generated/hey-api/client/index.js';
import * as api from '../examples/generated/hey-api/sdk.gen.js';
import { zProblem, zResults } from '../examples/generated/hey-api/zod.gen.js';
import { forEachEngine } from './helpers/app.js';
import { root } from './helpers/process.js';
import { tokenFor } from './helpers/writes.js';

const KZ2022 = 'kz.presidential.2022-11-20';

forEachEngine(t, async (t, app) => {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  // `throwOnError` on each call: a problem document, or a body its schema refuses, is thrown, not returned.
  const client = createClient(createConfig({ baseUrl }));
  const opts = { client, throwOnError: true as const };

  t.test('reads, each body parsed by its zod schema', async (t) => {
    const countries = await api.listCountries({ ...opts, query: { limit: 250 } });
    t.match(
      countries.data.data.find((c) => c.code === 'KZ'),
      { alpha3: 'KAZ', name: 'Kazakhstan' },
    );

    const election = await api.getElection({ ...opts, path: { id: KZ2022 } });
    t.match(election.data, { id: KZ2022, type: 'presidential', date: '2022-11-20', country: { code: 'KZ' } });

    const results = await api.getElectionResults({ ...opts, path: { id: KZ2022 } });
    t.match(results.data, { electionId: KZ2022, status: 'certified', preliminary: false });
    t.match(results.data.lines[0], {
      name: 'Kassym-Jomart Tokayev',
      votes: 6_456_393,
      percent: 81.31,
      outcome: 'elected',
      nominator: { name: "People's Coalition" },
    });

    const contests = await api.listContests({ ...opts, path: { id: KZ2022 } });
    t.match(contests.data.data, [{ electionId: KZ2022, main: true }]);

    const areas = await api.listAreas({ ...opts, query: { country: 'KZ', level: 'region', limit: 100 } });
    t.ok(areas.data.data.length >= 17, 'the regions of Kazakhstan');
    t.ok(areas.data.data.every((a) => a.countryCode === 'KZ' && a.level === 'region'));

    const shares = await api.listVoteShares({
      ...opts,
      query: { candidate: 'kassym-jomart-tokayev', year: 2022, status: 'certified' },
    });
    t.match(shares.data.data, [
      { percent: 81.31, name: 'Kassym-Jomart Tokayev', nominatorName: "People's Coalition", electionId: KZ2022 },
    ]);
    t.equal(shares.data.data.length, 1);

    const organisations = await api.listOrganisations({ ...opts, query: { limit: 100 } });
    t.ok(organisations.data.data.length > 0);
    const coalition = await api.getOrganisation({ ...opts, path: { id: 'peoples-coalition' } });
    t.match(coalition.data, { id: 'peoples-coalition', name: "People's Coalition" });

    const sources = await api.listSources({ ...opts, query: { limit: 100 } });
    t.ok(sources.data.data.length > 0);
    t.ok(sources.data.data.every((s) => s.kind === 'official' || s.kind === 'news'));

    // Election night, region by region: the CEC's last briefing (turnout only), asOf with an offset.
    const night = await api.getResultVersion({
      ...opts,
      path: { id: KZ2022, n: 7 },
      query: { area: 'kz', level: 'region' },
    });
    t.match(night.data, { version: 7, status: 'unofficial-partial', asOf: '2022-11-20T22:00:00+06:00' });
    t.equal(night.data.areas.length, 20, 'the 20 regions of 20 Nov 2022');
    t.ok(
      night.data.areas.every((a) => a.area.level === 'region' && /^KZ-\d\d$/.test(a.area.isoCode ?? '')),
      'each a region with its ISO 3166-2 code',
    );

    const diff = await api.diffResultVersions({ ...opts, path: { id: KZ2022, a: 9, b: 10 } });
    t.match(
      diff.data.lines.find((l) => l.change === 'changed'),
      { key: 'candidate:kassym-jomart-tokayev', votesDelta: 1, percentDelta: 0 },
    );
  });

  t.test('a write with a key: the request and the 201 body both validated', async (t) => {
    const token = await tokenFor(app);
    const created = await api.createSource({
      ...opts,
      auth: token,
      body: {
        publisher: 'Generated Client Gazette',
        kind: 'news',
        title: 'Night figures',
        url: 'https://example.org/night',
        published: '2022-11-20T22:00:00+06:00',
      },
    });
    t.equal(created.response.status, 201);
    t.match(created.data, { publisher: 'Generated Client Gazette', published: '2022-11-20T22:00:00+06:00' });
    const read = await api.getSource({ ...opts, path: { id: created.data.id } });
    t.same(read.data, created.data, 'read back as written');
  });

  t.test('problem+json and text/csv', async (t) => {
    // A problem document is thrown as parsed JSON; it matches the document's Problem schema.
    const error: unknown = await api.getElection({ ...opts, path: { id: 'kz.presidential.2030-01-01' } }).then(
      () => t.fail('a 404 resolved'),
      (err: unknown) => err,
    );
    t.match(zProblem.parse(error), { status: 404, title: 'Not Found' });
    // The SDK checks parameters too: a malformed id never leaves the client.
    await t.rejects(api.getElection({ ...opts, path: { id: 'Not An Id' } }), ZodError);
    // CSV is read as text: the schemas describe JSON, so nothing is parsed (the types say JSON).
    const csv = await api.listCountries({ ...opts, query: { format: 'csv', limit: 3 } });
    t.equal(csv.response.headers.get('content-type'), 'text/csv; charset=utf-8');
    const text: unknown = csv.data;
    t.equal(typeof text, 'string');
    t.match(text, /^code,/);
  });

  t.test('the validation is real: a body that breaks its schema throws', async (t) => {
    const { data } = await api.getElectionResults({ ...opts, path: { id: KZ2022 } });
    const broken = structuredClone(data) as unknown as { lines: { percent: unknown }[] };
    broken.lines[0]!.percent = '81.31';
    const parsed = zResults.safeParse(broken);
    t.notOk(parsed.success, 'a percentage as a string');
    t.match(parsed.error?.issues, [{ path: ['lines', 0, 'percent'], code: 'invalid_type' }]);

    // The same through the SDK: the live body, altered on its way in, is refused, not returned.
    const tampering = createClient(
      createConfig({
        baseUrl,
        fetch: async (input: string | URL | Request, init?: RequestInit) => {
          const response = await fetch(input, init);
          const body = (await response.json()) as { lines: { percent: unknown }[] };
          body.lines[0]!.percent = '81.31';
          return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
        },
      }),
    );
    await t.rejects(
      api.getElectionResults({ client: tampering, throwOnError: true, path: { id: KZ2022 } }),
      ZodError,
      'the SDK throws the ZodError',
    );
  });
});

// Drift: what the generator makes of the committed openapi.json, in a temporary folder, must be the
// committed folder file for file. Only on a Node the generator supports (CI's Node 24); the live
// calls above run everywhere.
const generatorPackage = JSON.parse(
  await readFile(join(root, 'node_modules/@hey-api/openapi-ts/package.json'), 'utf8'),
) as { version: string; engines: { node: string } };
const minimum = /^>=(\d+)\.(\d+)\.(\d+)$/.exec(generatorPackage.engines.node)?.slice(1).map(Number);
const running = process.versions.node.split('.').map(Number);
const supported =
  minimum !== undefined && (running[0]! - minimum[0]! || running[1]! - minimum[1]! || running[2]! - minimum[2]!) >= 0;
const skip = supported
  ? false
  : `@hey-api/openapi-ts ${generatorPackage.version} needs Node ${generatorPackage.engines.node}; this is ` +
    `${process.versions.node}: CI's Node 24 runs this check`;

t.test('the committed examples/generated/hey-api is what @hey-api/openapi-ts generates', { skip }, async (t) => {
  const { createClient: generate } = await import('@hey-api/openapi-ts');
  const out = await mkdtemp(join(tmpdir(), 'elections-hey-api-'));
  t.teardown(() => rm(out, { recursive: true, force: true }));
  await generate({ ...config, output: { ...config.output, path: out }, logs: { level: 'silent', file: false } });
  const files = async (dir: string) =>
    (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
      .sort();
  const committed = config.output.path;
  const names = await files(out);
  t.same(await files(committed), names, 'the same files');
  const stale = [];
  for (const name of names) {
    if ((await readFile(join(out, name), 'utf8')) !== (await readFile(join(committed, name), 'utf8'))) stale.push(name);
  }
  t.same(stale, [], 'no file differs (if one does, run `npm run client:zod` and commit the result)');
});
