import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { LRUCache } from 'lru-cache';
import { type Db, readerOf } from '../db/client.js';
import { compressSync, type Encoding } from '../lib/content-encoding.js';
import { pinnedToPrimary } from '../db/routing.js';
import { dataVersion } from '../db/schema/index.js';
import { requireResultsJson, resultsEtag } from '../modules/elections/results.service.js';

export interface CachedResults {
  /**
   * The response body, serialized once, byte for byte as the route's schema would serialize it,
   * and UTF-8 encoded once: a Buffer is written to the socket as it is, and has its length.
   */
  body: Buffer;
  /** The body compressed, each encoding once, when a client first asks for it (`encodedBody`). */
  encoded: Partial<Record<Encoding, Buffer>>;
  /** The key it is cached under; none for an entry read around the cache. */
  key?: string;
  etag: string;
  version: number;
  preliminary: boolean;
  /** The data version the entry was read at. */
  dataVersion: number;
}

export interface ResultsCacheOptions {
  /** How often to look for writes made by other processes, in ms (0: never). */
  revalidateMs: number;
  maxBytes: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    resultsCache: {
      /** A result version (newest when `number` is omitted) as a ready-to-send body. */
      get(electionId: string, number?: number): Promise<CachedResults>;
      /** The same, only if it is cached and current (and this request may use the cache): no promise. */
      peek(electionId: string, number?: number): CachedResults | undefined;
      /**
       * A cached entry's body compressed with `encoding`: compressed on the first request that
       * asks, then kept with the entry (a browser's warm read costs what an uncompressed one does).
       * Undefined for an entry that is not in the cache.
       */
      encodedBody(entry: CachedResults, encoding: Encoding): Buffer | undefined;
      /** Bytes the cache holds, by its own count (bodies, compressed bodies, and a little more). */
      readonly bytes: number;
      /** Called after a write commits: the next read of any result is loaded afresh. */
      invalidate(): Promise<void>;
    };
  }
}

// What an entry holds, in bytes: its bodies, and a little for the rest.
const sizeOf = (e: CachedResults) =>
  e.body.length + Object.values(e.encoded).reduce((sum, b) => sum + b.length, 0) + 200;

/**
 * Election nights are many clients polling the same few results: keep each result version's
 * serialized body in memory. An entry is good while the data version it was read at is the
 * latest known. This process learns of its own writes at once (`invalidate`, called by the write
 * path before it answers) and of other processes' writes within `revalidateMs` (a one-row poll).
 * With replicas, an entry is tagged with the data version of the server it was read from (read
 * first, on the same server), so a lagging replica's copy is never taken for the newest; requests
 * pinned to the primary (editors) skip the cache.
 */
export default fp(
  async function resultsCache(app: FastifyInstance, options: ResultsCacheOptions) {
    let known = 0;
    const versionOf = async (db: Db) => {
      const [row] = await db.select({ version: dataVersion.version }).from(dataVersion);
      return row?.version ?? 0;
    };
    const readVersion = async (db: Db = app.db) => {
      known = Math.max(known, await versionOf(db));
    };
    // RESULTS_CACHE_MB=0 turns the cache off (every read goes to the database).
    const cache =
      options.maxBytes > 0
        ? new LRUCache<string, CachedResults>({ maxSize: options.maxBytes, sizeCalculation: sizeOf })
        : undefined;
    // One load per key at a time, however many requests miss together.
    const loading = new Map<string, Promise<CachedResults>>();

    async function load(db: Db, electionId: string, number?: number): Promise<CachedResults> {
      // The body as PostgreSQL writes it: no rows to parse or stringify here; encoded once, when cached.
      const { json, version, preliminary } = await requireResultsJson(db, electionId, number);
      return { body: Buffer.from(json), encoded: {}, etag: resultsEtag(version), version, preliminary, dataVersion: 0 };
    }

    const replicated = app.database.servers.length > 1;
    async function loadAndCache(key: string, electionId: string, number?: number): Promise<CachedResults> {
      // One server for the version tag and the data; with a single server the tag is what is known.
      const db = replicated ? readerOf(app.db) : app.db;
      const at = replicated ? await versionOf(db) : known;
      const entry = { ...(await load(db, electionId, number)), dataVersion: at, key };
      cache?.set(key, entry);
      return entry;
    }

    const keyOf = (electionId: string, number?: number) => `${electionId}#${number ?? 'current'}`;
    const fresh = (key: string) => {
      const hit = cache?.get(key);
      return hit && hit.dataVersion === known ? hit : undefined;
    };

    app.decorate('resultsCache', {
      get bytes() {
        return cache?.calculatedSize ?? 0;
      },
      peek(electionId: string, number?: number) {
        return cache && !pinnedToPrimary() ? fresh(keyOf(electionId, number)) : undefined;
      },
      async get(electionId: string, number?: number) {
        if (!cache || pinnedToPrimary()) return load(app.db, electionId, number);
        const key = keyOf(electionId, number);
        const hit = fresh(key);
        if (hit) return hit;
        let pending = loading.get(key);
        if (!pending) {
          pending = loadAndCache(key, electionId, number).finally(() => loading.delete(key));
          loading.set(key, pending);
        }
        return pending;
      },
      encodedBody(entry: CachedResults, encoding: Encoding) {
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
        await readVersion(app.database.primary);
      },
    });

    let timer: NodeJS.Timeout | undefined;
    app.addHook('onReady', async () => {
      await readVersion().catch((err: unknown) => app.log.warn({ err }, 'could not read the data version'));
      if (options.revalidateMs > 0) {
        timer = setInterval(() => {
          readVersion().catch((err: unknown) => app.log.debug({ err }, 'data version poll failed'));
        }, options.revalidateMs);
        timer.unref();
      }
    });
    app.addHook('onClose', async () => clearInterval(timer));
  },
  { name: 'results-cache', dependencies: ['db'] },
);
