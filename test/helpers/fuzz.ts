// Property-based fuzzing from the OpenAPI document (issue 6): for every operation of the committed
// openapi.json, fast-check arbitraries of valid and hostile requests, and the properties every
// answer must keep. Used by test/fuzz.test.ts (a bounded run in CI) and test/fuzz-run.ts
// (`npm run fuzz -- --runs N`). The OWASP API Security Top 10 is the checklist:
// API1/API5 (object and function level authorization: a write succeeds only with a write key),
// API2 (authentication: junk, revoked and read-scope keys), API3 (responses match their schema),
// API4 (resource consumption: oversized bodies, deep JSON, long strings, huge numbers),
// API8 (misconfiguration: every error a problem document, no stack traces, no token echoed),
// and injection (SQL, path traversal, NUL, invalid UTF-8), with the database unchanged after
// every rejected write.
import { readFileSync } from 'node:fs';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import Ajv2020 from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse as parseCsv } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Db } from '../../src/db/client.js';
import { revokeKey } from '../../src/db/api-keys.js';
import { encodeCursor } from '../../src/lib/pagination.js';
import { certified2022, tokenFor } from './writes.js';

// ---------------------------------------------------------------------------------------------
// The OpenAPI document, reduced to what a request needs

export interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  anyOf?: Schema[];
  oneOf?: Schema[];
  default?: unknown;
  example?: unknown;
  description?: string;
}

interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header' | 'cookie';
  required?: boolean;
  schema: Schema;
}

interface OpenApiOperation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  security?: unknown[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, Schema> };
}

export interface Operation {
  method: string;
  /** The path template, e.g. /v1/elections/{id}. */
  path: string;
  operationId: string;
  parameters: Parameter[];
  body?: Schema;
  /** status → media type → schema (undefined when the response has no body). */
  responses: Record<string, Record<string, Schema | undefined>>;
  /** Needs an API key (declares a security requirement). */
  secured: boolean;
}

export const openapiDocument = JSON.parse(
  readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8'),
) as OpenApiDocument;

/** Every operation of the document, plus GET /openapi.json, which serves the document itself. */
export function loadOperations(doc: OpenApiDocument = openapiDocument): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(methods)) {
      // A live stream (text/event-stream) never ends, so an injected request to it never returns:
      // its parameters and limits are tested over HTTP in changes-stream.test.ts.
      if (op.responses['200']?.content?.['text/event-stream']) continue;
      const responses: Operation['responses'] = {};
      for (const [status, r] of Object.entries(op.responses))
        responses[status] = Object.fromEntries(Object.entries(r.content ?? {}).map(([type, c]) => [type, c.schema]));
      ops.push({
        method: method.toUpperCase(),
        path,
        operationId: op.operationId ?? `${method} ${path}`,
        parameters: op.parameters ?? [],
        body: op.requestBody?.content['application/json']?.schema,
        responses,
        secured: (op.security ?? []).length > 0,
      });
    }
  ops.push({
    method: 'GET',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    parameters: [],
    // Hidden from the document it serves: the document (with an ETag, so a 304 to a matching
    // If-None-Match), or a 414 for a request target over the limit.
    responses: {
      '200': { 'application/json': { type: 'object' } },
      '304': {},
      '414': { 'application/problem+json': { type: 'object' } },
    },
    secured: false,
  });
  return ops;
}

