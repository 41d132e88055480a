import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { OpenAPIV3_1 } from 'openapi-types';
import { createJsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

const tags = [
  { name: 'countries', description: 'ISO 3166-1 countries and their elections.' },
  { name: 'elections', description: 'Elections, their current results and every result version.' },
  {
    name: 'contests',
    description: 'What an election decides (the presidency, party lists, districts, questions) and their results.',
  },
  {
    name: 'areas',
    description: 'Reporting units: the country, regions, cities, districts, polling stations; each with its elections.',
  },
  { name: 'candidates', description: 'People who stood in elections, with their vote shares over time.' },
  { name: 'vote-shares', description: 'The flat table of result lines, one row per line.' },
  { name: 'sources', description: 'Where every figure comes from.' },
  { name: 'organisations', description: 'Parties and nominating bodies.' },
  { name: 'audit', description: 'Which API key made which write, when.' },
  { name: 'operations', description: 'Health and readiness probes for operators.' },
];

type OpenApiDocument = ReturnType<typeof jsonSchemaTransformObject>;

/**
 * The zod registry emits an input and an output variant of every named schema; keep only the
 * components the paths reach, so generated clients carry no unused types, listed by name.
 */
function pruneUnusedSchemas(transformed: OpenApiDocument): OpenApiDocument {
  const document = transformed as OpenAPIV3_1.Document;
  const schemas = (document.components?.schemas ?? {}) as Record<string, unknown>;
  const used = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      const name = key === '$ref' && typeof value === 'string' ? value.split('#/components/schemas/')[1] : undefined;
      if (name === undefined) visit(value);
      else if (!used.has(name)) {
        used.add(name);
        visit(schemas[name]);
      }
    }
  };
  visit(document.paths);
  // In name order: the order of registration follows module imports, which a refactor may move.
  const kept = Object.fromEntries(
    Object.entries(schemas)
      .filter(([name]) => used.has(name))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return { ...document, components: { ...document.components, schemas: kept } } as OpenApiDocument;
}

export default fp(
  async function openapi(app: FastifyInstance, options: { version: string }) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Election results API',
          version: options.version,
          description:
            'Countries, elections, candidates and vote shares, each figure traced to the source that ' +
            'published it. Results are versioned: preliminary figures stay readable after certified ' +
            'ones replace them. Errors are RFC 9457 problem documents.',
          license: { name: 'Proprietary' },
        },
        tags,
        components: {
          securitySchemes: {
            bearerAuth: {
              type: 'http',
              scheme: 'bearer',
              description: 'An API key made with `npm run keys:create`; writes need the write scope.',
            },
          },
        },
      },
      transform: createJsonSchemaTransform({ skipList: ['/docs', '/docs/*', '/openapi.json'] }),
      transformObject: (document) => pruneUnusedSchemas(jsonSchemaTransformObject(document)),
    });
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      uiConfig: { tryItOutEnabled: true, displayOperationId: true },
      staticCSP: false,
    });
    app.get('/openapi.json', { schema: { hide: true } }, (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300').send(app.swagger());
    });
  },
  { name: 'openapi' },
);
