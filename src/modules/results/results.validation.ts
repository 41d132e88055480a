import type { ProblemFieldError } from '../../lib/problem.js';
import type { ResultsInput } from './results.schemas.js';

type Status = ResultsInput['status'];
type Line = ResultsInput['lines'][number];
type Turnout = ResultsInput['turnout'];
type Counting = ResultsInput['counting'];

/** What the rules need to know of an area. */
export interface AreaFacts {
  id: string;
  parentId: string | null;
  validFrom: string | null;
  validTo: string | null;
}

export interface ValidationContext {
  /** Statuses of the contest's existing versions, oldest first. */
  previousStatuses: Status[];
  candidateIds: Set<string>;
  organisationIds: Set<string>;
  sourceIds: Set<string>;
  /** The contest's own area, and polling day. */
  contestAreaId?: string;
  pollingDay?: string;
  /** The areas the version names and their ancestors. */
  areas?: Map<string, AreaFacts>;
  /** For each area the version names (and the contest's), the areas directly within it on polling day. */
  children?: Map<string, string[]>;
}

const PERCENT_SUM_TOLERANCE = 0.1;
const PERCENT_TOLERANCE = 0.01;
const isUnofficial = (s: Status) => s.startsWith('unofficial');
const COUNT_FIELDS = ['registeredVoters', 'ballotsCast', 'validVotes', 'invalidVotes'] as const;

/** How lines of two areas are matched: a candidate, a party, or a label. */
const lineKey = (l: Line) =>
  l.candidateId
    ? `candidate ${l.candidateId}`
    : l.kind === 'party' && l.nominatorId
      ? `party ${l.nominatorId}`
      : `line '${l.label ?? ''}'`;

interface Block {
  /** The field path of the block: '' for the contest's own area, 'areas.3.' for an area. */
  at: string;
  areaId: string;
  turnout: Turnout;
  counting: Counting;
  lines: Line[];
  complete: boolean;
  publishedAsIs: boolean;
}

const COUNTING_FIELDS = ['unitsReporting', 'unitsTotal', 'ballotsCounted'] as const;

