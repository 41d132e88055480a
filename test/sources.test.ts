import t from 'tap';
import { collectPages, forEachEngine, get } from './helpers/app.js';

forEachEngine(t, async (t, app) => {
  t.test('every source, paged', async (t) => {
    const { items, pages } = await collectPages<{ id: string; url: string | null }>(app, '/v1/sources?limit=20');
    t.equal(items.length, 58, 'every source the seeds cite');
    t.equal(pages, 3);
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
      terms: null,
      termsUrl: null,
      attribution: null,
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
    let contests = 0;
    for (const e of elections.data) {
      cited.push(e.source.id);
      const list = (await get(app, `/v1/elections/${e.id}/contests`)).body as { data: { id: string }[] };
      for (const contest of list.data) {
        contests += 1;
        const base = `/v1/elections/${e.id}/contests/${contest.id}/results`;
        const versions = (await get(app, `${base}/versions`)).body as { data: { version: number }[] };
        for (const v of versions.data) {
          // Every area's figures too: one level down from the contest's area.
          const full = (await get(app, `${base}/versions/${v.version}?level=region`)).body as {
            sources: { id: string }[];
          };
          t.ok(full.sources.length > 0, `${e.id} ${contest.id} v${v.version} cites a source`);
          cited.push(...full.sources.map((s) => s.id));
        }
      }
    }
    t.equal(contests, 5, 'every contest of the four elections');
    for (const id of cited) t.ok(known.has(id), `${id} is served by /v1/sources`);
  });
});
