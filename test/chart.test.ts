import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import t, { type Test } from 'tap';
import { launchBrowser, noBrowser } from './helpers/browser.js';
import { toResultsChart } from '../src/formats/chart.js';
import type { Results } from '../src/modules/results/results.service.js';
import { SaxesParser } from 'saxes';
import { NEUTRAL_PALETTE } from '../src/formats/seats-chart.js';
import { buildTestApp, forEachEngine, get } from './helpers/app.js';

const KZ2022 = 'kz.presidential.2022-11-20';
const KZ2019 = 'kz.presidential.2019-06-09';
const REF2022 = 'kz.referendum.2022-06-05';
const KZ2023 = 'kz.parliamentary.2023-03-19';
// Screenshots are for people to look at; .tap/ is git-ignored.
const OUT = fileURLToPath(new URL('../.tap/charts/', import.meta.url));

const chartUrl = (id: string) => `/v1/elections/${id}/results/chart.svg`;

/** The content of each <text>, its <tspan> runs joined, still XML-escaped. */
const texts = (svg: string) =>
  [...svg.matchAll(/<text [^>]*>(.*?)<\/text>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ''));

interface Element {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: Element[];
}

/** The SVG through a conformant XML 1.0 parser (saxes): its element tree, or the parse errors. */
function parseXml(svg: string): { root: Element | undefined; errors: string[] } {
  const parser = new SaxesParser();
  const errors: string[] = [];
  const stack: Element[] = [];
  let root: Element | undefined;
  parser.on('error', (e) => errors.push(e.message));
  parser.on('opentag', (tag) => {
    const el: Element = { name: tag.name, attributes: { ...tag.attributes }, text: '', children: [] };
    stack.at(-1)?.children.push(el);
    root ??= el;
    stack.push(el);
  });
  parser.on('text', (text) => {
    for (const el of stack) el.text += text;
  });
  parser.on('closetag', () => stack.pop());
  parser.write(svg).close();
  return { root, errors };
}

/** Every element of the tree, in document order. */
const all = (el: Element | undefined): Element[] => (el ? [el, ...el.children.flatMap(all)] : []);

/** The chart parsed as XML, after asserting it is well-formed SVG with an accessible name and description. */
function wellFormed(t: Test, svg: string) {
  const { root, errors } = parseXml(svg);
  t.same(errors, [], 'well-formed XML');
  t.equal(root?.name, 'svg');
  t.equal(root?.attributes.xmlns, 'http://www.w3.org/2000/svg');
  t.equal(root?.attributes.role, 'img');
  const elements = all(root);
  const [titleId, descId] = (root?.attributes['aria-labelledby'] ?? '').split(' ');
  const title = elements.find((e) => e.attributes.id === titleId);
  const desc = elements.find((e) => e.attributes.id === descId);
  t.equal(title?.name, 'title', 'aria-labelledby names the <title>');
  t.equal(desc?.name, 'desc', 'and the <desc>');
  t.equal(root?.children[0], title, '<title> is the first child, as SVG asks');
  const byClass = (cls: string) => elements.filter((e) => e.attributes.class === cls);
  return { root, elements, title: title?.text ?? '', desc: desc?.text ?? '', byClass };
}

/** The headers every chart is served with. */
function assertSvgHeaders(t: Test, res: Awaited<ReturnType<typeof get>>, certified: boolean) {
  t.equal(res.status, 200);
  t.equal(res.headers['content-type'], 'image/svg+xml; charset=utf-8');
  t.equal(res.headers['x-content-type-options'], 'nosniff');
  t.match(res.headers['content-security-policy'], "default-src 'none'");
  t.ok(res.headers.etag, 'an ETag');
  if (certified) t.equal(res.headers['cache-control'], 'public, max-age=300, stale-while-revalidate=300');
  else t.notMatch(String(res.headers['cache-control']), /max-age=300/, 'preliminary: the shorter max-age');
}

