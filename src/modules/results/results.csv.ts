// A result version as CSV: one row per line of each area the view shows (the area asked for, then
// with ?level= each area below it), and one row for an area that has turnout or counting progress
// but no lines. Every
// row names its area and the area's code, so a region-by-region file opens ready for a map tool.
import type { ElectionRow } from '../elections/elections.repository.js';
import { voteShareColumns } from '../vote-shares/vote-shares.columns.js';
import type { Results } from './results.service.js';

/** The area's counting progress, as published, and the share of units reporting (derived). */
export const countingCsvColumns = [
  'unitsLevel',
  'unitsReporting',
  'unitsTotal',
  'unitsReportingPercent',
  'ballotsCounted',
  'expectedVotes',
] as const;

/** The vote-share columns, counting progress and the credit line to print with the figures. */
export const resultsCsvColumns = [...voteShareColumns, ...countingCsvColumns, 'attribution'] as const;

type Figures = Pick<Results, 'area' | 'turnout' | 'counting' | 'derived' | 'lines' | 'complete'>;

const hasFigures = (b: Figures) => [...Object.values(b.turnout), ...Object.values(b.counting)].some((v) => v !== null);

export function* resultsCsvRows(election: ElectionRow['election'], results: Results) {
  const blocks: Figures[] = [results, ...results.areas];
  for (const [i, block] of blocks.entries()) {
    const version = {
      electionId: election.id,
      countryCode: election.countryCode,
      date: election.date,
      type: election.type,
      contest: results.contest.id,
      version: results.version,
      status: results.status,
      asOf: results.asOf,
      complete: block.complete,
      percentBase: results.percentBase,
      sourceId: results.sources[0]?.id,
      areaId: block.area.id,
      ...block.turnout,
      current: results.current,
      preliminary: results.preliminary,
      areaName: block.area.name,
      areaLevel: block.area.level,
      areaIsoCode: block.area.isoCode,
      ...block.counting,
      unitsReportingPercent: block.derived.unitsReportingPercent,
      attribution: results.attribution,
    };
    // The top area has a row only when it has figures; each area below was given by the source.
    if (block.lines.length === 0 && (i > 0 || hasFigures(block))) yield version;
    for (const line of block.lines)
      yield {
        ...version,
        id: line.id,
        kind: line.kind,
        name: line.name,
        candidateId: line.candidate?.id,
        nominatorId: line.nominator?.id,
        nominatorName: line.nominator?.name,
        votes: line.votes,
        percent: line.percent,
        rank: line.rank,
        outcome: line.outcome,
        seats: line.seats,
        publishedAsIs: line.publishedAsIs,
      };
  }
}