/**
 * The rules a new result version must keep, as every problem found (empty when it is valid).
 * Pure: the caller looks up which ids and areas exist and what came before, so the rules test
 * without I/O.
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

  const hasTurnout = (t: Turnout) => Object.values(t).some((v) => v !== null);
  if (input.lines.length === 0 && !hasTurnout(input.turnout) && input.areas.length === 0)
    fail('lines', 'a version needs figures: lines, turnout, or areas');

  const own: Block = {
    at: '',
    areaId: ctx.contestAreaId ?? '',
    turnout: input.turnout,
    counting: input.counting,
    lines: input.lines,
    complete: input.complete,
    publishedAsIs: false,
  };
  checkBlock(own, input, ctx, fail, errors);
  const blocks = new Map<string, Block>([[own.areaId, own]]);
  // The first index of each area id: a repeat is named in one lookup, not a scan per area.
  const firstIndex = new Map<string, number>();
  input.areas.forEach((area, i) => {
    const block: Block = { at: `areas.${i}.`, ...area };
    const facts = ctx.areas?.get(area.areaId);
    if (!facts) fail(`areas.${i}.areaId`, `no area has the id '${area.areaId}'`);
    else {
      if (area.areaId === ctx.contestAreaId)
        fail(`areas.${i}.areaId`, "is the contest's own area: its figures are the version's turnout and lines");
      else if (ctx.contestAreaId && !within(facts, ctx.contestAreaId, ctx.areas!))
        fail(`areas.${i}.areaId`, `is not within the contest's area (${ctx.contestAreaId})`);
      const day = ctx.pollingDay;
      if (day && ((facts.validFrom && facts.validFrom > day) || (facts.validTo && facts.validTo < day)))
        fail(`areas.${i}.areaId`, `did not exist on polling day (${day})`);
    }
    const first = firstIndex.get(area.areaId);
    if (first !== undefined) fail(`areas.${i}.areaId`, `repeats areas.${first}`);
    else {
      firstIndex.set(area.areaId, i);
      blocks.set(area.areaId, block);
    }
    checkBlock(block, input, ctx, fail, errors);
  });
  if (ctx.areas) checkHierarchy(blocks, ctx.areas, ctx.children ?? new Map<string, string[]>(), fail);
  return errors;
}

function within(area: AreaFacts, ancestorId: string, areas: Map<string, AreaFacts>): boolean {
  for (let parent = area.parentId; parent; parent = areas.get(parent)?.parentId ?? null)
    if (parent === ancestorId) return true;
  return false;
}

/** The rules of one area's figures: counts, lines, and percentages against their base. */
function checkBlock(
  block: Block,
  input: ResultsInput,
  ctx: ValidationContext,
  fail: (name: string, message: string) => void,
  errors: ProblemFieldError[],
) {
  const { at } = block;
  const t = block.turnout;
  for (const field of COUNT_FIELDS) {
    const value = t[field];
    if (value !== null && value < 0) fail(`${at}turnout.${field}`, 'must be 0 or more');
  }
  if (t.turnoutPercent !== null && (t.turnoutPercent < 0 || t.turnoutPercent > 100))
    fail(`${at}turnout.turnoutPercent`, 'must be between 0 and 100');
  if (t.ballotsCast !== null && t.registeredVoters !== null && t.ballotsCast > t.registeredVoters)
    fail(`${at}turnout.ballotsCast`, `is more than the registered voters (${t.registeredVoters})`);
  const c = block.counting;
  if (c.unitsReporting !== null && c.unitsTotal !== null && c.unitsReporting > c.unitsTotal)
    fail(`${at}counting.unitsReporting`, `is more than the units in all (${c.unitsTotal})`);
  if (c.ballotsCounted !== null && t.ballotsCast !== null && c.ballotsCounted > t.ballotsCast)
    fail(`${at}counting.ballotsCounted`, `is more than the ballots cast (${t.ballotsCast})`);
  else if (c.ballotsCounted !== null && t.registeredVoters !== null && c.ballotsCounted > t.registeredVoters)
    fail(`${at}counting.ballotsCounted`, `is more than the registered voters (${t.registeredVoters})`);

  const errorsBefore = errors.length;
  const seen = new Map<string, number>();
  block.lines.forEach((line, i) => {
    const where = `${at}lines.${i}`;
    if (line.kind === 'candidate') {
      if (!line.candidateId) fail(`${where}.candidateId`, 'is required for a candidate line');
      else if (!ctx.candidateIds.has(line.candidateId))
        fail(`${where}.candidateId`, `no candidate has the id '${line.candidateId}'`);
      if (line.label !== null)
        fail(`${where}.label`, 'is for non-candidate lines; a candidate line takes its name from the candidate');
    } else if (line.kind === 'party') {
      if (!line.nominatorId) fail(`${where}.nominatorId`, 'is required for a party line: the party');
      if (line.candidateId !== null) fail(`${where}.candidateId`, 'must be null on a party line');
      if (line.rank !== null) fail(`${where}.rank`, 'ranks order candidates only');
    } else {
      if (!line.label) fail(`${where}.label`, `is required for a ${line.kind} line`);
      if (line.candidateId !== null) fail(`${where}.candidateId`, `must be null on a ${line.kind} line`);
      if (line.rank !== null) fail(`${where}.rank`, 'ranks order candidates only');
    }
    if (line.nominatorId !== null && !ctx.organisationIds.has(line.nominatorId))
      fail(`${where}.nominatorId`, `no organisation has the id '${line.nominatorId}'`);
    const key = lineKey(line);
    const first = seen.get(key);
    if (first !== undefined) fail(where, `repeats the ${key} of ${at}lines.${first}`);
    else seen.set(key, i);
    if (line.votes !== null && line.votes < 0) fail(`${where}.votes`, 'must be 0 or more');
    if (line.percent !== null && (line.percent < 0 || line.percent > 100))
      fail(`${where}.percent`, 'must be between 0 and 100');
  });

  const allPercents = block.lines.length > 0 && block.lines.every((l) => l.percent !== null);
  if (block.complete && allPercents) {
    const sum = block.lines.reduce((s, l) => s + (l.percent ?? 0), 0);
    if (Math.abs(sum - 100) > PERCENT_SUM_TOLERANCE)
      fail(
        `${at}lines`,
        `the percentages of a complete ${at ? 'area' : 'version'} must sum to 100 ± ${PERCENT_SUM_TOLERANCE}, not ${round(sum, 3)}`,
      );
  }

  const knownVotes = block.lines.map((l) => l.votes).filter((v): v is number => v !== null);
  const votesTotal = knownVotes.reduce((s, v) => s + v, 0);
  if (t.ballotsCast !== null && knownVotes.length > 0 && votesTotal > t.ballotsCast)
    fail(`${at}lines`, `the lines' votes (${votesTotal}) are more than the ballots cast (${t.ballotsCast})`);

  // The percent check needs trustworthy votes: with a negative count or a repeated line the totals
  // mean nothing, and those errors are already reported.
  const votesSound = errors.slice(errorsBefore).every((e) => !/lines\.\d+(\.votes)?$/.test(e.name));
  const denominator = percentDenominator(
    input.percentBase,
    block.complete,
    t,
    knownVotes.length === block.lines.length ? votesTotal : null,
  );
  if (denominator && votesSound)
    block.lines.forEach((line, i) => {
      if (line.votes === null || line.percent === null || line.votes < 0 || line.publishedAsIs) return;
      const computed = (line.votes / denominator) * 100;
      if (Math.abs(computed - line.percent) > PERCENT_TOLERANCE)
        fail(
          `${at}lines.${i}.percent`,
          `${line.percent} disagrees with votes / ${input.percentBase} = ${round(computed, 3)}; ` +
            'correct it, or set publishedAsIs if the source printed it so',
        );
    });
}

