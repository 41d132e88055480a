import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import ipaddr from 'ipaddr.js';
import { HttpProblem } from '../lib/problem.js';
import { hooksOf } from '../lib/route-hooks.js';

declare module 'fastify' {
  interface FastifyInstance {
    rateLimit: {
      /** The client a request counts against: its API key once checked, else its address (see `addressOf`). */
      clientOf(request: FastifyRequest): string;
      /**
       * True when the request's address has sent as many refused keys in this window as its limit
       * allows requests: the next key it sends is refused without being looked up.
       */
      refusedSpent(request: FastifyRequest): boolean;
      /**
       * Counts a request refused before the routes' hooks (a bad API key) against its address: the
       * 429 past the limit. Undefined when within it, or when limits are off.
       */
      countRefused(request: FastifyRequest, reply: FastifyReply): HttpProblem | undefined;
      /** Counts `n` more requests against the request's client (a long export's further pages). */
      charge(request: FastifyRequest, n: number): void;
    };
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
  /** The clock, in epoch ms (Date.now by default). */
  now?: () => number;
}

interface Window {
  count: number;
  /** Of `count`, the requests whose API key was refused. */
  refused: number;
  /** Epoch ms at which this client's window ends and its count starts again. */
  resetsAt: number;
}

/**
 * The address a client is counted by: an IPv4 address as it is, an IPv6 address by its /64 (one
 * subscriber's whole allocation, or every address would have a budget of its own), an IPv4-mapped
 * IPv6 address as the IPv4 address it carries.
 */
export function addressOf(ip: string): string {
  if (!ip.includes(':')) return ip;
  if (!ipaddr.IPv6.isValid(ip)) return ip;
  const v6 = ipaddr.IPv6.parse(ip);
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  return `${v6.parts
    .slice(0, 4)
    .map((part) => part.toString(16))
    .join(':')}::/64`;
}

/**
 * Fixed-window rate limits in this process's memory, per API key when the request carries a valid
 * one, else per client address: IETF draft `RateLimit-*` headers on every limited route's
 * response, and past the limit a 429 problem with `Retry-After`. A client's window starts at its
 * first request; ended windows are swept once a window, and past `maxClients` the oldest window
 * starts afresh, so a flood of addresses costs accuracy, not memory. Synchronous: one Map lookup
 * and three headers (why not @fastify/rate-limit: docs/decisions.md).
 */
export default fp<RateLimitOptions>(
  async function rateLimit(app: FastifyInstance, options) {
    const now = options.now ?? Date.now;
    const addressKey = (request: FastifyRequest) => `ip:${addressOf(request.ip)}`;
    const clientOf = (request: FastifyRequest) => (request.apiKey ? `key:${request.apiKey.id}` : addressKey(request));
    if (options.max <= 0) {
      app.decorate('rateLimit', {
        clientOf,
        refusedSpent: () => false,
        countRefused: () => undefined,
        charge: () => {},
      });
      return;
    }
    const maxClients = options.maxClients ?? 100_000;
    // In the order the windows started (a restarted window is moved to the end): the first is the oldest.
    const windows = new Map<string, Window>();
    let warned = false;
    const sweep = setInterval(() => {
      const at = now();
      for (const [key, window] of windows) if (window.resetsAt <= at) windows.delete(key);
      warned = false;
    }, options.windowMs);
    sweep.unref();
    app.addHook('onClose', async () => clearInterval(sweep));

    /** The client's current window, a new one when its last has ended. */
    function windowOf(key: string, at: number): Window {
      let window = windows.get(key);
      if (window === undefined || window.resetsAt <= at) {
        if (window !== undefined) windows.delete(key);
        else if (windows.size >= maxClients) {
          windows.delete(windows.keys().next().value!);
          if (!warned) app.log.warn({ maxClients }, 'rate limiter full: the oldest windows are forgotten');
          warned = true;
        }
        window = { count: 0, refused: 0, resetsAt: at + options.windowMs };
        windows.set(key, window);
      }
      return window;
    }

    /** Counts a request against `key`, sets the RateLimit-* headers, and says 429 past the limit. */
    function count(reply: FastifyReply, key: string, max: number, refused = false): HttpProblem | undefined {
      const at = now();
      const window = windowOf(key, at);
      window.count++;
      if (refused) window.refused++;
      const resetS = Math.ceil((window.resetsAt - at) / 1000);
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
        : count(reply, addressKey(request), options.max);
      done(limited);
    };

    app.decorate('rateLimit', {
      clientOf,
      refusedSpent: (request: FastifyRequest) => {
        const window = windows.get(addressKey(request));
        return window !== undefined && window.resetsAt > now() && window.refused >= options.max;
      },
      // A request whose key the auth hook refuses never reaches the routes' hooks: it is counted
      // against its address there, so made-up tokens are limited like anything else.
      countRefused: (request: FastifyRequest, reply: FastifyReply) =>
        count(reply, addressKey(request), options.max, true),
      charge: (request: FastifyRequest, n: number) => {
        windowOf(clientOf(request), now()).count += n;
      },
    });

    // On each route's own hooks: after the app's onRequest hooks (a closing server's 503, the 414,
    // the API key check), and not at all on the exempt routes or unmatched URLs.
    app.addHook('onRoute', (route) => {
      if (options.exempt.has(route.url)) return;
      route.onRequest = [...hooksOf(route.onRequest), limit];
    });
  },
  { name: 'rate-limit' },
);

function setHeaders(reply: FastifyReply, max: number, remaining: number, resetS: number): void {
  reply.header('ratelimit-limit', max);
  reply.header('ratelimit-remaining', remaining);
  reply.header('ratelimit-reset', resetS);
}
