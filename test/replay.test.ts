// npm run replay (issue 17): Kazakhstan's 2022 election night replayed through the public write API
// into a scratch copy, run as a process against a live server on both engines; the copy's versions
// must carry the original's figures, in the original's order.
import t from 'tap';
import { buildTestApp, engines, get } from './helpers/app.js';
import { exitOf, runTs } from './helpers/process.js';
import { tokenFor } from './helpers/writes.js';

const KZ2022 = 'kz.presidential.2022-11-20';

interface Doc {
  version: number;
  status: string;
  asOf: string | null;
  contest: { id: string };
  turnout: unknown;
  counting: unknown;
  lines: { id?: number }[];
  areas: { lines: { id?: number }[] }[];
  sources: { id: string }[];
  note: string | null;
}

/** What a version says, without what belongs to its copy (line ids, times, the election). */
const figures = (d: Doc) => ({
  version: d.version,
  status: d.status,
  asOf: d.asOf,
  contest: d.contest.id,
  turnout: d.turnout,
  counting: d.counting,
  note: d.note,
  sources: d.sources.map((s) => s.id),
  lines: d.lines.map(({ id: _, ...l }) => l),
  areas: d.areas.map((a) => ({ ...a, lines: a.lines.map(({ id: _, ...l }) => l) })),
});

for (const engine of engines) {
  t.test(engine, async (t) => {
    const app = await buildTestApp(t, engine);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const apiUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const token = await tokenFor(app, 'write');
    const replay = (env: NodeJS.ProcessEnv, ...args: string[]) => exitOf(runTs('src/cli/replay.ts', env, args));

    const run = await replay({ API_URL: apiUrl, API_KEY: token }, '--election', KZ2022, '--speed', '1e9');
    t.equal(run.code, 0, 'exits 0', { output: run.output });
    const copy = /^done: (\S+)$/m.exec(run.output)?.[1];
    t.equal(copy, 'kz.presidential.2100-11-20', 'the copy: the same election in 2100');
    const election = await get(app, `/v1/elections/${copy}`);
    t.match(
      (election.body as { note: string }).note,
      /^A replay of kz\.presidential\.2022-11-20 .*not a real election/,
    );

    const feed = async (id: string) =>
      ((await get(app, `/v1/changes?election=${id}&kind=results&limit=1000`)).body as { data: { url: string }[] }).data;
    const [original, copied] = [await feed(KZ2022), await feed(copy!)];
    t.equal(copied.length, original.length, 'every version, once');
    t.ok(original.length >= 10);
    for (const [i, change] of original.entries()) {
      for (const level of ['', '?level=region']) {
        const a = (await get(app, `${change.url}${level}`)).body as Doc;
        const b = (await get(app, `${copied[i]!.url}${level}`)).body as Doc;
        t.same(figures(b), figures(a), `${change.url}${level}: the same figures, in the same order`);
      }
    }
    const night = (await get(app, `/v1/elections/${copy}/results/versions/7?level=region`)).body as Doc;
    t.equal(night.areas.length, 20, 'the 22:00 briefing: turnout in the 20 regions');

    await t.test('--synthetic-count: a made-up count in a contest of its own, marked so', async (t) => {
      const run = await replay(
        { API_URL: apiUrl, API_KEY: token },
        '--election',
        KZ2022,
        '--speed',
        '1e9',
        '--year',
        '2150',
        '--synthetic-count',
      );
      t.equal(run.code, 0, { output: run.output });
      const copy = /^done: (\S+)$/m.exec(run.output)?.[1];
      t.equal(copy, 'kz.presidential.2150-11-20');
      // The main contest: the original's versions only, as without the option.
      const [original, copied] = [await feed(KZ2022), await feed(copy!)];
      const main = copied.filter((c) => c.url.includes('/contests/president/'));
      t.equal(main.length, original.length, 'the real versions, none added');
      for (const [i, change] of original.entries()) {
        const a = (await get(app, `${change.url}?level=region`)).body as Doc;
        const b = (await get(app, `${main[i]!.url}?level=region`)).body as Doc;
        t.same(figures(b), figures(a), `${change.url}: unchanged by the synthetic count`);
      }
      const made = copied.filter((c) => c.url.includes('/contests/synthetic-count/'));
      t.equal(made.length, 7, 'a synthetic version per briefing with regions (10:05 to 22:00)');
      const contest = (await get(app, `/v1/elections/${copy}/contests/synthetic-count`)).body as {
        name: string;
        main: boolean;
      };
      t.match(contest, { main: false, name: /synthetic count \(made up, not real figures\)/ });
      interface Synthetic {
        note: string;
        counting: { ballotsCounted: number };
        sources: { id: string; publisher: string }[];
        lines: { name: string; votes: number }[];
        areas: { area: { id: string }; counting: { ballotsCounted: number }; lines: { votes: number }[] }[];
      }
      let before = 0;
      for (const change of made) {
        const v = (await get(app, `${change.url}?level=region`)).body as Synthetic;
        t.match(v.note, /^SYNTHETIC: made up by npm run replay --synthetic-count, not real figures/);
        t.match(v.sources[0], { id: 'replay-synthetic-count', publisher: /made up, not a real source/ });
        t.equal(v.areas.length, 20, 'every region');
        t.same(
          v.lines.map((l) => l.votes),
          v.lines.map((_, j) => v.areas.reduce((n, a) => n + a.lines[j]!.votes, 0)),
          "the country's lines: the regions' sums",
        );
        t.ok(v.counting.ballotsCounted > before, 'the count grows with each briefing');
        before = v.counting.ballotsCounted;
      }
      t.equal(before, 8_300_046, "all counted at the last briefing: the original's last ballots cast");
      const real = (await get(app, `/v1/elections/${KZ2022}/contests`)).body as { data: { id: string }[] };
      t.same(
        real.data.map((c) => c.id),
        ['president'],
        'the real election has no synthetic contest',
      );
    });

    await t.test('a second replay makes the next copy; no key or a bad election: an error, exit 2', async (t) => {
      const again = await replay({ API_URL: apiUrl, API_KEY: token }, '--election', KZ2022, '--speed', '1e9');
      t.equal(again.code, 0, { output: again.output });
      t.match(again.output, /^done: kz\.presidential\.2101-11-20$/m, 'the next free year');
      const noKey = await replay({ API_URL: apiUrl, API_KEY: '' }, '--election', KZ2022);
      t.equal(noKey.code, 2);
      const missing = await replay({ API_URL: apiUrl, API_KEY: token }, '--election', 'kz.presidential.1900-01-01');
      t.equal(missing.code, 2);
      t.match(missing.output, /404/);
    });
  });
}
