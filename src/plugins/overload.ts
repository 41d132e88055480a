import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { HttpProblem } from '../lib/problem.js';

/**
 * Sheds load with a 503 problem and Retry-After while the event loop lags more than
 * `maxEventLoopDelayMs`, before it stalls. Registered after the database is open: opening an
 * embedded database blocks the loop for a while, which is start-up, not load. /healthz is exempt
 * (the process is alive); /readyz is not, so a load balancer sends traffic elsewhere meanwhile.
 */
export default fp<{ maxEventLoopDelayMs: number }>(
  async function overload(app: FastifyInstance, options) {
    await app.register(underPressure, {
      maxEventLoopDelay: options.maxEventLoopDelayMs,
      // A rejection goes to the error handler: a 503 problem with Retry-After (its retryAfter
      // option only serves the plugin's own handler).
      pressureHandler: async (request, _reply, type) => {
        if (request.url === '/healthz') return;
        request.log.warn({ type }, 'shedding load');
        throw new HttpProblem(503, 'The server is overloaded; retry in a few seconds.');
      },
    });
  },
  { name: 'overload', dependencies: ['errors', 'db'] },
);
