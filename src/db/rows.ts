import type { SQL } from 'drizzle-orm';
import type { Db } from './client.js';

/** The rows of a raw statement, on either engine (both drivers answer `{ rows }`). */
export async function rowsOf<Row = Record<string, unknown>>(db: Db, statement: SQL): Promise<Row[]> {
  const result: unknown = await db.execute(statement);
  return (result as { rows: Row[] }).rows;
}
