// Start-to-ready of `npm start` on the embedded database (PGlite): the first start, which creates
// the data directory, and a restart on it, which is what operators wait for.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, startArgs } from './servers.js';

export interface StartupTime {
  /** What src/server.ts logs as readyMs (from its own first line to listening). */
  readyMs: number | null;
  /** Spawn to the "ready" log line, including Node's start-up. */
  wallMs: number;
}

function startOnce(dataDir: string): Promise<StartupTime> {
  // Without DATABASE_URL the server opens PGlite in DATA_DIR.
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.NODE_OPTIONS;
  const started = performance.now();
  // As `npm start` runs it, after its build (bench/run.ts built dist/ before the servers started).
  const child = spawn(process.execPath, startArgs(), {
    cwd: root,
    env: { ...env, DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let buffer = '';
    let errors = '';
    let ready: StartupTime | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        let log: { msg?: string; readyMs?: number };
        try {
          log = JSON.parse(line) as typeof log;
        } catch {
          continue;
        }
        if (log.msg === 'ready' && !ready) {
          ready = { readyMs: log.readyMs ?? null, wallMs: Math.round(performance.now() - started) };
          child.kill('SIGTERM');
        }
      }
    });
    // Resolved on exit, not on "ready": PGlite lets one process at a time open the data dir.
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (ready) resolve(ready);
      else reject(new Error(`the server exited (${code}) before "ready": ${errors.slice(-500)}`));
    });
  });
}

export async function embeddedStartup(): Promise<{ first: StartupTime; restart: StartupTime }> {
  const dir = await mkdtemp(join(tmpdir(), 'elections-bench-'));
  try {
    const first = await startOnce(join(dir, 'data'));
    const restart = await startOnce(join(dir, 'data'));
    return { first, restart };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