async function assertProblem(t: Test, app: Parameters<typeof get>[0], url: string, status: number, detail?: RegExp) {
  const res = await get(app, url);
  t.equal(res.status, status, url);
  t.match(res.type, 'application/problem+json', `${url}: a problem document`);
  t.match(res.body, { status, ...(detail ? { detail } : {}) }, url);
  return res;
}

/** Results of 2022 with hostile and overlong text, to test escaping and wrapping. */
async function awkwardResults(app: Parameters<typeof get>[0]): Promise<Results> {
  const results = (await get(app, `/v1/elections/${KZ2022}/results`)).body as Results;
  const lines = results.lines.map((l) => ({ ...l }));
  lines[0] = {
    ...lines[0]!,
    name: 'Maximilian-Alexander Konstantinopoulos-Wolkenstein-Hohenberg <b>&</b> "Jr." O\'Neil',
    nominator: { id: 'x', name: 'The Very Long Name of a Public Association of Professional Social Workers & Friends' },
  };
  lines[1] = { ...lines[1]!, name: 'Against all\u0007\uD800 <script>alert(1)</script>' };
  lines[2] = { ...lines[2]!, votes: null, percent: null };
  return {
    ...results,
    status: 'unofficial-partial',
    complete: false,
    lines,
    sources: [{ ...results.sources[0]!, publisher: 'Agence & "Presse" <Kazakh> l\'Info' }],
  };
}

