// Result versions as a NIST SP 1500-100 v2 ElectionReport (standards/nist-1500-100-v2.schema.json):
// one contest's version, or every contest of an election at its current version.
//
// The mapping carries only what our data holds; a CDF field we have no value for is left out, never
// filled with a guess:
// - Contests by kind: a candidate contest is a CandidateContest (NumberElected = its seats), a party
//   list a PartyContest (a PartySelection per party line), a ballot question a BallotMeasureContest
//   (a BallotMeasureSelection per option: "Yes", "No").
// - VoteCounts: per selection and per area that has the figure (GpUnitId = that area), Type `total`
//   for published votes and Type `seats` (the schema's CountItemType for seats) for seats won. A line
//   the source gave as a percentage only has no VoteCounts.
// - Other counts a source publishes beside the lines: ballots with more marks than allowed ("Both
//   options marked") are the contest's OtherCounts Overvotes, and blank ballots its Undervotes, per
//   area, as NIST defines them; the line's label says which (otherCountField). The rest ("Against
//   all", "Invalid", independents' seats) have no CDF field: each is a BallotMeasureSelection, which
//   every contest type accepts and which keeps the published label (`Selection`), with an
//   ExternalIdentifier `selection-kind` naming what the line is, so that it is never read as an option.
// - PartyContest has no NumberElected and no threshold: the seats to fill and the threshold go in the
//   contest's ExternalIdentifier (`number-elected`, `threshold-percent`) and in Notes.
// - Areas: every area with figures and the areas it lies within are ReportingUnits, the country's
//   listing its regions in ComposingGpUnitIds (and so on down), each with its ISO 3166-2 code and
//   the authority's code as ExternalIdentifiers. Registered voters go in the area's VotersRegistered
//   and ballots cast in Election.BallotCounts (GpUnitId = the area), once per area: from the first
//   contest of the report that publishes them (the main contest of an election).
// - Percentages (of lines and turnout), valid and invalid votes have no exact CDF field
//   (BallotsRejected is not "invalid ballots"): they are listed in `Notes`, with the denominator the
//   publisher used (percentBase).
// - Organisations: a Party each (name, abbreviation, colour when the data has one), an alliance a
//   Coalition listing its members' PartyIds.
// - Not held here, so omitted: offices and terms (Office), ballot order (SequenceOrder), device
//   counts, over/undervotes, people's name parts, party short names.
// - Counting progress: units reporting of total are a ReportingUnit's SubUnitsReported and
//   TotalSubUnits (once per area, from the first contest that publishes both), and a CountStatus
//   (completed, in-process, not-processed) on it and on the contest; ballots counted and a
//   published expected vote have no field and go in Notes.
import { z } from 'zod';
import { isPreliminary, type ResultStatus, resultStatus } from '../db/schema/index.js';
import type { Election as ElectionView } from '../modules/elections/elections.view.js';
import type { AreaNode, OrganisationFacts } from '../modules/results/results-exports.repository.js';
import type { Results } from '../modules/results/results.service.js';

type Line = Results['lines'][number];
type AreaFigures = Results['areas'][number];

const T = 'ElectionResults.';
const LANGUAGE = 'en';
const OUR_ID = 'election-results-api';

