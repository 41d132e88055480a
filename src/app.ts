import cors from '@fastify/cors';
import Fastify, { type FastifyInstance } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { compiledSerializerCompiler } from './lib/serializer.js';
import type { Config } from './config.js';
import { type DatabaseOptions, databaseOptions } from './db/client.js';
import { checkCompiledRows } from './db/row-mapper.js';
import { packageInfo } from './lib/package-info.js';
import { PROBLEM_CONTENT_TYPE, statusTitle } from './lib/problem.js';
import { areasRoutes } from './modules/areas/areas.routes.js';
import { auditRoutes } from './modules/audit/audit.routes.js';
import { changesRoutes } from './modules/changes/changes.routes.js';
import { feedsRoutes } from './modules/feeds/feeds.routes.js';
import { liveRoutes } from './modules/live/live.routes.js';
import { callsRoutes } from './modules/calls/calls.routes.js';
import { contestsRoutes } from './modules/contests/contests.routes.js';
import { candidatesRoutes } from './modules/candidates/candidates.routes.js';
import { countriesRoutes } from './modules/countries/countries.routes.js';
import { electionsRoutes } from './modules/elections/elections.routes.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { organisationsRoutes } from './modules/organisations/organisations.routes.js';
import { resultExportsRoutes } from './modules/results/results-exports.routes.js';
import { resultsRoutes } from './modules/results/results.routes.js';
import { searchRoutes } from './modules/search/search.routes.js';
import { sourcesRoutes } from './modules/sources/sources.routes.js';
import { voteSharesRoutes } from './modules/vote-shares/vote-shares.routes.js';
import auth from './plugins/auth.js';
import dbPlugin from './plugins/db.js';
import errorsPlugin, { frameworkErrors } from './plugins/errors.js';
import httpCache from './plugins/http-cache.js';
import methods from './plugins/methods.js';
import negotiation from './plugins/negotiation.js';
import openapi from './plugins/openapi.js';
import overload from './plugins/overload.js';
import protection from './plugins/protection.js';
import writes from './plugins/writes.js';
import lastModified from './plugins/last-modified.js';

// Ids are at most 100-odd characters; a longer path segment is a 414 (errors.ts).
const MAX_PARAM_LENGTH = 200;

const EXPOSED_HEADERS = [
  'ETag',
  'Location',
  'Retry-After',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'Idempotent-Replayed',
  'Content-Disposition',
];

/**
 * Whether a request Node refused for its header size was refused for its request line: the packet
 * starts the request and its first line runs past half the limit, or holds no line end at all.
 */
function targetTooLong(raw: unknown): boolean {
  if (!Buffer.isBuffer(raw)) return false;
  const end = raw.indexOf('\r\n');
  return end === -1 || (/^[A-Z]+ /.test(raw.subarray(0, 16).toString('latin1')) && end > 8192);
}

export interface AppOptions {
  config: Config;
  /** How to reach the database; by default DATABASE_URL, else the PGlite data dir DATA_DIR. */
  database?: DatabaseOptions;
  /** Where logs go (stdout by default); the level and redaction come from the config. */
  logStream?: NodeJS.WritableStream;
  /** The clock of time windows (rate limits), in epoch ms: Date.now unless a caller drives time itself. */
  clock?: () => number;
}

