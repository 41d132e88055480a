// Throwaway PostgreSQL clusters for the tests that need a real server they may stop, freeze or
// replicate: a primary made by initdb and hot standbys made by pg_basebackup -R, each in its own
// temp dir on a free loopback port, trust authentication, fsync off (seconds to start).
// As root the binaries run as the `postgres` user (runuser); otherwise as the current user.
// Every cluster is stopped and its directory removed by destroy(), and again, synchronously, when
// the test process exits (a failed or killed test must not leave a postmaster behind).
import { type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { appendFile, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { admin } from './databases.js';

export type StopMode = 'smart' | 'fast' | 'immediate';

/** Where the PostgreSQL binaries are: PG_BIN, else the newest /usr/lib/postgresql/N/bin. */
function findBinDir(): string | undefined {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], 'bin') : undefined;
}

const binDir = findBinDir();
const asRoot = process.getuid?.() === 0;

/** The uid/gid the server runs as: postgres's when we are root, ours otherwise. */
function owner(): { uid: number; gid: number } | undefined {
  if (!asRoot) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  return uid && gid ? { uid: Number(uid), gid: Number(gid) } : undefined;
}

function command(program: string, args: string[]): [string, string[]] {
  const path = join(binDir ?? '', program);
  return asRoot ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
}

/** Runs a PostgreSQL program (as postgres when root); rejects with its output when it fails. */
function run(program: string, args: string[], options: SpawnOptions = {}): Promise<string> {
  const [file, argv] = command(program, args);
  return new Promise((resolve, reject) => {
    // pg_ctl start leaves a daemon behind: wait for 'exit', not 'close' (the daemon holds no pipe
    // of ours, since -l sends its output to the log file, but 'exit' is the safe event anyway).
    const child = spawn(file, argv, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`${program} ${args.join(' ')} exited with ${code ?? signal}:\n${output}`)),
    );
  });
}

let availability: Promise<string | undefined> | undefined;

/**
 * Whether the cluster tests are asked for: `PG_CLUSTER_TESTS=true` or `false` says so; otherwise
 * they run when the suite runs on PostgreSQL too (TEST_DATABASE_URL) or at full size
 * (TEST_SCALE=full; CI sets both). A plain `npm test` runs PGlite only, and these tests start
 * PostgreSQL servers of their own.
 */
function clusterTestsWanted(): string | undefined {
  const flag = process.env.PG_CLUSTER_TESTS;
  if (flag === 'false') return 'PG_CLUSTER_TESTS=false';
  if (flag === 'true' || process.env.TEST_DATABASE_URL || process.env.TEST_SCALE === 'full') return undefined;
  return 'npm test without TEST_DATABASE_URL runs PGlite only: set TEST_DATABASE_URL, TEST_SCALE=full or PG_CLUSTER_TESTS=true for the tests on throwaway PostgreSQL servers';
}

/**
 * Undefined when throwaway clusters are wanted (see clusterTestsWanted) and can be made here, else
 * the reason they are not run (for `skip`). In CI (root on Debian with postgresql installed,
 * TEST_DATABASE_URL set) this is always undefined.
 */
function unavailable(): Promise<string | undefined> {
  availability ??= (async () => {
    const unwanted = clusterTestsWanted();
    if (unwanted) return unwanted;
    if (!binDir) return 'no PostgreSQL binaries (/usr/lib/postgresql/N/bin or PG_BIN)';
    for (const program of ['initdb', 'pg_ctl', 'pg_basebackup', 'postgres'])
      if (!existsSync(join(binDir, program))) return `${join(binDir, program)} is missing`;
    if (asRoot && !owner()) return 'running as root but there is no postgres user to run the server as';
    try {
      await run('pg_ctl', ['--version']);
      await run('initdb', ['--version']);
    } catch (err) {
      return `cannot run the PostgreSQL binaries${asRoot ? ' as postgres' : ''}: ${(err as Error).message}`;
    }
    return undefined;
  })();
  return availability;
}

/**
 * tap's `skip` for a test on throwaway clusters: false when they run, else why not. Under
 * REQUIRE_POSTGRES (CI) a test that cannot run throws instead, so the file fails.
 */
export async function clusterSkip(): Promise<string | false> {
  const reason = await unavailable();
  if (reason && process.env.REQUIRE_POSTGRES)
    throw new Error(`REQUIRE_POSTGRES is set but the PostgreSQL cluster tests cannot run: ${reason}`);
  return reason ?? false;
}

