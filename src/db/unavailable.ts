// Socket errors and SQLSTATEs that mean "no connection to the database", not "the query is wrong":
// refused, dropped, the server shutting down (57P01-03), too many clients (53300).
const NO_CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE']);
const NO_CONNECTION_SQLSTATE = /^(08|57P0[1-3]|53300)/;
// pg's own: a dropped connection, and no pooled connection within DB_CONNECT_TIMEOUT_MS.
const NO_CONNECTION_MESSAGE = /Connection terminated|timeout exceeded when trying to connect/i;
// 57014: statement_timeout (DB_QUERY_TIMEOUT_MS) cancelled a statement; pg's read timeout the same
// on the client's side: a server too slow to answer.
const TOO_SLOW = (code: string, message: string) => code === '57014' || /Query read timeout/i.test(message);

/**
 * Why the database could not answer now, from `error` or its cause chain (Drizzle wraps the
 * driver's): no connection, or too slow; undefined for any other error (a query that is wrong).
 */
export function databaseTrouble(error: unknown): 'no-connection' | 'too-slow' | undefined {
  for (
    let e = error as { code?: unknown; cause?: unknown; message?: unknown } | undefined;
    e;
    e = e.cause as typeof e
  ) {
    const code = typeof e.code === 'string' ? e.code : '';
    const message = typeof e.message === 'string' ? e.message : '';
    if (NO_CONNECTION_CODES.has(code) || NO_CONNECTION_SQLSTATE.test(code) || NO_CONNECTION_MESSAGE.test(message))
      return 'no-connection';
    if (TOO_SLOW(code, message)) return 'too-slow';
  }
  return undefined;
}

/** True when the database could not answer now (either kind): worth a 503. */
export const isDatabaseUnavailable = (error: unknown): boolean => databaseTrouble(error) !== undefined;