function resolve(schema: Schema, doc: OpenApiDocument): Schema {
  let s = schema;
  while (s.$ref) {
    const name = s.$ref.replace('#/components/schemas/', '');
    const target = doc.components.schemas[name];
    if (!target) throw new Error(`unresolvable $ref ${s.$ref}`);
    s = target;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Real ids from the seed, so that valid requests reach deep code paths

export const seed = {
  elections: [
    'kz.presidential.2022-11-20',
    'kz.presidential.2019-06-09',
    'kz.referendum.2022-06-05',
    'kz.parliamentary.2023-03-19',
  ],
  contests: ['president', 'question-1', 'party-list', 'chamber', 'district-1'],
  /** Each seeded election with one of its own contests. */
  contestsOf: [
    ['kz.presidential.2022-11-20', 'president'],
    ['kz.presidential.2019-06-09', 'president'],
    ['kz.referendum.2022-06-05', 'question-1'],
    ['kz.parliamentary.2023-03-19', 'party-list'],
    ['kz.parliamentary.2023-03-19', 'chamber'],
  ] as [string, string][],
  areas: ['kz', 'kz-abai', 'kz-akmola', 'kz-almaty-region', 'kz-astana', 'fr', 'kz-nope'],
  levels: ['country', 'region', 'district', 'polling-station'],
  candidates: [
    'kassym-jomart-tokayev',
    'zhiguli-dairabayev',
    'karakat-abden',
    'meiram-kazhyken',
    'nurlan-auesbayev',
    'saltanat-tursynbekova',
    'nursultan-nazarbayev',
  ],
  organisations: [
    'peoples-coalition',
    'auyl-party',
    'national-alliance-of-professional-social-workers',
    'amanat-commonwealth-of-trade-unions',
    'national-social-democratic-party',
    'qazaq-analary-dasturge-zhol',
    'amanat',
    'ak-zhol',
    'baytaq',
  ],
  sources: [
    'nikkei-asia-2022-11-22-kazakhstan-tilting-to-china',
    'kazinform-2022-cec-final-results',
    'baribar-2022-cec-final-results',
    'astana-times-2022-preliminary-results',
    'deccan-chronicle-2019-preliminary-results',
    'tass-2019-final-results',
  ],
  countries: ['KZ', 'KAZ', 'kz', 'kaz', 'Kz', 'US', 'usa', 'FR', 'RU', 'CN', 'XK', 'ZZ', 'QQ', 'AAA'],
};

/** Ids a field or parameter of this name takes, by its name (and the path, for a path `id`). */
function knownIds(name: string, path: string): string[] | undefined {
  switch (name) {
    case 'id':
      if (path.startsWith('/v1/elections')) return seed.elections;
      if (path.startsWith('/v1/candidates')) return seed.candidates;
      if (path.startsWith('/v1/sources')) return seed.sources;
      if (path.startsWith('/v1/organisations')) return seed.organisations;
      if (path.startsWith('/v1/areas')) return seed.areas;
      return undefined;
    case 'contest':
      return seed.contests;
    case 'area':
    case 'areaId':
    case 'parentId':
      return seed.areas;
    case 'level':
      return seed.levels;
    case 'election':
    case 'previousRoundId':
      return seed.elections;
    case 'candidate':
    case 'candidateId':
      return seed.candidates;
    case 'nominatorId':
    case 'organisationId':
      return seed.organisations;
    case 'sourceId':
      return seed.sources;
    case 'code':
    case 'country':
      return seed.countries;
    case 'a':
    case 'b':
    case 'n':
      return ['1', '2', '3', '7', '9', '10'];
    default:
      return undefined;
  }
}

const cursors = [
  encodeCursor(['2022-11-20', 'kz.presidential.2022-11-20']),
  encodeCursor(['2019-06-09', 'kz.presidential.2019-06-09']),
  encodeCursor([1]),
  encodeCursor([5]),
  encodeCursor([-1]),
  encodeCursor([2 ** 31]),
  encodeCursor([1e308]),
  encodeCursor(['KZ']),
  encodeCursor(['kassym-jomart-tokayev']),
  encodeCursor(['x'.repeat(300)]),
  encodeCursor(["'; drop table elections; --"]),
  encodeCursor(['2022-02-30', 'x']),
  encodeCursor({ __proto__: null, evil: true }),
  encodeCursor(null),
  encodeCursor('\u0000'),
  encodeCursor(['a\u0000']),
  encodeCursor(['\ud800']),
  encodeCursor(['2022-11-20', 'kz\u0000']),
  encodeCursor(['K\u0000']),
  Buffer.from('not json', 'utf8').toString('base64url'),
  Buffer.from([0xff, 0xfe, 0xc0, 0xaf]).toString('base64url'),
];

// ---------------------------------------------------------------------------------------------
// Hostile values

/** A query or path value: plain text (percent-encoded when sent) or `raw`, sent exactly as is. */
export type Piece = string | { raw: string };

const LONG = 'a'.repeat(5000);

export const hostileStrings: string[] = [
  "' OR 1=1--",
  "' OR '1'='1",
  '" OR ""="',
  "'; DROP TABLE elections; --",
  "1'; SELECT pg_sleep(5); --",
  "' UNION SELECT token_hash, token_prefix FROM api_keys --",
  "%' OR '%'='",
  "kz.presidential.2022-11-20' OR 1=1--",
  "kassym-jomart-tokayev'--",
  '$1',
  '\\',
  "'",
  '"',
  '`',
  ';',
  '${7*7}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '/etc/passwd',
  '..',
  '.',
  '\u0000',
  'a\u0000b',
  '%00',
  '\r\nX-Injected: 1',
  '\n',
  '\t',
  ' ',
  '',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'NaN',
  'Infinity',
  '-Infinity',
  '-1',
  '0',
  '-0',
  '1.5',
  '1e3',
  '1e309',
  '0x10',
  '0b11',
  '1_000',
  ' 1',
  '1 ',
  '+1',
  '١٢٣',
  '９',
  '9'.repeat(400),
  '\u202Eevil\u202C',
  '\u200F\u05E9\u05DC\u05D5\u05DD',
  'مرحبا',
  'Қазақстан',
  'Токаев',
  'TOKÁYEV',
  '🗳️🇰🇿',
  '👨‍👩‍👧‍👦',
  '\uD800',
  '\uDC00',
  'a\uD83Db',
  'Z͑ͫ̓ͪ̂ͫ̽͏̴̙̤̞͉͚̯̞̠͍',
  '\uFEFF',
  '\u200B',
  '\uFFFD',
  '\uFFFF',
  'İstanbul',
  'ß',
  'ﬀ',
  LONG,
  'é'.repeat(3000),
  '🗳'.repeat(600),
];

/** What a database can refuse to store even in a text column: NUL, unpaired surrogates. */
export const unstorableStrings = ['\u0000', 'a\u0000b', '\uD800', '\uDC00', 'a\uD83Db', '\uDBFF\uDBFF'];

/** Already percent-encoded pieces: invalid UTF-8, NUL, traversal, broken escapes. */
export const rawPieces: string[] = [
  '%C0%AF',
  '%C0%80',
  '%FF',
  '%FE%FF',
  '%ED%A0%80',
  '%F4%90%80%80',
  '%E2%80%AE',
  '%00',
  '%',
  '%zz',
  '%2',
  '%25',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f',
  '..%252f',
  '%u0041',
  '+',
  '%2B',
  '%20',
  'kz.presidential.2022-11-20%00',
  'kz.presidential.2022-11-20%27%20OR%201%3D1--',
  'KZ%C0%AF',
];

const hostileNumbers: number[] = [
  -1,
  0,
  -0,
  0.5,
  1.5,
  -1.5,
  1e21,
  -1e21,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 63,
  1e308,
  -1e308,
  Number.MIN_VALUE,
  100.0001,
  99.9999999,
  1e-7,
  32767,
  32768,
  65536,
];

/** JSON texts JSON.stringify cannot make: non-finite, overlong and malformed numbers. */
const hostileNumberTexts = [
  '1e999',
  '-1e999',
  '1E400',
  '0.0000000000000000000000000001',
  '100000000000000000000000000000',
  '-0.0',
  '1.0',
];

function deepArray(depth: number) {
  return '['.repeat(depth) + ']'.repeat(depth);
}

function deepObject(depth: number) {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

const stringPiece: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...hostileStrings) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40, unit: 'binary' }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20, unit: 'grapheme' }) },
  { weight: 1, arbitrary: fc.nat({ max: 300 }).map((n) => 'x'.repeat(n)) },
);

/** A hostile query or path value. */
export const hostilePiece: fc.Arbitrary<Piece> = fc.oneof(
  { weight: 5, arbitrary: stringPiece },
  { weight: 3, arbitrary: fc.constantFrom(...rawPieces).map((raw) => ({ raw })) },
  { weight: 2, arbitrary: fc.constantFrom(...hostileNumbers.map(String), ...hostileNumberTexts) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.bigInt().map(String) },
);

/** A hostile JSON value, as a value or as a JSON text (for what JSON.stringify cannot produce). */
export type JsonPiece = { value: unknown } | { text: string };

const hostileJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<unknown>(...hostileStrings) },
  { weight: 3, arbitrary: fc.constantFrom<unknown>(...hostileNumbers) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      null,
      true,
      false,
      [],
      {},
      [1, 2],
      ['a'],
      { $gt: '' },
      { id: 1 },
      [[[[[[]]]]]],
      { ['__proto__']: { admin: true } },
      { constructor: { prototype: { admin: true } } },
      'a'.repeat(2001),
      'a'.repeat(100_000),
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

export const hostileJson: fc.Arbitrary<JsonPiece> = fc.oneof(
  { weight: 8, arbitrary: hostileJsonValue.map((value) => ({ value })) },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.constantFrom(...hostileNumberTexts),
        fc.constantFrom(1000, 10_000).map(deepArray),
        fc.constantFrom(1000, 10_000).map(deepObject),
      )
      .map((text) => ({ text })),
  },
);

// ---------------------------------------------------------------------------------------------
// Valid values from a schema

function isoDate(d: Date) {
  return d.toISOString().slice(0, 10);
}

const dateArb = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .date({ min: new Date('1800-01-01T00:00:00Z'), max: new Date('2199-12-31T00:00:00Z'), noInvalidDate: true })
      .map(isoDate),
  },
  {
    weight: 1,
    arbitrary: fc
      .date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true })
      .map(isoDate),
  },
  // Edges: ISO's year 0000 (which PostgreSQL's date type lacks), the last day, leap days.
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '0000-01-01',
      '0000-02-29',
      '0001-01-01',
      '9999-12-31',
      '2000-02-29',
      '2024-02-29',
      '1970-01-01',
    ),
  },
);

const dateTimeArb = fc
  .tuple(
    dateArb,
    fc.integer({ min: 0, max: 23 }),
    fc.integer({ min: 0, max: 59 }),
    fc.constantFrom('Z', '+05:00', '-03:30', '+09:00'),
  )
  .map(([d, h, m, z]) => `${d}T${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00${z}`);

/**
 * A value valid under `schema` as the document states it, often a seed id for a field of a known
 * name. Free text includes hostile strings that fit its length limits: valid by the schema, they
 * travel furthest (to the database, the CSV writer, the SVG chart).
 */