/** A free TCP port on 127.0.0.1 (free now; the cluster binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function privateDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const o = owner();
  if (o) await chown(dir, o.uid, o.gid);
  return dir;
}

const live = new Set<PgCluster>();
let exitHookInstalled = false;

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when a test file dies before its teardown: stop every cluster left, synchronously.
  process.on('exit', () => {
    for (const cluster of live) {
      const [file, argv] = command('pg_ctl', ['-D', cluster.dataDir, '-m', 'immediate', '-w', '-t', '10', 'stop']);
      cluster.thawSync();
      spawnSync(file, argv, { stdio: 'ignore' });
      rmSync(cluster.dir, { recursive: true, force: true });
    }
  });
}

export class PgCluster {
  readonly dataDir: string;
  readonly logFile: string;
  private running = false;
  private frozen: number[] = [];
  private boundPort = 0;

  constructor(
    readonly role: 'primary' | 'replica',
    /** The temp dir: data/, the log, and the unix socket. */
    readonly dir: string,
  ) {
    this.dataDir = join(dir, 'data');
    this.logFile = join(dir, 'postgresql.log');
    live.add(this);
    installExitHook();
  }

  /** The loopback port, chosen at the first start and kept across restarts. */
  get port(): number {
    if (!this.boundPort) throw new Error('the cluster has not been started yet');
    return this.boundPort;
  }

  /** postgres://postgres@127.0.0.1:port/database (trust authentication, no password). */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    if (!this.boundPort) return this.firstStart();
    await run('pg_ctl', ['-D', this.dataDir, '-l', this.logFile, '-w', '-t', '30', 'start'], { cwd: this.dir });
    this.running = true;
  }

  /**
   * Picks a free port just before starting (not before initdb: parallel test files open ports all
   * the time) and tries another if someone took it meanwhile. The last `port =` line wins.
   */
  private async firstStart(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      await appendFile(join(this.dataDir, 'postgresql.conf'), `port = ${port}\n`);
      try {
        await run('pg_ctl', ['-D', this.dataDir, '-l', this.logFile, '-w', '-t', '30', 'start'], { cwd: this.dir });
        this.boundPort = port;
        this.running = true;
        return;
      } catch (err) {
        if (attempt >= 3 || !/could not (bind|create any TCP\/IP sockets)|Address already in use/i.test(this.log()))
          throw err;
      }
    }
  }

  /** pg_ctl stop: smart waits for clients, fast disconnects them, immediate aborts (crash recovery next start). */
  async stop(mode: StopMode = 'fast'): Promise<void> {
    this.thawSync();
    await run('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '30', 'stop'], { cwd: this.dir });
    this.running = false;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** The postmaster's pid and its children's (backends, walsender/receiver, checkpointer…). */
  private pids(): number[] {
    const pidFile = join(this.dataDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return [];
    const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (!postmaster) return [];
    const children: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        // pid (comm) state ppid …; comm may contain spaces, so parse after the last ')'.
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === postmaster) children.push(Number(entry));
      } catch {
        // the process ended meanwhile
      }
    }
    return [...children, postmaster];
  }

  /**
   * SIGSTOPs the server and all its processes: connections are accepted by the kernel but nothing
   * ever answers (a hung server or a network black hole, the case where only timeouts help).
   */
  freeze(): void {
    const pids = this.pids();
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    this.frozen = pids;
  }

  thaw(): void {
    this.thawSync();
  }

  /** @internal also used by the exit hook */
  thawSync(): void {
    for (const pid of this.frozen) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // already gone
      }
    }
    this.frozen = [];
  }

  /** Runs one statement over a short-lived connection and returns its rows. */
  query<Row extends Record<string, unknown> = Record<string, unknown>>(
    text: string,
    params: unknown[] = [],
    database = 'postgres',
  ) {
    return admin<Row>(this.url(database), text, params);
  }

  async createDatabase(name: string): Promise<string> {
    await this.query(`create database "${name}"`);
    return this.url(name);
  }

  /** The primary's current WAL position (pg_current_wal_lsn()). */
  async currentLsn(): Promise<string> {
    const [row] = await this.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
    return row!.lsn;
  }

  async inRecovery(): Promise<boolean> {
    const [row] = await this.query<{ r: boolean }>('select pg_is_in_recovery() as r');
    return row!.r;
  }

  /** Replica: stop applying WAL (it keeps receiving it); resolves once replay is actually paused. */
  async pauseReplay(): Promise<void> {
    await this.query('select pg_wal_replay_pause()');
    await this.poll(
      async () => {
        const [row] = await this.query<{ state: string }>('select pg_get_wal_replay_pause_state() as state');
        return row!.state === 'paused';
      },
      10_000,
      'replay to pause',
    );
  }

  async resumeReplay(): Promise<void> {
    await this.query('select pg_wal_replay_resume()');
  }

  /** Replica: the WAL position replayed so far. */
  async replayLsn(): Promise<string> {
    const [row] = await this.query<{ lsn: string | null }>('select pg_last_wal_replay_lsn()::text as lsn');
    return row!.lsn ?? '0/0';
  }

  /** Replica: resolves once WAL up to `lsn` (e.g. the primary's currentLsn()) has been replayed. */
  async waitForReplay(lsn: string, timeoutMs = 15_000): Promise<void> {
    await this.poll(
      async () => {
        const [row] = await this.query<{ done: boolean }>('select pg_last_wal_replay_lsn() >= $1::pg_lsn as done', [
          lsn,
        ]);
        return row!.done === true;
      },
      timeoutMs,
      `replay to reach ${lsn}`,
    );
  }

  private async poll(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await check()) return;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The server's log so far (for failure messages). */
  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** Stops the server (immediate: nothing to keep) and removes its directory. Safe to call twice. */
  async destroy(): Promise<void> {
    if (!live.has(this)) return;
    this.thawSync();
    if (existsSync(join(this.dataDir, 'postmaster.pid')))
      await run('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop'], { cwd: this.dir }).catch(
        () => {},
      );
    this.running = false;
    await rm(this.dir, { recursive: true, force: true });
    live.delete(this);
  }
}

