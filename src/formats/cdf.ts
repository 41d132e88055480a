// A result version as a NIST SP 1500-100 v2 ElectionReport (standards/nist-1500-100-v2.schema.json).
//
// The mapping carries only what our data holds; a CDF field we have no value for is left out, never
// filled with a guess:
// - VoteCounts: only for lines with published votes. A line the source gave as a percentage only
//   (every line of the 2019 versions, the 81.3% of 21 Nov 2022) has no VoteCounts.
// - Percentages: the CDF has no field for a published share, so they are listed in `Notes`, with
//   the denominator the publisher used (percentBase).
// - Turnout: VotersRegistered on the country's ReportingUnit and BallotsCast in Election.BallotCounts,
//   each only when published. The published turnout percentage, valid and invalid votes have no
//   exact CDF counterpart (BallotsRejected is not "invalid ballots") and are listed in `Notes`.
// - "Against all" and other non-candidate lines: a BallotMeasureSelection in the CandidateContest
//   (the schema allows it there), because it carries the label (`Selection`); a CandidateSelection
//   without candidates would lose it. An ExternalIdentifier names the line's kind.
// - Not held here, so omitted: offices and terms (Office), ballot order (SequenceOrder), precinct or
//   device counts, over/undervotes, count status, party colours, people's name parts.
import { z } from 'zod';
import { isPreliminary, resultStatus } from '../db/schema/index.js';
import type { Election as ElectionView } from '../modules/elections/elections.view.js';
import type { Results } from '../modules/results/results.service.js';

