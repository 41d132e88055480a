import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { OpenAPIV3_1 } from 'openapi-types';
import { createJsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { PROBLEM_CONTENT_TYPE } from '../lib/problem.js';
import { problemText } from '../lib/responses.js';

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
  {
    name: 'search',
    description: 'One search over the names of people, parties, areas and elections, in every language and script.',
  },
  { name: 'vote-shares', description: 'The flat table of result lines, one row per line.' },
  { name: 'sources', description: 'Where every figure comes from.' },
  { name: 'organisations', description: 'Parties and nominating bodies.' },
  { name: 'audit', description: 'Which API key made which write, when.' },
  { name: 'changes', description: 'The change feed: every change to public data, in commit order, from a cursor.' },
  { name: 'operations', description: 'Health and readiness probes for operators.' },
];

/**
 * Relative: the server that served this document (each deployment, and /docs's "Try it out"), not
 * one host every deployment would name wrongly; generated clients take their base URL as an option
 * (docs/decisions.md). `x-internal: false`: the API is public (OWASP API9, inventory).
 */
const servers: (OpenAPIV3_1.ServerObject & { 'x-internal': boolean })[] = [
  {
    url: '/',
    description: 'The server this document was fetched from (production, staging or local alike).',
    'x-internal': false,
  },
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

type Operation = OpenAPIV3_1.OperationObject;
type HeaderRef = OpenAPIV3_1.ReferenceObject;

const int32 = (minimum: number, maximum: number) => ({ type: 'integer', format: 'int32', minimum, maximum }) as const;

/**
 * The response headers the server sends, by their wire names (components.headers). Which response
 * carries which is `headersOf` below; test/openapi*.test.ts checks both against real responses.
 */
const headers: Record<string, OpenAPIV3_1.HeaderObject> = {
  'Access-Control-Allow-Origin': {
    description:
      "CORS: `*` by default; with CORS_ORIGINS set to a list, the request's Origin when it is in the list (else absent).",
    schema: { type: 'string', maxLength: 2048, pattern: '^(\\*|https?://[^\\s]+)$' },
  },
  'Cache-Control': {
    description:
      'Reads: `public, max-age=N` (results: shorter while preliminary, longer once final, with ' +
      '`stale-while-revalidate`); `private, no-cache` for a request with an API key; errors, writes and the probes: `no-store`.',
    schema: { type: 'string', maxLength: 200, pattern: '^[a-z-]+(=\\d+)?(, [a-z-]+(=\\d+)?)*$' },
  },
  'Content-Disposition': {
    description: 'CSV only: `attachment` with the file name (e.g. `countries.csv`).',
    schema: { type: 'string', maxLength: 300, pattern: '^attachment; filename="[^"]+"$' },
  },
  ETag: {
    description:
      'The tag of this representation: send it back as If-None-Match for a 304, or as If-Match on a ' +
      'write to the resource (PATCH /v1/elections/{id}, /v1/candidates/{id}, /v1/organisations/{id}, ' +
      "/v1/sources/{id}, /v1/areas/{id}; POST .../results). Editable records' tags are their revision, `~` " +
      'and a digest of the body: If-Match compares the revision (for an election, with its newest result ' +
      'version), so an edit of another record that the body shows (a renamed source) never turns your write ' +
      'into a 412.',
    schema: { type: 'string', maxLength: 200, pattern: '^(W/)?"[^"]*"$' },
  },
  'Last-Modified': {
    description:
      'Public reads (no API key): a time after the newest change to the data, and before any change the ' +
      'body does not show: send it back as If-Modified-Since for a 304 when nothing has changed since. ' +
      'One time for all the data (any write moves it): the ETag is the exact validator, and wins when ' +
      'both are sent. Not sent when the API reads from replicas.',
    schema: { type: 'string', maxLength: 40 },
  },
  'Idempotent-Replayed': {
    description:
      '`true` when this is the stored response to an earlier request with the same Idempotency-Key: nothing new was written.',
    schema: { type: 'string', enum: ['true'] },
  },
  Location: {
    description:
      "The URL of the resource created (201), of the record a merge kept (a merge's 200), or of the " +
      'record an id was merged into (301: the rest of the path and the query kept).',
    schema: { type: 'string', format: 'uri-reference', maxLength: 2048 },
  },
  'RateLimit-Limit': {
    description:
      'Requests allowed per window to this client (its API key, else its address). Absent when ' +
      'rate limits are off (RATE_LIMIT_MAX=0), and on a 414 or a 503 from a server shutting down.',
    schema: int32(1, 100_000_000),
  },
  'RateLimit-Remaining': {
    description: 'Requests left in the current window.',
    schema: int32(0, 100_000_000),
  },
  'RateLimit-Reset': {
    description: 'Seconds until the window ends and the count starts again.',
    schema: int32(0, 86_400),
  },
  'Retry-After': {
    description: 'Seconds to wait before retrying.',
    schema: int32(0, 86_400),
  },
  'Content-Language': {
    description:
      'The languages of the names served (`lang` or Accept-Language chose them, English where no source ' +
      'gives a name in the language asked for), e.g. `kk` or `en, kk`. JSON only: a CSV export is ' +
      'streamed before its names are read, and carries none.',
    schema: { type: 'string', maxLength: 200 },
  },
  Vary: {
    description:
      'Reads under /v1: `Accept, Authorization` (JSON and CSV share a URL; an API key reads ' +
      'uncached), with `Accept-Language` where names follow it, `accept-encoding` on a compressed ' +
      'body and `Origin` with a list of CORS origins.',
    schema: { type: 'string', maxLength: 200, pattern: '^[A-Za-z-]+(, ?[A-Za-z-]+)*$' },
  },
};

/** Writes whose success answer carries the resource's ETag (src/plugins/writes.ts, `etag`). */
const WRITES_WITH_ETAG = new Set([
  'createElection',
  'updateElection',
  'publishResults',
  'publishContestResults',
  'updateCandidate',
  'updateOrganisation',
  'updateSource',
  'updateArea',
]);

/** Writes whose answer names a resource in Location besides a 201's: a merge names the record kept. */
const WRITES_WITH_LOCATION = new Set(['mergeCandidates', 'mergeOrganisations']);

const ref = (name: keyof typeof headers): HeaderRef => ({ $ref: `#/components/headers/${name}` });

/** The errors plugin's answer to a bug, on any operation. */
const unexpected: OpenAPIV3_1.ResponseObject = {
  description: problemText[500],
  content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
};

/** The headers of one response, by the plugins that set them. */
function headersOf(path: string, method: string, op: Operation, status: string, response: OpenAPIV3_1.ResponseObject) {
  const code = Number(status);
  const read = method === 'get';
  const names: (keyof typeof headers)[] = ['Access-Control-Allow-Origin', 'Cache-Control'];
  // The rate limiter counts every /v1 request after the app's own checks: not a 414 (refused first).
  if (path.startsWith('/v1/') && code !== 414) names.push('RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset');
  if (code === 429 || code === 503) names.push('Retry-After');
  if (read && path.startsWith('/v1/')) names.push('Vary');
  if (code === 301) names.push('Location');
  // Not the probes: `no-store`, nothing to revalidate (http-cache.ts).
  if (read && path.startsWith('/v1/') && (code === 200 || code === 304)) names.push('ETag');
  if (read && path.startsWith('/v1/') && code === 200) names.push('Last-Modified');
  // Reads whose names follow `lang` and Accept-Language (src/modules/names/names.view.ts).
  const localised = (op.parameters ?? []).some((p) => 'name' in p && p.name === 'lang');
  if (read && code === 200 && localised) names.push('Content-Language');
  if (!read && code >= 200 && code < 300) {
    if (WRITES_WITH_ETAG.has(op.operationId ?? '')) names.push('ETag');
    if (code === 201 || WRITES_WITH_LOCATION.has(op.operationId ?? '')) names.push('Location');
    const idempotent = (op.parameters ?? []).some((p) => 'name' in p && p.name === 'idempotency-key');
    if (method === 'post' && idempotent) names.push('Idempotent-Replayed');
  }
  if (response.content?.['text/csv']) names.push('Content-Disposition');
  return Object.fromEntries(names.sort().map((name) => [name, ref(name)]));
}

/**
 * What the routes' schemas cannot say: the response headers the plugins send, the 500 any
 * operation can answer, and `security: []` on the operations that need no key (a key sent to a read
 * is checked and counted, but none is needed).
 */
function declareHeaders(transformed: OpenApiDocument): OpenApiDocument {
  const document = transformed as OpenAPIV3_1.Document;
  const paths = Object.fromEntries(
    Object.entries(document.paths ?? {}).map(([path, item]) => [
      path,
      Object.fromEntries(
        (Object.entries(item ?? {}) as [string, Operation][]).map(([method, op]) => [
          method,
          {
            ...op,
            security: op.security ?? [],
            responses: Object.fromEntries(
              (
                Object.entries({ ...op.responses, 500: op.responses?.[500] ?? unexpected }) as [
                  string,
                  OpenAPIV3_1.ResponseObject,
                ][]
              ).map(([status, response]) => [
                status,
                { ...response, headers: { ...response.headers, ...headersOf(path, method, op, status, response) } },
              ]),
            ),
          },
        ]),
      ),
    ]),
  );
  return { ...document, paths, components: { ...document.components, headers } };
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
            'ones replace them. Errors are RFC 9457 problem documents.\n\n' +
            "Licences: this API's code and documents are proprietary (see `license`). The figures it serves " +
            "are facts published by the sources each record cites; their reuse is under those sources' terms. " +
            'Each source states its terms (`terms`, `termsUrl`) where they are known, null where not; every ' +
            'result, its CSV (column `attribution`) and its charts carry the credit line to print with the figures.',
          license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
        },
        servers,
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
      transformObject: (document) => declareHeaders(pruneUnusedSchemas(jsonSchemaTransformObject(document))),
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