// Speed over durability (a test cluster lives for seconds), and what streaming replication needs.
function settings(dir: string): string {
  return [
    '',
    '# test/helpers/pg-cluster.ts',
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${dir}'`,
    'fsync = off',
    'full_page_writes = off',
    'wal_level = replica',
    'max_wal_senders = 5',
    'wal_keep_size = 64MB',
    'hot_standby = on',
    'max_connections = 60',
    'shared_buffers = 32MB',
    "log_min_messages = 'warning'",
    '',
  ].join('\n');
}

/** initdb + start: a primary on a free loopback port, trust authentication, ready for replicas. */
export async function createPrimary(): Promise<PgCluster> {
  const dir = await privateDir('pg-primary-');
  const cluster = new PgCluster('primary', dir);
  try {
    await run(
      'initdb',
      [
        '-D',
        cluster.dataDir,
        '-U',
        'postgres',
        '--auth=trust',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
        '--no-instructions',
      ],
      { cwd: dir },
    );
    // initdb's pg_hba.conf already trusts replication connections from 127.0.0.1 with --auth=trust.
    await appendFile(join(cluster.dataDir, 'postgresql.conf'), settings(dir));
    await cluster.start();
    return cluster;
  } catch (err) {
    const log = cluster.log();
    await cluster.destroy();
    throw log ? new Error(`${(err as Error).message}\n${log}`) : err;
  }
}

/** pg_basebackup -R -X stream of a running primary, started as a hot standby that streams from it. */
export async function createReplica(primary: PgCluster): Promise<PgCluster> {
  const dir = await privateDir('pg-replica-');
  const replica = new PgCluster('replica', dir);
  try {
    await run(
      'pg_basebackup',
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(primary.port),
        '-U',
        'postgres',
        '-D',
        replica.dataDir,
        '-R',
        '-X',
        'stream',
        '-c',
        'fast',
        '--no-sync',
      ],
      { cwd: dir },
    );
    // The copied postgresql.conf names the primary's port and socket dir: later lines win (the
    // port is appended at the first start).
    await appendFile(join(replica.dataDir, 'postgresql.conf'), settings(dir));
    await replica.start();
    await replica.waitForReplay(await primary.currentLsn());
    return replica;
  } catch (err) {
    const log = replica.log();
    await replica.destroy();
    throw log ? new Error(`${(err as Error).message}\n${log}`) : err;
  }
}
