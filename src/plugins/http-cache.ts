import compress from '@fastify/compress';
import etag from '@fastify/etag';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { COMPRESSION } from '../lib/content-encoding.js';
import { addVary } from '../lib/vary.js';

interface CachePolicy {
  /** max-age of lists and other reads. */
  maxAge: number;
  /** max-age of results still unofficial: they change on election night. */
  preliminaryMaxAge: number;
  /** max-age of certified (or recounted, corrected) results, which rarely change again. */
  finalMaxAge: number;
}

declare module 'fastify' {
  interface FastifyReply {
    /** Cache-Control for a view of results: short while preliminary, longer once final. */
    cacheResults(preliminary: boolean): FastifyReply;
  }
}

/**
 * Reads are cacheable: an ETag on every body (304 on If-None-Match), Cache-Control on successful
 * GETs (a route may set it more precisely), and brotli, gzip or deflate for bodies over 1 KiB.
 * `Vary: Accept, Authorization`: JSON and CSV share a URL, and a request with an API key reads the
 * primary around the results cache, so its answer is `private, no-cache` and must never be served
 * from, or to, a shared cache in place of an anonymous one. Errors and writes are not cached.
 */
export default fp(
  async function httpCache(app: FastifyInstance, policy: CachePolicy) {
    await app.register(etag);
    await app.register(compress, {
      threshold: COMPRESSION.threshold,
      encodings: COMPRESSION.encodings,
      brotliOptions: COMPRESSION.brotliOptions,
    });
    app.decorateReply('cacheResults', function cacheResults(this: FastifyReply, preliminary: boolean) {
      const maxAge = preliminary ? policy.preliminaryMaxAge : policy.finalMaxAge;
      return this.header('cache-control', `public, max-age=${maxAge}, stale-while-revalidate=${maxAge}`);
    });
    app.addHook('onSend', (request, reply, payload, done) => {
      const read = request.method === 'GET' || request.method === 'HEAD';
      // Added to what a route or CORS (Origin, for a list of origins) has set; @fastify/compress
      // adds Accept-Encoding to the bodies it compresses, after this hook.
      if (read && request.url.startsWith('/v1/')) addVary(reply, 'Accept, Authorization');
      const set = reply.getHeader('cache-control');
      if (!read || reply.statusCode >= 400) {
        if (set === undefined) reply.header('cache-control', 'no-store');
      } else if (request.headers.authorization !== undefined) {
        if (set !== 'no-store') reply.header('cache-control', 'private, no-cache');
      } else if (set === undefined) reply.header('cache-control', `public, max-age=${policy.maxAge}`);
      done(null, payload);
    });
  },
  { name: 'http-cache' },
);
