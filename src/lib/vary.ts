import type { FastifyReply } from 'fastify';
import vary from 'vary';

/**
 * Adds `field` to the reply's Vary, keeping what a route or @fastify/cors (Origin, for a list of
 * origins) set before: jshttp's vary, so a field is named once and `*` stays `*`.
 */
export function addVary(reply: FastifyReply, field: string): void {
  const current = reply.getHeader('vary');
  reply.header('vary', current === undefined ? field : vary.append(String(current), field));
}
