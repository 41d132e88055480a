import t from 'tap';
import { collectPages, forEachEngine, get } from './helpers/app.js';

forEachEngine(t, async (t, app) => {
  t.test('every source, paged', async (t) => {
    const { items, pages } = await collectPages<{ id: string; url: string | null }>(app, '/v1/sources?limit=4');
    t.equal(items.length, 6);
    t.equal(pages, 2);
    t.same(
      items.map((s) => s.id),
      items.map((s) => s.id).sort(),
    );
  });

  t.test('one source', async (t) => {
    const res = await get(app, '/v1/sources/kazinform-2022-cec-final-results');
    t.equal(res.status, 200);
    t.same(res.body, {
      id: 'kazinform-2022-cec-final-results',
      publisher: 'Kazinform',
      title: null,
      url: 'https://www.inform.kz/en/cec-announces-final-results-of-nov-20-presidential-election_a4004726',
      published: null,
      kind: 'news',
      language: 'en',
      note: 'Reports the final results adopted by the Central Election Commission on 22 Nov 2022.',
    });
    t.equal((await get(app, '/v1/sources/no-such-source')).status, 404);
    t.equal((await get(app, '/v1/sources/Bad_Id')).status, 400);
  });

  t.test('every source any record cites is served', async (t) => {
    const { items } = await collectPages<{ id: string }>(app, '/v1/sources');
    const known = new Set(items.map((s) => s.id));
    const cited: string[] = [];
    const elections = (await get(app, '/v1/elections')).body as { data: { id: string; source: { id: string } }[] };
    for (const e of elections.data) {
      cited.push(e.source.id);
      const versions = (await get(app, `/v1/elections/${e.id}/results/versions`)).body as {
        data: { version: number }[];
      };
      for (const v of versions.data) {
        const full = (await get(app, `/v1/elections/${e.id}/results/versions/${v.version}`)).body as {
          sources: { id: string }[];
          lines: unknown[];
        };
        t.ok(full.sources.length > 0, `${e.id} v${v.version} cites a source`);
        cited.push(...full.sources.map((s) => s.id));
      }
    }
    for (const id of cited) t.ok(known.has(id), `${id} is served by /v1/sources`);
  });
});
