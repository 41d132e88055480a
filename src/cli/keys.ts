// npm run keys:create -- --name <label> [--scope read|write]   prints the token alone on the last line
// npm run keys:list                                            id, name, scope, created, revoked
// npm run keys:revoke -- <id|name>
// Works on DATABASE_URL, or on the embedded DATA_DIR (stop the server first: PGlite is single-process).
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { databaseOptions, openDatabase } from '../db/client.js';
import { createKey, listKeys, revokeKey } from '../db/api-keys.js';

const [command, ...rest] = process.argv.slice(2);
const usage = 'usage: keys create --name <label> [--scope read|write] | keys list | keys revoke <id|name>';

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

const config = loadConfig();
const database = await openDatabase(databaseOptions(config));
try {
  if (config.AUTO_MIGRATE) await database.migrate();
  switch (command) {
    case 'create': {
      const { values } = parseArgs({
        args: rest,
        options: { name: { type: 'string' }, scope: { type: 'string', default: 'read' } },
      });
      if (!values.name?.trim()) fail(`--name is required\n${usage}`);
      if (values.scope !== 'read' && values.scope !== 'write') fail(`--scope must be read or write\n${usage}`);
      const { key, token } = await createKey(database.primary, values.name.trim(), values.scope).catch(
        (err: unknown) => {
          const code = (err as { cause?: { code?: string } }).cause?.code;
          return fail(code === '23505' ? `a key named '${values.name}' exists` : String(err));
        },
      );
      console.log(`created key ${key.id} '${key.name}' with the ${key.scope} scope; the token is shown once:`);
      console.log(token);
      break;
    }
    case 'list': {
      const keys = await listKeys(database.primary);
      if (keys.length === 0) console.log('no keys');
      for (const k of keys)
        console.log(
          [
            k.id,
            k.name,
            k.scope,
            k.createdAt.toISOString(),
            k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active',
          ].join('\t'),
        );
      break;
    }
    case 'revoke': {
      const target = rest[0];
      if (!target) fail(`which key? ${usage}`);
      const key = await revokeKey(database.primary, target);
      if (!key) fail(`no key has the id or name '${target}'`);
      console.log(`revoked key ${key.id} '${key.name}' at ${key.revokedAt?.toISOString()}`);
      break;
    }
    default:
      fail(usage);
  }
} finally {
  await database.close();
}