forEachEngine(t, async (t, app) => {
  t.test('2022, certified: every line labelled, status, source, accessible name', async (t) => {
    const res = await get(app, chartUrl(KZ2022));
    t.equal(res.status, 200);
    t.equal(res.headers['content-type'], 'image/svg+xml; charset=utf-8');
    t.equal(res.headers['x-content-type-options'], 'nosniff');
    t.equal(
      res.headers['cache-control'],
      'public, max-age=300, stale-while-revalidate=300',
      'certified results: the longer max-age',
    );
    const svg = res.body as string;
    t.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="600" height="\d+" viewBox="0 0 600 \d+"/);
    const [, labelledBy] = /aria-labelledby="([^"]+)"/.exec(svg) ?? [];
    const [titleId, descId] = labelledBy?.split(' ') ?? [];
    t.match(svg, ' role="img"');
    t.match(
      svg,
      `<title id="${titleId}">Kazakhstan presidential election, 20 November 2022: certified results</title>`,
    );
    t.match(
      svg,
      new RegExp(
        `<desc id="${descId}">Horizontal bar chart of vote shares as of 22 November 2022\\. Kassym-Jomart Tokayev \\(People&apos;s Coalition\\): 81\\.31%, 6,456,393 votes\\.`,
      ),
    );
    const shown = texts(svg);
    t.same(
      shown.slice(0, 3),
      [
        'Kazakhstan presidential election,',
        '20 November 2022',
        'Certified results · as of 22 November 2022 · version 10',
      ],
      'the title, broken after its comma, then the status in words',
    );
    const lines: [string, string][] = [
      ['Kassym-Jomart Tokayev · People&apos;s Coalition', '81.31% · 6,456,393 votes'],
      ['Against all', '5.8% · 460,484 votes'],
      ['Zhiguli Dairabayev · Auyl Party', '3.42% · 271,641 votes'],
      ['Karakat Abden · National Alliance of Professional Social Workers', '2.6% · 206,206 votes'],
      ['Meiram Kazhyken · Amanat Commonwealth of Trade Unions', '2.53% · 200,907 votes'],
      ['Nurlan Auesbayev · National Social Democratic Party', '2.22% · 176,116 votes'],
      ['Saltanat Tursynbekova · Qazaq Analary – Dasturge Zhol', '2.12% · 168,731 votes'],
    ];
    t.same(shown.slice(3, 17), lines.flat(), 'each line: its name and nominator, then its value');
    t.match(
      svg,
      '<tspan font-weight="700">Kassym-Jomart Tokayev</tspan><tspan fill="#4b5563"> · People&apos;s Coalition</tspan>',
    );
    t.equal(svg.match(/<rect class="bar"/g)?.length, 7, 'one bar per line');
    t.match(svg, 'width="448.8"', 'bars on a 0–100% scale: 81.31% of 552 px');
    t.same(
      shown.slice(17),
      [
        'Percentages as published, of the votes of all the lines.',
        'Source: Kazinform, reporting figures of the Central Election Commission of the',
        'Republic of Kazakhstan.',
      ],
      'what the percentages are of, and the source',
    );
    t.notMatch(svg, 'Incomplete');
    t.notMatch(svg, "People's", 'the apostrophe is escaped');

    const again = await get(app, chartUrl(KZ2022), { 'if-none-match': String(res.headers.etag) });
    t.equal(again.status, 304, 'cacheable like every read');
  });

  t.test('2019: seven candidates, four of them with votes and no published percentage', async (t) => {
    const res = await get(app, chartUrl(KZ2019));
    t.equal(res.status, 200);
    const svg = res.body as string;
    t.same(
      texts(svg),
      [
        'Kazakhstan presidential election, 9 June 2019',
        'Certified results · as of 10 June 2019 · version 4',
        'Kassym-Jomart Tokayev · Nur Otan',
        '70.96% · 6,539,715 votes',
        'Amirzhan Kosanov · Ult Tagdyry movement',
        '16.23% · 1,495,401 votes',
        'Daniya Yespayeva · Ak Zhol Democratic Party of Kazakhstan',
        '5.05% · 465,714 votes',
        'Toleutai Rakhimbekov · Auyl Party',
        'no percentage published · 280,451 votes',
        'Amangeldy Taspikhov · Federation of Trade Unions',
        'no percentage published · 182,898 votes',
        'Zhambyl Akhmetbekov · Communist People&apos;s Party',
        'no percentage published · 167,649 votes',
        'Sadybek Tugel · Uly Dala Kyrandary',
        'no percentage published · 84,582 votes',
        'Percentages as published, of the valid votes.',
        'Source: IFES ElectionGuide, reporting figures of the Central Election Commission of',
        'the Republic of Kazakhstan.',
      ],
      'a percentage is never computed: the lines without one have no bar',
    );
    t.equal(svg.match(/<rect class="bar"/g)?.length, 3);
  });

  t.test('every piece of text is escaped, and characters XML forbids are dropped', async (t) => {
    const svg = toResultsChart(await awkwardResults(app), { title: 'A & B <election> "2022" l\'été' });
    t.match(
      svg,
      '<title id="election-chart-kz-presidential-2022-11-20-v10-title">A &amp; B &lt;election&gt; &quot;2022&quot; l&apos;été: preliminary results, partial count</title>',
    );
    t.match(svg, '&lt;b&gt;&amp;&lt;/b&gt;');
    t.match(svg, 'Against all &lt;script&gt;alert(1)&lt;/script&gt;');
    t.notMatch(svg, /<script|<b>/);
    t.notOk(svg.includes('\u0007') || svg.includes('\uD800'), 'a control character and a lone surrogate are dropped');
    t.match(svg, 'Agence &amp; &quot;Presse&quot; &lt;Kazakh&gt; l&apos;Info');
    t.match(
      texts(svg).join(' '),
      'Preliminary results, partial count · as of 22 November 2022 · version 10',
      'the status, wrapped to the width',
    );
    t.match(svg, '>no percentage published</text>', 'a line without a percentage is said so, with no bar');
    t.equal(svg.match(/<rect class="bar"/g)?.length, 6);
    const text = svg.replace(/<[^>]+>/g, '');
    t.notMatch(text, /[<>]/, 'no markup outside tags');
    t.notMatch(svg, /&(?!(amp|lt|gt|quot|apos);)/, 'every ampersand starts an entity');
  });

  t.test('seats: the 2023 Mazhilis party lists as a parliament arch, with a legend', async (t) => {
    const url = `/v1/elections/${KZ2023}/results/seats.svg`;
    const res = await get(app, url);
    assertSvgHeaders(t, res, true);
    const svg = res.body as string;
    const { title, desc, elements, byClass } = wellFormed(t, svg);
    t.equal(title, 'Kazakhstan parliamentary election, 19 March 2023: seats won, certified results');
    t.match(
      desc,
      /^Parliament arch, one dot per seat: the 69 seats of Party lists \(nationwide\), from the left: Amanat: 40 seats; Auyl: 8 seats; Respublica: 6 seats; Ak Zhol: 6 seats; People's Party: 5 seats; National Social Democratic Party: 4 seats\. /,
      'the description reads the arch out, party by party',
    );
    t.match(desc, 'No seats: Baytaq Green Party of Kazakhstan.');

    const groups = byClass('seats');
    const dots = groups.map((g) => g.children.filter((c) => c.name === 'circle').length);
    t.same(dots, [40, 8, 6, 6, 5, 4], 'one dot per seat, party by party, most seats first');
    t.same(
      groups.map((g) => g.children.find((c) => c.name === 'title')?.text),
      [
        'AMANAT: 40 seats',
        'Auyl Party: 8 seats',
        'Respublica Party: 6 seats',
        'Ak Zhol Democratic Party of Kazakhstan: 6 seats',
        "People's Party of Kazakhstan: 5 seats",
        'National Social Democratic Party: 4 seats',
      ],
      "each party's dots carry its full name for a pointer or a screen reader",
    );
    t.equal(elements.filter((e) => e.name === 'circle').length, 69 + 6, '69 seats and six legend swatches');

    const legend = byClass('legend').map((e) => e.text);
    t.same(
      legend,
      [
        'Amanat · 40 seats',
        'Auyl · 8 seats',
        'Respublica · 6 seats',
        'Ak Zhol · 6 seats',
        "People's Party · 5 seats",
        'National Social Democratic Party · 4 seats',
      ],
      'a legend entry per party with seats, in the order of the arch',
    );
    const fills = groups.map((g) => g.attributes.fill);
    t.same(fills, NEUTRAL_PALETTE.slice(0, 6), 'no party colour in the seeds: the neutral palette, in order');
    t.same(
      byClass('swatch').map((e) => e.attributes.fill),
      fills,
      "each legend swatch has its party's colour",
    );
    t.same(
      byClass('total').map((e) => e.text),
      ['69', 'seats'],
    );
    t.same(
      byClass('note').map((e) => e.text),
      [
        'No seats: Baytaq Green Party of Kazakhstan.',
        'A list needs 5% of the vote for seats.',
        "Colours are from a neutral palette, not the parties' own.",
        'Source: The Astana Times, reporting figures of the Central Election Commission of',
        'the Republic of Kazakhstan.',
      ],
    );

    const contest = await get(app, `/v1/elections/${KZ2023}/contests/party-list/results/seats.svg`);
    t.equal(contest.body, svg, "the main contest's chart under its contest URL");
    const again = await get(app, url, { 'if-none-match': String(res.headers.etag) });
    t.equal(again.status, 304, 'cacheable like every read');
  });

  t.test('seats: the whole Mazhilis, independents in grey and last', async (t) => {
    const res = await get(app, `/v1/elections/${KZ2023}/contests/chamber/results/seats.svg`);
    assertSvgHeaders(t, res, true);
    const { title, byClass } = wellFormed(t, res.body as string);
    t.equal(
      title,
      'Kazakhstan parliamentary election, 19 March 2023, All 98 seats, by party: seats won, certified results',
    );
    const groups = byClass('seats');
    t.equal(
      groups.reduce((n, g) => n + g.children.filter((c) => c.name === 'circle').length, 0),
      98,
    );
    t.same(byClass('legend').at(-1)?.text, 'Independents (self-nominated) · 6 seats');
    t.equal(groups.at(-1)?.attributes.fill, '#6b7280', 'grey: not a party');
  });

  t.test('seats: 404 for a contest or version without seats, 400 for a malformed request', async (t) => {
    await assertProblem(
      t,
      app,
      `/v1/elections/${KZ2022}/results/seats.svg`,
      404,
      /^kz\.presidential\.2022-11-20 \(president, a candidate contest\) has no seats published in result version 10\.$/,
    );
    await assertProblem(t, app, `/v1/elections/${REF2022}/contests/question-1/results/seats.svg`, 404, /no seats/);
    await assertProblem(
      t,
      app,
      `/v1/elections/${KZ2023}/results/seats.svg?version=1`,
      404,
      /no seats published in result version 1\./,
    );
    await assertProblem(
      t,
      app,
      `/v1/elections/${KZ2023}/contests/senate/results/seats.svg`,
      404,
      /has no contest 'senate'/,
    );
    await assertProblem(t, app, `/v1/elections/${KZ2023}/results/seats.svg?version=99`, 404, /no result version 99/);
    await assertProblem(t, app, '/v1/elections/kz.parliamentary.2031-01-01/results/seats.svg', 404);
    for (const query of ['version=0', 'version=two', 'version=1.5', 'colour=red'])
      await assertProblem(t, app, `/v1/elections/${KZ2023}/results/seats.svg?${query}`, 400);
    const bad = await assertProblem(t, app, `/v1/elections/${KZ2023}/contests/Party_List/results/seats.svg`, 400);
    t.match(bad.body, { errors: [{ in: 'path', name: 'contest' }] }, 'naming the field');
  });

  t.test('regions: the 2022 turnout by region, one bar per region, highest first', async (t) => {
    const url = `/v1/elections/${KZ2022}/results/regions.svg`;
    const res = await get(app, url);
    assertSvgHeaders(t, res, false);
    const svg = res.body as string;
    const { title, desc, byClass } = wellFormed(t, svg);
    t.equal(title, 'Kazakhstan presidential election, 20 November 2022: turnout by region');

    // The oracle: the same version as JSON, at level region.
    const json = (await get(app, `/v1/elections/${KZ2022}/results/versions/7?level=region`)).body as Results;
    t.equal(json.areas.length, 20);
    const expected = json.areas
      .map((a) => ({ name: a.area.name, value: a.turnout.turnoutPercent! }))
      .sort((a, b) => b.value - a.value || a.name.localeCompare(b.name));
    const names = byClass('name').map((e) => e.text);
    const values = byClass('value').map((e) => e.text);
    t.equal(byClass('bar').length, 20, 'one bar per region');
    t.same(
      names,
      expected.map((e) => e.name),
      'every region once, highest turnout first',
    );
    t.same(
      values,
      expected.map((e) => `${e.value}%`),
      'each labelled with its published turnout',
    );
    t.same([names[0], values[0], names.at(-1), values.at(-1)], ['Zhetysu', '81.42%', 'Almaty', '28.72%']);
    const widths = byClass('bar').map((e) => Number(e.attributes.width));
    t.ok(
      widths.every((w, i) => i === 0 || w <= widths[i - 1]!),
      'bar lengths never grow down the chart',
    );
    t.match(
      desc,
      /^Horizontal bar chart of turnout by region, preliminary results, partial count, version 7, highest first\. Zhetysu: 81\.42%\. Kyzylorda: 81\.07%\./,
    );
    t.match(texts(svg).join(' '), /as of 20 November 2022, 22:00 UTC\+06:00 · version 7/, 'the briefing it shows');
    t.match(texts(svg).join(' '), 'Version 7 has these figures for the most areas at this level');

    const viaContest = await get(
      app,
      `/v1/elections/${KZ2022}/contests/president/results/regions.svg?level=region&measure=turnout`,
    );
    t.equal(viaContest.body, svg, 'the same chart under the contest, with the defaults spelt out');
    const asked = await get(app, `${url}?version=7`);
    t.not(asked.body, svg, 'a version asked for is said so');
    t.same(
      wellFormed(t, asked.body as string)
        .byClass('name')
        .map((e) => e.text),
      names,
    );
    t.equal((await get(app, url, { 'if-none-match': String(res.headers.etag) })).status, 304);
  });

  t.test('regions: the other seeded elections, and a line by region', async (t) => {
    const bars: [string, number][] = [
      [`/v1/elections/${REF2022}/results/regions.svg`, 17],
      [`/v1/elections/${KZ2019}/results/regions.svg`, 17],
      [`/v1/elections/${KZ2023}/results/regions.svg`, 20],
    ];
    for (const [url, n] of bars) {
      const res = await get(app, url);
      assertSvgHeaders(t, res, false);
      const { byClass } = wellFormed(t, res.body as string);
      t.equal(byClass('bar').length, n, `${url}: ${n} regions`);
      const values = byClass('value').map((e) => Number.parseFloat(e.text));
      t.same(
        values,
        [...values].sort((a, b) => b - a),
        `${url}: highest first`,
      );
    }

    const yes = await get(app, `/v1/elections/${REF2022}/results/regions.svg?line=yes`);
    assertSvgHeaders(t, yes, false);
    const { title, byClass } = wellFormed(t, yes.body as string);
    t.match(title, /^Kazakhstan referendum\b.*, 5 June 2022: Yes by region$/);
    t.same(
      byClass('name').map((e) => e.text),
      ['Almaty'],
      'the one region whose Yes share a source gives',
    );
    t.same(
      byClass('value').map((e) => e.text),
      ['65.22%'],
    );
    t.match(
      texts(yes.body as string).join(' '),
      'No figure published for: Aktobe, Atyrau, Kostanay, Mangystau, West Kazakhstan.',
      'the regions of that version without it are named, not drawn',
    );
  });

  t.test('regions: 404 without figures, 400 for malformed parameters, naming the field', async (t) => {
    const base = `/v1/elections/${KZ2022}/results/regions.svg`;
    await assertProblem(
      t,
      app,
      `${base}?version=10`,
      404,
      /has no turnout figures for areas at level region within kz/,
    );
    await assertProblem(
      t,
      app,
      `${base}?level=district`,
      404,
      /No result version .* has turnout figures for areas at level district/,
    );
    await assertProblem(t, app, `${base}?line=nobody`, 404, /percentages of 'nobody'/);
    await assertProblem(t, app, `${base}?area=kz-atlantis`, 404);
    await assertProblem(
      t,
      app,
      `/v1/elections/${KZ2022}/contests/mayor/results/regions.svg`,
      404,
      /has no contest 'mayor'/,
    );
    const cases: [string, string][] = [
      ['level=planet', 'level'],
      ['level=country', 'level'],
      ['measure=votes', 'measure'],
      ['measure=percent', 'line'],
      ['measure=turnout&line=yes', 'line'],
      ['version=0', 'version'],
      ['area=Not%20An%20Area', 'area'],
      ['metric=turnout', 'metric'],
    ];
    for (const [query, field] of cases) {
      const res = await assertProblem(t, app, `${base}?${query}`, 400);
      t.match(res.body, { errors: [{ in: 'query', name: field }] }, `${query}: names ${field}`);
    }
  });

  t.test(
    'the OpenAPI document: each chart with an example SVG, well-formed, and examples of its parameters',
    async (t) => {
      const doc = (await get(app, '/openapi.json')).body as {
        paths: Record<
          string,
          {
            get: {
              operationId: string;
              parameters?: { name: string; in: string; example?: unknown }[];
              responses: Record<string, { content?: Record<string, { schema: { examples?: string[] } }> }>;
            };
          }
        >;
      };
      const charts = Object.entries(doc.paths).filter(([path]) => path.endsWith('.svg'));
      t.same(charts.map(([, item]) => item.get.operationId).sort(), [
        'getContestResultsChart',
        'getContestResultsRegionsChart',
        'getContestResultsSeatsChart',
        'getElectionResultsChart',
        'getElectionResultsRegionsChart',
        'getElectionResultsSeatsChart',
      ]);
      for (const [path, { get: op }] of charts) {
        const example = op.responses['200']?.content?.['image/svg+xml']?.schema.examples?.[0] ?? '';
        t.test(path, async (t) => {
          const { title } = wellFormed(t, example);
          t.ok(title.length > 0, `an example with a title: ${title}`);
          for (const p of op.parameters?.filter((p) => p.in === 'query') ?? [])
            t.not(p.example, undefined, `?${p.name} has an example`);
        });
      }
    },
  );

  t.test('odd parameters are 4xx problems, never 5xx', async (t) => {
    const bases = [
      `/v1/elections/${KZ2022}/results`,
      `/v1/elections/${KZ2023}/contests/party-list/results`,
      `/v1/elections/${REF2022}/contests/question-1/results`,
    ];
    const queries = [
      'version=2147483647',
      'version=2147483648',
      'version=-1',
      'version=1e3',
      'line=%00',
      'line=%ED%A0%80',
      `line=${'x'.repeat(201)}`,
      'line=%20%20',
      "line='%3B%20drop%20table%20areas%3B--",
      'line=%25',
      'area=kz&area=kz-abai',
      'area=kz-abai&level=region',
      'area=kz-abai&level=district',
      'level=polling-station',
      'level=REGION',
      'measure=percent&line=amanat',
    ];
    for (const base of bases)
      for (const file of ['seats.svg', 'regions.svg', 'cdf'])
        for (const query of queries) {
          const res = await get(app, `${base}/${file}?${query}`);
          t.ok(
            res.status === 200 ||
              (res.status >= 400 && res.status < 500 && res.type.startsWith('application/problem+json')),
            `${base}/${file}?${query}: ${res.status}`,
          );
        }
  });

  t.test('problems keep their problem documents', async (t) => {
    const unknown = await get(app, chartUrl('kz.presidential.2031-01-01'));
    t.equal(unknown.status, 404);
    t.match(unknown.type, 'application/problem+json');
    t.match(unknown.body, { status: 404, detail: 'Election kz.presidential.2031-01-01 not found.' });
    const ignored = await get(app, `${chartUrl(KZ2022)}?version=abc&v=2`);
    t.equal(ignored.status, 200, "the main chart's URL takes no query, and ignores one (a cache buster)");
    t.match(ignored.body, '· version 10<', 'the current version');
    const contest = `/v1/elections/${KZ2022}/contests/president/results/chart.svg`;
    t.match((await get(app, `${contest}?version=9`)).body, /version 9/, "a contest's chart: ?version=");
    await assertProblem(t, app, `${contest}?version=abc`, 400);
    const bad = await get(app, chartUrl('not-an-id'));
    t.equal(bad.status, 400);
    t.match(bad.type, 'application/problem+json');
  });
});

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface Measured {
  root: string;
  parseErrors: number;
  frame: Box;
  labelledBy: (string | null)[];
  texts: { cls: string; text: string; fill: string; rect: Box; bbox: Box; visible: boolean }[];
  bars: Box[];
}