type Text = {
  '@type': 'ElectionResults.InternationalizedText';
  Text: { '@type': 'ElectionResults.LanguageString'; Content: string; Language: string }[];
};
type ExternalId = {
  '@type': 'ElectionResults.ExternalIdentifier';
  Type: 'ocd-id' | 'other';
  OtherType?: string;
  Value: string;
  Label?: string;
};
type VoteCounts = {
  '@type': 'ElectionResults.VoteCounts';
  GpUnitId: string;
  Type: 'total' | 'seats';
  Count: number;
};
type CandidateSelection = {
  '@id': string;
  '@type': 'ElectionResults.CandidateSelection';
  CandidateIds: string[];
  VoteCounts?: VoteCounts[];
};
type PartySelection = {
  '@id': string;
  '@type': 'ElectionResults.PartySelection';
  PartyIds: string[];
  VoteCounts?: VoteCounts[];
};
type LabelledSelection = {
  '@id': string;
  '@type': 'ElectionResults.BallotMeasureSelection';
  Selection: Text;
  ExternalIdentifier: ExternalId[];
  VoteCounts?: VoteCounts[];
};
export type Selection = CandidateSelection | PartySelection | LabelledSelection;
type OtherCounts = {
  '@type': 'ElectionResults.OtherCounts';
  GpUnitId: string;
  Overvotes?: number;
  Undervotes?: number;
};
type Candidate = {
  '@id': string;
  '@type': 'ElectionResults.Candidate';
  BallotName: Text;
  PersonId: string;
  PartyId?: string;
  PostElectionStatus?: 'winner' | 'projected-winner' | 'defeated' | 'advanced-to-runoff';
  ExternalIdentifier: ExternalId[];
};
type CountStatus = {
  '@type': 'ElectionResults.CountStatus';
  Status: 'completed' | 'in-process' | 'not-processed';
  Type: 'total';
};
type ContestBase = {
  '@id': string;
  Name: string;
  ElectionDistrictId: string;
  CountStatus?: CountStatus[];
  ExternalIdentifier: ExternalId[];
  ContestSelection: Selection[];
  OtherCounts?: OtherCounts[];
};
type CandidateContest = ContestBase & {
  '@type': 'ElectionResults.CandidateContest';
  VotesAllowed: number;
  NumberElected?: number;
};
type PartyContest = ContestBase & { '@type': 'ElectionResults.PartyContest' };
type BallotMeasureContest = ContestBase & {
  '@type': 'ElectionResults.BallotMeasureContest';
  Type: 'referendum' | 'ballot-measure';
};
export type Contest = CandidateContest | PartyContest | BallotMeasureContest;
type BallotCounts = {
  '@type': 'ElectionResults.BallotCounts';
  GpUnitId: string;
  Type: 'total';
  BallotsCast: number;
};
type Election = {
  '@type': 'ElectionResults.Election';
  Name: Text;
  Type: 'general' | 'runoff' | 'special';
  StartDate: string;
  EndDate: string;
  ElectionScopeId: string;
  ExternalIdentifier: ExternalId[];
  Candidate: Candidate[];
  Contest: Contest[];
  BallotCounts?: BallotCounts[];
};
type ReportingUnit = {
  '@id': string;
  '@type': 'ElectionResults.ReportingUnit';
  Type: 'country' | 'city' | 'precinct' | 'other';
  OtherType?: string;
  Name: Text;
  ExternalIdentifier: ExternalId[];
  ComposingGpUnitIds?: string[];
  CountStatus?: CountStatus[];
  SubUnitsReported?: number;
  TotalSubUnits?: number;
  VotersRegistered?: number;
  ElectionAdministration?: { '@type': 'ElectionResults.ElectionAdministration'; Name: string };
};
type Party = {
  '@id': string;
  '@type': 'ElectionResults.Party';
  Name: Text;
  Abbreviation?: Text;
  Color?: string;
  ExternalIdentifier: ExternalId[];
};
type Coalition = Omit<Party, '@type'> & {
  '@type': 'ElectionResults.Coalition';
  PartyIds: string[];
  ContestIds: string[];
};
type Person = {
  '@id': string;
  '@type': 'ElectionResults.Person';
  FullName: Text;
  ExternalIdentifier: ExternalId[];
};

export type ElectionReport = {
  '@type': 'ElectionResults.ElectionReport';
  Format: 'summary-contest' | 'precinct-level';
  GeneratedDate: string;
  Issuer: string;
  IssuerAbbreviation: string;
  VendorApplicationId: string;
  SequenceStart: number;
  SequenceEnd: number;
  Status: ResultStatus;
  IsTest: boolean;
  Notes: string;
  ExternalIdentifier: ExternalId[];
  Election: Election[];
  GpUnit: ReportingUnit[];
  Party: (Party | Coalition)[];
  Person: Person[];
};

/** Who issues the report: this API, whose name and version identify the generating application. */
export interface ReportIssuer {
  name: string;
  abbreviation: string;
  application: string;
}

/** One contest's version: its figures for the contest's own area, and those for other areas (every level). */
export interface ContestVersion {
  results: Results;
  areas: AreaFigures[];
}

export interface ReportInput {
  election: ElectionView;
  /** The contests, each at one version; the election's main contest first when it is there. */
  contests: ContestVersion[];
  /** The areas the figures are for and every area they lie within. */
  areas: AreaNode[];
  /** The organisations of the lines, and the members of alliances among them. */
  organisations: Map<string, OrganisationFacts>;
}

const text = (content: string): Text => ({
  '@type': `${T}InternationalizedText`,
  Text: [{ '@type': `${T}LanguageString`, Content: content, Language: LANGUAGE }],
});

const ourId = (value: string, otherType = OUR_ID, label?: string): ExternalId => ({
  '@type': `${T}ExternalIdentifier`,
  Type: 'other',
  OtherType: otherType,
  Value: value,
  ...(label === undefined ? {} : { Label: label }),
});

/** Another dataset's id: OCD-IDs have a CDF type of their own, the rest are `other`. */
const externalId = (i: { scheme: string; value: string }): ExternalId =>
  i.scheme === 'ocd-id'
    ? { '@type': `${T}ExternalIdentifier`, Type: 'ocd-id', Value: i.value }
    : ourId(i.value, i.scheme);

const gpUnitId = (areaId: string) => `gpu-${areaId}`;

const BASE_WORDS: Record<Results['percentBase'], string> = {
  'lines-total': 'of the sum of the votes of all lines',
  'ballots-cast': 'of the ballots cast',
  'valid-votes': 'of the valid votes',
  unknown: 'of a total the source does not state',
};

