// Last-Modified on the public reads under /v1, and If-Modified-Since → 304 (src/db/last-modified.ts
// says why the dates are safe). A read is dated by the probe taken before it read anything: the one
// current when the request arrived, or, for a body served from the results cache, the one current
// when that body was read (reply.dateFrom).
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { createLastModified, type LastModified, type Probe } from '../db/last-modified.js';

declare module 'fastify' {
  interface FastifyInstance {
    lastModified: LastModified;
  }
  interface FastifyRequest {
    /** The probe current when the request arrived: what its reads are dated by. */
    lastModifiedProbe: Probe | undefined;
  }
  interface FastifyReply {
    /** Dates the body by `probe` (a body read earlier, for a cache), instead of the request's. */
    dateFrom(probe: Probe | undefined): FastifyReply;
    /** The probe given to dateFrom; null when it was not called. */
    datedBy: Probe | undefined | null;
  }
}

export default fp(
  async function lastModifiedPlugin(app: FastifyInstance, options: { pollMs: number }) {
    const lastModified = createLastModified(app.database, { pollMs: options.pollMs, startedAt: Date.now() });
    app.decorate('lastModified', lastModified);
    // A probe that fails (the database unreachable) leaves the last one: older, so still safe.
    const warn = (err: unknown) => app.log.warn({ err }, 'could not probe the data for Last-Modified');
    app.addHook('onReady', () => lastModified.start().catch(warn));
    app.addHook('onClose', async () => lastModified.stop());
    // A write's own change is dated at once, not at the next poll; a committed write is answered
    // whatever the probe does.
    app.onWrite(() => lastModified.refresh().catch(warn));

    // Fields of the request and reply (not a WeakMap of them): set and read on every request.
    app.decorateRequest('lastModifiedProbe', undefined);
    app.decorateReply('datedBy', null);
    app.decorateReply('dateFrom', function dateFrom(this: FastifyReply, probe: Probe | undefined) {
      this.datedBy = probe;
      return this;
    });
    app.addHook('onRequest', (request, _reply, done) => {
      request.lastModifiedProbe = lastModified.probe;
      done();
    });
    // Callback style, as the other hooks on every request: the database is asked only for an
    // If-Modified-Since, so most requests need no promise here.
    app.addHook('onSend', (request, reply, payload, done) => {
      if ((request.method !== 'GET' && request.method !== 'HEAD') || reply.statusCode !== 200)
        return done(null, payload);
      // Public reads only: an API key's reads (the audit log among them) are private and no-cache.
      if (!request.url.startsWith('/v1/') || request.headers.authorization !== undefined) return done(null, payload);
      if (reply.getHeader('cache-control') === 'no-store' || reply.getHeader('etag') === undefined)
        return done(null, payload);
      const date = lastModified.headerOf(reply.datedBy === null ? request.lastModifiedProbe : reply.datedBy);
      if (date === undefined) return done(null, payload);
      reply.header('last-modified', date);
      // RFC 9110 §13.1.3: If-Modified-Since only without If-None-Match, and a date in the future is no date.
      const header = request.headers['if-modified-since'];
      if (header === undefined || request.headers['if-none-match'] !== undefined) return done(null, payload);
      const since = Date.parse(header);
      if (Number.isNaN(since) || since > Date.now()) return done(null, payload);
      lastModified.unchangedSince(new Date(since)).then((unchanged) => {
        if (!unchanged) return done(null, payload);
        // As the If-None-Match 304 (http-cache.ts): its ETag, no body, no Content-Type or -Length.
        reply.code(304).removeHeader('last-modified').removeHeader('content-type').removeHeader('content-length');
        done(null, null);
      }, done);
    });
  },
  { name: 'last-modified', dependencies: ['db'] },
);
