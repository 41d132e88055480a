import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpProblem } from '../lib/problem.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Takes one of the export slots for this response (released when its connection closes), or
     * throws the 429 (this client's exports) or 503 (this instance's) with Retry-After.
     */
    takeExportSlot(request: FastifyRequest, reply: FastifyReply): void;
  }
}

interface ExportLimitOptions {
  /** Streamed exports at once on this instance. */
  max: number;
  /** Streamed exports at once per client (API key or address). */
  perClient: number;
}

// An export of the whole table takes minutes; a few seconds is when the next try may find a slot.
const RETRY_AFTER_S = 5;

/**
 * A CSV export reads page after page for as long as its client downloads, each page on a pooled
 * connection: exports beyond a few at once would take the connections other reads need. So there are
 * at most `max` at once on an instance and `perClient` per client; the rest are refused before any
 * row is read.
 */
export default fp<ExportLimitOptions>(
  async function exportLimits(app: FastifyInstance, options) {
    let running = 0;
    const perClient = new Map<string, number>();
    app.decorate('takeExportSlot', (request: FastifyRequest, reply: FastifyReply) => {
      const client = app.rateLimit.clientOf(request);
      const mine = perClient.get(client) ?? 0;
      const refuse = (status: 429 | 503, detail: string) => {
        reply.header('retry-after', RETRY_AFTER_S);
        return new HttpProblem(status, detail);
      };
      if (mine >= options.perClient)
        throw refuse(429, `At most ${options.perClient} CSV exports at once per client; retry when one has finished.`);
      if (running >= options.max)
        throw refuse(503, `This server is running ${options.max} CSV exports already; retry in a few seconds.`);
      running++;
      perClient.set(client, mine + 1);
      reply.raw.once('close', () => {
        running--;
        const left = (perClient.get(client) ?? 1) - 1;
        if (left > 0) perClient.set(client, left);
        else perClient.delete(client);
      });
    });
  },
  { name: 'export-limits', dependencies: ['rate-limit'] },
);
