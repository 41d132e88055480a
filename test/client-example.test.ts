// examples/kazakhstan-results.ts, the typed-client example, run as analysts run it: against a live server.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { exitOf, runTs, startServer } from './helpers/process.js';

const dataDir = await mkdtemp(join(tmpdir(), 'elections-client-'));
const server = await startServer({ DATA_DIR: dataDir });
t.teardown(async () => {
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
});

t.test('prints the certified results of Kazakhstan 2022 with their source', async (t) => {
  const run = await exitOf(runTs('examples/kazakhstan-results.ts', { API_URL: server.url }));
  t.equal(run.code, 0, 'exits 0', { output: run.output });
  t.match(run.output, /Status: certified\b/);
  t.match(run.output, /As of: 2022-11-22/);
  t.match(
    run.output,
    /^Kassym-Jomart Tokayev\s+6,456,393\s+81\.31\s+People's Coalition$/m,
    'the winner, in a table row',
  );
  t.match(run.output, /^Against all\s+460,484\s+5\.8$/m, 'a non-candidate line, without a nominator');
  t.match(run.output, /Kazinform: the figures of this version/);
  t.match(run.output, /Turnout by region, unofficial-partial as of 2022-11-20T22:00:00\+06:00/);
  const rows = run.output.split('\n').filter((line) => /\sKZ-\d\d\s+[\d.]+$/.test(line));
  t.equal(rows.length, 20, 'a row per region, each with its ISO 3166-2 code', { output: run.output });
  t.match(rows[0], /^Zhetysu\s+KZ-33\s+81\.42$/, 'sorted, the highest turnout first');
  const turnouts = rows.map((row) => Number(row.split(/\s+/).at(-1)));
  t.same(
    turnouts,
    [...turnouts].sort((a, b) => b - a),
    'in descending order',
  );
});

t.test('an error response: a message and a non-zero exit', async (t) => {
  // A base URL under which no route exists: the server answers with a 404 problem document.
  const run = await exitOf(runTs('examples/kazakhstan-results.ts', { API_URL: `${server.url}/nowhere` }));
  t.equal(run.code, 1, 'exits 1', { output: run.output });
  t.match(run.output, /^404 Not Found: /);
});
