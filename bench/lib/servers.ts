// The servers under test run as child processes, one Node process each: on a 2-core machine an
// in-process server would share its event loop (and its RSS) with autocannon's load generator,
// so both its throughput and its memory would be measured wrong.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReadyMessage } from '../servers/listen.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));

export interface Server {
  name: string;
  url: string;
  pid: number;
  /** Spawn to ready (listening, or /readyz 200 for the API), in ms, Node start-up included. */
  readyMs: number;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

/** Starts bench/servers/<script> and waits for it to report its port. */
export function startServer(name: string, script: string, env: Record<string, string> = {}): Promise<Server> {
  return startChild(name, ['--import', 'tsx', `bench/servers/${script}`], env);
}

/** Starts `node <args>` (from the root) and waits for it to report its port over IPC (listen.ts). */
export async function startChild(name: string, args: string[], env: Record<string, string> = {}): Promise<Server> {
  const script = args.at(-1);
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    // stdout is the request log (pino, one line per request): discarded, never piped through us.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not listening after 120 s`)), 120_000);
    child.once('message', (message: ReadyMessage) => {
      clearTimeout(timer);
      resolve(message.port);
    });
    void exited(child).then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} (${script}) exited with code ${code} before listening`));
    });
  });
  return serverOf(name, child, port, started);
}

function serverOf(name: string, child: ChildProcess, port: number, started: number): Server {
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    readyMs: Math.round(performance.now() - started),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}

/** `npm run build`: the API runs compiled, as `npm start` runs it. */
export function buildApi(): void {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** node's arguments in `npm start` (package.json), e.g. the heap limit and dist/server.js. */
export function startArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [command, ...args] = pkg.scripts.start
    .trim()
    .replace(/^exec\s+/, '')
    .split(/\s+/);
  if (command !== 'node')
    throw new Error(`npm start runs ${command}, not node: the bench cannot start it the same way`);
  return args;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * The API exactly as `npm start` runs it (after buildApi): the same node arguments and the same
 * entry point, configured only through the environment, with no NODE_OPTIONS from the bench's own
 * process. `nodeArgs` replaces the start script's arguments (to compare, e.g., another heap limit).
 * Ready when /readyz answers 200; its request log goes nowhere.
 */
export async function startApi(
  name: string,
  env: Record<string, string | undefined>,
  nodeArgs = startArgs(),
): Promise<Server> {
  const started = performance.now();
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, HOST: '127.0.0.1', PORT: String(port) };
  delete childEnv.NODE_OPTIONS;
  // A variable given as undefined is unset, e.g. DATABASE_URL for the embedded engine.
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete childEnv[key];
  const child = spawn(process.execPath, nodeArgs, {
    cwd: root,
    env: childEnv,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} before it was ready`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name}: /readyz not 200 after 120 s`);
    }
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return serverOf(name, child, port, started);
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Peak resident memory of a process over a stretch of time: the kernel's high-water mark reset
 * at the start (clear_refs 5), and a 50 ms sampler as a fallback where that is not allowed.
 */
export function watchPeakRss(pid: number): { startMb: number | null; stop(): number | null } {
  let exact = false;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    exact = true;
  } catch {
    exact = false;
  }
  const startKb = statusKb(pid, 'VmRSS');
  let sampled = startKb ?? 0;
  const timer = setInterval(() => {
    sampled = Math.max(sampled, statusKb(pid, 'VmRSS') ?? 0);
  }, 50);
  return {
    startMb: startKb === null ? null : startKb / 1024,
    stop: () => {
      clearInterval(timer);
      const hwm = exact ? statusKb(pid, 'VmHWM') : null;
      const kb = Math.max(hwm ?? 0, sampled);
      return kb > 0 ? kb / 1024 : null;
    },
  };
}
