// The live results page (issue 17) in a real browser (headless Chromium): it draws the current
// results, and redraws when a version is published or a race call made through the API; nothing loads from elsewhere,
// the CSP blocks nothing it needs, and another site can frame it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { buildTestApp, engines } from './helpers/app.js';
import { launchBrowser, noBrowser } from './helpers/browser.js';
import { bearer, certified2022, send, tokenFor } from './helpers/writes.js';

const KZ2022 = 'kz.presidential.2022-11-20';

/** A PNG's width and height, from its IHDR chunk (after asserting the signature). */
function pngSize(png: Buffer): { width: number; height: number } | null {
  if (png.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') return null;
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

t.test('the live page', { skip: noBrowser }, async (t) => {
  const browser = await launchBrowser();
  t.teardown(() => browser.close());

  for (const engine of engines) {
    await t.test(engine, async (t) => {
      const app = await buildTestApp(t, engine);
      await app.listen({ port: 0, host: '127.0.0.1' });
      const origin = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
      const auth = bearer(await tokenFor(app, 'write'));

      const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
      t.teardown(() => context.close());
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const requests: string[] = [];
      const problems: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('pageerror', (err) => problems.push(err.message));
      page.on('console', (m) => {
        if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(m.text());
      });

      const opened = await page.goto(`${origin}/live/${KZ2022}`);
      t.equal(opened?.status(), 200);
      const headers = opened?.headers() ?? {};
      t.equal(headers['content-type'], 'text/html; charset=utf-8');
      t.match(headers['content-security-policy'], /script-src 'self'; style-src 'self'; connect-src 'self'/);
      t.match(headers['content-security-policy'], /frame-ancestors \*/, 'any site may frame it');
      t.equal(headers['x-frame-options'], undefined, 'no X-Frame-Options: DENY');
      t.equal(await page.title(), 'Kazakhstan presidential election, 20 November 2022: live results');

      const main = page.locator('main');
      await page.locator('main[data-version="10"][data-live="true"]').waitFor();
      t.equal(await main.locator('.status').textContent(), 'Certified results as of 2022-11-22, version 10');
      const first = await main.locator('tbody tr').first().locator('td').allTextContents();
      t.same(first.slice(0, 3), ['Kassym-Jomart Tokayev', '6,456,393', '81.31%'], 'the winner first, as published');
      t.equal(await main.locator('tbody tr').count(), certified2022.lines.length, 'a row per line');
      const widths = await main
        .locator('.bar')
        .evaluateAll((bars: { getBoundingClientRect(): { width: number } }[]) =>
          bars.map((b) => b.getBoundingClientRect().width),
        );
      t.ok(widths[0]! > 0 && widths.every((w, i) => i === 0 || w <= widths[i - 1]!), 'bars drawn, longest first', {
        widths,
      });
      const before = await page.screenshot();

      // Published through the API: the stream tells the page, which reads the new version.
      const started = performance.now();
      const published = await send(
        app,
        'POST',
        `/v1/elections/${KZ2022}/results`,
        {
          ...certified2022,
          status: 'correction',
          asOf: '2022-11-23',
          note: 'Published while the page is open.',
          counting: { unitsLevel: 'polling-station', unitsReporting: 10_101, unitsTotal: 10_101 },
        },
        auth,
      );
      t.equal(published.status, 201, { body: published.body });
      const version = (published.body as { version: number }).version;
      await page.locator(`main[data-version="${version}"]`).waitFor();
      t.comment(`redrawn ${Math.round(performance.now() - started)} ms after the write was sent (${engine})`);
      t.equal(
        await main.locator('.status').textContent(),
        `Corrected results as of 2022-11-23, version ${version} · 100% of polling stations counted`,
        'the new version drawn, with its counting progress',
      );
      const after = await page.screenshot();
      t.same(pngSize(before), { width: 800, height: 600 }, 'a screenshot of the page before');
      t.same(pngSize(after), { width: 800, height: 600 }, 'and after');
      t.not(before.equals(after), true, 'the page changed on screen');

      // A race call through the API: the page shows it beside the figures, then its retraction.
      t.equal(await main.locator('.call').textContent(), '', 'no call yet');
      const callStarted = performance.now();
      const calls = `/v1/elections/${KZ2022}/contests/president/calls`;
      const called = await send(
        app,
        'POST',
        calls,
        {
          status: 'called',
          winners: [{ candidateId: 'kassym-jomart-tokayev' }],
          sourceId: 'kazinform-2022-cec-final-results',
          calledAt: '2022-11-21T12:00:00+06:00',
        },
        auth,
      );
      t.equal(called.status, 201, { body: called.body });
      await page.locator('main[data-call="1"]').waitFor();
      t.comment(`call drawn ${Math.round(performance.now() - callStarted)} ms after the write was sent (${engine})`);
      t.equal(
        await main.locator('.call').textContent(),
        'Called: Kassym-Jomart Tokayev wins (Kazinform, 21 Nov 2022, 06:00 UTC)',
      );
      t.equal(
        await main.locator('.status').textContent(),
        `Corrected results as of 2022-11-23, version ${version} · 100% of polling stations counted`,
        'the figures stay as they were',
      );
      const withCall = await page.screenshot();
      t.not(withCall.equals(after), true, 'the call changed the page on screen');
      const retracted = await send(
        app,
        'POST',
        calls,
        { status: 'uncalled', sourceId: 'kazinform-2022-cec-final-results', calledAt: '2022-11-21T13:00:00+06:00' },
        auth,
      );
      t.equal(retracted.status, 201);
      await page.locator('main[data-call="2"]').waitFor();
      t.equal(
        await main.locator('.call').textContent(),
        'Not called (the earlier call was retracted) (Kazinform, 21 Nov 2022, 07:00 UTC)',
      );

      t.same(
        requests.filter((url) => !url.startsWith(origin)),
        [],
        'nothing requested from anywhere else',
      );
      t.ok(
        requests.some((url) => url.includes('/v1/changes/stream')),
        'it listens to the change stream',
      );
      t.same(problems, [], 'no script error, nothing blocked by the CSP');

      await t.test('framed by another site, it draws the same results', async (t) => {
        // A newsroom's page on another origin (localhost, not 127.0.0.1) that embeds it.
        const newsroom = createServer((_req, res) =>
          res
            .writeHead(200, { 'content-type': 'text/html' })
            .end(
              `<!doctype html><title>Newsroom</title><iframe src="${origin}/live/${KZ2022}" width="600" height="400"></iframe>`,
            ),
        );
        await new Promise<void>((resolve) => newsroom.listen(0, '127.0.0.1', resolve));
        t.teardown(() => newsroom.close());
        const host = await context.newPage();
        await host.goto(`http://localhost:${(newsroom.address() as AddressInfo).port}/`);
        const frame = host.frameLocator('iframe');
        await frame.locator(`main[data-version="${version}"][data-call="2"]`).waitFor();
        t.match(await frame.locator('.status').textContent(), /^Corrected results/);
        t.match(await frame.locator('.call').textContent(), /^Not called/, 'the call that stands, from /results');
      });

      await t.test('an unknown election: 404 problem', async (t) => {
        const res = await fetch(`${origin}/live/kz.presidential.1900-01-01`);
        t.equal(res.status, 404);
        t.match(res.headers.get('content-type'), /^application\/problem\+json/);
      });
    });
  }
});
