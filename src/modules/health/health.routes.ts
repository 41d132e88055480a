import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemResponses } from '../../lib/problem.js';

const healthSchema = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });
const readySchema = z
  .object({ status: z.literal('ok'), database: z.enum(['postgres', 'pglite']) })
  .meta({ id: 'Readiness' });

// Probes are never cached: a load balancer must see the state of now.
const noStore = { 'cache-control': 'no-store' };

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/healthz',
    {
      logLevel: 'warn',
      schema: {
        operationId: 'getHealth',
        tags: ['operations'],
        summary: 'Liveness: the process is up',
        response: { 200: healthSchema },
      },
    },
    async (_request, reply) => reply.headers(noStore).send({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      logLevel: 'warn',
      schema: {
        operationId: 'getReadiness',
        tags: ['operations'],
        summary: 'Readiness: the database answers',
        response: { 200: readySchema, ...problemResponses(503) },
      },
    },
    async (_request, reply) => {
      reply.headers(noStore);
      await app.database.ping(); // a failure maps to a 503 problem in the error handler
      return { status: 'ok' as const, database: app.database.engine };
    },
  );
};