export function validValue(schema: Schema, doc: OpenApiDocument, name = '', path = ''): fc.Arbitrary<unknown> {
  const s = resolve(schema, doc);
  if (s.anyOf ?? s.oneOf) return fc.oneof(...(s.anyOf ?? s.oneOf)!.map((sub) => validValue(sub, doc, name, path)));
  if (Array.isArray(s.type)) return fc.oneof(...s.type.map((type) => validValue({ ...s, type }, doc, name, path)));
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.const !== undefined) return fc.constant(s.const);
  const ids = knownIds(name, path);
  switch (s.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer': {
      const min = s.minimum ?? -(2 ** 31);
      const max = s.maximum ?? 2 ** 31;
      const ints = fc.oneof(
        fc.integer({ min: Math.max(min, Number.MIN_SAFE_INTEGER), max: Math.min(max, Number.MAX_SAFE_INTEGER) }),
        fc.constantFrom(min, max),
      );
      return ids
        ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ids.map(Number)) }, { weight: 1, arbitrary: ints })
        : ints;
    }
    case 'number':
      return fc.oneof(
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.integer({ min: 0, max: 100 }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.constantFrom(...hostileNumbers),
      );
    case 'string': {
      let arb: fc.Arbitrary<string>;
      if (s.format === 'date') arb = dateArb;
      else if (s.format === 'date-time') arb = dateTimeArb;
      else if (s.format === 'uri') arb = fc.webUrl({ withQueryParameters: true, withFragments: true });
      else if (s.pattern) arb = fc.stringMatching(new RegExp(s.pattern), { maxLength: s.maxLength ?? 60 });
      else {
        // Free text: hostile strings that fit the length limits pass validation and reach the database.
        const fits = hostileStrings.filter(
          (h) => h.length >= (s.minLength ?? 0) && h.length <= (s.maxLength ?? Infinity),
        );
        arb = fc.oneof(
          {
            weight: 3,
            arbitrary: fc.string({
              minLength: s.minLength ?? 0,
              maxLength: Math.min(s.maxLength ?? 40, 40),
              unit: 'grapheme',
            }),
          },
          { weight: 2, arbitrary: fc.constantFrom(...fits) },
          { weight: 1, arbitrary: fc.constantFrom(...unstorableStrings) },
        );
      }
      if (s.maxLength !== undefined) arb = arb.filter((v) => v.length <= s.maxLength!);
      if (s.minLength !== undefined) arb = arb.filter((v) => v.length >= s.minLength!);
      return ids ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ids) }, { weight: 1, arbitrary: arb }) : arb;
    }
    case 'array': {
      const items = s.items ? validValue(s.items, doc, name, path) : fc.jsonValue();
      return fc.array(items, { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 5, 5) });
    }
    case 'object':
    default: {
      if (!s.properties)
        return fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 });
      const model = Object.fromEntries(
        Object.entries(s.properties).map(([key, sub]) => [key, validValue(sub, doc, key, path)]),
      );
      return fc.record(model, { requiredKeys: s.required ?? [] });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Bodies

const voteCount = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 10_000_000 }) },
  { weight: 2, arbitrary: fc.constantFrom(0, 1, 2 ** 31, 10_000_000_000, 2 ** 53 - 1) },
);

/**
 * A result version that keeps every rule (percentages computed from the votes, sums within
 * ballots cast), with counts from 0 to 2^53 - 1: it gets past validation to the database and back.
 */
const consistentResults = fc
  .record({
    status: fc.constantFrom('recount', 'correction', 'certified', 'unofficial-partial', 'unofficial-complete'),
    candidates: fc.uniqueArray(fc.constantFrom(...seed.candidates), { minLength: 1, maxLength: 7 }),
    nominators: fc.array(fc.constantFrom(null, ...seed.organisations), { minLength: 7, maxLength: 7 }),
    againstAll: fc.boolean(),
    votes: fc.array(voteCount, { minLength: 8, maxLength: 8 }),
    uncounted: fc.option(voteCount, { nil: null }),
    sourceId: fc.constantFrom(...seed.sources),
    additionalSources: fc.array(
      fc.record({ sourceId: fc.constantFrom(...seed.sources), covers: fc.constantFrom('turnout', 'the map') }),
      { maxLength: 3 },
    ),
    asOf: fc.option(dateArb, { nil: null }),
  })
  .map((r) => {
    const lines: Record<string, unknown>[] = r.candidates.map((candidateId, i) => ({
      candidateId,
      nominatorId: r.nominators[i],
      votes: r.votes[i]!,
    }));
    if (r.againstAll) lines.push({ kind: 'against-all', label: 'Against all', votes: r.votes[7]! });
    const total = lines.reduce((sum, l) => sum + (l.votes as number), 0);
    for (const l of lines) l.percent = total > 0 ? Math.round(((l.votes as number) / total) * 100_000) / 1000 : null;
    const ballotsCast = r.uncounted === null ? null : total + r.uncounted;
    return {
      status: r.status,
      asOf: r.asOf,
      complete: true,
      sourceId: r.sourceId,
      additionalSources: r.additionalSources.filter((s) => s.sourceId !== r.sourceId),
      turnout: { registeredVoters: ballotsCast, ballotsCast },
      percentBase: 'lines-total',
      lines,
    };
  });

/** Known-good bodies: with a write key most of these are created (201), so the success path runs. */
function goodBodies(op: Operation, doc: OpenApiDocument): fc.Arbitrary<unknown>[] {
  const example = op.body ? resolve(op.body, doc).example : undefined;
  const fresh = fc.stringMatching(/^[a-z]{3,8}(-[a-z0-9]{1,6}){0,2}$/).map((s) => `fuzz-${s}`);
  const out: fc.Arbitrary<unknown>[] = [];
  if (example !== undefined) out.push(fc.constant(example));
  switch (op.operationId) {
    case 'createSource':
      out.push(
        fc.record({ id: fresh, publisher: fc.constant('Fuzz Gazette'), kind: fc.constantFrom('news', 'official') }),
      );
      break;
    case 'createOrganisation':
    case 'createCandidate':
      out.push(
        fc.record({
          id: fresh,
          name: fc.string({ minLength: 1, maxLength: 30, unit: 'grapheme' }),
          sourceId: fc.constantFrom(...seed.sources),
        }),
      );
      break;
    case 'createElection':
      out.push(
        fc.record({
          country: fc.constantFrom('KZ', 'kaz', 'US', 'fr'),
          type: fc.constantFrom('presidential', 'parliamentary', 'referendum', 'local'),
          date: dateArb,
          sourceId: fc.constantFrom(...seed.sources),
          previousRoundId: fc.constantFrom(null, ...seed.elections),
        }),
      );
      break;
    case 'updateElection':
      out.push(
        fc.record(
          { note: fc.string({ maxLength: 50, unit: 'grapheme' }), termEndYear: fc.integer({ min: 1800, max: 2200 }) },
          { requiredKeys: ['note'] },
        ),
      );
      break;
    case 'createRaceCall':
      // On any contest of any election: a call with winners is accepted where they are its lines.
      out.push(
        fc.record({
          status: fc.constantFrom('too-early', 'too-close', 'uncalled'),
          sourceId: fc.constantFrom(...seed.sources),
        }),
      );
      out.push(
        fc.record({
          status: fc.constant('called'),
          winners: fc.constantFrom(
            [{ candidateId: 'kassym-jomart-tokayev' }],
            [{ organisationId: 'amanat' }],
            [{ option: 'Yes' }],
          ),
          sourceId: fc.constantFrom(...seed.sources),
          calledAt: fc.option(
            dateArb.map((d) => `${d}T20:00:00+06:00`),
            { nil: undefined },
          ),
        }),
      );
      break;
    case 'publishResults':
      out.push(
        fc
          .constantFrom('recount', 'correction', 'unofficial-complete', 'certified')
          .map((status) => ({ ...certified2022, status })),
      );
      out.push(consistentResults);
      break;
  }
  return out;
}

