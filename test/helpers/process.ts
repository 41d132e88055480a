import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Runs an entry point of the project: one in src/ as `npm start` runs the server, compiled
 * (dist/, built by test/setup/prepare-templates.ts before the suite), with plain node; any other
 * (examples/) with tsx, as its npm script does.
 */
export function runTs(script: string, env: NodeJS.ProcessEnv, args: string[] = []): ChildProcess {
  const compiled = /^src\/.+\.ts$/.test(script);
  const argv = compiled ? [script.replace(/^src\//, 'dist/').replace(/\.ts$/, '.js')] : ['--import', 'tsx', script];
  return spawn(process.execPath, [...argv, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function exitOf(child: ChildProcess): Promise<{ code: number | null; output: string }> {
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

/** Starts src/server.ts and resolves with its base URL and the ms it logged from start to ready. */
export async function startServer(env: NodeJS.ProcessEnv) {
  // As in testConfig: no rate limits or load shedding unless the test asks for them.
  const child = runTs('src/server.ts', {
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    RATE_LIMIT_MAX: '0',
    OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
    ...env,
  });
  const exited = exitOf(child);
  const ready = await new Promise<{ url: string; readyMs: number }>((resolve, reject) => {
    let url = '';
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const line of buffer.split('\n').slice(0, -1)) {
        const log = JSON.parse(line) as { msg?: string; readyMs?: number };
        const listening = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(log.msg ?? '');
        if (listening) url = listening[1]!;
        if (log.msg === 'ready' && url) resolve({ url, readyMs: log.readyMs ?? -1 });
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
    });
    void exited.then(({ code, output }) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
  return {
    ...ready,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
