import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
} from 'drizzle-orm/pg-core';
import { candidates } from './candidates.js';
import { elections } from './elections.js';
import { outcome, percentBase, resultStatus, selectionKind } from './enums.js';
import { organisations } from './organisations.js';
import { sources } from './sources.js';

// Append-only: a correction is a new version, never an update of an old one.
export const resultVersions = pgTable(
  'result_versions',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    electionId: text('election_id')
      .notNull()
      .references(() => elections.id),
    number: integer('number').notNull(),
    status: resultStatus('status').notNull(),
    // ISO 8601 date or date-time of the figures, as precise as the source states it.
    asOf: text('as_of'),
    // true when every line of the result is listed; false when the source gave only some.
    complete: boolean('complete').notNull(),
    publishedBy: text('published_by'),
    registeredVoters: bigint('registered_voters', { mode: 'number' }),
    ballotsCast: bigint('ballots_cast', { mode: 'number' }),
    validVotes: bigint('valid_votes', { mode: 'number' }),
    invalidVotes: bigint('invalid_votes', { mode: 'number' }),
    turnoutPercent: numeric('turnout_percent', { precision: 6, scale: 3, mode: 'number' }),
    percentBase: percentBase('percent_base').notNull(),
    note: text('note'),
    sourceId: text('source_id')
      .notNull()
      .references(() => sources.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('result_versions_election_number_key').on(t.electionId, t.number)],
);

// Sources beyond the version's own that a version draws on, and what each one covers.
export const resultVersionSources = pgTable(
  'result_version_sources',
  {
    versionId: integer('version_id')
      .notNull()
      .references(() => resultVersions.id),
    sourceId: text('source_id')
      .notNull()
      .references(() => sources.id),
    covers: text('covers').notNull(),
  },
  (t) => [primaryKey({ columns: [t.versionId, t.sourceId] })],
);

// One line of a result version: a candidate, or a labelled non-candidate line.
export const voteShares = pgTable(
  'vote_shares',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    versionId: integer('version_id')
      .notNull()
      .references(() => resultVersions.id),
    kind: selectionKind('kind').notNull(),
    candidateId: text('candidate_id').references(() => candidates.id),
    label: text('label'),
    nominatorId: text('nominator_id').references(() => organisations.id),
    votes: bigint('votes', { mode: 'number' }),
    // The percentage exactly as published; its denominator is the version's percent_base.
    percent: numeric('percent', { precision: 6, scale: 3, mode: 'number' }),
    rank: integer('rank'),
    outcome: outcome('outcome'),
    // The editor confirmed that `percent` is what the source printed although it disagrees with
    // votes / denominator by more than 0.01 (a publisher's rounding or a misprint kept on purpose).
    publishedAsIs: boolean('published_as_is').notNull().default(false),
  },
  (t) => [
    index('vote_shares_version_idx').on(t.versionId, t.id),
    index('vote_shares_candidate_idx').on(t.candidateId),
    check('vote_shares_candidate_kind', sql`(${t.kind} = 'candidate') = (${t.candidateId} is not null)`),
    check('vote_shares_label_kind', sql`${t.kind} = 'candidate' or ${t.label} is not null`),
    check('vote_shares_percent_range', sql`${t.percent} between 0 and 100`),
    check('vote_shares_votes_nonnegative', sql`${t.votes} >= 0`),
  ],
);
