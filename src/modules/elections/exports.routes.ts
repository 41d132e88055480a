import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

// Other formats of an election's results (NIST SP 1500-100 CDF, an SVG chart): see issue 4.
export const resultExportsRoutes: FastifyPluginAsyncZod = async () => {};
