import { sql } from 'drizzle-orm';
import {
  check,
  foreignKey,
  index,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
} from 'drizzle-orm/pg-core';
import { candidates } from './candidates.js';
import { contests } from './contests.js';
import { elections } from './elections.js';
import { raceCallStatus } from './enums.js';
import { organisations } from './organisations.js';
import { sources } from './sources.js';

// A race call: who says a contest is decided (or too early, too close, going to a runoff), when,
// on whose authority. Its own record, apart from the figures, and append-only like them: a
// retraction or a new call is the contest's next call, numbered 1, 2, 3, ...; the old ones stay.
export const raceCalls = pgTable(
  'race_calls',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    electionId: text('election_id')
      .notNull()
      .references(() => elections.id),
    contestId: integer('contest_id')
      .notNull()
      .references(() => contests.id),
    number: integer('number').notNull(),
    status: raceCallStatus('status').notNull(),
    // Who made the call: the electoral authority, or a news organisation's decision desk.
    sourceId: text('source_id')
      .notNull()
      .references(() => sources.id),
    // When the caller made it (as they state it); created_at is when it was recorded here.
    calledAt: timestamp('called_at', { withTimezone: true }).notNull(),
    note: text('note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('race_calls_contest_number_key').on(t.contestId, t.number),
    foreignKey({
      name: 'race_calls_contest_election_fk',
      columns: [t.contestId, t.electionId],
      foreignColumns: [contests.id, contests.electionId],
    }),
    check('race_calls_number_positive', sql`${t.number} >= 1`),
  ],
);

// The winners a call names (status called), or the candidates advancing (runoff), in the order
// given: a candidate, a party's list, or a ballot question's option by its label.
export const raceCallWinners = pgTable(
  'race_call_winners',
  {
    callId: integer('call_id')
      .notNull()
      .references(() => raceCalls.id),
    position: smallint('position').notNull(),
    candidateId: text('candidate_id').references(() => candidates.id),
    organisationId: text('organisation_id').references(() => organisations.id),
    option: text('option'),
  },
  (t) => [
    primaryKey({ columns: [t.callId, t.position] }),
    check('race_call_winners_one_subject', sql`num_nonnulls(${t.candidateId}, ${t.organisationId}, ${t.option}) = 1`),
    // For a merge, which points the winners at the survivor.
    index('race_call_winners_candidate_idx')
      .on(t.candidateId)
      .where(sql`${t.candidateId} is not null`),
    index('race_call_winners_organisation_idx')
      .on(t.organisationId)
      .where(sql`${t.organisationId} is not null`),
  ],
);
