// SQLSTATE classes and socket errors that mean "the database is not there", not "the query is wrong".
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE']);
// 57014: statement_timeout (DB_QUERY_TIMEOUT_MS) cancelled a statement — a server too slow to answer.
const UNAVAILABLE_SQLSTATE = /^(08|57P0[1-3]|57014|53300)/;

/** True when `error` (or its cause chain) says the database could not answer now: worth a 503 or a retry. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown; message?: unknown } | undefined; e; ) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (UNAVAILABLE_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code)) return true;
    if (typeof e.message === 'string' && /Connection terminated|timeout exceeded when trying to connect|Query read timeout/i.test(e.message))
      return true;
    e = e.cause as typeof e;
  }
  return false;
}