type Json = unknown;

/** Every place in a JSON value a mutation can hit: [container, key] pairs. */
function slots(value: Json): [Record<string, Json> | Json[], string | number][] {
  const out: [Record<string, Json> | Json[], string | number][] = [];
  const walk = (v: Json) => {
    if (Array.isArray(v)) v.forEach((item, i) => (out.push([v, i]), walk(item)));
    else if (v && typeof v === 'object')
      for (const [k, item] of Object.entries(v)) {
        out.push([v as Record<string, Json>, k]);
        walk(item);
      }
  };
  walk(value);
  return out;
}

const MARK = '\u0001fuzz-text\u0001';

type Mutation = 'replace' | 'same-type' | 'delete' | 'unknown-key' | 'duplicate-key' | 'whole';

/** A hostile value of the same JSON type as `value`: it passes the type check and goes deeper. */
function sameType(value: Json, at: number): Json {
  if (typeof value === 'string')
    return at % 4 === 0
      ? unstorableStrings[(at >> 2) % unstorableStrings.length]!
      : hostileStrings[at % hostileStrings.length]!;
  if (typeof value === 'number') return hostileNumbers[at % hostileNumbers.length]!;
  if (typeof value === 'boolean') return !value;
  if (Array.isArray(value)) return [...value, ...value];
  return value;
}

/** A valid body with one hostile change; returns the JSON text. */
function mutate(value: Json, how: Mutation, at: number, piece: JsonPiece): string {
  const copy = structuredClone(value);
  const places = slots(copy);
  const text = 'text' in piece ? piece.text : undefined;
  const inserted = 'text' in piece ? MARK : piece.value;
  const finish = (v: Json) => {
    const json = JSON.stringify(v) ?? 'null';
    return text === undefined ? json : json.replace(JSON.stringify(MARK), text);
  };
  if (how === 'whole' || (places.length === 0 && how !== 'unknown-key' && how !== 'duplicate-key'))
    return finish(inserted);
  if (how === 'unknown-key' || how === 'duplicate-key') {
    const objects = [copy, ...places.map(([c, k]) => (c as Record<string, Json>)[k as string])].filter(
      (v): v is Record<string, Json> => Boolean(v) && typeof v === 'object' && !Array.isArray(v),
    );
    const target = objects[at % Math.max(objects.length, 1)];
    if (!target) return finish(inserted);
    if (how === 'unknown-key') {
      // defineProperty: an assignment to __proto__ would set the prototype, not add a key.
      const key = ['extra', '__proto__', 'constructor', 'id', '$where', ''][at % 6]!;
      Object.defineProperty(target, key, { value: inserted, enumerable: true, writable: true, configurable: true });
      return finish(copy);
    }
    // A key twice in one object: JSON.parse keeps the last; the text keeps both.
    const key = Object.keys(target)[0];
    if (!key) return finish(copy);
    const json = finish(copy);
    const first = `${JSON.stringify(key)}:`;
    return json.replace(first, `${first}${text ?? JSON.stringify(inserted) ?? 'null'},${first}`);
  }
  const [container, key] = places[at % places.length]!;
  if (how === 'same-type') {
    const [container, key] = places[(at >> 8) % places.length]!;
    const current = Array.isArray(container) ? container[key as number] : container[key as string];
    const value = sameType(current, at);
    if (Array.isArray(container)) container[key as number] = value;
    else container[key as string] = value;
    return finish(copy);
  }
  if (how === 'delete') {
    if (Array.isArray(container)) container.splice(key as number, 1);
    else delete container[key as string];
  } else if (Array.isArray(container)) container[key as number] = inserted;
  else container[key as string] = inserted;
  return finish(copy);
}

export interface Payload {
  /** What is sent: a JSON text, other text, or raw bytes. */
  data?: string | Buffer;
  /** What kind of payload, for the report. */
  kind: string;
}

function bodyArb(op: Operation, doc: OpenApiDocument): fc.Arbitrary<Payload> {
  const schema = op.body!;
  const valid = fc.oneof(
    { weight: 2, arbitrary: validValue(schema, doc, '', op.path) },
    ...goodBodies(op, doc).map((arbitrary) => ({ weight: 3, arbitrary })),
  );
  const mutation = fc.constantFrom<Mutation>(
    'replace',
    'replace',
    'same-type',
    'same-type',
    'same-type',
    'delete',
    'unknown-key',
    'duplicate-key',
    'whole',
  );
  return fc.oneof(
    { weight: 10, arbitrary: valid.map((v) => ({ data: JSON.stringify(v), kind: 'valid' })) },
    {
      weight: 10,
      arbitrary: fc
        .tuple(valid, mutation, fc.nat(), hostileJson)
        .map(([v, how, at, piece]) => ({ data: mutate(v, how, at, piece), kind: `mutated:${how}` })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        { data: undefined, kind: 'none' },
        { data: '', kind: 'empty' },
        { data: 'null', kind: 'null' },
        { data: '{', kind: 'truncated' },
        { data: '{"a":1,}', kind: 'trailing-comma' },
        { data: "{'a':1}", kind: 'single-quotes' },
        { data: 'NaN', kind: 'nan' },
        { data: '\uFEFF{}', kind: 'bom' },
        { data: '{"__proto__":{"admin":true}}', kind: 'proto' },
        { data: '{"constructor":{"prototype":{"admin":true}}}', kind: 'constructor' },
        { data: deepArray(10_000), kind: 'deep-array' },
        { data: deepObject(10_000), kind: 'deep-object' },
        { data: `{"publisher":${deepArray(5000)},"kind":"news"}`, kind: 'deep-field' },
      ),
    },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ data: Buffer.from(bytes), kind: 'bytes' })),
        fc.constantFrom(
          { data: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d]), kind: 'invalid-utf8' },
          {
            data: Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
            kind: 'invalid-utf8',
          },
          { data: Buffer.from('{"name":"\ud800"}', 'utf16le'), kind: 'utf16' },
          {
            data: Buffer.concat([
              Buffer.from('{"publisher":"'),
              Buffer.from([0xed, 0xa0, 0x80]),
              Buffer.from('","kind":"news"}'),
            ]),
            kind: 'cesu8',
          },
        ),
      ),
    },
    {
      // Rare, since it costs a megabyte: must be refused with 413 before it is read in full.
      weight: 1,
      arbitrary: fc.constantFrom(1024 * 1024 + 1, 2 * 1024 * 1024).map((n) => ({
        data: `{"publisher":"${'x'.repeat(n)}","kind":"news"}`,
        kind: 'oversized',
      })),
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Requests

/** Symbolic credentials: resolved to real tokens when sent, so a seed replays the same requests. */
export type Credential = 'write' | 'read' | 'revoked' | { junk: string };

export interface FuzzRequest {
  operationId: string;
  method: string;
  url: string;
  /** Header values; an array is a header sent several times (Node joins or drops them). */
  headers: Record<string, string | string[]>;
  auth?: Credential;
  payload: Payload;
  /** The path was built from plain (encoded) values: the route is matched and the body is read. */
  plainPath: boolean;
}

/** Percent-encodes text; lone surrogates become their (invalid) three UTF-8-style bytes. */
export function encodePiece(piece: Piece): string {
  if (typeof piece !== 'string') return piece.raw;
  let out = '';
  for (const ch of piece) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff)
      out += [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    else out += encodeURIComponent(ch);
  }
  return out;
}

