import { sql } from 'drizzle-orm';
import { bigserial, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

// The change feed: one row per change to public data, written by triggers on the tables whatever
// path writes (the API, `npm run import`, db:synth), in commit order. Every writer takes one
// transaction-scoped advisory lock before its rows get their ids (migration 0013), so ids are
// handed out in the order transactions commit: a reader that has seen id n has seen every
// committed change up to n, and a cursor never skips one that commits later.
export const changes = pgTable(
  'changes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    // When the change was recorded: the clock when its transaction held the feed's lock, so that
    // times follow ids (now() is when the transaction began).
    at: timestamp('at', { withTimezone: true })
      .notNull()
      .default(sql`clock_timestamp()`),
    // results, election, candidate, organisation, source, area.
    kind: text('kind').notNull(),
    // created, updated, published (a result version), merged (into the record `url` names).
    action: text('action').notNull(),
    resourceId: text('resource_id').notNull(),
    electionId: text('election_id'),
    countryCode: text('country_code'),
    contest: text('contest'),
    version: integer('version'),
    url: text('url').notNull(),
  },
  (t) => [index('changes_election_idx').on(t.electionId, t.id), index('changes_country_idx').on(t.countryCode, t.id)],
);
