// The first response to each (API key, Idempotency-Key), replayed to retries of the same request
// until the key expires.
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Db } from './client.js';
import { idempotencyKeys } from './schema/index.js';

export type StoredResponse = typeof idempotencyKeys.$inferSelect;

const expiredBefore = (ttlHours: number) => sql`now() - make_interval(hours => ${ttlHours})`;

/**
 * Claims `key` for this request: true when it was free or had expired (an expired claim is taken
 * over as new). A concurrent request with the same key waits on its row until the first commits or
 * rolls back.
 */
export async function claimKey(db: Db, keyId: number, key: string, requestHash: string, ttlHours: number) {
  const [claimed] = await db
    .insert(idempotencyKeys)
    .values({ keyId, key, requestHash })
    .onConflictDoUpdate({
      target: [idempotencyKeys.keyId, idempotencyKeys.key],
      set: {
        requestHash,
        statusCode: null,
        location: null,
        etag: null,
        contentType: null,
        body: null,
        createdAt: sql`now()`,
      },
      setWhere: lt(idempotencyKeys.createdAt, expiredBefore(ttlHours)),
    })
    .returning({ key: idempotencyKeys.key });
  return claimed !== undefined;
}

export async function findStoredResponse(db: Db, keyId: number, key: string): Promise<StoredResponse | undefined> {
  const [row] = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.keyId, keyId), eq(idempotencyKeys.key, key)));
  return row;
}

export async function storeResponse(
  db: Db,
  keyId: number,
  key: string,
  response: Pick<StoredResponse, 'statusCode' | 'location' | 'etag' | 'contentType' | 'body'>,
) {
  await db
    .update(idempotencyKeys)
    .set(response)
    .where(and(eq(idempotencyKeys.keyId, keyId), eq(idempotencyKeys.key, key)));
}

/** Deletes the keys older than `ttlHours`; returns how many. */
export async function deleteExpiredKeys(db: Db, ttlHours: number): Promise<number> {
  const rows = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, expiredBefore(ttlHours)))
    .returning({ key: idempotencyKeys.key });
  return rows.length;
}
