import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { dataVersion } from '../db/schema/index.js';
import { resultsSchema } from '../modules/elections/results.schemas.js';
import { requireResults, resultsEtag } from '../modules/elections/results.service.js';

export interface CachedResults {
  /** The response body, serialized once, exactly as the route's schema would serialize it. */
  json: string;
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
      /** Called after a write commits: the next read of any result is loaded afresh. */
      invalidate(): Promise<void>;
    };
  }
}

/**
 * Election nights are many clients polling the same few results: keep each result version's
 * serialized body in memory. An entry is good while the data version it was read at is the
 * latest known. This process learns of its own writes at once (`invalidate`, called by the write
 * path before it answers) and of other processes' writes within `revalidateMs` (a one-row poll).
 */
export default fp(
  async function resultsCache(app: FastifyInstance, options: ResultsCacheOptions) {
    let known = 0;
    const readVersion = async () => {
      const [row] = await app.db.select({ version: dataVersion.version }).from(dataVersion);
      known = Math.max(known, row?.version ?? 0);
    };
    // RESULTS_CACHE_MB=0 turns the cache off (every read goes to the database).
    const cache =
      options.maxBytes > 0
        ? new LRUCache<string, CachedResults>({ maxSize: options.maxBytes, sizeCalculation: (e) => e.json.length + 200 })
        : undefined;
    // One load per key at a time, however many requests miss together.
    const loading = new Map<string, Promise<CachedResults>>();

    async function load(key: string, electionId: string, number?: number): Promise<CachedResults> {
      const at = known;
      const results = await requireResults(app.db, electionId, number);
      const entry: CachedResults = {
        json: JSON.stringify(z.encode(resultsSchema, results)),
        etag: resultsEtag(results.version),
        version: results.version,
        preliminary: results.preliminary,
        dataVersion: at,
      };
      cache?.set(key, entry);
      return entry;
    }

    app.decorate('resultsCache', {
      async get(electionId: string, number?: number) {
        const key = `${electionId}#${number ?? 'current'}`;
        const hit = cache?.get(key);
        if (hit && hit.dataVersion === known) return hit;
        let pending = loading.get(key);
        if (!pending) {
          pending = load(key, electionId, number).finally(() => loading.delete(key));
          loading.set(key, pending);
        }
        return pending;
      },
      async invalidate() {
        cache?.clear();
        await readVersion();
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
