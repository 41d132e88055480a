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

export const selectionKind = pgEnum('selection_kind', ['candidate', 'against-all']);

export const outcome = pgEnum('outcome', ['elected', 'defeated', 'advanced-to-runoff']);

export const sourceKind = pgEnum('source_kind', ['official', 'news']);

// Which total a published percentage was divided by.
export const percentBase = pgEnum('percent_base', ['lines-total', 'ballots-cast', 'valid-votes', 'unknown']);
