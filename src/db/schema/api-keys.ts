import { index, integer, pgEnum, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export const apiKeyScope = pgEnum('api_key_scope', ['read', 'write']);

// Only a SHA-256 of each token is kept: the token itself is shown once, at creation.
export const apiKeys = pgTable('api_keys', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  name: text('name').notNull().unique(),
  // The token's first characters, to find its row without comparing every hash.
  tokenPrefix: text('token_prefix').notNull().unique(),
  tokenHash: text('token_hash').notNull(),
  scope: apiKeyScope('scope').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});

/** Which key made which write, when. Rows are only ever inserted. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    keyId: integer('key_id')
      .notNull()
      .references(() => apiKeys.id),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    action: text('action').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    resourceType: text('resource_type').notNull(),
    resourceId: text('resource_id').notNull(),
    requestId: text('request_id'),
    // The request body as received (never headers: no token can land here).
    request: text('request'),
  },
  (t) => [index('audit_log_resource_idx').on(t.resourceType, t.resourceId)],
);

/** The first response to each (key, Idempotency-Key), replayed to retries of the same request until it expires. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    keyId: integer('key_id')
      .notNull()
      .references(() => apiKeys.id),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    statusCode: integer('status_code'),
    location: text('location'),
    etag: text('etag'),
    contentType: text('content_type'),
    body: text('body'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.key] }), index('idempotency_keys_created_at_idx').on(t.createdAt)],
);