// DateTimeWithZone allows no fractional seconds.
const dateTimeWithZone = (iso: string) => iso.replace(/\.\d+(?=Z$)/, '');

/** How a line is recognised across areas and versions: its candidate, its party, or its kind and label. */
export function lineKey(line: Pick<Line, 'kind' | 'name' | 'candidate' | 'nominator'>): string {
  if (line.candidate) return `candidate:${line.candidate.id}`;
  if (line.kind === 'party' && line.nominator) return `party:${line.nominator.id}`;
  return `${line.kind}:${line.name}`;
}

// Labels of the counts NIST has a field for. Overvotes: ballots marked for more options or
// candidates than allowed; Undervotes: ballots marked for none.
const OTHER_COUNT_LABELS: [RegExp, 'Overvotes' | 'Undervotes'][] = [
  [/\b(both|all|several|more than one)\b.*\bmarked\b|\bover-?votes?\b/i, 'Overvotes'],
  [/\bblank\b|\bunmarked\b|\bunder-?votes?\b/i, 'Undervotes'],
];

/** The OtherCounts field a line of kind `other` is, by its label; undefined for any other line. */
export function otherCountField(line: Pick<Line, 'kind' | 'name'>): 'Overvotes' | 'Undervotes' | undefined {
  if (line.kind !== 'other') return undefined;
  return OTHER_COUNT_LABELS.find(([label]) => label.test(line.name))?.[1];
}

function postElectionStatus(outcome: Line['outcome'], preliminary: boolean): Candidate['PostElectionStatus'] {
  if (outcome === 'elected') return preliminary ? 'projected-winner' : 'winner';
  return outcome ?? undefined;
}

// NIST's `special` is an election held out of sequence; a snap election is one. Unknown snap
// (null) reads as the regular case, since Type is required.
function electionType(e: ElectionView): Election['Type'] {
  if (e.round > 1) return 'runoff';
  return e.snap ? 'special' : 'general';
}

// The CDF's ReportingUnitType is US-shaped: a city is a city and a polling station, the smallest
// unit whose ballots are counted, a precinct; regions and districts have no counterpart of their
// own (a Kazakh region is not a US state), so they are `other` with our level as OtherType.
function unitType(level: AreaNode['level']): Pick<ReportingUnit, 'Type' | 'OtherType'> {
  if (level === 'country' || level === 'city') return { Type: level };
  if (level === 'polling-station') return { Type: 'precinct' };
  return { Type: 'other', OtherType: level };
}

// The least settled status when contests differ (a partial count anywhere makes the report
// partial); among final statuses, the first contest's.
function reportStatus(statuses: ResultStatus[]): ResultStatus {
  if (statuses.includes('unofficial-partial')) return 'unofficial-partial';
  if (statuses.includes('unofficial-complete')) return 'unofficial-complete';
  return statuses[0] ?? 'certified';
}

const percentOf = (l: Line) => `${l.name} ${l.percent === null ? 'no percentage published' : `${l.percent}%`}`;

function turnoutWords(t: Results['turnout'], what: { registered: boolean; ballots: boolean }): string[] {
  return [
    t.turnoutPercent === null ? null : `turnout ${t.turnoutPercent}%`,
    what.registered && t.registeredVoters !== null ? `registered voters ${t.registeredVoters}` : null,
    what.ballots && t.ballotsCast !== null ? `ballots cast ${t.ballotsCast}` : null,
    t.validVotes === null ? null : `valid votes ${t.validVotes}`,
    t.invalidVotes === null ? null : `invalid votes ${t.invalidVotes}`,
  ].filter((s): s is string => s !== null);
}

interface UnitFacts {
  registered?: { value: number; contest: string };
  ballots?: { value: number; contest: string };
  unitsReporting?: { value: number; contest: string };
  unitsTotal?: { value: number; contest: string };
}

/**
 * NIST's count status from units reporting of total (both published): none counted, some, all.
 * Nothing when either is missing: a status is never guessed from the version's status.
 */
function countStatus(reporting: number | null | undefined, total: number | null | undefined): CountStatus[] {
  if (reporting === null || reporting === undefined || total === null || total === undefined) return [];
  const status = reporting >= total ? 'completed' : reporting === 0 ? 'not-processed' : 'in-process';
  return [{ '@type': `${T}CountStatus`, Status: status, Type: 'total' }];
}

/** Counting progress that has no CDF field (ballots counted, an expected vote), in words. */
function countingWords(c: Results['counting']): string[] {
  return [
    c.unitsLevel === null ? null : `units counted: ${c.unitsLevel}`,
    c.ballotsCounted === null ? null : `ballots counted ${c.ballotsCounted}`,
    c.expectedVotes === null ? null : `expected vote (the source's estimate) ${c.expectedVotes}`,
  ].filter((s): s is string => s !== null);
}