/** `arb` one time in `oneIn`, else undefined (fc.option's freq is the other way round). */
function sometimes<T>(arb: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
}

function pieceArb(param: Parameter, op: Operation, doc: OpenApiDocument): fc.Arbitrary<Piece> {
  const valid = validValue(param.schema, doc, param.name, op.path).map((v) => String(v));
  const extra: fc.Arbitrary<Piece>[] = param.name === 'cursor' ? [fc.constantFrom(...cursors)] : [];
  return fc.oneof({ weight: 6, arbitrary: valid }, ...extra.map((arbitrary) => ({ weight: 3, arbitrary })), {
    weight: 2,
    arbitrary: hostilePiece,
  });
}

const unknownNames = [
  'contry',
  'q',
  'limit[]',
  'format[x]',
  '__proto__',
  'constructor[prototype][x]',
  'a[b]',
  '',
  '%FF',
  'sort',
  'fields',
  'include',
  "'",
];

function queryArb(op: Operation, doc: OpenApiDocument): fc.Arbitrary<string> {
  const params = op.parameters.filter((p) => p.in === 'query');
  const declared = params.map((p) =>
    sometimes(
      pieceArb(p, op, doc).map((v) => `${p.name}=${encodePiece(v)}`),
      2,
    ),
  );
  const duplicate = params.length
    ? sometimes(
        fc
          .tuple(fc.constantFrom(...params), fc.array(hostilePiece, { minLength: 1, maxLength: 2 }))
          .map(([p, vs]) => vs.map((v) => `${p.name}=${encodePiece(v)}`).join('&')),
        6,
      )
    : fc.constant(undefined);
  const unknown = sometimes(
    fc.tuple(fc.constantFrom(...unknownNames), hostilePiece).map(([name, v]) => `${name}=${encodePiece(v)}`),
    8,
  );
  const odd = sometimes(
    fc.constantFrom(
      'limit',
      '=',
      '&&',
      '&',
      'limit==1',
      'format=csv&format=json',
      'limit=1&limit=2',
      '%FF=%FF',
      'a=%C0%AF',
    ),
    10,
  );
  const mixed = fc
    .tuple(fc.tuple(...declared), duplicate, unknown, odd)
    .map(([d, dup, unk, o]) => [...d, dup, unk, o].filter((x): x is string => x !== undefined).join('&'));
  // A quarter of the queries use valid values alone (each parameter one time in three): an
  // operation with many parameters would otherwise almost never get a request that passes them all.
  const valid = fc
    .tuple(
      ...params.map((p) =>
        sometimes(
          validValue(p.schema, doc, p.name, op.path).map((v) => `${p.name}=${encodePiece(String(v))}`),
          3,
        ),
      ),
    )
    .map((d) => d.filter((x): x is string => x !== undefined).join('&'));
  return fc.oneof({ weight: 3, arbitrary: mixed }, { weight: 1, arbitrary: valid });
}

function pathArb(op: Operation, doc: OpenApiDocument): fc.Arbitrary<{ path: string; plain: boolean }> {
  const params = op.parameters.filter((p) => p.in === 'path');
  if (params.length === 0) return fc.constant({ path: op.path, plain: true });
  const values = params.map((p) =>
    fc.oneof(
      {
        weight: 8,
        arbitrary: validValue(p.schema, doc, p.name, op.path).map((v) => ({ piece: String(v), plain: true })),
      },
      // A lone surrogate encodes to invalid UTF-8, which the router refuses (400) before the route.
      {
        weight: 3,
        arbitrary: hostilePiece.map((piece) => ({ piece, plain: typeof piece === 'string' && !/\p{Cs}/u.test(piece) })),
      },
    ),
  );
  // An election and one of its own contests, together half the time: drawn apart, a contest's
  // routes would almost never name a pair that exists, and their success paths would go untested.
  const paired = params.some((p) => p.name === 'contest') && op.path.startsWith('/v1/elections/{id}');
  const pairs = paired
    ? fc.option(fc.constantFrom(...seed.contestsOf), { freq: 2, nil: undefined })
    : fc.constant(undefined);
  return fc.tuple(fc.tuple(...values), pairs).map(([vs, pair]) => {
    if (pair)
      params.forEach((p, i) => {
        if (p.name === 'id') vs[i] = { piece: pair[0], plain: true };
        if (p.name === 'contest') vs[i] = { piece: pair[1], plain: true };
      });
    let path = op.path;
    params.forEach((p, i) => {
      const encoded = encodePiece(vs[i]!.piece);
      // An empty segment would make another route's URL; keep the route and test the empty value elsewhere.
      path = path.replace(`{${p.name}}`, encoded === '' ? '%20' : encoded);
    });
    // A '.' or '..' segment is resolved by the URL parser before it reaches a route.
    const dots = vs.some((v) => v.piece === '.' || v.piece === '..');
    return { path, plain: vs.every((v) => v.plain) && !dots };
  });
}

const pathMutations = [
  (p: string) => `${p}/`,
  (p: string) => `/${p}`,
  (p: string) => p.toUpperCase(),
  (p: string) => p.replace('/v1/', '/v1/./'),
  (p: string) => p.replace('/v1/', '/v1/../v1/'),
  (p: string) => p.replace('/v1/', '/v2/'),
  (p: string) => `${p};jsessionid=1`,
  (p: string) => `${p}%00`,
  (p: string) => `${p}/..%2f..%2f`,
  (p: string) => `${p}/${'a'.repeat(300)}`,
  (p: string) => `${p}#fragment`,
];

const headerValue = (values: string[]) => fc.constantFrom(...values);

