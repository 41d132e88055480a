// The editors' command-line tools, run as processes on an embedded data dir.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { pgliteCopy } from './helpers/databases.js';
import { exitOf, runTs, startServer } from './helpers/process.js';

// A copy of the seeded embedded database (creating one from nothing is server.test.ts's subject).
const { dataDir, drop } = await pgliteCopy();
t.teardown(drop);
const env = { DATA_DIR: dataDir };
const keys = (...args: string[]) => exitOf(runTs('src/cli/keys.ts', env, args));

t.test('keys: create prints the token alone on the last line; list; revoke', async (t) => {
  const created = await keys('create', '--name', 'desk', '--scope', 'write');
  t.equal(created.code, 0, created.output);
  const token = created.output.trim().split('\n').at(-1)!;
  t.match(token, /^erk_[A-Za-z0-9_-]{43}$/, 'the last line is the token');

  t.equal((await keys('create', '--name', 'desk')).code, 2, 'names are unique');
  t.match((await keys('create')).output, /--name is required/);
  const reader = await keys('create', '--name', 'reader');
  t.match(reader.output, /read scope/, 'read is the default scope');

  const listed = await keys('list');
  t.match(listed.output, /1\tdesk\twrite\t\S+\tactive/);
  t.notMatch(listed.output, token, 'list never shows a token');

  const server = await startServer(env);
  const post = (base: string, auth: string) =>
    fetch(`${base}/v1/sources`, {
      method: 'POST',
      headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
      body: JSON.stringify({ publisher: `CLI Test ${Math.random()}`, kind: 'news' }),
    });
  t.equal((await post(server.url, token)).status, 201, 'the token works against the server');
  await server.stop();

  const revoked = await keys('revoke', 'desk');
  t.equal(revoked.code, 0, revoked.output);
  t.match((await keys('list')).output, /desk\twrite\t\S+\trevoked/);
  t.equal((await keys('revoke', 'nobody')).code, 2);

  const again = await startServer(env);
  t.equal((await post(again.url, token)).status, 401, 'a revoked key is refused');
  await again.stop();
});

t.test('import: a refused file exits 1 naming its rows; --dry-run writes nothing', async (t) => {
  const refused = await exitOf(runTs('src/cli/import.ts', env, ['docs/examples/kazakhstan-2022.csv']));
  t.equal(refused.code, 1);
  t.match(refused.output, /nothing was imported; 2 problem\(s\)/);
  t.match(refused.output, /row 2: kz\.presidential\.2022-11-20 already has version 1/);
  t.match(refused.output, /rows 3-9: kz\.presidential\.2022-11-20 already has version 2/);

  const file = join(dataDir, 'new.csv');
  const header =
    'electionId,version,status,asOf,complete,percentBase,sourceId,kind,name,candidateId,votes,percent,rank';
  await writeFile(
    file,
    `${header}\nkz.presidential.2029-01-01,1,unofficial-partial,2029-01-01,false,unknown,tass-2019-final-results,candidate,Kassym-Jomart Tokayev,kassym-jomart-tokayev,,50,1\n`,
  );
  const dry = await exitOf(runTs('src/cli/import.ts', env, [file, '--dry-run']));
  t.equal(dry.code, 0, dry.output);
  t.match(dry.output, /would import \(dry run, nothing written\): 1 result versions, 1 lines/);
  const real = await exitOf(runTs('src/cli/import.ts', env, [file]));
  t.equal(real.code, 0, real.output);
  t.match(real.output, /imported: 1 result versions, 1 lines; new 1 elections/);
});