function contestNotes(
  c: ContestVersion,
  heading: string,
  facts: Map<string, UnitFacts>,
  areaNames: Map<string, string>,
): string[] {
  const r = c.results;
  const t = r.turnout;
  // Registered voters and ballots cast already in the report's fields for this area need no note.
  const unused = (areaId: string, key: keyof UnitFacts, value: number | null) =>
    value !== null && facts.get(areaId)?.[key]?.contest !== r.contest.id;
  const own = r.area.id;
  const unitWords = (areaId: string, c: Results['counting']) =>
    c.unitsReporting !== null && c.unitsTotal !== null && facts.get(areaId)?.unitsTotal?.contest !== r.contest.id
      ? [`units reporting ${c.unitsReporting} of ${c.unitsTotal}`]
      : [];
  const ownFigures = [
    ...turnoutWords(t, {
      registered: unused(own, 'registered', t.registeredVoters),
      ballots: unused(own, 'ballots', t.ballotsCast),
    }).filter((w) => !w.startsWith('turnout ')),
    ...unitWords(own, r.counting),
    ...countingWords(r.counting),
  ];
  const byArea = c.areas
    .map((a) => {
      const figures = [
        ...turnoutWords(a.turnout, {
          registered: unused(a.area.id, 'registered', a.turnout.registeredVoters),
          ballots: unused(a.area.id, 'ballots', a.turnout.ballotsCast),
        }),
        ...unitWords(a.area.id, a.counting),
        ...countingWords(a.counting),
        ...a.lines.filter((l) => l.percent !== null).map(percentOf),
      ];
      return figures.length > 0 ? `${areaNames.get(a.area.id) ?? a.area.name}: ${figures.join(', ')}` : null;
    })
    .filter((s): s is string => s !== null);
  const seats = [
    r.contest.kind === 'party-list' && r.contest.seats !== null ? `${r.contest.seats} seats to fill` : null,
    r.contest.thresholdPercent === null ? null : `threshold ${r.contest.thresholdPercent}% of the vote`,
  ].filter((s): s is string => s !== null);
  return [
    `${heading}: result version ${r.version} (${r.status}), figures as of ${r.asOf ?? 'a date the source does not give'}.`,
    r.publishedBy ? `Published by: ${r.publishedBy}.` : null,
    r.lines.length === 0
      ? `No lines were published for ${r.area.name} in this version.`
      : r.lines.every((l) => l.percent === null)
        ? 'No percentages were published in this version.'
        : `Percentages as published, ${BASE_WORDS[r.percentBase]} (this format has no field for them): ${r.lines.map(percentOf).join('; ')}.`,
    r.lines.some((l) => l.votes === null)
      ? 'Lines without votes (no VoteCounts of Type total): the source gave a percentage only, or seats only.'
      : null,
    r.complete ? null : 'Incomplete: the source published only the lines listed.',
    t.turnoutPercent === null ? null : `Turnout as published: ${t.turnoutPercent}%.`,
    ownFigures.length > 0 ? `${r.area.name} as published: ${ownFigures.join(', ')}.` : null,
    seats.length > 0 ? `Seats: ${seats.join('; ')} (also in the contest's ExternalIdentifier).` : null,
    byArea.length > 0
      ? `By area, as published${c.areas.some((a) => a.lines.some((l) => l.percent !== null)) ? ` (percentages ${BASE_WORDS[r.percentBase]})` : ''}: ${byArea.join('; ')}.`
      : null,
    r.note,
    `Sources: ${r.sources
      .map((s) => `${[s.publisher, s.title ? `"${s.title}"` : null, s.url].filter(Boolean).join(', ')} (${s.covers})`)
      .join('; ')}.`,
    r.sources.some((s) => s.attribution !== null) ? `Credit: ${r.attribution}` : null,
    ...r.sources.flatMap((s) =>
      s.terms === null ? [] : [`Terms of ${s.publisher}: ${s.terms}${s.termsUrl ? ` (${s.termsUrl})` : ''}`],
    ),
  ].filter((line): line is string => line !== null);
}

