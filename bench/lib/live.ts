// Live push under load (issue 17): N Server-Sent Events subscribers on one API process, versions
// published through the API one after another, and for each subscriber and version the delay from
// the change's commit to its receipt here; the process's RSS as the subscribers connect; and, with a
// second instance on the same PostgreSQL, the delay for a subscriber of B of a write made through A.
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { certified2022 } from '../../test/helpers/writes.js';
import { withClient } from './datasets.js';
import type { Server } from './servers.js';

export const LIVE_ELECTION = 'kz.presidential.2022-11-20';
const now = () => performance.timeOrigin + performance.now();

/** An SSE subscriber on a raw socket: when each event id arrived (epoch ms), and the parse state. */
class Subscriber {
  readonly received = new Map<string, number>();
  readonly order: string[] = [];
  status = 0;
  closed = false;
  private buffer = '';
  private head = true;
  readonly socket: Socket;

  constructor(port: number, path: string) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setEncoding('utf8');
    this.socket.write(`GET ${path} HTTP/1.1\r\nhost: localhost\r\naccept: text/event-stream\r\n\r\n`);
    this.socket.on('data', (chunk: string) => this.read(chunk));
    this.socket.on('close', () => (this.closed = true));
    this.socket.on('error', () => (this.closed = true));
  }

  private read(chunk: string) {
    const at = now();
    this.buffer += chunk;
    if (this.head) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      this.status = Number(/^HTTP\/1\.1 (\d+)/.exec(this.buffer)?.[1] ?? 0);
      this.buffer = this.buffer.slice(end + 4);
      this.head = false;
    }
    let cut: number;
    while ((cut = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, cut);
      this.buffer = this.buffer.slice(cut + 2);
      const id = /(?:^|\n)id: (\d+)/.exec(block)?.[1];
      if (id === undefined) continue;
      if (!this.received.has(id)) this.received.set(id, at);
      this.order.push(id);
    }
  }

  close() {
    this.socket.destroy();
  }
}

const rssMb = (pid: number) => {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return kb === undefined ? Number.NaN : Number(kb) / 1024;
};

async function until(probe: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** Opens `n` subscribers to `api`'s stream of the election, in batches; resolves once all are at 200. */
async function subscribe(api: Server, n: number, onThousand?: (open: number) => void): Promise<Subscriber[]> {
  const port = Number(new URL(api.url).port);
  const path = `/v1/changes/stream?election=${LIVE_ELECTION}&kind=results`;
  const subscribers: Subscriber[] = [];
  while (subscribers.length < n) {
    const batch = Array.from({ length: Math.min(250, n - subscribers.length) }, () => new Subscriber(port, path));
    subscribers.push(...batch);
    const ok = await until(() => batch.every((s) => s.status !== 0 || s.closed), 30_000);
    const refused = batch.filter((s) => s.status !== 200);
    if (!ok || refused.length > 0)
      throw new Error(`${refused.length} of a batch of subscribers not at 200 (${refused[0]?.status ?? 'no answer'})`);
    if (onThousand && subscribers.length % 1000 === 0) onThousand(subscribers.length);
  }
  return subscribers;
}

/** Publishes one correction of the election through `api`: its version, and its change's id and commit-side time. */
async function publish(api: Server, token: string, databaseUrl: string, n: number) {
  const sent = now();
  const res = await fetch(`${api.url}/v1/elections/${LIVE_ELECTION}/results`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...certified2022, status: 'correction', note: `Live bench version ${n}.` }),
  });
  const answered = now();
  if (res.status !== 201) throw new Error(`publish: ${res.status} ${await res.text()}`);
  const { version } = (await res.json()) as { version: number };
  // The change's `at` is taken by its trigger just before the commit: the delay from it is the
  // delay from the commit plus the rest of that transaction (an upper bound).
  const [row] = await withClient(databaseUrl, async (c) =>
    (
      await c.query<{ id: string; at: number }>(
        `select id::text, extract(epoch from at) * 1000 as at from changes
         where kind = 'results' and election_id = $1 and version = $2`,
        [LIVE_ELECTION, version],
      )
    ).rows.map((r) => ({ id: r.id, at: Number(r.at) })),
  );
  if (!row) throw new Error(`no change for version ${version}`);
  return { version, id: row.id, at: row.at, sent, answered };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface DelayStats {
  samples: number;
  p50: number;
  p99: number;
  max: number;
}
const stats = (delays: number[]): DelayStats => ({
  samples: delays.length,
  p50: percentile(delays, 50),
  p99: percentile(delays, 99),
  max: Math.max(...delays),
});

export interface FanoutResult {
  subscribers: number;
  versions: number;
  /** Delay from each change's commit-side time to its receipt, over every subscriber and version. */
  fromCommit: DelayStats;
  /** From the write's response reaching the writer to the receipt (the event may come first: < 0). */
  fromResponse: DelayStats;
  /** Per version, the time from commit until the last subscriber had it. */
  lastReceiptP50: number;
  missing: number;
  duplicates: number;
  outOfOrder: number;
  rss: { before: number; perThousand: { open: number; mb: number }[]; after: number };
}

/** Checks each subscriber's events against the published ids: what was missing, twice, out of order. */
function audit(subscribers: Subscriber[], ids: string[]) {
  let missing = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  for (const s of subscribers) {
    missing += ids.filter((id) => !s.received.has(id)).length;
    duplicates += s.order.length - new Set(s.order).size;
    for (let i = 1; i < s.order.length; i += 1) if (Number(s.order[i]) <= Number(s.order[i - 1])) outOfOrder += 1;
  }
  return { missing, duplicates, outOfOrder };
}

/**
 * `subscribers` streams on `api`, then `versions` versions published through `writer` (the same
 * instance, or another one on the same database), each once every subscriber has the one before.
 */
export async function measureFanout(opts: {
  api: Server;
  writer: Server;
  token: string;
  databaseUrl: string;
  subscribers: number;
  versions: number;
}): Promise<FanoutResult> {
  const before = rssMb(opts.api.pid);
  const perThousand: { open: number; mb: number }[] = [];
  const subscribers = await subscribe(opts.api, opts.subscribers, (open) =>
    perThousand.push({ open, mb: rssMb(opts.api.pid) }),
  );
  await sleep(1000);
  const fromCommit: number[] = [];
  const fromResponse: number[] = [];
  const lastReceipt: number[] = [];
  const ids: string[] = [];
  for (let n = 1; n <= opts.versions; n += 1) {
    const p = await publish(opts.writer, opts.token, opts.databaseUrl, n);
    ids.push(p.id);
    await until(() => subscribers.every((s) => s.received.has(p.id) || s.closed), 30_000);
    const times = subscribers.map((s) => s.received.get(p.id)).filter((t): t is number => t !== undefined);
    fromCommit.push(...times.map((t) => t - p.at));
    fromResponse.push(...times.map((t) => t - p.answered));
    lastReceipt.push(Math.max(...times) - p.at);
    await sleep(100);
  }
  const after = rssMb(opts.api.pid);
  const checked = audit(subscribers, ids);
  for (const s of subscribers) s.close();
  return {
    subscribers: opts.subscribers,
    versions: opts.versions,
    fromCommit: stats(fromCommit),
    fromResponse: stats(fromResponse),
    lastReceiptP50: percentile(lastReceipt, 50),
    ...checked,
    rss: { before, perThousand, after },
  };
}
