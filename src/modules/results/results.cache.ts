// Election nights are many clients polling the same few results: each result version's serialized
// body is kept in this process's memory, in an LRU bounded by RESULTS_CACHE_MB.
import type { FastifyBaseLogger } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { Database, Db } from '../../db/client.js';
import { readDataVersion } from '../../db/data-version.js';
import type { Probe } from '../../db/last-modified.js';
import { compressSync, type Encoding } from '../../lib/content-encoding.js';
import { bodyDigest, withDigest } from '../../lib/etag.js';
import type { DocumentQuery } from './results.document.js';
import { requireResultsJson, resultsEtag } from './results.service.js';

export interface CachedResults {
  /**
   * The response body, as the route would serialize it, UTF-8 encoded once: a Buffer is written to
   * the socket as it is, and has its length.
   */
  body: Buffer;
  /** The body compressed, each encoding once, when a client first asks for it (`encodedBody`). */
  encoded: Partial<Record<Encoding, Buffer>>;
  /** The key it is cached under; none for an entry read around the cache. */
  key?: string;
  etag: string;
  /** The ETag of the same version as CSV. */
  csvEtag: string;
  version: number;
  preliminary: boolean;
  /** The data version the entry was read at. */
  dataVersion: number;
  /** The Last-Modified probe current before the entry was read: what dates it (src/db/last-modified.ts). */
  probe?: Probe | undefined;
}

export interface ResultsCacheOptions {
  database: Database;
  /** How often to look for writes made by other processes, in ms (0: never). */
  revalidateMs: number;
  /** The cache's size; 0 turns it off (every read goes to the database). */
  maxBytes: number;
  log: FastifyBaseLogger;
  /** The newest Last-Modified probe (taken before each read). */
  probe?: () => Probe | undefined;
}

export interface ResultsCache {
  /** A view of a result version (see DocumentQuery) as a ready-to-send body, read on `db` if not cached. */
  get(db: Db, q: DocumentQuery): Promise<CachedResults>;
  /** The same, only if it is cached and current: no promise. */
  peek(q: DocumentQuery): CachedResults | undefined;
  /** The view read on `db`, around the cache (for requests that must see the latest writes). */
  load(db: Db, q: DocumentQuery): Promise<CachedResults>;
  /**
   * A cached entry's body compressed with `encoding`: compressed on the first request that asks,
   * then kept with the entry (a browser's warm read costs what an uncompressed one does).
   * Undefined for an entry that is not in the cache.
   */
  encodedBody(entry: CachedResults, encoding: Encoding): Buffer | undefined;
  /** Bytes the cache holds, by its own count (bodies, compressed bodies, and a little more). */
  readonly bytes: number;
  /** After a write commits: the next read of any result is loaded afresh. */
  invalidate(): Promise<void>;
  /** Learns the current data version, then polls it every `revalidateMs`. */
  start: () => Promise<void>;
  stop: () => void;
}

// What an entry holds, in bytes: its bodies, and a little for the rest.
const sizeOf = (e: CachedResults) =>
  e.body.length + Object.values(e.encoded).reduce((sum, b) => sum + b.length, 0) + 200;

const keyOf = (q: DocumentQuery) =>
  `${q.electionId}#${q.contest ?? ''}#${q.number ?? 'current'}#${q.area ?? ''}#${q.level ?? ''}`;

/**
 * An entry is good while the data version it was read at is the latest known. This process learns
 * of its own writes at once (`invalidate`, before the write's answer) and of other processes'
 * writes within `revalidateMs` (a one-row poll). With replicas, an entry is tagged with the data
 * version of the server it was read from (read first, on the same server), so a lagging replica's
 * copy is never taken for the newest.
 */
export function createResultsCache(options: ResultsCacheOptions): ResultsCache {
  const { database } = options;
  const replicated = database.servers.length > 1;
  let known = 0;
  const learn = async (db: Db) => {
    known = Math.max(known, await readDataVersion(db));
  };
  const cache =
    options.maxBytes > 0
      ? new LRUCache<string, CachedResults>({ maxSize: options.maxBytes, sizeCalculation: sizeOf })
      : undefined;
  // One load per key at a time, however many requests miss together.
  const loading = new Map<string, Promise<CachedResults>>();

  async function load(db: Db, q: DocumentQuery): Promise<CachedResults> {
    const probe = options.probe?.();
    const { json, version, preliminary, current } = await requireResultsJson(db, q);
    const body = Buffer.from(json);
    // With a digest of the body: a renamed candidate or an edited source changes it, not the
    // version. One digest for both tags, of the bytes (the string would be encoded again).
    const digest = bodyDigest(body);
    return {
      body,
      encoded: {},
      etag: withDigest(resultsEtag(version, { current }), digest),
      csvEtag: withDigest(resultsEtag(version, { current, csv: true }), digest),
      version,
      preliminary,
      dataVersion: 0,
      probe,
    };
  }

  async function loadAndCache(db: Db, key: string, q: DocumentQuery): Promise<CachedResults> {
    // One server for the version tag and the data; with a single server the tag is what is known.
    const at = replicated ? await readDataVersion(db) : known;
    const entry = { ...(await load(db, q)), dataVersion: at, key };
    cache?.set(key, entry);
    return entry;
  }

  const fresh = (key: string) => {
    const hit = cache?.get(key);
    return hit && hit.dataVersion === known ? hit : undefined;
  };

  let timer: NodeJS.Timeout | undefined;
  return {
    get bytes() {
      return cache?.calculatedSize ?? 0;
    },
    peek: (q) => fresh(keyOf(q)),
    load,
    async get(db, q) {
      if (!cache) return load(db, q);
      const key = keyOf(q);
      const hit = fresh(key);
      if (hit) return hit;
      let pending = loading.get(key);
      if (!pending) {
        pending = loadAndCache(db, key, q).finally(() => loading.delete(key));
        loading.set(key, pending);
      }
      return pending;
    },
    encodedBody(entry, encoding) {
      const { key } = entry;
      // An entry read around the cache (cache off, editors' requests) or gone from it is
      // @fastify/compress's to compress, or stream when large: here it would be per response.
      if (key === undefined || cache?.peek(key) !== entry) return undefined;
      let encoded = entry.encoded[encoding];
      if (encoded === undefined) {
        encoded = compressSync(entry.body, encoding);
        entry.encoded[encoding] = encoded;
        // lru-cache sizes a value when it is set as a new value: take it out and put it back.
        cache.delete(key);
        cache.set(key, entry);
      }
      return encoded;
    },
    async invalidate() {
      cache?.clear();
      // The primary's version: entries read from replicas that have not replayed the write yet
      // carry an older tag, so they are re-read until the replicas catch up.
      await learn(database.primary);
    },
    async start() {
      await learn(database.reader().db).catch((err: unknown) =>
        options.log.warn({ err }, 'could not read the data version'),
      );
      if (options.revalidateMs > 0 && !timer) {
        timer = setInterval(() => {
          learn(database.reader().db).catch((err: unknown) => options.log.debug({ err }, 'data version poll failed'));
        }, options.revalidateMs);
        timer.unref();
      }
    },
    stop: () => clearInterval(timer),
  };
}
