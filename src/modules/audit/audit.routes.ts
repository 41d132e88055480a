import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { cursorParam, limitParam, listSchema, page } from '../../lib/pagination.js';
import { bearerAuth, problemResponses } from '../../lib/responses.js';
import { listAuditLog } from './audit.repository.js';

const auditEntrySchema = z
  .object({
    id: z.number().int(),
    at: z.string().describe('When the write committed.'),
    key: z.object({ id: z.number().int(), name: z.string() }).describe('The API key that made it.'),
    action: z.string().describe('create, update or publish.'),
    method: z.string(),
    path: z.string(),
    resourceType: z.string(),
    resourceId: z.string(),
    requestId: z.string().nullable(),
    request: z.string().nullable().describe('The request body as received, JSON.'),
  })
  .meta({ id: 'AuditEntry' });

const auditQuery = z.strictObject({
  limit: limitParam(50),
  cursor: cursorParam(z.tuple([z.int32()])).optional(),
});

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/audit-log',
    {
      schema: {
        operationId: 'listAuditLog',
        tags: ['audit'],
        summary: 'The audit trail of writes, newest first',
        description: 'Which key made which write, when. Needs an API key (any scope); never cached.',
        security: bearerAuth,
        querystring: auditQuery,
        response: {
          200: {
            description: 'One page of the trail.',
            content: { 'application/json': { schema: listSchema(auditEntrySchema) } },
          },
          ...problemResponses(400, 401, 403, 406, 414, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const { limit, cursor } = request.query;
      const rows = await listAuditLog(request.db, { before: cursor?.[0], limit: limit + 1 });
      reply.header('cache-control', 'no-store');
      return page(
        rows,
        limit,
        (r) => [r.entry.id],
        ({ entry: e, keyName }) => ({
          id: e.id,
          at: e.at.toISOString(),
          key: { id: e.keyId, name: keyName },
          action: e.action,
          method: e.method,
          path: e.path,
          resourceType: e.resourceType,
          resourceId: e.resourceId,
          requestId: e.requestId,
          request: e.request,
        }),
      );
    },
  );
};
