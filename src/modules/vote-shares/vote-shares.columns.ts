// The flat columns of a result line, in order: the CSV export of /v1/vote-shares writes them and
// `npm run import` reads them, so an export can be edited and imported back as new versions.

/** Columns the import reads (an export writes these and the export-only ones below). */
export const lineColumns = [
  'electionId',
  'countryCode',
  'date',
  'type',
  'version',
  'status',
  'asOf',
  'complete',
  'percentBase',
  'sourceId',
  'registeredVoters',
  'ballotsCast',
  'validVotes',
  'invalidVotes',
  'turnoutPercent',
  'kind',
  'name',
  'candidateId',
  'nominatorId',
  'nominatorName',
  'votes',
  'percent',
  'rank',
  'outcome',
  'publishedAsIs',
] as const;

/** Derived by the API on export and ignored on import. */
export const exportOnlyColumns = ['id', 'current', 'preliminary'] as const;

/** The CSV of /v1/vote-shares and of /results: the import's columns and the export-only ones. */
export const voteShareColumns = ['id', ...lineColumns, 'current', 'preliminary'] as const;