function headersArb(op: Operation): fc.Arbitrary<{ headers: Record<string, string | string[]>; auth?: Credential }> {
  const write = op.method === 'POST' || op.method === 'PATCH';
  const credential: fc.Arbitrary<Credential | undefined> = fc.oneof(
    { weight: write ? 12 : 1, arbitrary: fc.constant<Credential>('write') },
    { weight: op.secured ? 3 : 1, arbitrary: fc.constant<Credential>('read') },
    { weight: 1, arbitrary: fc.constant<Credential>('revoked') },
    { weight: write ? 2 : 8, arbitrary: fc.constant(undefined) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(
          'Bearer junk',
          'Bearer erk_',
          'Bearer erk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
          'bearer erk_x',
          'Basic YWRtaW46YWRtaW4=',
          'Bearer',
          'Bearer ',
          'Bearer a b',
          `Bearer ${'x'.repeat(4000)}`,
          "Bearer ' OR 1=1--",
          'Token abc',
          'Bearer \u00e9',
          '',
        )
        .map((junk) => ({ junk })),
    },
  );
  const optional = <T>(arb: fc.Arbitrary<T>, oneIn: number) => sometimes(arb, oneIn);
  const idempotency = optional(
    fc.oneof(
      fc.uuid(),
      headerValue(['fuzz-1', 'fuzz-2', 'fuzz-1']),
      headerValue(['', ' ', 'a'.repeat(256), 'a'.repeat(255), 'key with spaces', 'k\u00e9y', "' OR 1=1--", '%00']),
      fc.tuple(fc.uuid(), fc.uuid()).map((pair) => [...pair]),
    ),
    write ? 2 : 6,
  );
  const ifMatch = optional(
    fc.oneof(
      headerValue([
        '*',
        '*',
        '"results-v1"',
        '"results-v2"',
        '"results-v3"',
        '"results-v99"',
        '"r1.v2"',
        '"r1.v1"',
        'W/"r1.v2"',
        '"a", "b"',
        'junk',
        '',
        '"*"',
      ]),
      fc.tuple(headerValue(['*', '"results-v2"']), headerValue(['"x"', '*'])).map((pair) => [...pair]),
    ),
    write ? 2 : 8,
  );
  const accept = optional(
    headerValue([
      'text/csv',
      'application/json',
      '*/*',
      'text/csv;q=0',
      'text/html',
      'image/svg+xml',
      'application/problem+json',
      ';;;',
      'text/csv, application/json',
    ]),
    3,
  );
  const acceptEncoding = optional(
    headerValue(['br', 'gzip', 'deflate', 'identity', '*', 'gzip;q=0', 'br, gzip', 'junk']),
    3,
  );
  const ifNoneMatch = optional(headerValue(['*', '"results-v2"', '"results-v2-csv"', 'W/"csv-1"', 'junk', '""']), 8);
  const contentType = optional(
    headerValue([
      'application/json',
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'application/json;charset=UTF-16',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/problem+json',
      'application/merge-patch+json',
      'application/xml',
      'junk',
      '',
      'application/json, text/plain',
    ]),
    write ? 4 : 12,
  );
  const extra = optional(
    headerValue(['x-forwarded-for', 'x-http-method-override', 'x-original-url', 'cookie', 'origin']),
    6,
  );
  return fc
    .record({
      credential,
      idempotency,
      ifMatch,
      accept,
      acceptEncoding,
      ifNoneMatch,
      contentType,
      extra,
      extraValue: hostilePiece,
    })
    .map((h) => {
      const headers: Record<string, string | string[]> = {};
      if (h.idempotency !== undefined) headers['idempotency-key'] = h.idempotency;
      if (h.ifMatch !== undefined) headers['if-match'] = h.ifMatch;
      if (h.accept !== undefined) headers.accept = h.accept;
      if (h.acceptEncoding !== undefined) headers['accept-encoding'] = h.acceptEncoding;
      if (h.ifNoneMatch !== undefined) headers['if-none-match'] = h.ifNoneMatch;
      if (h.contentType !== undefined) headers['content-type'] = h.contentType;
      if (h.extra !== undefined) headers[h.extra] = typeof h.extraValue === 'string' ? h.extraValue : h.extraValue.raw;
      return { headers, auth: h.credential };
    });
}

const otherMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** One request for `op`: its path, query, headers and body, valid or hostile. */
export function operationRequest(op: Operation, doc: OpenApiDocument = openapiDocument): fc.Arbitrary<FuzzRequest> {
  const write = op.method === 'POST' || op.method === 'PATCH';
  const payload: fc.Arbitrary<Payload> = op.body
    ? bodyArb(op, doc)
    : fc.oneof(
        { weight: 20, arbitrary: fc.constant<Payload>({ kind: 'none' }) },
        {
          weight: 1,
          arbitrary: fc.constantFrom<Payload>(
            { data: '{"a":1}', kind: 'unexpected' },
            { data: deepArray(10_000), kind: 'unexpected-deep' },
          ),
        },
      );
  return fc
    .record({
      path: pathArb(op, doc),
      query: queryArb(op, doc),
      headers: headersArb(op),
      payload,
      pathMutation: sometimes(fc.nat(pathMutations.length - 1), 15),
      method: sometimes(fc.constantFrom(...otherMethods), write ? 40 : 20),
    })
    .map(({ path, query, headers, payload, pathMutation, method }) => {
      const mutated = pathMutation === undefined ? path.path : pathMutations[pathMutation]!(path.path);
      const h = { ...headers.headers };
      if (payload.data !== undefined && h['content-type'] === undefined) h['content-type'] = 'application/json';
      return {
        operationId: op.operationId,
        method: method ?? op.method,
        url: query ? `${mutated}?${query}` : mutated,
        headers: h,
        auth: headers.auth,
        payload,
        plainPath: path.plain && pathMutation === undefined && (method === undefined || method === op.method),
      };
    });
}

/** A request for any operation, writes weighted up (they have more to break). */
export function anyRequest(ops: Operation[], doc: OpenApiDocument = openapiDocument): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(
    ...ops.map((op) => ({
      // Writes have more to break; publishing results, the most rules of all.
      weight: op.operationId === 'publishResults' ? 10 : op.method === 'GET' ? 2 : 5,
      arbitrary: operationRequest(op, doc),
    })),
  );
}

/** A readable request for failure messages, with long values cut. */
export function describeRequest(req: FuzzRequest): string {
  const cut = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);
  const body =
    req.payload.data === undefined
      ? '(none)'
      : typeof req.payload.data === 'string'
        ? cut(JSON.stringify(req.payload.data), 500)
        : `<Buffer ${req.payload.data.toString('hex').slice(0, 200)}> (${req.payload.data.length} bytes)`;
  const auth =
    req.auth === undefined
      ? ''
      : `\n  authorization: ${typeof req.auth === 'string' ? `<${req.auth} key>` : cut(JSON.stringify(req.auth.junk), 80)}`;
  const headers = Object.entries(req.headers)
    .map(([k, v]) => `\n  ${k}: ${cut(JSON.stringify(v), 200)}`)
    .join('');
  return `${req.method} ${cut(req.url, 500)}${auth}${headers}\n  body (${req.payload.kind}): ${body}`;
}

// ---------------------------------------------------------------------------------------------
// Sending and checking

export interface FuzzContext {
  app: FastifyInstance;
  tokens: Record<'write' | 'read' | 'revoked', string>;
  ops: Operation[];
  doc: OpenApiDocument;
  bodyLimit: number;
  tables: string[];
}

export async function fuzzContext(app: FastifyInstance, doc: OpenApiDocument = openapiDocument): Promise<FuzzContext> {
  const revoked = await tokenFor(app, 'write', 'fuzz-revoked');
  await revokeKey(app.database.primary, 'fuzz-revoked');
  return {
    app,
    doc,
    ops: loadOperations(doc),
    tokens: {
      write: await tokenFor(app, 'write', 'fuzz-write'),
      read: await tokenFor(app, 'read', 'fuzz-read'),
      revoked,
    },
    bodyLimit: app.initialConfig.bodyLimit ?? 1024 * 1024,
    tables: await tableNames(app.database.primary),
  };
}

/** Node's rules for a header sent twice: some are dropped after the first, the rest joined. */
const singleHeaders = new Set([
  'authorization',
  'content-type',
  'content-length',
  'host',
  'user-agent',
  'referer',
  'if-modified-since',
]);

/**
 * A header value as Node's parser hands it over: the UTF-8 bytes a client sends, read as latin1.
 * CR, LF, NUL and other controls cannot travel in a header (the parser refuses the request before
 * the app sees it, test/errors.test.ts covers that), so they are dropped here.
 */