/** Builds the app; opens nothing until `ready()`, and closes what it opened on `close()`. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config } = options;
  const hops = config.TRUST_PROXY;
  const app = Fastify({
    logger: {
      level: config.LOG_LEVEL,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    // Ids and codes are case-sensitive; trailing slashes are tolerated for hand-typed URLs.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Time a client has to send its whole request (slowloris); responses may stream for longer.
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    // Node looks for timed-out requests every 30 s by default: a 30 s timeout could take 60.
    http: { connectionsCheckingInterval: Math.min(30_000, Math.ceil(config.REQUEST_TIMEOUT_MS / 4)) },
    trustProxy: typeof hops === 'number' ? (_address: string, hop: number) => hop < hops : hops,
    // The protection plugin answers requests that arrive while closing with a problem document.
    return503OnClosing: false,
    // Router errors (bad percent-encoding, overlong path segments) are problem documents too.
    frameworkErrors,
    // The first start of an embedded database runs initdb, the migrations and the seed inside the
    // db plugin: seconds on a quiet machine, more on a loaded one; avvio's 10 s default is too tight.
    pluginTimeout: 120_000,
    // Requests Node cannot even parse (raw non-ASCII in the URL, bad headers, headers over 16 KiB,
    // a request not received within requestTimeout) get a problem too.
    clientErrorHandler: (err: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) return socket.destroy(err);
      const [status, detail] =
        err.code === 'HPE_HEADER_OVERFLOW'
          ? targetTooLong((err as { rawPacket?: unknown }).rawPacket)
            ? [414, `The request target is longer than ${config.MAX_URL_LENGTH} characters.`]
            : [431, 'The request headers are larger than 16 KiB.']
          : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? [408, `The request was not received within ${config.REQUEST_TIMEOUT_MS / 1000} s.`]
            : [400, 'The request could not be parsed as HTTP (check that the URL is percent-encoded).'];
      // No `instance`: the request was never read, so there is no path to name.
      const body = JSON.stringify({ type: 'about:blank', title: statusTitle(status), status, detail });
      socket.end(
        `HTTP/1.1 ${status} ${statusTitle(status)}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(compiledSerializerCompiler({ check: config.RESPONSE_CHECK }));
  if (config.RESPONSE_CHECK) checkCompiledRows();
  // Bodies are JSON: Fastify's default text/plain parser would hand a string to a JSON schema (a
  // 400); without it a text/plain write is the documented 415.
  app.removeContentTypeParser('text/plain');

  await app.register(methods, { maxParamLength: MAX_PARAM_LENGTH });
  await app.register(negotiation);
  await app.register(errorsPlugin);
  await app.register(protection, {
    rateLimitMax: config.RATE_LIMIT_MAX,
    rateLimitKeyMax: config.RATE_LIMIT_KEY_MAX,
    rateLimitWindowMs: config.RATE_LIMIT_WINDOW_MS,
    maxUrlLength: config.MAX_URL_LENGTH,
    exportsMax: config.EXPORTS_MAX,
    exportsPerClient: config.EXPORTS_MAX_PER_CLIENT,
    ...(options.clock ? { now: options.clock } : {}),
  });
  await app.register(cors, {
    origin: config.CORS_ORIGINS === '*' ? '*' : config.CORS_ORIGINS.split(','),
    // Every method some route answers: a preflight is about the origin, the route says 405 itself.
    methods: ['GET', 'HEAD', 'POST', 'PATCH'],
    // What browser code must read: ETag (for If-Match), rate limits, where a 201 put its resource,
    // whether a write was a replay, the CSV's file name.
    exposedHeaders: EXPOSED_HEADERS,
    // Browsers cap it (Chromium at 2 h); a day asks no more than that.
    maxAge: 86_400,
  });
  await app.register(httpCache, {
    maxAge: config.CACHE_MAX_AGE,
    preliminaryMaxAge: config.CACHE_MAX_AGE_PRELIMINARY,
    finalMaxAge: config.CACHE_MAX_AGE_FINAL,
  });
  await app.register(openapi, { version: packageInfo.version });
  await app.register(dbPlugin, {
    connection: options.database ?? { ...databaseOptions(config), replicaUrls: config.DATABASE_REPLICA_URLS },
    prepare: config.AUTO_MIGRATE,
    connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
    queryTimeoutMs: config.DB_QUERY_TIMEOUT_MS,
    debugRouting: config.DEBUG_DATABASE_ROUTING,
  });

  if (config.OVERLOAD_MAX_EVENT_LOOP_DELAY_MS > 0)
    await app.register(overload, { maxEventLoopDelayMs: config.OVERLOAD_MAX_EVENT_LOOP_DELAY_MS });
  await app.register(auth);
  await app.register(writes, { idempotencyTtlHours: config.IDEMPOTENCY_KEY_TTL_HOURS });
  // As often as the results cache looks for other processes' writes.
  await app.register(lastModified, { pollMs: config.RESULTS_CACHE_REVALIDATE_MS });

  await app.register(healthRoutes, { debugRouting: config.DEBUG_DATABASE_ROUTING });
  await app.register(liveRoutes);
  await app.register(
    async (v1) => {
      await v1.register(countriesRoutes);
      await v1.register(electionsRoutes);
      await v1.register(resultsRoutes, {
        maxBytes: config.RESULTS_CACHE_MB * 1024 * 1024,
        revalidateMs: config.RESULTS_CACHE_REVALIDATE_MS,
      });
      await v1.register(resultExportsRoutes);
      await v1.register(feedsRoutes);
      await v1.register(contestsRoutes);
      await v1.register(callsRoutes);
      await v1.register(areasRoutes);
      await v1.register(candidatesRoutes);
      await v1.register(searchRoutes);
      await v1.register(voteSharesRoutes);
      await v1.register(sourcesRoutes);
      await v1.register(organisationsRoutes);
      await v1.register(auditRoutes);
      await v1.register(changesRoutes, {
        streams: {
          max: config.STREAMS_MAX,
          perClient: config.STREAMS_MAX_PER_CLIENT,
          heartbeatMs: config.STREAM_HEARTBEAT_MS,
          maxBufferedBytes: config.STREAM_MAX_BUFFERED_BYTES,
        },
      });
    },
    { prefix: '/v1' },
  );
  return app;
}
