import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../db/client.js';
import { claimKey, deleteExpiredKeys, findStoredResponse, storeResponse } from '../db/idempotency-keys.js';
import { auditLog } from '../db/schema/index.js';
import { badParameter, HttpProblem } from '../lib/problem.js';
import { requireScope } from './auth.js';

interface WriteOutcome<T> {
  status: 201 | 200;
  body: T;
  location?: string;
  etag?: string;
  resourceId: string;
}

interface WriteSpec {
  action: 'create' | 'update' | 'publish' | 'merge';
  resourceType: string;
}

/** What a committed write changed, as announced to the listeners of `onWrite`. */
interface WriteEvent extends WriteSpec {
  resourceId: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Runs a write in one transaction with its audit row and, for a POST with Idempotency-Key,
     * the stored first response; a retry of the same request gets that response again.
     */
    write<T>(
      request: FastifyRequest,
      reply: FastifyReply,
      spec: WriteSpec,
      fn: (tx: Db) => Promise<WriteOutcome<T>>,
    ): Promise<T>;
    /**
     * Calls `listener` after each write commits and before its response is sent, so that what the
     * listener drops or refreshes (a cache) is current for the writer's next read.
     */
    onWrite(listener: (event: WriteEvent) => Promise<void>): void;
  }
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function requestHash(request: FastifyRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest('hex');
}

function send<T>(
  reply: FastifyReply,
  outcome: { status: number; location?: string | null; etag?: string | null },
  body: T,
): T {
  reply.code(outcome.status);
  if (outcome.location) reply.header('location', outcome.location);
  // The revision: the ETag sent is it with a digest of the body (http-cache), as a read's is.
  if (outcome.etag) reply.revisionTag(outcome.etag);
  return body;
}

// Every write answers JSON; a replay says so as the first answer did.
const JSON_TYPE = 'application/json; charset=utf-8';

interface WritesOptions {
  /** How long an Idempotency-Key is remembered, in hours. */
  idempotencyTtlHours: number;
}

export default fp<WritesOptions>(
  async function writes(app: FastifyInstance, options) {
    const ttlHours = options.idempotencyTtlHours;
    const listeners: ((event: WriteEvent) => Promise<void>)[] = [];
    app.decorate('onWrite', (listener: (event: WriteEvent) => Promise<void>) => {
      listeners.push(listener);
    });
    app.decorate('write', async function write<
      T,
    >(request: FastifyRequest, reply: FastifyReply, spec: WriteSpec, fn: (tx: Db) => Promise<WriteOutcome<T>>): Promise<T> {
      const key = request.apiKey;
      requireScope(key, 'write');
      const header = request.headers['idempotency-key'];
      const idempotencyKey = request.method === 'POST' && typeof header === 'string' ? header : undefined;
      if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey))
        throw badParameter('header', 'Idempotency-Key', 'must be 1 to 255 visible ASCII characters');
      const hash = requestHash(request);

      const result = await app.database.primary.transaction(async (tx) => {
        if (idempotencyKey !== undefined && !(await claimKey(tx, key.id, idempotencyKey, hash, ttlHours))) {
          const first = await findStoredResponse(tx, key.id, idempotencyKey);
          if (!first || first.requestHash !== hash)
            throw new HttpProblem(422, 'This Idempotency-Key was already used for a different request.', [
              { in: 'header', name: 'Idempotency-Key', message: 'was already used for a different request' },
            ]);
          return { kind: 'replay' as const, first };
        }
        const outcome = await fn(tx);
        await tx.insert(auditLog).values({
          keyId: key.id,
          action: spec.action,
          method: request.method,
          path: request.url.split('?')[0] ?? request.url,
          resourceType: spec.resourceType,
          resourceId: outcome.resourceId,
          requestId: request.id,
          request: JSON.stringify(request.body ?? null),
        });
        if (idempotencyKey !== undefined)
          await storeResponse(tx, key.id, idempotencyKey, {
            statusCode: outcome.status,
            location: outcome.location ?? null,
            etag: outcome.etag ?? null,
            contentType: JSON_TYPE,
            body: JSON.stringify(outcome.body),
          });
        return { kind: 'done' as const, outcome };
      });

      if (result.kind === 'replay') {
        const { first } = result;
        reply.header('idempotent-replayed', 'true').type(first.contentType ?? JSON_TYPE);
        const body = JSON.parse(first.body ?? 'null') as T;
        return send(reply, { status: first.statusCode ?? 200, location: first.location, etag: first.etag }, body);
      }
      const { outcome } = result;
      await Promise.all(listeners.map((listener) => listener({ ...spec, resourceId: outcome.resourceId })));
      return send(reply, outcome, outcome.body);
    });

    // Expired keys are taken over by a new claim anyway; the sweep keeps the table small.
    let sweep: NodeJS.Timeout | undefined;
    const sweepNow = () =>
      deleteExpiredKeys(app.database.primary, ttlHours).catch((err: unknown) =>
        app.log.warn({ err }, 'could not delete expired idempotency keys'),
      );
    app.addHook('onReady', async () => {
      await sweepNow();
      sweep = setInterval(() => void sweepNow(), Math.min(ttlHours, 1) * 3_600_000);
      sweep.unref();
    });
    app.addHook('onClose', async () => clearInterval(sweep));
  },
  { name: 'writes', dependencies: ['db', 'auth', 'http-cache'] },
);