// Runs in the page: plain JavaScript, so that neither DOM typings nor the TypeScript loader's
// helpers need to exist there.
const MEASURE = `(() => {
  const box = (r) => ({ x: r.x, y: r.y, width: r.width, height: r.height });
  const svg = document.documentElement;
  return {
    root: svg.localName,
    parseErrors: document.getElementsByTagName('parsererror').length,
    frame: box(svg.getBoundingClientRect()),
    labelledBy: (svg.getAttribute('aria-labelledby') || '').split(' ')
      .map((id) => (document.getElementById(id) || { localName: null }).localName),
    texts: [...document.querySelectorAll('text')].map((el) => {
      const style = getComputedStyle(el);
      return {
        cls: el.getAttribute('class'),
        text: el.textContent,
        fill: el.getAttribute('fill'),
        rect: box(el.getBoundingClientRect()),
        bbox: box(el.getBBox()),
        visible: style.display !== 'none' && style.visibility === 'visible' && Number(style.opacity) > 0,
      };
    }),
    bars: [...document.querySelectorAll('rect.bar')].map((el) => box(el.getBoundingClientRect())),
  };
})()`;

const right = (b: Box) => b.x + b.width;
const bottom = (b: Box) => b.y + b.height;
const overlap = (a: Box, b: Box, slack = 0.5) =>
  a.x < right(b) - slack && b.x < right(a) - slack && a.y < bottom(b) - slack && b.y < bottom(a) - slack;

