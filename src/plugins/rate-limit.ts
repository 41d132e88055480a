import type { FastifyInstance, FastifyReply, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { bearerToken, lookupPrefix } from '../lib/api-keys.js';
import { HttpProblem } from '../lib/problem.js';

export interface RateLimitOptions {
  /** Requests per window per client IP (requests without an API key). */
  max: number;
  /** Requests per window per API key. */
  keyMax: number;
  windowMs: number;
  /** Route paths never limited (the probes: a load balancer must always get their answer). */
  exempt: ReadonlySet<string>;
}

interface Window {
  count: number;
  /** Epoch ms at which this client's window ends and its count starts again. */
  resetsAt: number;
}

/**
 * Fixed-window rate limits in this process's memory, per API key when the request carries one,
 * else per client IP: IETF draft `RateLimit-Limit`/`-Remaining`/`-Reset` on every limited route's
 * response, and past the limit a 429 problem with `Retry-After`. A client's window starts at its
 * first request; windows that have ended are swept once a window, so memory follows the number of
 * clients seen in the last window.
 *
 * Why not @fastify/rate-limit (used until issue 5): its hook awaits five times per request (key,
 * allow list, max, store, the hook itself), which cost the cached results read ~8 µs of ~60 µs of
 * server CPU (docs/decisions.md). This hook is synchronous: one Map lookup and three headers.
 */
export default fp<RateLimitOptions>(
  async function rateLimit(app: FastifyInstance, options) {
    const windows = new Map<string, Window>();
    const sweep = setInterval(() => {
      const now = Date.now();
      for (const [key, window] of windows) if (window.resetsAt <= now) windows.delete(key);
    }, options.windowMs);
    sweep.unref();
    app.addHook('onClose', async () => clearInterval(sweep));

    const limit: onRequestHookHandler = (request, reply, done) => {
      // The token's public lookup prefix, unchecked (the auth hook checks it): no query here. A
      // made-up token gets a bucket of its own, then a 401.
      const header = request.headers.authorization;
      const prefix = header === undefined ? undefined : lookupPrefix(bearerToken(header) ?? '');
      const key = prefix ? `key:${prefix}` : `ip:${request.ip}`;
      const max = prefix ? options.keyMax : options.max;
      const now = Date.now();
      let window = windows.get(key);
      if (window === undefined || window.resetsAt <= now) {
        window = { count: 0, resetsAt: now + options.windowMs };
        windows.set(key, window);
      }
      window.count++;
      const resetS = Math.ceil((window.resetsAt - now) / 1000);
      setHeaders(reply, max, Math.max(0, max - window.count), resetS);
      if (window.count <= max) return done();
      reply.header('retry-after', resetS);
      done(new HttpProblem(429, `Rate limit of ${max} requests exceeded; retry in ${resetS} s.`));
    };

    // On each route's own hooks, as @fastify/rate-limit did: after the instance's onRequest hooks
    // (a closing server's 503, the 414), and not at all on the exempt routes or unmatched URLs.
    app.addHook('onRoute', (route) => {
      if (options.exempt.has(route.url)) return;
      const hooks = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
      // A GET's HEAD twin arrives with the GET's hooks: count each request once.
      if (!hooks.includes(limit)) route.onRequest = [...hooks, limit];
    });
  },
  { name: 'rate-limit' },
);

function setHeaders(reply: FastifyReply, max: number, remaining: number, resetS: number): void {
  reply.header('ratelimit-limit', max);
  reply.header('ratelimit-remaining', remaining);
  reply.header('ratelimit-reset', resetS);
}