/** The ElectionReport of the contests' versions; pure, so the same versions give the same bytes. */
export function toElectionReport(input: ReportInput, issuer: ReportIssuer): ElectionReport {
  const { election: e, contests } = input;
  const countryAreaId = e.country.code.toLowerCase();
  const preliminary = (r: Results) => isPreliminary(r.status);

  const usedIds = new Set<string>();
  const uniqueId = (id: string) => {
    let unique = id;
    for (let n = 2; usedIds.has(unique); n++) unique = `${id}-${n}`;
    usedIds.add(unique);
    return unique;
  };

  // Organisations: a Party each, a Coalition for an alliance, with the contests it stands in.
  const partyOf = new Map<string, Party | Coalition>();
  const partyId = (orgId: string, fallbackName: string, contestId?: string): string => {
    const id = `par-${orgId}`;
    let party = partyOf.get(orgId);
    if (!party) {
      const o = input.organisations.get(orgId);
      const colour = o?.colour && /^#[0-9a-fA-F]{6}$/.test(o.colour) ? o.colour.slice(1).toLowerCase() : undefined;
      const base = {
        '@id': id,
        Name: text(o?.name ?? fallbackName),
        ...(o?.abbreviation ? { Abbreviation: text(o.abbreviation) } : {}),
        ...(colour ? { Color: colour } : {}),
        ExternalIdentifier: [ourId(orgId), ...(o?.kind ? [ourId(o.kind, 'organisation-kind')] : [])],
      };
      party =
        o?.kind === 'alliance'
          ? { ...base, '@type': `${T}Coalition`, PartyIds: [], ContestIds: [] }
          : { ...base, '@type': `${T}Party` };
      partyOf.set(orgId, party);
      if (o && party['@type'] === `${T}Coalition`)
        for (const memberId of o.memberIds)
          party.PartyIds.push(partyId(memberId, input.organisations.get(memberId)?.name ?? memberId));
    }
    if (contestId && party['@type'] === `${T}Coalition` && !party.ContestIds.includes(contestId))
      party.ContestIds.push(contestId);
    return id;
  };

  const persons = new Map<string, Person>();
  const candidates: Candidate[] = [];

  // Registered voters and ballots cast per area: from the first contest that publishes them.
  const facts = new Map<string, UnitFacts>();
  const noteFact = (areaId: string, key: keyof UnitFacts, value: number | null, contest: string) => {
    if (value === null) return;
    const f = facts.get(areaId) ?? {};
    if (f[key] === undefined) f[key] = { value, contest };
    facts.set(areaId, f);
  };
  for (const { results: r, areas } of contests) {
    for (const a of [r, ...areas]) {
      noteFact(a.area.id, 'registered', a.turnout.registeredVoters, r.contest.id);
      noteFact(a.area.id, 'ballots', a.turnout.ballotsCast, r.contest.id);
      // Units reporting and in all: a pair from one contest, or neither.
      if (a.counting.unitsReporting !== null && a.counting.unitsTotal !== null && !facts.get(a.area.id)?.unitsTotal) {
        noteFact(a.area.id, 'unitsReporting', a.counting.unitsReporting, r.contest.id);
        noteFact(a.area.id, 'unitsTotal', a.counting.unitsTotal, r.contest.id);
      }
    }
  }

  const contestObjects = contests.map(({ results: r, areas }): Contest => {
    const contestId = uniqueId(`con-${r.electionId}-${r.contest.id}`);
    const own = gpUnitId(r.area.id);
    const prelim = preliminary(r);

    // Each line once, with its counts for the contest's area and then for each other area; over-
    // and undervotes into the OtherCounts of each area instead.
    const entries = new Map<string, { line: Line; top?: Line; counts: VoteCounts[] }>();
    const otherCounts = new Map<string, OtherCounts>();
    const add = (line: Line, gpu: string, top: boolean) => {
      const field = otherCountField(line);
      if (field) {
        if (line.votes === null) return;
        const counts = otherCounts.get(gpu) ?? { '@type': `${T}OtherCounts`, GpUnitId: gpu };
        counts[field] = (counts[field] ?? 0) + line.votes;
        otherCounts.set(gpu, counts);
        return;
      }
      const key = lineKey(line);
      let entry = entries.get(key);
      if (!entry) {
        entry = { line, counts: [] };
        entries.set(key, entry);
      }
      if (top) entry.top = line;
      if (line.votes !== null)
        entry.counts.push({ '@type': `${T}VoteCounts`, GpUnitId: gpu, Type: 'total', Count: line.votes });
      if (line.seats !== null)
        entry.counts.push({ '@type': `${T}VoteCounts`, GpUnitId: gpu, Type: 'seats', Count: line.seats });
    };
    for (const line of r.lines) add(line, own, true);
    for (const a of areas) for (const line of a.lines) add(line, gpUnitId(a.area.id), false);

    const selections = [...entries.values()].map(({ line, top, counts }): Selection => {
      const voteCounts = counts.length > 0 ? { VoteCounts: counts } : {};
      if (line.candidate) {
        const personId = `per-${line.candidate.id}`;
        persons.set(personId, {
          '@id': personId,
          '@type': `${T}Person`,
          FullName: text(line.candidate.name),
          ExternalIdentifier: [ourId(line.candidate.id)],
        });
        const party = line.nominator ? partyId(line.nominator.id, line.nominator.name, contestId) : undefined;
        const candidateId = uniqueId(`can-${line.candidate.id}`);
        const status = top ? postElectionStatus(top.outcome, prelim) : undefined;
        candidates.push({
          '@id': candidateId,
          '@type': `${T}Candidate`,
          BallotName: text(line.name),
          PersonId: personId,
          ...(party ? { PartyId: party } : {}),
          ...(status ? { PostElectionStatus: status } : {}),
          ExternalIdentifier: [ourId(line.candidate.id)],
        });
        return {
          '@id': uniqueId(`sel-${r.contest.id}-${line.candidate.id}`),
          '@type': `${T}CandidateSelection`,
          CandidateIds: [candidateId],
          ...voteCounts,
        };
      }
      if (line.kind === 'party' && line.nominator) {
        return {
          '@id': uniqueId(`sel-${r.contest.id}-${line.nominator.id}`),
          '@type': `${T}PartySelection`,
          PartyIds: [partyId(line.nominator.id, line.nominator.name, contestId)],
          ...voteCounts,
        };
      }
      return {
        '@id': uniqueId(`sel-${r.contest.id}-${line.kind}`),
        '@type': `${T}BallotMeasureSelection`,
        Selection: text(line.name),
        ExternalIdentifier: [ourId(line.kind, 'selection-kind')],
        ...voteCounts,
      };
    });

    const contestStatus = countStatus(r.counting.unitsReporting, r.counting.unitsTotal);
    const base = {
      '@id': contestId,
      Name: r.contest.name,
      ElectionDistrictId: own,
      ...(contestStatus.length ? { CountStatus: contestStatus } : {}),
      ExternalIdentifier: [
        ourId(r.contest.id, 'contest'),
        ourId(String(r.version), 'result-version'),
        ourId(r.status, 'result-status'),
      ],
      ...(otherCounts.size > 0 ? { OtherCounts: [...otherCounts.values()] } : {}),
    };
    if (r.contest.kind === 'party-list')
      return {
        ...base,
        '@type': `${T}PartyContest`,
        ExternalIdentifier: [
          ...base.ExternalIdentifier,
          ...(r.contest.seats === null ? [] : [ourId(String(r.contest.seats), 'number-elected')]),
          ...(r.contest.thresholdPercent === null
            ? []
            : [ourId(String(r.contest.thresholdPercent), 'threshold-percent')]),
        ],
        ContestSelection: selections,
      };
    if (r.contest.kind === 'ballot-question')
      return {
        ...base,
        '@type': `${T}BallotMeasureContest`,
        Type: e.type === 'referendum' ? 'referendum' : 'ballot-measure',
        ContestSelection: selections,
      };
    return {
      ...base,
      '@type': `${T}CandidateContest`,
      // The model has one mark per ballot (one candidate, or "against all"): no field says otherwise.
      VotesAllowed: 1,
      ...(r.contest.seats === null ? {} : { NumberElected: r.contest.seats }),
      ContestSelection: selections,
    };
  });

  // The area tree, from the country down, children by name.
  const nodes = new Map(input.areas.map((a) => [a.id, a]));
  if (!nodes.has(countryAreaId))
    nodes.set(countryAreaId, {
      id: countryAreaId,
      parentId: null,
      level: 'country',
      name: e.country.name,
      isoCode: null,
      authorityCode: null,
    });
  const children = new Map<string, AreaNode[]>();
  const roots: AreaNode[] = [];
  for (const a of nodes.values()) {
    if (a.parentId !== null && nodes.has(a.parentId)) {
      const list = children.get(a.parentId) ?? [];
      list.push(a);
      children.set(a.parentId, list);
    } else roots.push(a);
  }
  const byName = (a: AreaNode, b: AreaNode) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1);
  const administration = contests[0]?.results.publishedBy;
  const administered = contests[0]?.results.area.id;
  const units: ReportingUnit[] = [];
  const visit = (a: AreaNode) => {
    const kids = (children.get(a.id) ?? []).sort(byName);
    const registered = facts.get(a.id)?.registered?.value;
    const reporting = facts.get(a.id)?.unitsReporting?.value;
    const total = facts.get(a.id)?.unitsTotal?.value;
    const status = countStatus(reporting, total);
    const ids: ExternalId[] =
      a.level === 'country'
        ? [
            { '@type': `${T}ExternalIdentifier`, Type: 'ocd-id', Value: `ocd-division/country:${a.id}` },
            ourId(a.id.toUpperCase(), 'iso-3166-1-alpha-2'),
          ]
        : [
            ...(a.isoCode ? [ourId(a.isoCode, 'iso-3166-2')] : []),
            ...(a.authorityCode ? [ourId(a.authorityCode, 'authority-code')] : []),
            ourId(a.id),
          ];
    units.push({
      '@id': gpUnitId(a.id),
      '@type': `${T}ReportingUnit`,
      ...unitType(a.level),
      Name: text(a.name),
      ExternalIdentifier: ids,
      ...(kids.length > 0 ? { ComposingGpUnitIds: kids.map((k) => gpUnitId(k.id)) } : {}),
      ...(status.length ? { CountStatus: status, SubUnitsReported: reporting, TotalSubUnits: total } : {}),
      ...(registered === undefined ? {} : { VotersRegistered: registered }),
      ...(administration && a.id === administered
        ? { ElectionAdministration: { '@type': `${T}ElectionAdministration`, Name: administration } }
        : {}),
    });
    for (const k of kids) visit(k);
  };
  // The country first, then any area whose parent is not in the report.
  for (const root of roots.sort((a, b) => (a.id === countryAreaId ? -1 : b.id === countryAreaId ? 1 : byName(a, b))))
    visit(root);

  const ballotCounts: BallotCounts[] = units.flatMap((u) => {
    const ballots = facts.get(u['@id'].slice('gpu-'.length))?.ballots?.value;
    return ballots === undefined
      ? []
      : [{ '@type': `${T}BallotCounts`, GpUnitId: u['@id'], Type: 'total', BallotsCast: ballots }];
  });

  const areaNames = new Map([...nodes.values()].map((a) => [a.id, a.name]));
  const several = contests.length > 1;
  const notes = [
    several
      ? `${e.title}: ${contests.length} contests, each at its current result version. Registered voters and ballots ` +
        "cast are given once per area, from the first contest that publishes them; other contests' figures are listed below."
      : null,
    ...contests.flatMap((c) =>
      contestNotes(c, several ? `${e.title}, ${c.results.contest.name}` : e.title, facts, areaNames),
    ),
  ].filter((line): line is string => line !== null);

  const statuses = contests.map((c) => c.results.status);
  const generated =
    contests
      .map((c) => c.results.recordedAt)
      .sort()
      .at(-1) ?? '1970-01-01T00:00:00Z';
  const precinctLevel = contests.some((c) => c.areas.some((a) => a.area.level === 'polling-station'));

  return {
    '@type': `${T}ElectionReport`,
    Format: precinctLevel ? 'precinct-level' : 'summary-contest',
    // When the newest version was recorded: the report's content is fixed from then on, and a clock
    // reading per request would change every body and defeat ETag revalidation.
    GeneratedDate: dateTimeWithZone(generated),
    Issuer: issuer.name,
    IssuerAbbreviation: issuer.abbreviation,
    VendorApplicationId: issuer.application,
    SequenceStart: 1,
    SequenceEnd: 1,
    Status: reportStatus(statuses),
    IsTest: false,
    Notes: notes.join('\n'),
    ExternalIdentifier: contests.map((c) => ourId(String(c.results.version), 'result-version', c.results.contest.id)),
    Election: [
      {
        '@type': `${T}Election`,
        Name: text(e.title),
        Type: electionType(e),
        StartDate: e.date,
        EndDate: e.date,
        ElectionScopeId: gpUnitId(countryAreaId),
        // The API's id, then other datasets' ids (Wikidata, ElectionGuide…) under their scheme.
        ExternalIdentifier: [ourId(e.id), ...e.identifiers.map(externalId)],
        Candidate: candidates,
        Contest: contestObjects,
        ...(ballotCounts.length > 0 ? { BallotCounts: ballotCounts } : {}),
      },
    ],
    GpUnit: units,
    Party: [...partyOf.values()],
    Person: [...persons.values()],
  };
}

