// Atom feeds of result versions (issue 17): read as a feed reader reads them (rss-parser, a library
// nobody here wrote), and through a conformant XML parser (saxes) for well-formedness and escaping.
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import Parser from 'rss-parser';
import { SaxesParser } from 'saxes';
import t from 'tap';
import { buildTestApp, forEachEngine, get } from './helpers/app.js';
import { rowsOf } from './helpers/sql.js';
import { bearer, certified2022, send, tokenFor } from './helpers/writes.js';

const KZ2022 = 'kz.presidential.2022-11-20';
const FEED = `/v1/elections/${KZ2022}/results/feed`;
const reader = new Parser();

/** The text of each element named `name` (CDATA included), in document order, or the parse errors. */
function xmlTexts(xml: string, name: string): { texts: string[]; errors: string[] } {
  const parser = new SaxesParser({ xmlns: true });
  const errors: string[] = [];
  const texts: string[] = [];
  let depth = 0;
  let current = '';
  parser.on('error', (e) => errors.push(e.message));
  parser.on('opentag', (tag) => {
    if (tag.local === name && depth === 0) current = '';
    if (tag.local === name || depth > 0) depth += 1;
  });
  const add = (text: string) => {
    if (depth > 0) current += text;
  };
  parser.on('text', add);
  parser.on('cdata', add);
  parser.on('closetag', (tag) => {
    if (depth === 0) return;
    depth -= 1;
    if (depth === 0 && tag.local === name) texts.push(current);
  });
  parser.write(xml).close();
  return { texts, errors };
}

/** HTML's entities back to text, as a reader shows a type="html" element. */
const unescapeHtml = (s: string) =>
  s
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&amp;', '&');

/** The changes an Atom feed shows (versions and calls), newest first. */
const resultChanges = (app: FastifyInstance, where: 'election' | 'country', value: string) =>
  rowsOf<{ url: string }>(
    app.database.primary,
    where === 'election'
      ? sql`select c.url from changes c where c.kind in ('results', 'call') and c.election_id = ${value} order by c.id desc`
      : sql`select c.url from changes c where c.kind in ('results', 'call') and c.country_code = ${value} order by c.id desc`,
  );

const lastChange = async (app: FastifyInstance, country: string) =>
  (
    await rowsOf<{ at: string | null }>(
      app.database.primary,
      sql`select to_char(max(at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at from changes where country_code = ${country}`,
    )
  )[0]!.at;

