import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import type { Db } from '../../db/client.js';
import type { ChangeHub, StreamFilter } from './changes.hub.js';
import { matches } from './changes.hub.js';
import { type Change, changesAfter } from './changes.repository.js';
import { changeItem } from './changes.view.js';

export interface StreamLimits {
  /** A comment line this often keeps an idle stream open through proxies. */
  heartbeatMs: number;
  /** Bytes a stream may have waiting for its client; beyond, the client is cut off. */
  maxBufferedBytes: number;
}

// A browser's EventSource reconnects after this long, with Last-Event-ID.
const RETRY_MS = 2000;
const CATCH_UP_PAGE = 500;

/** One Server-Sent Event: the change's id (for Last-Event-ID) and the feed's JSON for it. */
export const eventOf = (c: Change) => `id: ${c.id}\ndata: ${JSON.stringify(changeItem(c))}\n\n`;

/**
 * An SSE body for one client: first the changes after `since` from the feed (when the client gives
 * one: a reconnection's Last-Event-ID), then each change the hub reads, in feed order, each once
 * (an id at or below the last sent is skipped: the catch-up and the hub can both hold it). A client
 * that lets more than `maxBufferedBytes` wait unread is cut off: it reconnects with Last-Event-ID
 * and reads the rest from the feed, instead of this process holding it.
 */
export async function openChangeStream(opts: {
  hub: ChangeHub;
  db: Db;
  filter: StreamFilter;
  since: number | undefined;
  limits: StreamLimits;
  reply: FastifyReply;
  log: FastifyBaseLogger;
}): Promise<PassThrough> {
  const { hub, filter, limits, reply, log } = opts;
  const out = new PassThrough();
  let last = 0;
  let live = false;
  const waiting: Change[] = [];

  const overfull = () => out.writableLength + reply.raw.writableLength > limits.maxBufferedBytes;
  const cutOff = () => {
    log.warn({ buffered: out.writableLength + reply.raw.writableLength }, 'change stream: client too slow, cut off');
    out.destroy();
    reply.raw.destroy();
  };
  /** Writes the changes not sent yet; false when the stream is gone or was cut off. */
  const send = (batch: Change[]): boolean => {
    if (out.destroyed) return false;
    let text = '';
    for (const c of batch) {
      if (Number(c.id) <= last || !matches(filter, c)) continue;
      text += eventOf(c);
      last = Number(c.id);
    }
    if (text) out.write(text);
    if (overfull()) {
      cutOff();
      return false;
    }
    return true;
  };

  const unsubscribe = await hub.subscribe((batch) => {
    if (live) send(batch);
    else waiting.push(...batch);
  });
  const heartbeat = setInterval(() => {
    if (!out.destroyed) out.write(': keep-alive\n\n');
  }, limits.heartbeatMs);
  out.once('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
  });

  out.write(`retry: ${RETRY_MS}\n\n`);
  if (opts.since === undefined) {
    // From now on: the hub hands over everything after what it has read.
    last = Number(hub.position ?? 0);
  } else {
    last = opts.since;
    void catchUp().catch((err: unknown) => {
      log.warn({ err }, 'change stream: reading the feed to catch up failed');
      out.destroy();
    });
    return out;
  }
  live = true;
  return out;

  async function catchUp() {
    for (;;) {
      const rows = await changesAfter(opts.db, { since: last, limit: CATCH_UP_PAGE, ...filter });
      const page = rows.filter((r): r is Change => r.id !== null);
      if (!send(page)) return;
      if (page.length < CATCH_UP_PAGE) break;
      // Wait for the client before the next page: a reconnection from long ago reads the feed at
      // the pace its client takes it.
      if (out.writableNeedDrain) await Promise.race([once(out, 'drain'), once(out, 'close')]);
      if (out.destroyed) return;
    }
    live = true;
    send(waiting.splice(0));
  }
}