type Line = Results['lines'][number];

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
};
type VoteCounts = {
  '@type': 'ElectionResults.VoteCounts';
  GpUnitId: string;
  Type: 'total';
  Count: number;
};
type CandidateSelection = {
  '@id': string;
  '@type': 'ElectionResults.CandidateSelection';
  CandidateIds: string[];
  VoteCounts?: VoteCounts[];
};
type OtherSelection = {
  '@id': string;
  '@type': 'ElectionResults.BallotMeasureSelection';
  Selection: Text;
  ExternalIdentifier: ExternalId[];
  VoteCounts?: VoteCounts[];
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
type CandidateContest = {
  '@id': string;
  '@type': 'ElectionResults.CandidateContest';
  Name: string;
  ElectionDistrictId: string;
  VotesAllowed: number;
  ContestSelection: (CandidateSelection | OtherSelection)[];
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
  Contest: CandidateContest[];
  BallotCounts?: {
    '@type': 'ElectionResults.BallotCounts';
    GpUnitId: string;
    Type: 'total';
    BallotsCast: number;
  }[];
};
type ReportingUnit = {
  '@id': string;
  '@type': 'ElectionResults.ReportingUnit';
  Type: 'country';
  Name: Text;
  ExternalIdentifier: ExternalId[];
  VotersRegistered?: number;
  ElectionAdministration?: { '@type': 'ElectionResults.ElectionAdministration'; Name: string };
};
type Party = {
  '@id': string;
  '@type': 'ElectionResults.Party';
  Name: Text;
  ExternalIdentifier: ExternalId[];
};
type Person = {
  '@id': string;
  '@type': 'ElectionResults.Person';
  FullName: Text;
  ExternalIdentifier: ExternalId[];
};

export type ElectionReport = {
  '@type': 'ElectionResults.ElectionReport';
  Format: 'summary-contest';
  GeneratedDate: string;
  Issuer: string;
  IssuerAbbreviation: string;
  VendorApplicationId: string;
  SequenceStart: number;
  SequenceEnd: number;
  Status: Results['status'];
  IsTest: boolean;
  Notes: string;
  ExternalIdentifier: ExternalId[];
  Election: Election[];
  GpUnit: ReportingUnit[];
  Party: Party[];
  Person: Person[];
};

/** Who issues the report: this API, whose name and version identify the generating application. */
export interface ReportIssuer {
  name: string;
  abbreviation: string;
  application: string;
}

const text = (content: string): Text => ({
  '@type': `${T}InternationalizedText`,
  Text: [{ '@type': `${T}LanguageString`, Content: content, Language: LANGUAGE }],
});

const ourId = (value: string, otherType = OUR_ID): ExternalId => ({
  '@type': `${T}ExternalIdentifier`,
  Type: 'other',
  OtherType: otherType,
  Value: value,
});

const total = (gpUnitId: string, votes: number | null): { VoteCounts?: VoteCounts[] } =>
  votes === null
    ? {}
    : { VoteCounts: [{ '@type': `${T}VoteCounts`, GpUnitId: gpUnitId, Type: 'total', Count: votes }] };

const BASE_WORDS: Record<Results['percentBase'], string> = {
  'lines-total': 'of the sum of the votes of all lines',
  'ballots-cast': 'of the ballots cast',
  'valid-votes': 'of the valid votes',
  unknown: 'of a total the source does not state',
};

// DateTimeWithZone allows no fractional seconds.
const dateTimeWithZone = (iso: string) => iso.replace(/\.\d+(?=Z$)/, '');

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

function notes(results: Results, title: string): string {
  const r = results;
  const shares = r.lines
    .map((l) => `${l.name} ${l.percent === null ? 'no percentage published' : `${l.percent}%`}`)
    .join('; ');
  const t = r.turnout;
  return [
    `${title}: result version ${r.version} (${r.status}), figures as of ${r.asOf ?? 'a date the source does not give'}.`,
    r.publishedBy ? `Published by: ${r.publishedBy}.` : null,
    r.lines.length > 0
      ? `Percentages as published, ${BASE_WORDS[r.percentBase]} (this format has no field for them): ${shares}.`
      : 'No lines were published in this version.',
    r.lines.some((l) => l.votes === null)
      ? 'Lines without VoteCounts: the source gave a percentage only, no votes.'
      : null,
    r.complete ? null : 'Incomplete: the source published only the lines listed.',
    t.turnoutPercent === null ? null : `Turnout as published: ${t.turnoutPercent}%.`,
    t.validVotes === null ? null : `Valid votes as published: ${t.validVotes}.`,
    t.invalidVotes === null ? null : `Invalid votes as published: ${t.invalidVotes}.`,
    r.note,
    `Sources: ${r.sources
      .map((s) => `${[s.publisher, s.title ? `"${s.title}"` : null, s.url].filter(Boolean).join(', ')} (${s.covers})`)
      .join('; ')}.`,
  ]
    .filter((line): line is string => line !== null)
    .join('\n');
}

/** The ElectionReport of one result version of election `e`; pure, so the same version gives the same bytes. */
export function toElectionReport(results: Results, e: ElectionView, issuer: ReportIssuer): ElectionReport {
  const { title } = e;
  const { code: countryCode, name: countryName } = e.country;
  const preliminary = isPreliminary(results.status);
  const gpUnitId = `gpu-${countryCode.toLowerCase()}`;

  const parties = new Map<string, Party>();
  const persons = new Map<string, Person>();
  const candidates: Candidate[] = [];
  const usedIds = new Set<string>();
  const uniqueId = (id: string) => {
    let unique = id;
    for (let n = 2; usedIds.has(unique); n++) unique = `${id}-${n}`;
    usedIds.add(unique);
    return unique;
  };

  const selections = results.lines.map((line): CandidateSelection | OtherSelection => {
    if (line.candidate === null) {
      return {
        '@id': uniqueId(`sel-${line.kind}`),
        '@type': `${T}BallotMeasureSelection`,
        Selection: text(line.name),
        ExternalIdentifier: [ourId(line.kind, 'selection-kind')],
        ...total(gpUnitId, line.votes),
      };
    }
    const personId = `per-${line.candidate.id}`;
    persons.set(personId, {
      '@id': personId,
      '@type': `${T}Person`,
      FullName: text(line.candidate.name),
      ExternalIdentifier: [ourId(line.candidate.id)],
    });
    const partyId = line.nominator ? `par-${line.nominator.id}` : undefined;
    if (line.nominator && partyId)
      parties.set(partyId, {
        '@id': partyId,
        '@type': `${T}Party`,
        Name: text(line.nominator.name),
        ExternalIdentifier: [ourId(line.nominator.id)],
      });
    const candidateId = uniqueId(`can-${line.candidate.id}`);
    const status = postElectionStatus(line.outcome, preliminary);
    candidates.push({
      '@id': candidateId,
      '@type': `${T}Candidate`,
      BallotName: text(line.name),
      PersonId: personId,
      ...(partyId ? { PartyId: partyId } : {}),
      ...(status ? { PostElectionStatus: status } : {}),
      ExternalIdentifier: [ourId(line.candidate.id)],
    });
    return {
      '@id': uniqueId(`sel-${line.candidate.id}`),
      '@type': `${T}CandidateSelection`,
      CandidateIds: [candidateId],
      ...total(gpUnitId, line.votes),
    };
  });

  const { registeredVoters, ballotsCast } = results.turnout;
  return {
    '@type': `${T}ElectionReport`,
    Format: 'summary-contest',
    // When the version was recorded: the report's content is fixed from then on, and a clock
    // reading per request would change every body and defeat ETag revalidation.
    GeneratedDate: dateTimeWithZone(results.recordedAt),
    Issuer: issuer.name,
    IssuerAbbreviation: issuer.abbreviation,
    VendorApplicationId: issuer.application,
    SequenceStart: 1,
    SequenceEnd: 1,
    Status: results.status,
    IsTest: false,
    Notes: notes(results, title),
    ExternalIdentifier: [ourId(String(results.version), 'result-version')],
    Election: [
      {
        '@type': `${T}Election`,
        Name: text(title),
        Type: electionType(e),
        StartDate: e.date,
        EndDate: e.date,
        ElectionScopeId: gpUnitId,
        ExternalIdentifier: [ourId(e.id)],
        Candidate: candidates,
        Contest: [
          {
            '@id': `con-${e.id}`,
            '@type': `${T}CandidateContest`,
            Name: title,
            ElectionDistrictId: gpUnitId,
            // Every contest held here is one mark per ballot: one candidate, or "against all".
            VotesAllowed: 1,
            ContestSelection: selections,
          },
        ],
        ...(ballotsCast === null
          ? {}
          : {
              BallotCounts: [
                { '@type': `${T}BallotCounts`, GpUnitId: gpUnitId, Type: 'total', BallotsCast: ballotsCast },
              ],
            }),
      },
    ],
    GpUnit: [
      {
        '@id': gpUnitId,
        '@type': `${T}ReportingUnit`,
        Type: 'country',
        Name: text(countryName),
        ExternalIdentifier: [
          {
            '@type': `${T}ExternalIdentifier`,
            Type: 'ocd-id',
            Value: `ocd-division/country:${countryCode.toLowerCase()}`,
          },
          ourId(countryCode, 'iso-3166-1-alpha-2'),
        ],
        ...(registeredVoters === null ? {} : { VotersRegistered: registeredVoters }),
        ...(results.publishedBy
          ? { ElectionAdministration: { '@type': `${T}ElectionAdministration`, Name: results.publishedBy } }
          : {}),
      },
    ],
    Party: [...parties.values()],
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

export const electionReportSchema = z
  .object({
    '@type': z.literal(`${T}ElectionReport`),
    Format: z.literal('summary-contest').describe('Totals for the whole country; no precinct-level counts.'),
    GeneratedDate: z.string().describe('When this API recorded the version, as a date-time with zone.'),
    Issuer: z.string(),
    IssuerAbbreviation: z.string(),
    VendorApplicationId: z.string().describe('This API and its version.'),
    SequenceStart: z.number().int(),
    SequenceEnd: z.number().int(),
    Status: z.enum(resultStatus.enumValues).describe("The version's status, a NIST ResultsStatus."),
    IsTest: z.boolean(),
    Notes: z
      .string()
      .describe('What the format has no field for: the published percentages and their base, turnout, sources.'),
    ExternalIdentifier: z.array(cdfObject('ExternalIdentifier')).describe('The result version number.'),
    Election: z.array(
      cdfObject('Election', {
        Name: cdfText,
        StartDate: z.string(),
        EndDate: z.string(),
        ElectionScopeId: z.string(),
        Candidate: z.array(cdfObject('Candidate', { '@id': z.string() })),
        Contest: z.array(cdfObject('CandidateContest', { '@id': z.string() })),
      }),
    ),
    GpUnit: z.array(cdfObject('ReportingUnit', { '@id': z.string() })).describe('The country.'),
    Party: z.array(cdfObject('Party', { '@id': z.string(), Name: cdfText })).describe('Nominating organisations.'),
    Person: z.array(cdfObject('Person', { '@id': z.string() })),
  })
  .meta({
    id: 'ElectionReport',
    description:
      'A NIST SP 1500-100 v2 Election Results Common Data Format ElectionReport ' +
      '(https://github.com/usnistgov/ElectionResultsReporting, version2).',
  });
