import type { ServerResponse } from 'node:http';
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { acceptQueue } from '../lib/accept-queue.js';
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

// How long a shutdown waits for in-flight requests and open connections (the process's grace is
// 10 s), and how long a kept-alive connection must have been quiet to be closed as idle.
const DRAIN_MAX_MS = 8000;
const DRAIN_SETTLE_MS = 250;
const DRAIN_POLL_MS = 20;
const ACCEPT_QUIET_MS = 60;

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

    // Requests being answered, counted until their socket is done with them (also when aborted), and
    // those of them read before the shutdown began.
    let active = 0;
    let admitted = 0;
    const endless = new Set<() => void>();
    app.decorate('endOnClose', (end: () => void) => {
      endless.add(end);
      return () => endless.delete(end);
    });
    // Open connections: requests being answered on each, and when one last began or ended.
    interface Connection {
      busy: number;
      lastActive: number;
    }
    const connections = new Map<net.Socket, Connection>();
    let accepted = 0;
    let lastAccepted = 0;
    app.server.on('connection', (socket: net.Socket) => {
      accepted++;
      lastAccepted = Date.now();
      connections.set(socket, { busy: 0, lastActive: lastAccepted });
      socket.once('close', () => connections.delete(socket));
    });
    /** True when no connection has anything in flight or has been active within the settle period. */
    const settled = (now: number) => {
      for (const connection of connections.values())
        if (connection.busy > 0 || now - connection.lastActive < DRAIN_SETTLE_MS) return false;
      return true;
    };
    app.addHook('preClose', async () => {
      closing = true;
      // Live streams never finish by themselves: ended first, their clients reconnect elsewhere.
      for (const end of endless) end();
      endless.clear();
      const deadline = Date.now() + DRAIN_MAX_MS;
      // First the requests read before the signal finish, the listener still open: a connection
      // the kernel has established waits for Node to accept it, and a busy event loop can leave it
      // waiting for seconds (a request may have been sent on it long before the signal). Whatever
      // arrives meanwhile gets a quick 503 with Connection: close.
      while (admitted > 0 && Date.now() < deadline) await sleep(DRAIN_POLL_MS);
      // Then Node accepts the connections queued now, and the listener closes. The queue is first in,
      // first out, so once as many connections as it held have been accepted, every one made before
      // the signal has been; clients that keep reconnecting do not hold the listener open. Where the
      // queue is unknown (not Linux): until none has come for a while, at most the settle period.
      // The open connections stay: Node's server.close() (after these hooks) drops every idle
      // kept-alive connection at once, and a request the client has just sent on one would be reset
      // unread. Each request on them gets its 503, which closes the connection.
      if (app.server.listening) {
        const address = app.server.address();
        const port = typeof address === 'object' && address ? address.port : undefined;
        const queue = () => (port === undefined ? undefined : acceptQueue(port));
        const queued = queue();
        const target = accepted + (queued ?? 0);
        const until = Math.min(deadline, Date.now() + DRAIN_SETTLE_MS);
        // (An empty queue also ends the wait: a connection the client aborted may never be accepted.)
        const waiting = () =>
          queued === undefined
            ? Date.now() - lastAccepted < ACCEPT_QUIET_MS && Date.now() < until
            : accepted < target && (queue() ?? 0) > 0;
        while (waiting() && Date.now() < deadline) await sleep(DRAIN_POLL_MS);
        net.Server.prototype.close.call(app.server);
      }
      // Settled is checked again after one more I/O phase (setImmediate runs after Node has read the
      // sockets): after a busy stretch of the event loop, a request may be waiting unread.
      const drained = () => active === 0 && settled(Date.now());
      while (Date.now() < deadline) {
        if (drained()) {
          await new Promise((resolve) => setImmediate(resolve));
          if (drained()) break;
        }
        await sleep(DRAIN_POLL_MS);
      }
    });
    // What a request counted when it began, on its response, for the one listener all share.
    const kLate = Symbol('late');
    const kConnection = Symbol('connection');
    type Counted = ServerResponse & { [kLate]?: boolean; [kConnection]?: Connection | undefined };
    function ended(this: Counted) {
      active--;
      if (!this[kLate]) admitted--;
      const connection = this[kConnection];
      if (connection) {
        connection.busy--;
        connection.lastActive = Date.now();
      }
    }
    app.addHook('onRequest', (request, reply, done) => {
      const res = reply.raw as Counted;
      const late = (res[kLate] = closing);
      const connection = (res[kConnection] = connections.get(request.raw.socket));
      active++;
      if (!late) admitted++;
      if (connection) {
        connection.busy++;
        connection.lastActive = Date.now();
      }
      // A response closes once, so `on` (once would wrap the listener on every request).
      res.on('close', ended);
      if (late) {
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
