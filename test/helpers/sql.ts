import type { SQL } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';

// The same helper the API uses, for tests that read tables directly.
export { rowsOf } from '../../src/db/rows.js';

/**
 * What the database answers a statement: 'done', or the messages of its error and of every cause
 * under it (Drizzle wraps the driver's error), joined with ' | '.
 */
export function answerTo(db: Pick<Db, 'execute'>, statement: SQL): Promise<string> {
  return db.execute(statement).then(
    () => 'done',
    (err: unknown) => {
      const messages: string[] = [];
      for (let e = err as { message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e)
        messages.push(String(e.message));
      return messages.join(' | ');
    },
  );
}
