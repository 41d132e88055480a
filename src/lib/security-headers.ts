import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

// Responses are JSON, CSV and SVG images: nothing to run, nothing to frame.
const API_CSP = "default-src 'none'; frame-ancestors 'none'";
// The Swagger UI at /docs loads its own scripts, styles and images, and calls this API.
const DOCS_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

const HELMET_OPTIONS: HelmetOptions = {
  // Set below, per path (the API's or the docs').
  contentSecurityPolicy: false,
  // TLS ends at the proxy in front; it sets HSTS for the domain it serves.
  strictTransportSecurity: false,
  // A public read API: other sites' scripts may fetch it (CORS decides), and embed the SVG chart.
  crossOriginResourcePolicy: { policy: 'cross-origin' },
};

/**
 * The headers helmet sets with these options, computed once. They depend on nothing in the
 * request, and running helmet's middleware chain on every response (what @fastify/helmet does:
 * two hooks, one a promise, and a validated `setHeader` per header) cost a fifth of the
 * throughput of a cached read.
 */
export function securityHeaders(options: HelmetOptions = HELMET_OPTIONS): Record<string, string> {
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
const SECURITY_HEADERS = securityHeaders();

/** helmet's headers and the path's CSP, on any answer (the protection plugin's onSend, router errors). */
export function setSecurityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.headers(SECURITY_HEADERS);
  reply.header('content-security-policy', request.url.startsWith('/docs') ? DOCS_CSP : API_CSP);
}
