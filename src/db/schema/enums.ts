import { pgEnum } from 'drizzle-orm/pg-core';

// Value lists live here once; zod schemas and the OpenAPI document read them from the enums.
export const electionType = pgEnum('election_type', ['presidential', 'parliamentary', 'referendum', 'local']);

// NIST SP 1500-100 v2 ResultsStatus, in the CDF's own spelling.
export const resultStatus = pgEnum('result_status', [
  'unofficial-partial',
  'unofficial-complete',
  'certified',
  'recount',
  'correction',
]);

export type ResultStatus = (typeof resultStatus.enumValues)[number];

/** The statuses whose figures may still change: preliminary, in the API's words. */
export const preliminaryStatuses = resultStatus.enumValues.filter((status) => status.startsWith('unofficial'));

export const isPreliminary = (status: ResultStatus): boolean => preliminaryStatuses.includes(status);

// What a line of a result is: a candidate, a party's list, an option of a ballot question ("Yes"),
// "against all", or another count a source publishes beside them (both options marked, invalid,
// blank, independents' seats): NIST's "other" counts.
export const selectionKind = pgEnum('selection_kind', ['candidate', 'against-all', 'party', 'option', 'other']);

// What is decided within an election: a person (or several) by name, seats by party lists, or a
// question put to the voters.
export const contestKind = pgEnum('contest_kind', ['candidate', 'party-list', 'ballot-question']);

// Reporting units from the country down (AP's reporting units, NIST's GpUnits). A city that ranks
// as a region (Kazakhstan's Astana, Almaty and Shymkent) is at level `region`; `city` is a city
// within a region.
export const areaLevel = pgEnum('area_level', ['country', 'region', 'city', 'district', 'polling-station']);

export type AreaLevel = (typeof areaLevel.enumValues)[number];

// A party, a public association that nominates (common in Kazakhstan), or an alliance of them.
export const organisationKind = pgEnum('organisation_kind', ['party', 'public-association', 'alliance', 'other']);

export const outcome = pgEnum('outcome', ['elected', 'defeated', 'advanced-to-runoff']);

export const sourceKind = pgEnum('source_kind', ['official', 'news']);

// Which total a published percentage was divided by.
export const percentBase = pgEnum('percent_base', ['lines-total', 'ballots-cast', 'valid-votes', 'unknown']);

// What a name is: the record's name in a language, its short form or abbreviation, another
// spelling seen in a source (a transliteration, a misspelling the press uses), or a name it had.
export const nameKind = pgEnum('name_kind', ['name', 'short', 'abbreviation', 'variant', 'former']);

// Other datasets' ids for a record. ISO 3166-2 codes are the areas' own isoCode column.
export const identifierScheme = pgEnum('identifier_scheme', ['wikidata', 'ocd-id', 'parlgov', 'electionguide']);

// A race call's status (AP's raceCallStatus, in this API's words): too early or too close to call,
// called (the winners named), a runoff (the candidates advancing named), or uncalled: no call
// stands, the retraction of an earlier one.
export const raceCallStatus = pgEnum('race_call_status', ['too-early', 'too-close', 'called', 'runoff', 'uncalled']);

export type RaceCallStatus = (typeof raceCallStatus.enumValues)[number];
