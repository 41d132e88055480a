import { sql } from 'drizzle-orm';
import { check, index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

// A person or party recorded twice and merged: the id merged away keeps answering, with a 301 to
// the record it was merged into. A merge into a record that is later merged itself moves the
// redirect along, so a redirect is always one hop.
export const redirects = pgTable(
  'redirects',
  {
    kind: text('kind').notNull(),
    fromId: text('from_id').notNull(),
    intoId: text('into_id').notNull(),
    mergedAt: timestamp('merged_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.kind, t.fromId] }),
    index('redirects_into_idx').on(t.kind, t.intoId),
    check('redirects_kind', sql`${t.kind} in ('person', 'party')`),
  ],
);
