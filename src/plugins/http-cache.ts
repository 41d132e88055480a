import { createHash } from 'node:crypto';
import compress from '@fastify/compress';
import type { FastifyInstance, FastifyReply, onSendHookHandler, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { COMPRESSION } from '../lib/content-encoding.js';
import { digestTag, encodedEtag, matchingTag } from '../lib/etag.js';
import { hooksOf } from '../lib/route-hooks.js';
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
    /**
     * Tags the body as a revision of an editable record: its ETag is `revision` with a digest of
     * the body sent (digestTag), and PATCH's If-Match checks the revision part.
     */
    revisionTag(revision: string): FastifyReply;
    /** The revision given to revisionTag, if any. */
    taggedRevision: string | undefined;
  }
}

/**
 * Reads are cacheable: an ETag on every body (304 on If-None-Match, with no body, no Content-Length
 * and the client's tag; a compressed body's tag carries its coding), Cache-Control on successful
 * GETs (a route may set it more precisely), and brotli, gzip or deflate for bodies over 1 KiB.
 * `Vary: Accept, Authorization`: JSON and CSV share a URL, and a request with an API key reads the
 * primary around the results cache, so its answer is `private, no-cache` and must never be served
 * from, or to, a shared cache in place of an anonymous one. Errors and writes are not cached.
 */
/** Whether the route's query takes `lang`: its names follow it, or Accept-Language. */
function followsLanguage(route: RouteOptions): boolean {
  const query = route.schema?.querystring as { shape?: Record<string, unknown> } | undefined;
  return query?.shape !== undefined && 'lang' in query.shape;
}

// A read whose names follow Accept-Language (it takes `lang`), CSV exports included: they are
// streamed before the names are known, so the route cannot say it itself.
const varyLanguage: onSendHookHandler = (request, reply, payload, done) => {
  if (request.method === 'GET' || request.method === 'HEAD') addVary(reply, 'Accept-Language');
  done(null, payload);
};

export default fp(
  async function httpCache(app: FastifyInstance, policy: CachePolicy) {
    // A field of the reply (not a WeakMap of replies): read on every request.
    app.decorateReply('taggedRevision', undefined);
    app.decorateReply('revisionTag', function revisionTag(this: FastifyReply, revision: string) {
      this.taggedRevision = revision;
      return this;
    });
    // Before compression: the tag of the identity body, and the 304 before any compressing.
    app.addHook('onSend', (request, reply, payload, done) => {
      const revision = reply.taggedRevision;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        // A write's answer is the record as a read of it serves it: the same tag for the same bytes.
        if (revision !== undefined && (typeof payload === 'string' || Buffer.isBuffer(payload)))
          reply.header('etag', digestTag(revision, payload));
        return done(null, payload);
      }
      if (reply.statusCode !== 200) return done(null, payload);
      // Nothing to revalidate in what must not be stored (the probes).
      if (reply.getHeader('cache-control') === 'no-store') return done(null, payload);
      let etag = reply.getHeader('etag');
      if (revision !== undefined && (typeof payload === 'string' || Buffer.isBuffer(payload))) {
        etag = digestTag(revision, payload);
        reply.header('etag', etag);
      } else if (etag === undefined) {
        if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return done(null, payload);
        etag = `"${createHash('sha1').update(payload).digest('base64url')}"`;
        reply.header('etag', etag);
      }
      const matched = typeof etag === 'string' ? matchingTag(request.headers['if-none-match'], etag) : undefined;
      if (matched === undefined) return done(null, payload);
      // RFC 9110 §15.4.5: no content, so no Content-Length or Content-Type; null (not '') tells
      // Fastify there is no body at all.
      reply.code(304).header('etag', matched).removeHeader('content-type').removeHeader('content-length');
      done(null, null);
    });
    // Chosen per route once, not asked of each request; before @fastify/compress's own onSend,
    // which adds Accept-Encoding after it.
    app.addHook('onRoute', (route) => {
      if (followsLanguage(route)) route.onSend = [...hooksOf(route.onSend), varyLanguage];
    });
    await app.register(compress, {
      threshold: COMPRESSION.threshold,
      encodings: COMPRESSION.encodings,
      brotliOptions: COMPRESSION.brotliOptions,
    });
    // After compression (@fastify/compress's hook, or a route's precompressed body): the body's
    // tag. @fastify/compress adds its onSend to each route, and route hooks run after global ones:
    // this one is appended to each route after it.
    const tagEncoded: onSendHookHandler = (_request, reply, payload, done) => {
      const coding = reply.getHeader('content-encoding');
      const etag = reply.getHeader('etag');
      if (reply.statusCode === 200 && typeof coding === 'string' && typeof etag === 'string')
        reply.header('etag', encodedEtag(etag, coding));
      done(null, payload);
    };
    app.addHook('onRoute', (route) => {
      route.onSend = [...hooksOf(route.onSend), tagEncoded];
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