// The response schema names the report's required fields and the collections it carries; the
// nested CDF objects pass through as built (the full rules are NIST's schema, which the tests apply).
const cdfObject = (type: string, shape: z.ZodRawShape = {}) =>
  z.looseObject({ '@type': z.literal(`${T}${type}`), ...shape });

const cdfText = cdfObject('InternationalizedText', {
  Text: z.array(cdfObject('LanguageString', { Content: z.string(), Language: z.string() })).min(1),
});

const contestShape = { '@id': z.string(), Name: z.string(), ElectionDistrictId: z.string() };

export const electionReportSchema = z
  .object({
    '@type': z.literal(`${T}ElectionReport`),
    Format: z
      .enum(['summary-contest', 'precinct-level'])
      .describe('precinct-level when the report carries figures of polling stations; else summary-contest.'),
    GeneratedDate: z
      .string()
      .describe('When this API recorded the newest version in the report, as a date-time with zone.'),
    Issuer: z.string(),
    IssuerAbbreviation: z.string(),
    VendorApplicationId: z.string().describe('This API and its version.'),
    SequenceStart: z.number().int(),
    SequenceEnd: z.number().int(),
    Status: z
      .enum(resultStatus.enumValues)
      .describe(
        "A NIST ResultsStatus: the version's; with several contests, the least settled of theirs (each contest names its own in ExternalIdentifier).",
      ),
    IsTest: z.boolean(),
    Notes: z
      .string()
      .describe(
        'What the format has no field for: the published percentages and their base, turnout, figures by area, seats to fill and threshold, sources.',
      ),
    ExternalIdentifier: z
      .array(cdfObject('ExternalIdentifier'))
      .describe('The result version of each contest (Label: the contest id).'),
    Election: z.array(
      cdfObject('Election', {
        Name: cdfText,
        StartDate: z.string(),
        EndDate: z.string(),
        ElectionScopeId: z.string(),
        Candidate: z.array(cdfObject('Candidate', { '@id': z.string() })),
        Contest: z.array(
          z.union([
            cdfObject('CandidateContest', contestShape),
            cdfObject('PartyContest', contestShape),
            cdfObject('BallotMeasureContest', contestShape),
          ]),
        ),
      }),
    ),
    GpUnit: z
      .array(cdfObject('ReportingUnit', { '@id': z.string() }))
      .describe('The country, then every area with figures and the areas it lies within (ComposingGpUnitIds).'),
    Party: z
      .array(
        z.union([
          cdfObject('Party', { '@id': z.string(), Name: cdfText }),
          cdfObject('Coalition', { '@id': z.string(), Name: cdfText, PartyIds: z.array(z.string()) }),
        ]),
      )
      .describe('Parties and nominating organisations; an alliance as a Coalition of its members.'),
    Person: z.array(cdfObject('Person', { '@id': z.string() })),
  })
  .meta({
    id: 'ElectionReport',
    description:
      'A NIST SP 1500-100 v2 Election Results Common Data Format ElectionReport ' +
      '(https://github.com/usnistgov/ElectionResultsReporting, version2).',
    example: reportExample(),
  });

