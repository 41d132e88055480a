// Stored responses of warm results reads. Once the whole pipeline has answered a URL from the
// results cache, the same request again gets the same response without running validation, the
// handler and the onSend hooks again: the headers they produced are kept with the cache entry, and
// go when it goes. It works as an HTTP cache in front of the route would (RFC 9111 §4.1): a stored
// response stands for a request whose headers named by its Vary are the same; requests with
// credentials, conditional requests and anything but a GET always go through the route. Every
// onRequest hook still runs (CORS, rate limits, load shedding, the shutdown's 503). Why, and what
// it relies on: docs/decisions.md.
import type { FastifyReply, FastifyRequest, onResponseHookHandler, preParsingHookHandler } from 'fastify';
import type { Encoding } from '../../lib/content-encoding.js';
import type { CachedResults, ResultsCache } from './results.cache.js';
import type { DocumentQuery } from './results.document.js';

type Headers = Record<string, string | number | readonly string[] | undefined>;

/** A response as the pipeline sent it, and what it was sent for. */
interface StoredResponse {
  /** The request headers its Vary names (lower case), and their values in the request it answered. */
  vary: string[];
  values: (string | string[] | undefined)[];
  /** The headers the onRequest hooks had set when the route began (CORS, rate limits). */
  before: Headers;
  /** How many headers `before` has, counted once. */
  beforeCount: number;
  /** Every header it was sent with, Content-Length included. */
  headers: Headers;
  /** The bytes sent: the entry's body, or one of its compressed bodies. */
  body: Buffer;
}

/** A request whose response may be stored: the onRequest hooks' headers, and what the route sent. */
export interface Storable {
  before: Headers;
  /** Set by the route when it answers from a cache entry: `body` (with `encoding`, if any). */
  served?: { q: DocumentQuery; entry: CachedResults; body: Buffer; encoding: Encoding | undefined };
}

declare module 'fastify' {
  interface FastifyReply {
    /** Set on a request whose response may be stored: what the route served it from. */
    storable: Storable | null;
  }
}

// Responses kept per entry (JSON and CSV clients, identity, gzip and br, a few origins) and URLs
// remembered; past these the oldest goes. They bound memory; a miss only costs the full pipeline.
const MAX_PER_ENTRY = 8;
const MAX_URLS = 10_000;

/** What no stored response may answer: credentials, a condition, anything but a GET. */
function storable(request: FastifyRequest): boolean {
  const h = request.headers;
  return (
    request.method === 'GET' &&
    h.authorization === undefined &&
    h['if-none-match'] === undefined &&
    h['if-modified-since'] === undefined &&
    // @fastify/compress's own switch, which no Vary names.
    h['x-no-compression'] === undefined
  );
}

/**
 * The headers `stored` is sent with in answer to `request`, whose onRequest hooks have set `now`;
 * undefined when the request differs in what the response varies by, or in what those hooks set
 * beyond per-request values.
 */
function headersFor(stored: StoredResponse, request: FastifyRequest, now: Headers): Headers | undefined {
  const { vary, values, before, beforeCount } = stored;
  for (let i = 0; i < vary.length; i++) if (request.headers[vary[i]!] !== values[i]) return undefined;
  let count = 0;
  for (const k in now) {
    if (!(k in before)) return undefined;
    count++;
  }
  if (count !== beforeCount) return undefined;
  const headers = { ...stored.headers };
  for (const k in now) {
    // Left as the onRequest hooks set it: a per-request value (the rate limit left), taken from
    // this request. One the onSend hooks built on must have started the same.
    if (before[k] === stored.headers[k]) headers[k] = now[k];
    else if (now[k] !== before[k]) return undefined;
  }
  return headers;
}

export function createStoredResponses(cache: ResultsCache) {
  const urls = new Map<string, DocumentQuery>();
  const byEntry = new WeakMap<CachedResults, StoredResponse[]>();

  /** A route's preParsing hook (after every onRequest hook): answers what a stored response can. */
  const sendStored: preParsingHookHandler = (request, reply, payload, done) => {
    if (!storable(request)) return done(null, payload);
    const now = reply.getHeaders() as Headers;
    const q = urls.get(request.url);
    const entry = q && cache.peek(q);
    const responses = entry && byEntry.get(entry);
    if (responses)
      for (const stored of responses) {
        const headers = headersFor(stored, request, now);
        if (headers === undefined) continue;
        request.log.debug('results: a stored response');
        // Fastify's onResponse hooks and its request log still run, on the response's finish.
        reply.hijack();
        reply.raw.writeHead(200, headers as Record<string, string>);
        reply.raw.end(stored.body);
        return;
      }
    reply.storable = { before: now };
    done(null, payload);
  };

  /** Called by the route when it answers a storable request from a cache entry: a 200 of `body`. */
  const served = (reply: FastifyReply, what: NonNullable<Storable['served']>) => {
    if (reply.storable !== null) reply.storable.served = what;
  };

  /** A route's onResponse hook: stores the response as it was sent. */
  const store: onResponseHookHandler = (request, reply, done) => {
    const candidate = reply.storable;
    if (candidate?.served === undefined || reply.statusCode !== 200) return done();
    const { before, served } = candidate;
    const headers = reply.getHeaders() as Headers;
    // Not the entry's bytes as the route chose them (compressed by @fastify/compress instead), or
    // sent while the server closes (Connection: close): not a response to repeat.
    const asChosen =
      headers['content-encoding'] === served.encoding && headers['content-length'] === String(served.body.length);
    if (!asChosen || headers.connection !== undefined) return done();
    const vary = String(headers.vary ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== '');
    if (vary.includes('*')) return done();
    const responses = byEntry.get(served.entry) ?? [];
    // Several first requests at once: one stored response for them.
    if (responses.some((stored) => headersFor(stored, request, before) !== undefined)) return done();
    if (responses.length >= MAX_PER_ENTRY) responses.shift();
    responses.push({
      vary,
      values: vary.map((name) => request.headers[name]),
      before,
      beforeCount: Object.keys(before).length,
      headers,
      body: served.body,
    });
    byEntry.set(served.entry, responses);
    if (!urls.has(request.url)) {
      if (urls.size >= MAX_URLS) urls.delete(urls.keys().next().value!);
      urls.set(request.url, served.q);
    }
    done();
  };

  return { sendStored, served, store };
}
