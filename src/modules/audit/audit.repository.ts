import { desc, eq, lt } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { apiKeys, auditLog } from '../../db/schema/index.js';

/** Newest first; `before` is the id of the last entry of the previous page. */
export function listAuditLog(db: Db, opts: { before?: number; limit: number }) {
  return db
    .select({ entry: auditLog, keyName: apiKeys.name })
    .from(auditLog)
    .innerJoin(apiKeys, eq(apiKeys.id, auditLog.keyId))
    .where(opts.before === undefined ? undefined : lt(auditLog.id, opts.before))
    .orderBy(desc(auditLog.id))
    .limit(opts.limit);
}