/** The 2023 party-list contest's certified report, cut to two of its eight lines: the documented example. */
function reportExample(): ElectionReport {
  const contest = 'con-kz.parliamentary.2023-03-19-party-list';
  const count = (type: VoteCounts['Type'], n: number): VoteCounts => ({
    '@type': `${T}VoteCounts`,
    GpUnitId: 'gpu-kz',
    Type: type,
    Count: n,
  });
  return {
    '@type': `${T}ElectionReport`,
    Format: 'summary-contest',
    GeneratedDate: '2023-03-28T09:00:00Z',
    Issuer: 'Election results API',
    IssuerAbbreviation: 'election-results-api',
    VendorApplicationId: 'election-results-api 0.1.0',
    SequenceStart: 1,
    SequenceEnd: 1,
    Status: 'certified',
    IsTest: false,
    Notes:
      'Kazakhstan parliamentary election, 19 March 2023: result version 3 (certified), figures as of 2023-03-27.\n' +
      'Percentages as published, of the sum of the votes of all lines (this format has no field for them): ' +
      'AMANAT 53.9%; Against all 3.9%.\n' +
      "Seats: 69 seats to fill; threshold 5% of the vote (also in the contest's ExternalIdentifier).",
    ExternalIdentifier: [ourId('3', 'result-version', 'party-list')],
    Election: [
      {
        '@type': `${T}Election`,
        Name: text('Kazakhstan parliamentary election, 19 March 2023'),
        Type: 'special',
        StartDate: '2023-03-19',
        EndDate: '2023-03-19',
        ElectionScopeId: 'gpu-kz',
        ExternalIdentifier: [ourId('kz.parliamentary.2023-03-19')],
        Candidate: [],
        Contest: [
          {
            '@id': contest,
            '@type': `${T}PartyContest`,
            Name: 'Party lists (nationwide)',
            ElectionDistrictId: 'gpu-kz',
            ExternalIdentifier: [
              ourId('party-list', 'contest'),
              ourId('3', 'result-version'),
              ourId('certified', 'result-status'),
              ourId('69', 'number-elected'),
              ourId('5', 'threshold-percent'),
            ],
            ContestSelection: [
              {
                '@id': 'sel-party-list-amanat',
                '@type': `${T}PartySelection`,
                PartyIds: ['par-amanat'],
                VoteCounts: [count('total', 3_431_510), count('seats', 40)],
              },
              {
                '@id': 'sel-party-list-against-all',
                '@type': `${T}BallotMeasureSelection`,
                Selection: text('Against all'),
                ExternalIdentifier: [ourId('against-all', 'selection-kind')],
                VoteCounts: [count('total', 248_291)],
              },
            ],
          },
        ],
      },
    ],
    GpUnit: [
      {
        '@id': 'gpu-kz',
        '@type': `${T}ReportingUnit`,
        Type: 'country',
        Name: text('Kazakhstan'),
        ExternalIdentifier: [
          { '@type': `${T}ExternalIdentifier`, Type: 'ocd-id', Value: 'ocd-division/country:kz' },
          ourId('KZ', 'iso-3166-1-alpha-2'),
        ],
        VotersRegistered: 12_035_578,
      },
    ],
    Party: [
      {
        '@id': 'par-amanat',
        '@type': `${T}Party`,
        Name: text('AMANAT'),
        ExternalIdentifier: [ourId('amanat'), ourId('party', 'organisation-kind')],
      },
    ],
    Person: [],
  };
}
