import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * A compressed body is another representation, so it gets its own strong tag (RFC 9110 §8.8.3):
 * the identity tag with the coding appended inside the quotes ("abc" → "abc-br"). Comparisons take
 * the suffix off again: a cache that holds the gzip body revalidates with its tag and gets a 304,
 * and an If-Match copied from a compressed read still names the same version of the resource.
 */
const CODING_SUFFIX = /-(br|gzip|deflate)"$/;

const opaque = (tag: string) => (tag.startsWith('W/') ? tag.slice(2) : tag).replace(CODING_SUFFIX, '"');

/** `etag` for a body sent with `coding` (strong tags only; a weak one already admits it). */
export function encodedEtag(etag: string, coding: string): string {
  if (etag.startsWith('W/') || CODING_SUFFIX.test(etag) || !etag.endsWith('"')) return etag;
  return `${etag.slice(0, -1)}-${coding}"`;
}

/**
 * The tag of an If-None-Match header that matches `etag`: RFC 9110's weak comparison (a `W/` on
 * either side is ignored) over the header's list, the coding suffix ignored; `*` matches any
 * current representation. The client's own tag is returned, so a 304 names the representation the
 * client holds. Undefined when none matches.
 */
export function matchingTag(header: string | undefined, etag: string): string | undefined {
  if (header === undefined) return undefined;
  const wanted = opaque(etag);
  for (const tag of header.split(',')) {
    const t = tag.trim();
    if (t === '*') return etag;
    if (t && opaque(t) === wanted) return t;
  }
  return undefined;
}

/**
 * Sets `etag` on the reply and, when If-None-Match matches it, turns the reply into a 304 that names
 * the client's tag. Returns true when the caller should send the 304 (with no body).
 */
export function notModified(request: FastifyRequest, reply: FastifyReply, etag: string): boolean {
  reply.header('etag', etag);
  const matched = matchingTag(request.headers['if-none-match'], etag);
  if (matched === undefined) return false;
  reply.code(304).header('etag', matched);
  return true;
}

/**
 * A record's tag is its revision (what If-Match checks: `"r3"`) followed by `~` and a digest of
 * the body sent: the body also shows what the record cites (a source's publisher, a candidate's
 * name in a result), which changes without a new revision, and a 304 must never answer for a body
 * that changed (RFC 9110 §8.8.3). If-Match compares the revision part only, so an edit of another
 * record never turns a write into a 412.
 */
const DIGEST = /~[A-Za-z0-9_-]*"$/;

/** The digest part of a digestTag: the first 16 characters of the body's SHA-1, base64url. */
export function bodyDigest(body: string | Buffer): string {
  return createHash('sha1').update(body).digest('base64url').slice(0, 16);
}

/** `"prefix~digest"`: the revision tag `prefix` (quoted) with the digest of a body (bodyDigest). */
export function withDigest(prefix: string, digest: string): string {
  return `${prefix.slice(0, -1)}~${digest}"`;
}

/** `"prefix~digest"`: the revision tag `prefix` (quoted) with a digest of `body`. */
export function digestTag(prefix: string, body: string | Buffer): string {
  return withDigest(prefix, bodyDigest(body));
}

/** The revision part of a tag: without the coding suffix and the digest. */
const revisionOf = (tag: string) => tag.replace(CODING_SUFFIX, '"').replace(DIGEST, '"');

/**
 * Whether an If-Match header admits a write to a resource whose revision tag is `current`
 * (undefined while it has none): RFC 9110's strong comparison over the header's list (a weak tag
 * never matches), of the revision part (the coding suffix of a compressed read and the body
 * digest ignored), and `*` for any current one.
 */
export function ifMatchAdmits(header: string, current: string | undefined): boolean {
  if (current === undefined) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || (!t.startsWith('W/') && revisionOf(t) === current);
  });
}
