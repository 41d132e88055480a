import { readFileSync } from 'node:fs';
import http from 'node:http';
import autocannon from 'autocannon';
import { type Server, watchPeakRss } from './servers.js';

export interface LoadOptions {
  connections: number;
  /** Seconds. */
  duration: number;
}

export interface Measurement {
  /**
   * Reads served per second: 2xx answers only. autocannon's own rate counts every answer, so a
   * server shedding load with fast 503s would look faster than one serving every request.
   */
  rps: number;
  /** Latencies in ms. */
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  peakRssMb: number | null;
  /** CPU time of the server under test and of the load generator (this process), in cores (1 = one core busy). */
  serverCpu: number | null;
  clientCpu: number;
}

const TICKS_PER_SECOND = 100;

/** A process's CPU time so far (user + system), in seconds; null where /proc cannot tell. */
function cpuSeconds(pid: number): number | null {
  try {
    // The fields after the command name, which may hold spaces: state is the first, utime the 12th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** A fixed `path`, or `paths` in turn (one per request); with `headers` on every request. */
export type LoadTarget = ({ path: string } | { paths: string[] }) & { headers?: Record<string, string> };

/**
 * One autocannon run against `server`: with `paths`, no two neighbouring requests ask for the
 * same rows.
 */
export async function measure(server: Server, target: LoadTarget, opts: LoadOptions): Promise<Measurement> {
  const rss = watchPeakRss(server.pid);
  const [serverBefore, clientBefore, started] = [cpuSeconds(server.pid), process.cpuUsage(), performance.now()];
  let next = 0;
  const rotating = 'paths' in target ? target.paths : undefined;
  const result = await autocannon({
    url: `${server.url}${rotating ? rotating[0] : (target as { path: string }).path}`,
    connections: opts.connections,
    duration: opts.duration,
    ...(target.headers ? { headers: target.headers } : {}),
    ...(rotating
      ? { requests: [{ setupRequest: (request) => ({ ...request, path: rotating[next++ % rotating.length] }) }] }
      : {}),
  });
  const seconds = (performance.now() - started) / 1000;
  const serverAfter = cpuSeconds(server.pid);
  const client = process.cpuUsage(clientBefore);
  return {
    rps: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    peakRssMb: rss.stop(),
    serverCpu: serverBefore === null || serverAfter === null ? null : (serverAfter - serverBefore) / seconds,
    clientCpu: (client.user + client.system) / 1e6 / seconds,
  };
}

export interface ExportMeasurement {
  status: number;
  ms: number;
  firstByteMs: number;
  bytes: number;
  lines: number;
  /** The server's RSS when the download started. */
  startRssMb: number | null;
  peakRssMb: number | null;
}

/** One full download of `path`, streamed and counted, never held in memory. */
export async function download(server: Server, path: string): Promise<ExportMeasurement> {
  const rss = watchPeakRss(server.pid);
  const started = performance.now();
  const res = await fetch(`${server.url}${path}`);
  const firstByteMs = performance.now() - started;
  let bytes = 0;
  let lines = 0;
  if (res.body) {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines += 1;
    }
  }
  return {
    status: res.status,
    ms: performance.now() - started,
    firstByteMs,
    bytes,
    lines,
    startRssMb: rss.startMb,
    peakRssMb: rss.stop(),
  };
}

/** Status, type, encoding and the start of the (decoded) body of one GET, to check a target before loading it. */
export async function probe(
  server: Server,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; type: string; encoding: string; head: string }> {
  const res = await fetch(`${server.url}${path}`, { headers });
  const reader = res.body?.getReader();
  const first = reader ? await reader.read() : undefined;
  // The target may be a full export: its first chunk is enough to know what it is.
  await reader?.cancel();
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    encoding: res.headers.get('content-encoding') ?? '',
    head: first?.value ? Buffer.from(first.value).toString('utf8', 0, 300) : '',
  };
}

/**
 * One GET as the load generator sees it, bytes as sent (compressed when the server compressed it):
 * node:http, not fetch, which would decompress.
 */
export function rawResponse(
  server: Server,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${server.url}${path}`, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** The size of one response's body as sent (compressed when the server compressed it), in bytes. */
export async function bodyBytes(server: Server, path: string, headers: Record<string, string> = {}): Promise<number> {
  return (await rawResponse(server, path, headers)).body.length;
}
