import etag from '@fastify/etag';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Reads are cacheable: a strong ETag on every body (304 on If-None-Match) and a default
 * Cache-Control on successful GETs that a route may set more precisely. Errors are not cached.
 */
export default fp(
  async function httpCache(app: FastifyInstance, options: { maxAge: number }) {
    await app.register(etag);
    app.addHook('onSend', async (request, reply, payload) => {
      if (reply.hasHeader('cache-control')) return payload;
      const cacheable = (request.method === 'GET' || request.method === 'HEAD') && reply.statusCode < 400;
      reply.header('cache-control', cacheable ? `public, max-age=${options.maxAge}` : 'no-store');
      return payload;
    });
  },
  { name: 'http-cache' },
);