forEachEngine(t, async (t, app, engine) => {
  t.test("an election's feed: Atom, each result version an entry, newest first", async (t) => {
    const res = await get(app, FEED, { host: 'elections.example.org' });
    t.equal(res.status, 200);
    t.equal(res.headers['content-type'], 'application/atom+xml; charset=utf-8');
    t.match(res.headers.etag, /^"[\w-]+"$/);
    t.equal(
      res.headers['cache-control'],
      'public, max-age=300, stale-while-revalidate=300',
      'its newest version is certified: the final results max-age',
    );
    t.match(res.headers.vary, /Accept/);
    const xml = res.body as string;
    t.same(xmlTexts(xml, 'feed').errors, [], 'well-formed XML');
    const feed = await reader.parseString(xml);
    const base = 'http://elections.example.org';
    t.equal(feed.title, 'Kazakhstan presidential election, 20 November 2022: results and calls');
    t.equal(feed.feedUrl, `${base}${FEED}`, 'rel=self: the absolute URL of the feed, on the host asked');
    const expected = (await resultChanges(app, 'election', KZ2022)).map((c) => `${base}${c.url}`);
    t.ok(expected.length >= 10, 'the seeds gave it versions', { versions: expected.length });
    t.same(
      feed.items.map((i) => i.link),
      expected.slice(0, 50),
      'every version, newest first, linked to its URL',
    );
    t.same(
      feed.items.map((i) => (i as { id?: string }).id),
      expected.slice(0, 50),
      "the version's URL is its permanent id",
    );
    const certified = feed.items.find((i) => i.link?.endsWith('/versions/10'));
    t.equal(certified?.title, 'Kazakhstan presidential election, 20 November 2022: version 10, certified results');
    t.match(
      certified?.summary,
      /^Certified results as of 2022-11-22, published by Kazinform\. Kassym-Jomart Tokayev: 81\.31% \(6,456,393 votes\); Against all: 5\.8% \(460,484 votes\); Zhiguli Dairabayev: 3\.42% \(271,641 votes\)\. Turnout 69\.44%\./,
      'status, the three leading lines as published, turnout',
    );
    t.equal(certified?.author, 'Kazinform', 'the source that published the figures is the author');
    const entry = xml.split('<entry>').find((e) => e.includes('/versions/10</id>'));
    t.match(entry, '<category term="certified"/>', 'its status as a category');
    const night = feed.items.find((i) => i.link?.endsWith('/versions/7'));
    t.match(
      night?.summary,
      /^Preliminary results, partial count as of 2022-11-20T22:00:00\+06:00 \(not complete\).* Figures for 20 areas\./,
    );
    // Revalidation: the same bytes, a 304.
    const again = await get(app, FEED, { host: 'elections.example.org', 'if-none-match': res.headers.etag as string });
    t.equal(again.status, 304);
    t.equal(again.body, '');
  });

  t.test('a new version tops the feed at once, its text escaped; an old ETag is no longer a 304', async (t) => {
    const before = await get(app, FEED);
    const auth = bearer(await tokenFor(app, 'write'));
    const note = 'Recount <b>ordered</b> & checked ]]> "twice"\u0001\u001f';
    const published = await send(
      app,
      'POST',
      `/v1/elections/${KZ2022}/results`,
      {
        ...certified2022,
        status: 'correction',
        note,
        counting: {
          unitsLevel: 'polling-station',
          unitsReporting: 6262,
          unitsTotal: 10_101,
          ballotsCounted: 5_000_000,
        },
      },
      auth,
    );
    t.equal(published.status, 201, { body: published.body });
    const version = (published.body as { version: number }).version;
    const after = await get(app, FEED, { 'if-none-match': before.headers.etag as string });
    t.equal(after.status, 200, 'the feed changed: not a 304');
    t.not(after.headers.etag, before.headers.etag);
    const xml = after.body as string;
    const { texts, errors } = xmlTexts(xml, 'summary');
    t.same(errors, [], 'still well-formed, with ]]> in the note');
    t.notMatch(texts[0], /<b>/, 'no markup reaches a reader from the data');
    t.match(
      unescapeHtml(texts[0]!),
      'Recount <b>ordered</b> & checked ]]> "twice"',
      'the note as written, once the HTML is read (its control characters, which XML cannot hold, dropped)',
    );
    const feed = await reader.parseString(xml);
    t.match(feed.items[0]?.link, new RegExp(`/versions/${version}$`));
    t.match(feed.items[0]?.title, `version ${version}, corrected results`);
    t.match(
      unescapeHtml(feed.items[0]!.summary!),
      'Turnout 69.44%. 61.99% of polling stations counted (6,262 of 10,101). 5,000,000 ballots counted.',
      'its counting progress, as the chart words it',
    );
    const [change] = await rowsOf<{ at: string }>(
      app.database.primary,
      sql`select to_char(max(at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at from changes where election_id = ${KZ2022}`,
    );
    t.equal(feed.items[0]?.isoDate, change!.at, 'updated: when the version was recorded');
    t.equal(xmlTexts(xml, 'updated').texts[0], change!.at, "the feed's updated: its newest entry");
  });

  t.test('a race call is an entry too: who won, who called it, when; a retraction another', async (t) => {
    const auth = bearer(await tokenFor(app, 'write'));
    const calls = `/v1/elections/${KZ2022}/contests/president/calls`;
    const before = await get(app, FEED);
    const called = await send(
      app,
      'POST',
      calls,
      {
        status: 'called',
        winners: [{ candidateId: 'kassym-jomart-tokayev' }],
        sourceId: 'kazinform-2022-cec-final-results',
        calledAt: '2022-11-21T12:00:00+06:00',
        note: 'Desk <i>call</i> & "final"',
      },
      auth,
    );
    t.equal(called.status, 201, { body: called.body });
    const after = await get(app, FEED, { 'if-none-match': before.headers.etag as string });
    t.equal(after.status, 200, 'the feed changed with the call: not a 304');
    const xml = after.body as string;
    t.same(xmlTexts(xml, 'feed').errors, [], 'well-formed');
    t.notMatch(xmlTexts(xml, 'summary').texts[0], /<i>/, 'no markup from the note');
    const feed = await reader.parseString(xml);
    const top = feed.items[0]!;
    t.equal(top.link, `http://localhost${called.headers.location}`, 'the call tops the feed, linked to its URL');
    t.equal(
      top.title,
      'Kazakhstan presidential election, 20 November 2022: call 1, called: Kassym-Jomart Tokayev wins',
    );
    t.equal(
      unescapeHtml(top.summary!),
      'Called: Kassym-Jomart Tokayev wins, by Kazinform, at 2022-11-21T06:00:00.000Z. Desk <i>call</i> & "final"',
    );
    t.equal(top.author, 'Kazinform', 'who made the call is the author');
    const entry = xml.split('<entry>')[1]!;
    t.match(entry, '<category term="call"/>');
    t.match(entry, '<category term="called"/>');
    t.equal(
      after.headers['cache-control'],
      before.headers['cache-control'],
      'a call leaves the max-age to the newest version',
    );

    const retracted = await send(
      app,
      'POST',
      calls,
      { status: 'uncalled', sourceId: 'kazinform-2022-cec-final-results' },
      auth,
    );
    t.equal(retracted.status, 201);
    const country = await reader.parseString((await get(app, '/v1/countries/KZ/results/feed')).body as string);
    t.same(
      country.items.slice(0, 2).map((i) => i.title),
      [
        'Kazakhstan presidential election, 20 November 2022: call 2, uncalled: no call stands',
        'Kazakhstan presidential election, 20 November 2022: call 1, called: Kassym-Jomart Tokayev wins',
      ],
      "the country's feed too, newest first",
    );
  });

  t.test("a country's feed: the versions of all its elections, newest first", async (t) => {
    const res = await get(app, '/v1/countries/kz/results/feed');
    t.equal(res.status, 200);
    t.equal(
      res.headers['cache-control'],
      'public, max-age=10, stale-while-revalidate=10',
      'short: a new election may start',
    );
    const head = await app.inject({ method: 'HEAD', url: '/v1/countries/kz/results/feed' });
    t.equal(head.statusCode, 200, 'HEAD');
    t.equal(head.body, '');
    t.equal(head.headers['content-type'], 'application/atom+xml; charset=utf-8');
    const feed = await reader.parseString(res.body as string);
    t.equal(feed.title, 'Kazakhstan: results and calls');
    const expected = (await resultChanges(app, 'country', 'KZ')).map((c) => `http://localhost${c.url}`);
    t.same(
      feed.items.map((i) => i.link),
      expected.slice(0, 50),
    );
    const elections = new Set(feed.items.map((i) => /\/elections\/([^/]+)\//.exec(i.link ?? '')?.[1]));
    t.ok(elections.size >= 3, 'several elections', { elections: [...elections] });
    const seats = feed.items.find((i) => i.link?.includes('kz.parliamentary.2023-03-19/contests/chamber/'));
    t.match(seats?.summary, /AMANAT: 62 seats; Auyl Party: 8 seats/, 'a seats-only line shows its seats');
  });

  t.test('errors: unknown election (404) or country code (400), a JSON Accept (406); an empty feed', async (t) => {
    const missing = await get(app, '/v1/elections/kz.presidential.1900-01-01/results/feed');
    t.equal(missing.status, 404);
    t.match(missing.type, /^application\/problem\+json/);
    t.match((missing.body as { detail: string }).detail, 'kz.presidential.1900-01-01');
    const country = await get(app, '/v1/countries/zz/results/feed');
    t.equal(country.status, 400, 'not a country code');
    t.match((country.body as { errors: { name: string }[] }).errors[0]?.name, 'code');
    // A country with no result versions: an empty feed, updated when its data last changed (each
    // country has its own area, created by the seeds).
    const at = await lastChange(app, 'FR');
    t.match(at, /^\d{4}-\d\d-\d\dT/, "FR's area is in the feed");
    const empty = await get(app, '/v1/countries/FR/results/feed');
    t.equal(empty.status, 200, 'no results yet: an empty feed');
    t.same(xmlTexts(empty.body as string, 'entry').texts, [], 'no entry');
    t.same(xmlTexts(empty.body as string, 'updated').texts, [at], 'updated: the last change to its data');
    const host = await get(app, FEED, { host: 'a b' });
    t.equal(host.status, 400, 'a Host that is no host name');
    t.match((host.body as { detail: string }).detail, 'Host header');
    const json = await get(app, FEED, { accept: 'application/json' });
    t.equal(json.status, 406);
    t.match((json.body as { detail: string }).detail, 'application/atom+xml');
  });

  t.test('behind a trusted proxy: its host and protocol, and a 400 for a protocol that is not http(s)', async (t) => {
    const proxied = await buildTestApp(t, engine, { env: { TRUST_PROXY: 'true' } });
    const res = await get(proxied, FEED, { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'news.example' });
    t.equal(res.status, 200);
    t.equal((await reader.parseString(res.body as string)).feedUrl, `https://news.example${FEED}`);
    const odd = await get(proxied, FEED, { 'x-forwarded-proto': 'foo' });
    t.equal(odd.status, 400, 'not a 500');
    t.match((odd.body as { detail: string }).detail, 'not http or https');
  });
});
