import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  boolean,
  char,
  check,
  foreignKey,
  index,
  integer,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
} from 'drizzle-orm/pg-core';
import { areas } from './areas.js';
import { candidates } from './candidates.js';
import { contests } from './contests.js';
import { elections } from './elections.js';
import { areaLevel, outcome, percentBase, resultStatus, selectionKind } from './enums.js';
import { organisations } from './organisations.js';
import { sources } from './sources.js';

// Counting progress, as published (AP's precinctsReporting, NIST's SubUnitsReported/TotalSubUnits):
// which units are counted (polling stations), how many have reported of how many, the ballots
// counted so far, and an expected vote only where a source publishes one. Null: not published.
/** A check that counting figures are whole and consistent (null passes: not published). */
const countingCheck = (
  name: string,
  t: { unitsReporting: AnyPgColumn; unitsTotal: AnyPgColumn; ballotsCounted: AnyPgColumn; expectedVotes: AnyPgColumn },
) =>
  check(
    name,
    sql`${t.unitsReporting} >= 0 and ${t.unitsTotal} >= 0 and ${t.ballotsCounted} >= 0 and ${t.expectedVotes} >= 0
      and ${t.unitsReporting} <= ${t.unitsTotal}`,
  );

const counting = () => ({
  unitsLevel: areaLevel('units_level'),
  unitsReporting: integer('units_reporting'),
  unitsTotal: integer('units_total'),
  ballotsCounted: bigint('ballots_counted', { mode: 'number' }),
  expectedVotes: bigint('expected_votes', { mode: 'number' }),
});

// Append-only: a correction is a new version, never an update of an old one.
export const resultVersions = pgTable(
  'result_versions',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    electionId: text('election_id')
      .notNull()
      .references(() => elections.id),
    // Versions are numbered per contest: 1, 2, 3, ... in the order they were published.
    contestId: integer('contest_id')
      .notNull()
      .references(() => contests.id),
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
    ...counting(),
    percentBase: percentBase('percent_base').notNull(),
    note: text('note'),
    sourceId: text('source_id')
      .notNull()
      .references(() => sources.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('result_versions_contest_number_key').on(t.contestId, t.number),
    foreignKey({
      name: 'result_versions_contest_election_fk',
      columns: [t.contestId, t.electionId],
      foreignColumns: [contests.id, contests.electionId],
    }),
    countingCheck('result_versions_counting', t),
  ],
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

// The figures a version gives for an area other than its contest's own (whose figures are the
// version's columns): turnout, and the lines that name the area.
export const resultAreas = pgTable(
  'result_areas',
  {
    versionId: integer('version_id')
      .notNull()
      .references(() => resultVersions.id),
    areaId: text('area_id')
      .notNull()
      .references(() => areas.id),
    registeredVoters: bigint('registered_voters', { mode: 'number' }),
    ballotsCast: bigint('ballots_cast', { mode: 'number' }),
    validVotes: bigint('valid_votes', { mode: 'number' }),
    invalidVotes: bigint('invalid_votes', { mode: 'number' }),
    turnoutPercent: numeric('turnout_percent', { precision: 6, scale: 3, mode: 'number' }),
    ...counting(),
    // true when the source lists every line for this area.
    complete: boolean('complete').notNull().default(false),
    // The editor kept figures that do not add up to the parent's as the source printed them.
    publishedAsIs: boolean('published_as_is').notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.versionId, t.areaId] }),
    index('result_areas_area_idx').on(t.areaId),
    countingCheck('result_areas_counting', t),
  ],
);

// One line of a result version: a candidate, a party list, a ballot option, or a labelled other
// line, for the contest's own area or (area_id set) for one of the version's areas.
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
    // The organisation behind the line: a candidate's nominator, or the party of a party line.
    nominatorId: text('nominator_id').references(() => organisations.id),
    // Null: the contest's own area; else one of the version's result_areas.
    areaId: text('area_id').references(() => areas.id),
    votes: bigint('votes', { mode: 'number' }),
    // The percentage exactly as published; its denominator is the version's percent_base.
    percent: numeric('percent', { precision: 6, scale: 3, mode: 'number' }),
    rank: integer('rank'),
    outcome: outcome('outcome'),
    // Seats the line won, where the contest fills several (party lists, multi-seat contests).
    seats: integer('seats'),
    // The editor confirmed that `percent` is what the source printed although it disagrees with
    // votes / denominator by more than 0.01 (a publisher's rounding or a misprint kept on purpose).
    publishedAsIs: boolean('published_as_is').notNull().default(false),
    // The country of the line's election, copied in by the vote_shares_country trigger on every
    // insert (migration 0020; whatever an insert gives is replaced): a country's lines in id order
    // come from one index (vote_shares_country_idx) instead of a walk of every line joined to its
    // election. An election's country is part of its id and never changes.
    countryCode: char('country_code', { length: 2 }),
  },
  (t) => [
    index('vote_shares_version_idx').on(t.versionId, t.id),
    index('vote_shares_country_idx').on(t.countryCode, t.id),
    index('vote_shares_candidate_idx').on(t.candidateId),
    index('vote_shares_nominator_idx').on(t.nominatorId),
    check('vote_shares_candidate_kind', sql`(${t.kind} = 'candidate') = (${t.candidateId} is not null)`),
    // As text: PostgreSQL refuses an enum value added in the same transaction (migration 0009).
    check('vote_shares_label_kind', sql`${t.kind}::text in ('candidate', 'party') or ${t.label} is not null`),
    check('vote_shares_party_kind', sql`${t.kind}::text <> 'party' or ${t.nominatorId} is not null`),
    check('vote_shares_percent_range', sql`${t.percent} between 0 and 100`),
    check('vote_shares_votes_nonnegative', sql`${t.votes} >= 0`),
    check('vote_shares_seats_nonnegative', sql`${t.seats} >= 0`),
  ],
);
