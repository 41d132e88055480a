import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import t from 'tap';
import { launchBrowser, noBrowser } from './helpers/browser.js';
import { toResultsChart } from '../src/formats/chart.js';
import type { Results } from '../src/modules/results/results.service.js';
import { buildTestApp, forEachEngine, get } from './helpers/app.js';

const KZ2022 = 'kz.presidential.2022-11-20';
const KZ2019 = 'kz.presidential.2019-06-09';
// Screenshots are for people to look at; .tap/ is git-ignored.
const OUT = fileURLToPath(new URL('../.tap/charts/', import.meta.url));

const chartUrl = (id: string) => `/v1/elections/${id}/results/chart.svg`;

/** The content of each <text>, its <tspan> runs joined, still XML-escaped. */
const texts = (svg: string) =>
  [...svg.matchAll(/<text [^>]*>(.*?)<\/text>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ''));

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
        'Certified results · as of 22 November 2022 · version 2',
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

  t.test('2019: one line, marked incomplete, from TASS', async (t) => {
    const res = await get(app, chartUrl(KZ2019));
    t.equal(res.status, 200);
    const svg = res.body as string;
    t.same(
      texts(svg),
      [
        'Kazakhstan presidential election, 9 June 2019',
        'Certified results · version 2',
        'Kassym-Jomart Tokayev',
        '70.96%',
        'Percentages as published; the source does not say what they are of.',
        'Incomplete: the source published only the lines shown.',
        'Source: TASS, reporting figures of the Central Election Commission of the Republic',
        'of Kazakhstan.',
      ],
      'no as-of date (the source gives none), the percentage alone (no votes published), marked incomplete',
    );
    t.equal(svg.match(/<rect class="bar"/g)?.length, 1);
  });

  t.test('every piece of text is escaped, and characters XML forbids are dropped', async (t) => {
    const svg = toResultsChart(await awkwardResults(app), { title: 'A & B <election> "2022" l\'été' });
    t.match(
      svg,
      '<title id="election-chart-kz-presidential-2022-11-20-v2-title">A &amp; B &lt;election&gt; &quot;2022&quot; l&apos;été: preliminary results, partial count</title>',
    );
    t.match(svg, '&lt;b&gt;&amp;&lt;/b&gt;');
    t.match(svg, 'Against all &lt;script&gt;alert(1)&lt;/script&gt;');
    t.notMatch(svg, /<script|<b>/);
    t.notOk(svg.includes('\u0007') || svg.includes('\uD800'), 'a control character and a lone surrogate are dropped');
    t.match(svg, 'Agence &amp; &quot;Presse&quot; &lt;Kazakh&gt; l&apos;Info');
    t.match(svg, '>Preliminary results, partial count · as of 22 November 2022 · version 2<');
    t.match(svg, '>no percentage published</text>', 'a line without a percentage is said so, with no bar');
    t.equal(svg.match(/<rect class="bar"/g)?.length, 6);
    const text = svg.replace(/<[^>]+>/g, '');
    t.notMatch(text, /[<>]/, 'no markup outside tags');
    t.notMatch(svg, /&(?!(amp|lt|gt|quot|apos);)/, 'every ampersand starts an entity');
  });

  t.test('problems keep their problem documents', async (t) => {
    const unknown = await get(app, chartUrl('kz.presidential.2031-01-01'));
    t.equal(unknown.status, 404);
    t.match(unknown.type, 'application/problem+json');
    t.match(unknown.body, { status: 404, detail: 'Election kz.presidential.2031-01-01 not found.' });
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
        await page.screenshot({ path: png });
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
