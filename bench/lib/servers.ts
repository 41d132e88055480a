// The servers under test run as child processes, one Node process each: on a 2-core machine an
// in-process server would share its event loop (and its RSS) with autocannon's load generator,
// so both its throughput and its memory would be measured wrong.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ReadyMessage } from '../servers/listen.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));

export interface Server {
  name: string;
  url: string;
  pid: number;
  /** Spawn to listening, in ms (includes Node and tsx start-up). */
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
export async function startServer(name: string, script: string, env: Record<string, string> = {}): Promise<Server> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', `bench/servers/${script}`], {
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
