import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { HttpProblem } from '../lib/problem.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Counts a request refused before the routes' hooks (a bad API key) against its address: the
     * 429 past the limit. Undefined when within it, or when limits are off.
     */
    countRefused(request: FastifyRequest, reply: FastifyReply): HttpProblem | undefined;
  }
}

interface RateLimitOptions {
  /** Requests per window per client IP (requests without an API key); 0 turns limits off. */
  max: number;
  /** Requests per window per API key. */
  keyMax: number;
  windowMs: number;
  /** Route paths never limited (the probes: a load balancer must always get their answer). */
  exempt: ReadonlySet<string>;
  /** Clients counted at once (100,000 by default); past it the oldest window is forgotten. */
  maxClients?: number;
}

interface Window {
  count: number;
  /** Epoch ms at which this client's window ends and its count starts again. */
  resetsAt: number;
}

/**
 * Fixed-window rate limits in this process's memory, per API key when the request carries a valid
 * one, else per client IP: IETF draft `RateLimit-*` headers on every limited route's response, and
 * past the limit a 429 problem with `Retry-After`. A client's window starts at its first request;
 * ended windows are swept once a window, and past `maxClients` the oldest window starts afresh, so
 * a flood of addresses costs accuracy, not memory. Synchronous: one Map lookup and three headers
 * (why not @fastify/rate-limit: docs/decisions.md).
 */
export default fp<RateLimitOptions>(
  async function rateLimit(app: FastifyInstance, options) {
    if (options.max <= 0) {
      app.decorate('countRefused', () => undefined);
      return;
    }
    const maxClients = options.maxClients ?? 100_000;
    // In the order the windows started (a restarted window is moved to the end): the first is the oldest.
    const windows = new Map<string, Window>();
    let warned = false;
    const sweep = setInterval(() => {
      const now = Date.now();
      for (const [key, window] of windows) if (window.resetsAt <= now) windows.delete(key);
      warned = false;
    }, options.windowMs);
    sweep.unref();
    app.addHook('onClose', async () => clearInterval(sweep));

    /** Counts a request against `key`, sets the RateLimit-* headers, and says 429 past the limit. */
    function count(reply: FastifyReply, key: string, max: number): HttpProblem | undefined {
      const now = Date.now();
      let window = windows.get(key);
      if (window === undefined || window.resetsAt <= now) {
        if (window !== undefined) windows.delete(key);
        else if (windows.size >= maxClients) {
          windows.delete(windows.keys().next().value!);
          if (!warned) app.log.warn({ maxClients }, 'rate limiter full: the oldest windows are forgotten');
          warned = true;
        }
        window = { count: 0, resetsAt: now + options.windowMs };
        windows.set(key, window);
      }
      window.count++;
      const resetS = Math.ceil((window.resetsAt - now) / 1000);
      setHeaders(reply, max, Math.max(0, max - window.count), resetS);
      if (window.count <= max) return undefined;
      reply.header('retry-after', resetS);
      return new HttpProblem(429, `Rate limit of ${max} requests exceeded; retry in ${resetS} s.`);
    }

    const limit: onRequestHookHandler = (request, reply, done) => {
      // After the app's onRequest hooks: a key sent with the request has been checked (src/plugins/
      // auth.ts), so only a valid key gets a key's budget; anything else counts against the address.
      const limited = request.apiKey
        ? count(reply, `key:${request.apiKey.id}`, options.keyMax)
        : count(reply, `ip:${request.ip}`, options.max);
      done(limited);
    };
    // A request whose key the auth hook refuses never reaches the routes' hooks: it is counted
    // against its address there, so made-up tokens are limited like anything else.
    app.decorate('countRefused', (request: FastifyRequest, reply: FastifyReply) =>
      count(reply, `ip:${request.ip}`, options.max),
    );

    // On each route's own hooks, as @fastify/rate-limit did: after the app's onRequest hooks (a
    // closing server's 503, the 414, the API key check), and not at all on the exempt routes or
    // unmatched URLs. A request the key check refuses is counted by the auth hook (countRefused).
    app.addHook('onRoute', (route) => {
      if (options.exempt.has(route.url)) return;
      const hooks =
        route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
      route.onRequest = [...hooks, limit];
    });
  },
  { name: 'rate-limit' },
);

function setHeaders(reply: FastifyReply, max: number, remaining: number, resetS: number): void {
  reply.header('ratelimit-limit', max);
  reply.header('ratelimit-remaining', remaining);
  reply.header('ratelimit-reset', resetS);
}
