/**
 * Whether an If-None-Match header matches `etag`: RFC 9110's weak comparison (a `W/` on either
 * side is ignored) over the header's list, and `*`. The one comparison for every 304 the routes
 * answer themselves; it matches at least whatever @fastify/etag would, so that plugin never turns
 * a route's answer into a 304 after the route has chosen a Content-Encoding.
 */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = (tag: string) => (tag.startsWith('W/') ? tag.slice(2) : tag);
  const wanted = opaque(etag);
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || opaque(t) === wanted;
  });
}

/**
 * Whether an If-Match header admits a write to a resource whose ETag is `current` (undefined while
 * it has none): RFC 9110's strong comparison over the header's list, and `*` for any current one.
 */
export function ifMatchAdmits(header: string, current: string | undefined): boolean {
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return current !== undefined && (t === '*' || t === current);
  });
}
