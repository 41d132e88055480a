import autocannon from 'autocannon';
import { type Server, watchPeakRss } from './servers.js';

export interface LoadOptions {
  connections: number;
  /** Seconds. */
  duration: number;
}

export interface Measurement {
  rps: number;
  /** Latencies in ms. */
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  peakRssMb: number | null;
}

/** A fixed `path`, or `paths` in turn (one per request); with `headers` on every request. */
export type LoadTarget = ({ path: string } | { paths: string[] }) & { headers?: Record<string, string> };

/**
 * One autocannon run against `server`: with `paths`, no two neighbouring requests ask for the
 * same rows.
 */
export async function measure(server: Server, target: LoadTarget, opts: LoadOptions): Promise<Measurement> {
  const rss = watchPeakRss(server.pid);
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
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    peakRssMb: rss.stop(),
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