function onTheWire(value: string): string {
  const latin1 = Buffer.from(value, 'utf8').toString('latin1');
  // eslint-disable-next-line no-control-regex
  return latin1.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '');
}

function nodeHeaders(req: FuzzRequest, ctx: FuzzContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    out[k] = onTheWire(Array.isArray(v) ? (singleHeaders.has(k) ? v[0]! : v.join(', ')) : v);
  if (req.auth !== undefined)
    out.authorization = typeof req.auth === 'string' ? `Bearer ${ctx.tokens[req.auth]}` : onTheWire(req.auth.junk);
  return out;
}

export async function send(ctx: FuzzContext, req: FuzzRequest): Promise<LightMyRequestResponse> {
  return ctx.app.inject({
    method: req.method as 'GET',
    url: req.url,
    headers: nodeHeaders(req, ctx),
    ...(req.payload.data === undefined ? {} : { payload: req.payload.data }),
  });
}

/** Every table of the app's schema: the data, the keys, the audit log, the idempotency keys. */
export async function tableNames(db: Db): Promise<string[]> {
  const result = await db.execute<{ name: string }>(
    sql`select tablename as name from pg_tables where schemaname = 'public' order by tablename`,
  );
  return (result as { rows: { name: string }[] }).rows.map((r) => r.name);
}

/** Reference data no request writes: fingerprinted by row versions instead of hashed (249 countries). */
const REFERENCE_TABLES = new Set(['countries']);

/**
 * Row count and a checksum of every row of every table, in one statement: the sum of each row's
 * md5 (its first 60 bits), so no sort is needed. test/helpers/snapshot.ts sorts and hashes the
 * data tables the same way per table; a sort of every table after each of thousands of writes
 * costs several times more on PGlite. Reference tables get the newest row version (xmin) instead
 * of a hash: any committed insert, update or delete changes it or the count.
 */
export async function checksum(db: Db, tables: string[]): Promise<Record<string, string>> {
  const query = tables
    .map((table) => {
      const digest = REFERENCE_TABLES.has(table)
        ? `coalesce(max(x.xmin::text::bigint), 0)::text`
        : `coalesce(sum(('x' || substr(md5(x::text), 1, 15))::bit(60)::bigint), 0)::text`;
      return `select '${table}' as name, count(*)::text || ':' || ${digest} as digest from "${table}" x`;
    })
    .join(' union all ');
  const result = await db.execute<{ name: string; digest: string }>(sql.raw(query));
  const { rows } = result as { rows: { name: string; digest: string }[] };
  return Object.fromEntries(rows.map((r) => [r.name, r.digest]));
}

function decodedBody(res: LightMyRequestResponse): string {
  const raw = res.rawPayload;
  switch (String(res.headers['content-encoding'] ?? '')) {
    case 'br':
      return brotliDecompressSync(raw).toString('utf8');
    case 'gzip':
      return gunzipSync(raw).toString('utf8');
    case 'deflate':
      return inflateSync(raw).toString('utf8');
    default:
      return raw.toString('utf8');
  }
}

const ajv = new Ajv2020.default({ strict: false, allErrors: false, validateFormats: true });
addFormats.default(ajv);
const validators = new Map<Schema, ValidateFunction>();

function validatorFor(schema: Schema, doc: OpenApiDocument): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    // The document's components ride along so that #/components/schemas/… refs resolve.
    validate = ajv.compile({ ...schema, components: doc.components });
    validators.set(schema, validate);
  }
  return validate;
}

const mediaType = (header: unknown) => (typeof header === 'string' ? header : '').split(';')[0]!.trim().toLowerCase();

/** The properties one answer must keep; returns what it broke (empty when all is well). */
export function violations(
  ctx: FuzzContext,
  op: Operation | undefined,
  req: FuzzRequest,
  res: LightMyRequestResponse,
): string[] {
  const out: string[] = [];
  const status = res.statusCode;
  const type = mediaType(res.headers['content-type']);
  const head = req.method === 'HEAD';
  // A HEAD answer carries GET's headers, Content-Encoding included (RFC 9110 §9.3.2), and no body:
  // there is nothing to decode, only the emptiness to check.
  if (head && res.rawPayload.length > 0) out.push(`a HEAD answered with a ${res.rawPayload.length}-byte body`);
  let text = '';
  if (!head) {
    try {
      text = decodedBody(res);
    } catch (err) {
      return [
        `the body does not decode as its content-encoding ${String(res.headers['content-encoding'])}: ${String(err)}`,
      ];
    }
  }

  if (status >= 500) out.push(`a ${status} server error`);
  if (status >= 400) {
    if (type !== 'application/problem+json')
      out.push(
        `a ${status} whose content-type is ${String(res.headers['content-type'])}, not application/problem+json`,
      );
    else if (!head) {
      let problem: Record<string, unknown> | undefined;
      try {
        problem = JSON.parse(text) as Record<string, unknown>;
      } catch {
        out.push(`a ${status} problem whose body is not JSON`);
      }
      if (problem) {
        for (const field of ['type', 'title', 'detail'])
          if (typeof problem[field] !== 'string') out.push(`the problem has no string ${field}`);
        if (problem.status !== status)
          out.push(`the problem's status ${String(problem.status)} is not the HTTP status ${status}`);
      }
    }
  }
  if (/\n\s+at .+:\d+:\d+|node_modules|Failed query/.test(text)) out.push('the body leaks a stack trace or a query');
  for (const token of Object.values(ctx.tokens)) if (text.includes(token)) out.push('the body echoes an API key');

  const write = ['POST', 'PATCH', 'PUT', 'DELETE'].includes(req.method);
  if (write && status < 300 && status >= 200 && req.auth !== 'write' && req.method !== 'OPTIONS')
    out.push(`a ${req.method} succeeded (${status}) without a write key`);

  const declaredOp = op && req.plainPath && req.method === op.method ? op : undefined;
  if (
    op?.body &&
    ['POST', 'PATCH', 'PUT'].includes(req.method) &&
    req.payload.data !== undefined &&
    Buffer.byteLength(req.payload.data) > ctx.bodyLimit
  ) {
    // Refused before it is read: 413 once the request gets as far as its body; an answer from an
    // earlier step (no route, bad key, wrong content type, URL too long) is fine too, a 2xx is not.
    const json = mediaType(nodeHeaders(req, ctx)['content-type']) === 'application/json';
    if (declaredOp && json && req.auth === 'write' && status !== 413 && status !== 414)
      out.push(`a body over ${ctx.bodyLimit} bytes with a write key got ${status}, not 413`);
    if (status < 300) out.push(`a body over ${ctx.bodyLimit} bytes got ${status}`);
  }

  if (status === 304 && text !== '') out.push('a 304 with a body');
  if (status >= 200 && status < 300 && declaredOp && !head) {
    const declared = declaredOp.responses[String(status)];
    if (!declared) out.push(`status ${status} is not declared for ${declaredOp.operationId}`);
    else if (!(type in declared))
      out.push(`content-type ${type} is not declared for ${declaredOp.operationId} ${status}`);
    else {
      const schema = declared[type];
      if (type === 'application/json') {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          out.push('a JSON response that does not parse');
        }
        if (body !== undefined && schema) {
          const validate = validatorFor(schema, ctx.doc);
          if (!validate(body)) out.push(`the body breaks its schema: ${ajv.errorsText(validate.errors)}`);
        }
      } else if (type === 'text/csv') {
        const columns = /header row: (.+)$/.exec(schema?.description ?? '')?.[1]?.split(',');
        try {
          const rows: string[][] = parseCsv(text, { bom: true });
          if (columns && rows[0]?.join(',') !== columns.join(','))
            out.push(`the CSV header is ${rows[0]?.join(',')}, not ${columns.join(',')}`);
        } catch (err) {
          out.push(`the CSV does not parse: ${String(err)}`);
        }
      } else if (type === 'image/svg+xml') {
        if (!/^(<\?xml[^>]*>\s*)?<svg[\s>]/.test(text)) out.push('an SVG response that is not an SVG document');
      }
    }
  }
  return out;
}

