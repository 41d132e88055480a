import type { ProblemFieldError } from '../../lib/problem.js';
import type { ResultsInput } from './results.schemas.js';

type Status = ResultsInput['status'];

export interface ValidationContext {
  /** Statuses of the election's existing versions, oldest first. */
  previousStatuses: Status[];
  candidateIds: Set<string>;
  organisationIds: Set<string>;
  sourceIds: Set<string>;
}

const PERCENT_SUM_TOLERANCE = 0.1;
const PERCENT_TOLERANCE = 0.01;
const isUnofficial = (s: Status) => s.startsWith('unofficial');

/**
 * The rules a new result version must keep, as every problem found (empty when it is valid).
 * Pure: the caller looks up which ids exist and what came before, so the rules test without I/O.
 */
export function validateResults(input: ResultsInput, ctx: ValidationContext): ProblemFieldError[] {
  const errors: ProblemFieldError[] = [];
  const fail = (name: string, message: string) => errors.push({ in: 'body', name, message });

  const last = ctx.previousStatuses.at(-1);
  if (last === 'certified' && (isUnofficial(input.status) || input.status === 'certified'))
    fail('status', `the current version is certified: only a recount or correction can follow it, not ${input.status}`);
  else if (isUnofficial(input.status) && ctx.previousStatuses.includes('certified'))
    fail('status', 'results were certified before: an unofficial version cannot follow');

  if (!ctx.sourceIds.has(input.sourceId)) fail('sourceId', `no source has the id '${input.sourceId}'`);
  input.additionalSources.forEach((s, i) => {
    if (!ctx.sourceIds.has(s.sourceId)) fail(`additionalSources.${i}.sourceId`, `no source has the id '${s.sourceId}'`);
    if (s.sourceId === input.sourceId) fail(`additionalSources.${i}.sourceId`, "is already the version's own source");
    const first = input.additionalSources.findIndex((other) => other.sourceId === s.sourceId);
    if (first < i) fail(`additionalSources.${i}.sourceId`, `repeats additionalSources.${first}`);
  });

  const t = input.turnout;
  for (const [field, value] of Object.entries(t))
    if (field !== 'turnoutPercent' && value !== null && value < 0) fail(`turnout.${field}`, 'must be 0 or more');
  if (t.turnoutPercent !== null && (t.turnoutPercent < 0 || t.turnoutPercent > 100))
    fail('turnout.turnoutPercent', 'must be between 0 and 100');
  if (t.ballotsCast !== null && t.registeredVoters !== null && t.ballotsCast > t.registeredVoters)
    fail('turnout.ballotsCast', `is more than the registered voters (${t.registeredVoters})`);

  const seen = new Map<string, number>();
  input.lines.forEach((line, i) => {
    const at = `lines.${i}`;
    if (line.kind === 'candidate') {
      if (!line.candidateId) fail(`${at}.candidateId`, 'is required for a candidate line');
      else if (!ctx.candidateIds.has(line.candidateId))
        fail(`${at}.candidateId`, `no candidate has the id '${line.candidateId}'`);
      if (line.label !== null)
        fail(`${at}.label`, 'is for non-candidate lines; a candidate line takes its name from the candidate');
    } else {
      if (!line.label) fail(`${at}.label`, `is required for a ${line.kind} line`);
      if (line.candidateId !== null) fail(`${at}.candidateId`, `must be null on a ${line.kind} line`);
      if (line.rank !== null) fail(`${at}.rank`, 'ranks order candidates only');
    }
    if (line.nominatorId !== null && !ctx.organisationIds.has(line.nominatorId))
      fail(`${at}.nominatorId`, `no organisation has the id '${line.nominatorId}'`);
    const key = line.candidateId ? `candidate ${line.candidateId}` : `line '${line.label ?? ''}'`;
    const first = seen.get(key);
    if (first !== undefined) fail(at, `repeats the ${key} of lines.${first}`);
    else seen.set(key, i);
    if (line.votes !== null && line.votes < 0) fail(`${at}.votes`, 'must be 0 or more');
    if (line.percent !== null && (line.percent < 0 || line.percent > 100))
      fail(`${at}.percent`, 'must be between 0 and 100');
  });

  const allPercents = input.lines.every((l) => l.percent !== null);
  if (input.complete && allPercents) {
    const sum = input.lines.reduce((s, l) => s + (l.percent ?? 0), 0);
    if (Math.abs(sum - 100) > PERCENT_SUM_TOLERANCE)
      fail(
        'lines',
        `the percentages of a complete version must sum to 100 ± ${PERCENT_SUM_TOLERANCE}, not ${round(sum, 3)}`,
      );
  }

  const knownVotes = input.lines.map((l) => l.votes).filter((v): v is number => v !== null);
  const votesTotal = knownVotes.reduce((s, v) => s + v, 0);
  if (t.ballotsCast !== null && knownVotes.length > 0 && votesTotal > t.ballotsCast)
    fail('lines', `the lines' votes (${votesTotal}) are more than the ballots cast (${t.ballotsCast})`);

  // The percent check needs trustworthy votes: with a negative count or a repeated line the totals
  // mean nothing, and those errors are already reported.
  const votesSound = errors.every((e) => !/^lines\.\d+(\.votes)?$/.test(e.name));
  const denominator = percentDenominator(input, knownVotes.length === input.lines.length ? votesTotal : null);
  if (denominator && votesSound)
    input.lines.forEach((line, i) => {
      if (line.votes === null || line.percent === null || line.votes < 0 || line.publishedAsIs) return;
      const computed = (line.votes / denominator) * 100;
      if (Math.abs(computed - line.percent) > PERCENT_TOLERANCE)
        fail(
          `lines.${i}.percent`,
          `${line.percent} disagrees with votes / ${input.percentBase} = ${round(computed, 3)}; ` +
            'correct it, or set publishedAsIs if the source printed it so',
        );
    });
  return errors;
}

function percentDenominator(input: ResultsInput, linesTotal: number | null): number | null {
  switch (input.percentBase) {
    case 'lines-total':
      return input.complete ? linesTotal : null;
    case 'ballots-cast':
      return input.turnout.ballotsCast;
    case 'valid-votes':
      return input.turnout.validVotes;
    case 'unknown':
      return null;
  }
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
