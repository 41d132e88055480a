import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

// Responses are JSON, CSV and SVG images: nothing to run, nothing to frame.
const API_CSP = "default-src 'none'; frame-ancestors 'none'";
// The Swagger UI at /docs loads its own scripts, styles and images, and calls this API.
const DOCS_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

// The live results page (/live/{id}) runs its own script and style, reads this API and its change
// stream, and is made to be embedded: any site may frame it. Its icon is an empty data: URL (no
// request for /favicon.ico).
const LIVE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors *";

const COMMON = {
  // Set per kind of response, below.
  contentSecurityPolicy: false,
  // TLS ends at the proxy in front; it sets HSTS for the domain it serves.
  strictTransportSecurity: false,
  // A public read API: other sites' scripts may fetch it (CORS decides), and embed the SVG chart.
  crossOriginResourcePolicy: { policy: 'cross-origin' },
  // No page of this API is to be framed; the same as the CSP's frame-ancestors 'none'.
  xFrameOptions: { action: 'deny' },
} as const satisfies HelmetOptions;

/**
 * What helmet sets for each kind of response. The HTML page at /docs gets helmet's whole set. The
 * API's JSON, CSV and SVG get the headers that act on such resources (OWASP's REST cheat sheet):
 * nosniff, CORP, Referrer-Policy, X-Frame-Options and the CSP; helmet's others only act on HTML
 * documents or on software long gone (COOP and Origin-Agent-Cluster: browsing contexts; DNS
 * prefetching of links in a page; X-Download-Options: IE8 opening HTML; X-Permitted-Cross-Domain-
 * Policies: Flash and Acrobat policy files; X-XSS-Protection: a filter browsers removed). Six
 * fewer header lines per response are six fewer for Node to validate and every client to read.
 */
export const HELMET_OPTIONS: Record<'api' | 'docs' | 'live', HelmetOptions> = {
  api: {
    ...COMMON,
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  },
  docs: COMMON,
  // As /docs, but framing allowed (the CSP's frame-ancestors says by whom: anyone).
  live: { ...COMMON, xFrameOptions: false },
};

/**
 * The headers helmet sets with these options, computed once: they depend on nothing in the request,
 * so running helmet's middleware on every response would redo the same work (docs/decisions.md).
 */
export function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: unknown) => (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  };
  let done = false;
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw new Error('helmet could not compute its headers', { cause: err });
    done = true;
  });
  // helmet's middlewares are synchronous; if a version ever is not, fail at start, not silently.
  if (!done) throw new Error('helmet did not finish synchronously');
  return headers;
}

/** Every security header of each kind of response, CSP included: one object each, made once. */
export const SECURITY_HEADERS = {
  api: { ...securityHeaders(HELMET_OPTIONS.api), 'content-security-policy': API_CSP },
  docs: { ...securityHeaders(HELMET_OPTIONS.docs), 'content-security-policy': DOCS_CSP },
  live: { ...securityHeaders(HELMET_OPTIONS.live), 'content-security-policy': LIVE_CSP },
} as const;

/**
 * The security headers of the path's kind, on any answer (the protection plugin's onSend, router
 * errors); a Content-Security-Policy the route set itself (the chart's) is kept.
 */
export function setSecurityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  const own = reply.getHeader('content-security-policy');
  const kind = request.url.startsWith('/docs') ? 'docs' : request.url.startsWith('/live/') ? 'live' : 'api';
  reply.headers(SECURITY_HEADERS[kind]);
  if (own !== undefined) reply.header('content-security-policy', own);
}
