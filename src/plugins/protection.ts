import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { HttpProblem } from '../lib/problem.js';
import { setSecurityHeaders } from '../lib/security-headers.js';
import exportLimits from './export-limits.js';
import rateLimit from './rate-limit.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * For a response with no end of its own (a live stream): `end` is called when the server starts
     * shutting down, before it waits for the requests in flight. Returns the function that forgets it.
     */
    endOnClose(end: () => void): () => void;
  }
}

interface ProtectionOptions {
  /** Requests per window per client IP; 0 turns rate limiting off. */
  rateLimitMax: number;
  /** Requests per window per API key. */
  rateLimitKeyMax: number;
  rateLimitWindowMs: number;
  maxUrlLength: number;
  /** Streamed CSV exports at once on this instance, and per client. */
  exportsMax: number;
  exportsPerClient: number;
  /** The rate limiter's clock (Date.now by default). */
  now?: () => number;
}

// Probes must answer while a client is limited: a load balancer asks them.
const PROBES = new Set(['/healthz', '/readyz']);

// How long a shutdown waits for in-flight requests (the process's grace is 10 s), and then for
// requests already sent over idle kept-alive connections.
const DRAIN_MAX_MS = 8000;
const DRAIN_SETTLE_MS = 250;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What keeps the service up under bad input and load (OWASP API4, API8): helmet's security headers, rate
 * limits per client IP and per API key (IETF RateLimit-* headers, 429 + Retry-After), limits on
 * concurrent CSV exports, a cap on the request-target length (414), and a 503 + `Connection: close`
 * for requests that arrive while the server shuts down.
 */
export default fp<ProtectionOptions>(
  async function protection(app: FastifyInstance, options) {
    let closing = false;
    // Hooks on every request are callback style: no promise per request on the hot path.
    app.addHook('onSend', (request, reply, payload, done) => {
      setSecurityHeaders(request, reply);
      // While closing, every answer ends its connection: the client's next request opens a new one
      // (refused here, so it goes to another instance) instead of racing the socket's close.
      if (closing) reply.header('connection', 'close');
      done(null, payload);
    });

    // Requests being answered, counted until their socket is done with them (also when aborted).
    let active = 0;
    const endless = new Set<() => void>();
    app.decorate('endOnClose', (end: () => void) => {
      endless.add(end);
      return () => endless.delete(end);
    });
    app.addHook('preClose', async () => {
      closing = true;
      // Live streams never finish by themselves: ended first, their clients reconnect elsewhere.
      for (const end of endless) end();
      endless.clear();
      // Drain before Node closes the idle kept-alive connections: finish what is in flight, and give
      // a request already on its way over an idle connection a moment to arrive and get its 503.
      const deadline = Date.now() + DRAIN_MAX_MS;
      while (active > 0 && Date.now() < deadline) await sleep(20);
      if (app.server.listening) await sleep(DRAIN_SETTLE_MS);
    });
    app.addHook('onRequest', (request, reply, done) => {
      active++;
      reply.raw.once('close', () => active--);
      if (closing) {
        reply.header('connection', 'close');
        return done(new HttpProblem(503, 'This server is shutting down; retry and another instance will answer.'));
      }
      if ((request.raw.url ?? '').length > options.maxUrlLength)
        return done(new HttpProblem(414, `The request target is longer than ${options.maxUrlLength} characters.`));
      done();
    });

    await app.register(rateLimit, {
      max: options.rateLimitMax,
      keyMax: options.rateLimitKeyMax,
      windowMs: options.rateLimitWindowMs,
      exempt: PROBES,
      ...(options.now ? { now: options.now } : {}),
    });
    await app.register(exportLimits, { max: options.exportsMax, perClient: options.exportsPerClient });
  },
  { name: 'protection', dependencies: ['errors'] },
);
