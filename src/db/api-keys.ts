// API keys: created, listed and revoked by `npm run keys:*`, checked by the auth plugin. Only a
// SHA-256 of each token is stored; the token itself is shown once.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { asc, eq, or, sql } from 'drizzle-orm';
import type { Db } from './client.js';
import { apiKeys } from './schema/index.js';

export type Scope = (typeof apiKeys.$inferSelect)['scope'];
export type ApiKey = Pick<typeof apiKeys.$inferSelect, 'id' | 'name' | 'scope'>;

const grants: Record<Scope, Scope[]> = { read: ['read'], write: ['read', 'write'] };

/** Whether `key` may do what `scope` allows: a write key also reads. */
export const allows = (key: ApiKey, scope: Scope): boolean => grants[key.scope].includes(scope);

const TOKEN_PREFIX = 'erk_';
// "erk_" plus 8 characters of the random part: enough to find the row, useless to an attacker.
const LOOKUP_LENGTH = TOKEN_PREFIX.length + 8;

const sha256 = (token: string) => createHash('sha256').update(token).digest();

/** Tokens carry 256 random bits, so a fast hash is safe to store (no password stretching needed). */
function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export async function createKey(db: Db, name: string, scope: Scope): Promise<{ key: ApiKey; token: string }> {
  const token = newToken();
  const [key] = await db
    .insert(apiKeys)
    .values({
      name,
      scope,
      tokenPrefix: token.slice(0, LOOKUP_LENGTH),
      tokenHash: sha256(token).toString('hex'),
    })
    .returning({ id: apiKeys.id, name: apiKeys.name, scope: apiKeys.scope });
  return { key: key!, token };
}

export function listKeys(db: Db) {
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      scope: apiKeys.scope,
      createdAt: apiKeys.createdAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .orderBy(asc(apiKeys.id));
}

/** Revokes by id or name; returns the revoked key, or undefined when none matched. */
export async function revokeKey(db: Db, idOrName: string) {
  const byId = /^\d+$/.test(idOrName) ? eq(apiKeys.id, Number(idOrName)) : undefined;
  const [key] = await db
    .update(apiKeys)
    .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
    .where(or(byId, eq(apiKeys.name, idOrName)))
    .returning({ id: apiKeys.id, name: apiKeys.name, revokedAt: apiKeys.revokedAt });
  return key;
}

export type TokenCheck = { ok: true; key: ApiKey } | { ok: false; reason: 'unknown' | 'revoked' };

/** The public part of a token that finds its row (not secret: it is stored in clear and listed). */
const lookupPrefix = (token: string): string | undefined =>
  token.startsWith(TOKEN_PREFIX) && token.length >= LOOKUP_LENGTH ? token.slice(0, LOOKUP_LENGTH) : undefined;

/** Finds the key a token belongs to, comparing hashes in constant time. */
export async function checkToken(db: Db, token: string): Promise<TokenCheck> {
  const prefix = lookupPrefix(token);
  if (!prefix) return { ok: false, reason: 'unknown' };
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.tokenPrefix, prefix));
  const presented = sha256(token);
  // Compare even when no row matched, so timing does not tell a known prefix from an unknown one.
  const stored = row ? Buffer.from(row.tokenHash, 'hex') : Buffer.alloc(presented.length);
  const equal = timingSafeEqual(presented, stored) && row !== undefined;
  if (!equal || !row) return { ok: false, reason: 'unknown' };
  if (row.revokedAt) return { ok: false, reason: 'revoked' };
  return { ok: true, key: { id: row.id, name: row.name, scope: row.scope } };
}
