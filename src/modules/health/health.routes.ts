import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpProblem } from '../../lib/problem.js';
import { problemResponses } from '../../lib/responses.js';

const healthSchema = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });
const readySchema = z
  .object({
    status: z.literal('ok'),
    database: z.enum(['postgres', 'pglite']),
    servers: z
      .array(
        z.object({
          name: z.string().meta({ description: "'primary', 'replica-1', …" }),
          up: z.boolean(),
          inRecovery: z
            .boolean()
            .nullable()
            .meta({ description: 'pg_is_in_recovery(): true on a hot standby; null when down.' }),
        }),
      )
      .optional()
      .meta({
        description: 'Only with DEBUG_DATABASE_ROUTING=true: every server this instance reads from or writes to.',
      }),
  })
  .meta({ id: 'Readiness' });

// Probes are never cached: a load balancer must see the state of now.
const noStore = { 'cache-control': 'no-store' };

export const healthRoutes: FastifyPluginAsyncZod<{ debugRouting?: boolean }> = async (app, options) => {
  const servers = () =>
    Promise.all(
      app.database.servers.map(async (server) => {
        const inRecovery = await server.inRecovery().catch(() => null);
        return { name: server.name, up: inRecovery !== null, inRecovery };
      }),
    );

  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'getHealth',
        tags: ['operations'],
        summary: 'Liveness: the process is up',
        description:
          'Answers 200 while the process runs, without touching the database (see /readyz for that): ' +
          'a failing liveness probe means restart the process. Exempt from rate limits; ignores API keys.',
        response: {
          200: { description: 'The process is up.', content: { 'application/json': { schema: healthSchema } } },
          // The request-target limit applies before any route, probes included.
          ...problemResponses(414),
        },
      },
    },
    async (_request, reply) => reply.headers(noStore).send({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        operationId: 'getReadiness',
        tags: ['operations'],
        summary: 'Readiness: the database answers',
        description:
          'Ready when the primary database answers. Replicas that do not answer are skipped by reads ' +
          'and do not make the instance unready.',
        response: {
          200: { description: 'The database answered.', content: { 'application/json': { schema: readySchema } } },
          ...problemResponses(414, 503),
        },
      },
    },
    async (_request, reply) => {
      reply.headers(noStore);
      try {
        await app.database.ping();
      } catch (err) {
        app.log.warn({ err }, 'readiness check failed');
        throw new HttpProblem(503, 'The database is unavailable.');
      }
      return {
        status: 'ok' as const,
        database: app.database.engine,
        ...(options.debugRouting ? { servers: await servers() } : {}),
      };
    },
  );
};
