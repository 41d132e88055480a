// The /docs reference in a real browser (headless Chromium), served by a live server: every
// operation is listed, a "try it" request runs, and nothing is loaded from off the machine.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenAPIV3_1 } from 'openapi-types';
import t from 'tap';
import { launchBrowser, noBrowser } from './helpers/browser.js';
import { root, startServer } from './helpers/process.js';

t.test('/docs in headless Chromium', { skip: noBrowser }, async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'elections-docs-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const server = await startServer({ DATA_DIR: dataDir });
  t.teardown(() => server.stop());

  const browser = await launchBrowser();
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(15_000);
  const requests: string[] = [];
  const pageErrors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (err) => pageErrors.push(err.message));
  // The page runs under the Content-Security-Policy the API sends for /docs: nothing it needs is blocked.
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });

  const opened = await page.goto(`${server.url}/docs`);
  t.equal(opened?.status(), 200, 'GET /docs');
  t.match(opened?.headers()['content-security-policy'], /script-src 'self'/, 'served with its CSP');
  await page.locator('.opblock').first().waitFor();

  await t.test('every operation of the document is listed, with its operationId', async (t) => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as OpenAPIV3_1.Document;
    const documented = Object.values(doc.paths ?? {})
      .flatMap((item) => Object.values(item ?? {}) as OpenAPIV3_1.OperationObject[])
      .map((op) => op.operationId);
    // An operation with two tags (listCountryElections) is listed under each.
    const listed = await page.locator('.opblock-summary-operation-id').allTextContents();
    t.same([...new Set(listed)].sort(), documented.sort());
    for (const id of ['getElectionResults', 'listElections', 'publishResults', 'getCandidate'])
      t.ok(listed.includes(id), `${id} is listed`);
  });

  await t.test('try it out: GET /v1/elections/{id}/results', async (t) => {
    const operation = page.locator('#operations-elections-getElectionResults');
    await operation.locator('.opblock-summary').click();
    const toggle = operation.locator('.try-out__btn');
    const id = operation.locator('tr[data-param-name="id"] input');
    // uiConfig.tryItOutEnabled opens operations ready to try; the button toggles it off and on again.
    t.equal((await toggle.textContent())?.trim(), 'Cancel', 'opens in try-it-out mode');
    await toggle.click();
    await operation.locator('tr[data-param-name="id"] input[disabled]').waitFor();
    t.equal((await toggle.textContent())?.trim(), 'Try it out', 'Cancel leaves try-it-out mode');
    await toggle.click();
    t.ok(await id.isEditable(), 'Try it out makes the parameters editable');
    await id.fill('kz.presidential.2022-11-20');
    await operation.locator('button.execute').click();

    const live = operation.locator('.live-responses-table');
    const status = live.locator('td.response-col_status:not(.col_header)');
    await status.waitFor();
    t.equal((await status.textContent())?.trim(), '200', 'status 200');
    const body = (await live.locator('.response-col_description .microlight').first().textContent()) ?? '';
    t.match(body, '"percent": 81.31', 'the rendered body has the certified percentage');
    t.match(body, 'Kassym-Jomart Tokayev');
    t.match(
      await operation.locator('.request-url pre').textContent(),
      `${server.url}/v1/elections/kz.presidential.2022-11-20/results`,
      'the request went to this server',
    );

    await mkdir(join(root, '.tap'), { recursive: true });
    await operation.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(root, '.tap', 'docs-browser.png'), fullPage: false });
    await operation.screenshot({ path: join(root, '.tap', 'docs-browser-try-it-out.png') });
  });

  t.test('works offline: every request stays on this server, no script errors', async (t) => {
    const offMachine = requests.filter((url) => !url.startsWith(`${server.url}/`) && !/^(data|blob):/.test(url));
    t.same(offMachine, [], 'no CDN or other off-machine request');
    t.ok(requests.includes(`${server.url}/docs/json`), 'the page reads the document from /docs/json');
    t.same(pageErrors, [], 'no uncaught errors in the page');
    t.same(violations, [], 'no Content-Security-Policy violation');
  });
});