export interface FuzzStats {
  requests: number;
  statuses: Map<number, number>;
  /** operationId → successful (2xx) answers: shows how deep valid requests got. */
  successes: Map<string, number>;
  /** Statuses an operation answered with that its OpenAPI entry does not list. */
  undeclared: Map<string, number>;
  rejectedWrites: number;
  /** Answers replayed for a repeated Idempotency-Key. */
  replays: number;
  /** Process warnings emitted during the run (e.g. a driver deprecation), each once. */
  warnings: Set<string>;
  /** With keepGoing: each kind of failure (its first line) with its first example and count. */
  failures: Map<string, { example: string; count: number }>;
}

export function newStats(): FuzzStats {
  return {
    requests: 0,
    statuses: new Map(),
    successes: new Map(),
    undeclared: new Map(),
    rejectedWrites: 0,
    replays: 0,
    warnings: new Set(),
    failures: new Map(),
  };
}

const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);

export class FuzzFailure extends Error {
  override name = 'FuzzFailure';
}

export interface FuzzState {
  /** The database as the last write left it. */
  checksum?: Record<string, string>;
}

/**
 * The property: sends `req`, checks the answer, and after every write the database checksum
 * (unchanged after a rejected write or a replay). A POST that succeeded with an Idempotency-Key is
 * sent again at once and must get the first answer, marked as a replay.
 * Throws a FuzzFailure naming the request and the answer.
 */
export function fuzzProperty(ctx: FuzzContext, stats: FuzzStats, state: FuzzState) {
  const byId = new Map(ctx.ops.map((op) => [op.operationId, op]));
  return async (req: FuzzRequest) => {
    const op = byId.get(req.operationId);
    const res = await send(ctx, req);
    stats.requests += 1;
    bump(stats.statuses, res.statusCode);
    if (res.statusCode < 300 && op && req.method === op.method) bump(stats.successes, op.operationId);
    if (op && req.plainPath && req.method === op.method && !op.responses[String(res.statusCode)])
      bump(stats.undeclared, `${op.operationId} ${res.statusCode}`);
    const found = violations(ctx, op, req, res);
    const replayed = res.headers['idempotent-replayed'] === 'true';
    if (replayed) stats.replays += 1;
    if (['POST', 'PATCH', 'PUT', 'DELETE'].includes(req.method)) {
      const now = await checksum(ctx.app.database.primary, ctx.tables);
      if (res.statusCode >= 400 || replayed) {
        if (res.statusCode >= 400) stats.rejectedWrites += 1;
        const before = state.checksum;
        const changed = before ? Object.keys(now).filter((table) => now[table] !== before[table]) : [];
        if (changed.length)
          found.push(
            `a ${replayed ? 'replayed' : 'rejected'} write (${res.statusCode}) changed the database: ${changed.join(', ')}`,
          );
      }
      state.checksum = now;
    }
    const key = nodeHeaders(req, ctx)['idempotency-key'];
    if (
      req.method === 'POST' &&
      req.auth === 'write' &&
      key !== undefined &&
      res.statusCode < 300 &&
      !replayed &&
      found.length === 0
    ) {
      // Retried at once, as a client that lost the answer would: the first answer again, nothing written.
      const retry = await send(ctx, req);
      stats.requests += 1;
      bump(stats.statuses, retry.statusCode);
      if (retry.headers['idempotent-replayed'] === 'true') stats.replays += 1;
      else found.push(`a retry with the same Idempotency-Key was not answered as a replay (${retry.statusCode})`);
      if (retry.statusCode !== res.statusCode || retry.body !== res.body)
        found.push(`the retry got ${retry.statusCode} ${retry.body.slice(0, 200)}`);
      const now = await checksum(ctx.app.database.primary, ctx.tables);
      const changed = Object.keys(now).filter((table) => now[table] !== state.checksum?.[table]);
      if (changed.length) found.push(`the replayed retry changed the database: ${changed.join(', ')}`);
      state.checksum = now;
    }
    if (found.length) {
      const body = (() => {
        try {
          return decodedBody(res);
        } catch {
          return res.body;
        }
      })();
      throw new FuzzFailure(
        `${found.join('; ')}\n${describeRequest(req)}\n→ ${res.statusCode} ${String(res.headers['content-type'] ?? '')}\n  ${body.slice(0, 800)}`,
      );
    }
  };
}

export interface FuzzRun {
  runs: number;
  seed?: number;
  path?: string;
  /** Record every failure (grouped by kind) instead of stopping and shrinking at the first. */
  keepGoing?: boolean;
}

/** The kind of a failure: its first violation (numbers blurred) and the error code of the answer, if any. */
function failureKind(message: string): string {
  const first = message.split('\n')[0]!.split('; ')[0]!.replace(/\d+/g, 'N');
  const code = /"code":"([A-Z_0-9]+)"/.exec(message)?.[1];
  return code ? `${first} (${code})` : first;
}

/** Runs `runs` random requests through the property with fast-check; a counterexample is shrunk and reported. */
export async function runFuzz(ctx: FuzzContext, run: FuzzRun, stats: FuzzStats = newStats()) {
  const state: FuzzState = { checksum: await checksum(ctx.app.database.primary, ctx.tables) };
  const check = fuzzProperty(ctx, stats, state);
  const predicate = run.keepGoing
    ? async (req: FuzzRequest) => {
        try {
          await check(req);
        } catch (err) {
          if (!(err instanceof FuzzFailure)) throw err;
          const kind = failureKind(err.message);
          const seen = stats.failures.get(kind);
          if (seen) seen.count += 1;
          else stats.failures.set(kind, { example: err.message, count: 1 });
        }
      }
    : check;
  const property = fc.asyncProperty(anyRequest(ctx.ops, ctx.doc), predicate);
  const onWarning = (warning: Error) => stats.warnings.add(`${warning.name}: ${warning.message}`);
  process.on('warning', onWarning);
  try {
    const details = await fc.check(property, {
      numRuns: run.runs,
      ...(run.seed === undefined ? {} : { seed: run.seed }),
      ...(run.path === undefined ? {} : { path: run.path }),
    });
    return { details, stats };
  } finally {
    process.off('warning', onWarning);
  }
}

/** "200×123 400×456 …", ordered by status. */
export function histogram(statuses: Map<number | string, number>): string {
  return [...statuses.entries()]
    .sort(([a], [b]) => (String(a) < String(b) ? -1 : 1))
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
}

/** fast-check's report of a failed run: the shrunk counterexample's own message, and how to replay it. */
export function failureReport(details: fc.RunDetails<[FuzzRequest]>): string | undefined {
  if (!details.failed) return undefined;
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  return `${error}\n(after ${details.numRuns} runs and ${details.numShrinks} shrinks; replay with seed ${details.seed}, path "${details.counterexamplePath}")`;
}