/**
 * An area's figures never exceed its parent's; when every area within a parent is given and
 * complete, their counts and each line's votes add up to the parent's, unless one of them says the
 * source printed them so.
 */
function checkHierarchy(
  blocks: Map<string, Block>,
  areas: Map<string, AreaFacts>,
  children: Map<string, string[]>,
  fail: (name: string, message: string) => void,
) {
  for (const block of blocks.values()) {
    const parentId = areas.get(block.areaId)?.parentId;
    const parent = parentId ? blocks.get(parentId) : undefined;
    if (!parent || parent === block) continue;
    for (const field of COUNT_FIELDS) {
      const mine = block.turnout[field];
      const theirs = parent.turnout[field];
      if (mine !== null && theirs !== null && mine > theirs)
        fail(`${block.at}turnout.${field}`, `${mine} is more than ${parentId}'s ${theirs}`);
    }
    // Never summed (below): a country's polling stations include those abroad, in no region.
    for (const field of COUNTING_FIELDS) {
      const mine = block.counting[field];
      const theirs = parent.counting[field];
      if (mine !== null && theirs !== null && mine > theirs)
        fail(`${block.at}counting.${field}`, `${mine} is more than ${parentId}'s ${theirs}`);
    }
    const parentLines = new Map(parent.lines.map((l) => [lineKey(l), l]));
    block.lines.forEach((line, i) => {
      const theirs = parentLines.get(lineKey(line))?.votes;
      if (line.votes !== null && theirs !== undefined && theirs !== null && line.votes > theirs)
        fail(`${block.at}lines.${i}.votes`, `${line.votes} is more than ${parentId}'s ${theirs}`);
    });
  }

  for (const [parentId, kids] of children) {
    const parent = blocks.get(parentId);
    const given = kids.map((id) => blocks.get(id));
    if (!parent || kids.length === 0 || given.some((b) => !b || !b.complete)) continue;
    const complete = given as Block[];
    if (parent.publishedAsIs || complete.some((b) => b.publishedAsIs)) continue;
    for (const field of COUNT_FIELDS) {
      const values = complete.map((b) => b.turnout[field]);
      const theirs = parent.turnout[field];
      if (theirs === null || values.some((v) => v === null)) continue;
      const sum = (values as number[]).reduce((a, b) => a + b, 0);
      if (sum !== theirs)
        fail(`${parent.at}turnout.${field}`, `${theirs} is not the sum of the areas within ${parentId} (${sum})`);
    }
    parent.lines.forEach((line, i) => {
      if (line.votes === null) return;
      const key = lineKey(line);
      const parts = complete.map((b) => b.lines.find((l) => lineKey(l) === key)?.votes ?? null);
      if (parts.some((v) => v === null)) return;
      const sum = (parts as number[]).reduce((a, b) => a + b, 0);
      if (sum !== line.votes)
        fail(`${parent.at}lines.${i}.votes`, `${line.votes} is not the sum of the areas within ${parentId} (${sum})`);
    });
  }
}

function percentDenominator(
  base: ResultsInput['percentBase'],
  complete: boolean,
  t: Turnout,
  linesTotal: number | null,
): number | null {
  switch (base) {
    case 'lines-total':
      return complete ? linesTotal : null;
    case 'ballots-cast':
      return t.ballotsCast;
    case 'valid-votes':
      return t.validVotes;
    case 'unknown':
      return null;
  }
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
