// The flat columns of a result line, in order: the CSV exports of /v1/vote-shares and of /results
// write them and `npm run import` reads them, so an export can be edited and imported back as new
// versions. A row names its contest and its area (the area's code is in every row, for map tools).

/** Columns the import reads (an export writes these and the export-only ones below). */
export const lineColumns = [
  'electionId',
  'countryCode',
  'date',
  'type',
  'contest',
  'version',
  'status',
  'asOf',
  'complete',
  'percentBase',
  'sourceId',
  'areaId',
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
  'seats',
  'publishedAsIs',
] as const;

/** Derived by the API on export and ignored on import (`attribution`: the results CSV's credit line). */
export const exportOnlyColumns = [
  'id',
  'current',
  'preliminary',
  'areaName',
  'areaLevel',
  'areaIsoCode',
  'attribution',
] as const;

/** The CSV of /v1/vote-shares and of /results: the import's columns and the export-only ones. */
export const voteShareColumns = [
  'id',
  ...lineColumns,
  'current',
  'preliminary',
  'areaName',
  'areaLevel',
  'areaIsoCode',
] as const;
