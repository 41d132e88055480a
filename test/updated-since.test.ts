// `updatedSince` on the lists (issue 17): only the records with a change in the feed at or after an
// instant, on both engines; the instant taken from the database's own clock.
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { collectPages, forEachEngine, get } from './helpers/app.js';
import { rowsOf } from './helpers/sql.js';
import { bearer, certified2022, send, tokenFor } from './helpers/writes.js';

const KZ2022 = 'kz.presidential.2022-11-20';
const SOURCE = 'kazinform-2022-cec-final-results';

/** The database's clock now, as an RFC 3339 instant in UTC. */
const dbNow = async (app: FastifyInstance) =>
  (
    await rowsOf<{ now: string }>(
      app.database.primary,
      sql`select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as now`,
    )
  )[0]!.now;

const ids = async (app: FastifyInstance, url: string) =>
  (await collectPages<{ id: string }>(app, url)).items.map((r) => r.id);

forEachEngine(t, async (t, app) => {
  const auth = bearer(await tokenFor(app, 'write'));

  t.test('each list: nothing changed since now, then exactly what was written', async (t) => {
    const since = await dbNow(app);
    const q = `updatedSince=${encodeURIComponent(since)}`;
    const lists = [
      '/v1/elections',
      '/v1/countries/KZ/elections',
      '/v1/sources',
      '/v1/candidates',
      '/v1/organisations',
      '/v1/areas',
    ];
    for (const list of lists) t.same(await ids(app, `${list}?${q}`), [], `${list}: nothing since now`);

    const source = await send(
      app,
      'POST',
      '/v1/sources',
      { publisher: 'Test Gazette', title: 'A test', kind: 'news' },
      auth,
    );
    t.equal(source.status, 201, { body: source.body });
    const person = await send(app, 'POST', '/v1/candidates', { name: 'Updated Since', sourceId: SOURCE }, auth);
    t.equal(person.status, 201, { body: person.body });
    const party = await send(app, 'POST', '/v1/organisations', { name: 'Party Of Since', sourceId: SOURCE }, auth);
    t.equal(party.status, 201, { body: party.body });
    const area = await send(
      app,
      'POST',
      '/v1/areas',
      { parentId: 'kz-abai', level: 'district', name: 'Since District', sourceId: SOURCE },
      auth,
    );
    t.equal(area.status, 201, { body: area.body });
    const version = await send(
      app,
      'POST',
      `/v1/elections/${KZ2022}/results`,
      { ...certified2022, status: 'correction', note: 'updatedSince test' },
      auth,
    );
    t.equal(version.status, 201, { body: version.body });

    const PARL = 'kz.parliamentary.2023-03-19';
    const read = await get(app, `/v1/elections/${PARL}`);
    const edited = await send(
      app,
      'PATCH',
      `/v1/elections/${PARL}`,
      { note: 'Edited for the updatedSince test.' },
      { ...auth, 'if-match': String(read.headers.etag) },
    );
    t.equal(edited.status, 200, { body: edited.body });

    t.same(
      await ids(app, `/v1/elections?${q}`),
      [PARL, KZ2022],
      'elections: the one edited and the one given a new version (newest polling day first)',
    );
    t.same(await ids(app, `/v1/countries/KZ/elections?${q}`), [PARL, KZ2022], "and in their country's list");
    t.same(await ids(app, `/v1/countries/RU/elections?${q}`), [], 'not in another country');
    t.same(await ids(app, `/v1/sources?${q}`), [(source.body as { id: string }).id], 'sources: the new one');
    t.same(await ids(app, `/v1/candidates?${q}`), [(person.body as { id: string }).id], 'candidates: the new one');
    t.same(await ids(app, `/v1/organisations?${q}`), [(party.body as { id: string }).id], 'organisations');
    t.same(await ids(app, `/v1/areas?${q}`), [(area.body as { id: string }).id], 'areas');

    // The same instant written with another offset is the same instant.
    const shifted = new Date(since);
    const local = new Date(shifted.getTime() + 6 * 3600_000).toISOString().replace('Z', '+06:00');
    t.same(
      await ids(app, `/v1/sources?updatedSince=${encodeURIComponent(local)}`),
      [(source.body as { id: string }).id],
      `${local}: the same instant`,
    );
    // Combined with the other filters (AND), and paged.
    t.same(await ids(app, `/v1/elections?${q}&type=parliamentary`), [PARL], 'AND with type');
    t.same(await ids(app, `/v1/elections?${q}&type=referendum`), [], 'AND with another type');
    t.same(await ids(app, `/v1/areas?${q}&level=region`), [], 'AND with level');
    const paged = await collectPages<{ id: string }>(app, `/v1/sources?updatedSince=2000-01-01T00:00:00Z&limit=3`);
    const all = await collectPages<{ id: string }>(app, '/v1/sources?limit=100');
    t.same(
      paged.items.map((r) => r.id),
      all.items.map((r) => r.id),
      'since long ago: every record, page by page',
    );
    t.ok(paged.pages > 1, 'over several pages');
  });

  t.test('a bad instant or combination: a 400 naming updatedSince', async (t) => {
    for (const bad of [
      'yesterday',
      '2023-02-30T00:00:00Z',
      '2023-01-01T00:00:00',
      '2023-01-01',
      '0000-01-01T00:00:00Z',
      // An instant that an offset moves into year 0, which PostgreSQL refuses.
      '0001-01-01T00:00:00+06:00',
      '0999-12-31T23:59:59Z',
      // An instant that an offset moves into the year 10000.
      '9999-12-31T23:00:00-05:00',
      '2023-13-01T00:00:00Z',
    ]) {
      const res = await get(app, `/v1/sources?updatedSince=${encodeURIComponent(bad)}`);
      t.equal(res.status, 400, `${bad}: 400`);
      t.match(res.type, /^application\/problem\+json/);
      t.match((res.body as { errors: { name: string }[] }).errors, [{ name: 'updatedSince' }], `${bad}: named`);
    }
    for (const list of ['/v1/elections', '/v1/candidates', '/v1/organisations', '/v1/areas']) {
      const lookup = await get(app, `${list}?wikidata=Q1&updatedSince=2999-01-01T00:00:00Z`);
      t.equal(lookup.status, 400, `${list}: a look-up and updatedSince`);
      t.match((lookup.body as { errors: { name: string }[] }).errors, [{ name: 'updatedSince' }]);
    }
    const search = await get(app, '/v1/candidates?q=tokayev&updatedSince=2020-01-01T00:00:00Z');
    t.equal(search.status, 400);
    t.match((search.body as { errors: { name: string }[] }).errors, [{ name: 'updatedSince' }]);
  });
});