t.test(
  'rendered by Chromium at 600 px: every label visible and inside the frame',
  {
    skip: noBrowser,
  },
  async (t) => {
    const app = await buildTestApp(t, 'pglite');
    const browser = await launchBrowser();
    t.teardown(() => browser.close());
    await mkdir(OUT, { recursive: true });
    const page = await browser.newPage({ viewport: { width: 600, height: 400 } });

    const charts: [string, string][] = [
      ['kz-2022', (await get(app, chartUrl(KZ2022))).body as string],
      ['kz-2019', (await get(app, chartUrl(KZ2019))).body as string],
      [
        'awkward',
        toResultsChart(await awkwardResults(app), { title: 'Kazakhstan presidential election, 20 November 2022' }),
      ],
      ['seats-2023', (await get(app, `/v1/elections/${KZ2023}/results/seats.svg`)).body as string],
      [
        'seats-2023-chamber',
        (await get(app, `/v1/elections/${KZ2023}/contests/chamber/results/seats.svg`)).body as string,
      ],
      ['regions-2022', (await get(app, `/v1/elections/${KZ2022}/results/regions.svg`)).body as string],
      [
        'regions-2022-referendum-yes',
        (await get(app, `/v1/elections/${REF2022}/results/regions.svg?line=Yes`)).body as string,
      ],
    ];
    for (const [name, svg] of charts) {
      t.test(name, async (t) => {
        // As a file of its own, the SVG goes through the strict XML parser, as in an <img>.
        const file = `${OUT}${name}.svg`;
        await writeFile(file, svg);
        // A viewport as tall as the chart: fullPage screenshots stall on a bare SVG document.
        const height = Number(/height="(\d+)"/.exec(svg)?.[1]);
        await page.setViewportSize({ width: 600, height });
        await page.goto(pathToFileURL(file).href);
        const png = `${OUT}${name}.png`;
        // The screenshot is for the reader of .tap/charts (the assertions measure the page below).
        // Chromium now and then refuses one ("Unable to capture screenshot") while the resized page
        // has no frame yet: one more try, after the next frame.
        await page.screenshot({ path: png }).catch(async (err: unknown) => {
          if (!/Unable to capture screenshot/.test(String(err))) throw err;
          await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => resolve(null)))');
          await page.screenshot({ path: png });
        });
        t.comment(`screenshot: ${png}`);

        const m = await page.evaluate<Measured>(MEASURE);
        t.equal(m.root, 'svg');
        t.equal(m.parseErrors, 0, 'well-formed XML');
        t.equal(m.frame.width, 600, '600 px wide');
        t.same(m.labelledBy, ['title', 'desc'], 'aria-labelledby names its <title> and <desc>');
        t.ok(m.texts.length >= 5, `${m.texts.length} text elements`);
        for (const text of m.texts) {
          const what = `${text.cls} "${text.text}"`;
          t.ok(text.visible && text.rect.width > 0 && text.rect.height > 0, `${what}: drawn`);
          const inside =
            text.rect.x >= m.frame.x &&
            text.rect.y >= m.frame.y &&
            right(text.rect) <= right(m.frame) &&
            bottom(text.rect) <= bottom(m.frame);
          t.ok(inside, `${what}: inside the frame ${JSON.stringify(text.rect)}`);
          t.ok(text.bbox.x >= 0 && text.bbox.x + text.bbox.width <= 600, `${what}: inside the viewBox`);
        }
        for (let i = 0; i < m.texts.length; i++)
          for (let j = i + 1; j < m.texts.length; j++) {
            const [a, b] = [m.texts[i]!, m.texts[j]!];
            t.notOk(overlap(a.rect, b.rect), `"${a.text}" and "${b.text}" do not overlap`);
          }
        // A value label sits either after its bar, or, in white, within it.
        for (const value of m.texts.filter((x) => x.cls === 'value')) {
          const bar = m.bars.find((b) => overlap(b, value.rect));
          if (value.fill === '#ffffff') {
            t.ok(bar && value.rect.x >= bar.x && right(value.rect) <= right(bar), `"${value.text}" within its bar`);
          } else {
            t.notOk(bar, `"${value.text}" clear of every bar`);
          }
        }
      });
    }
  },
);
