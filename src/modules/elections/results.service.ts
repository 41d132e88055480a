// Builds the API's view of a result version from its rows: shared by every output format.
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import type { resultVersions } from '../../db/schema/index.js';
import { notFound } from '../../lib/problem.js';
import { electionExists } from './elections.repository.js';
import { isPreliminary } from './elections.routes.js';
import { findAdditionalSources, findLines, findResultsDocument, findVersion } from './results.repository.js';
import { resultsSchema } from './results.schemas.js';

export type Results = z.output<typeof resultsSchema>;

const round2 = (x: number) => Math.round(x * 100) / 100;

/** The fields every view of a version starts with; `latest` is the election's newest number. */
export function versionHeader(v: typeof resultVersions.$inferSelect, latest: number | null) {
  return {
    electionId: v.electionId,
    version: v.number,
    status: v.status,
    preliminary: isPreliminary(v.status),
    current: v.number === latest,
    asOf: v.asOf,
    complete: v.complete,
    recordedAt: v.createdAt.toISOString(),
  };
}

/** The full version, or undefined when the election has no such version. */
export async function loadResults(db: Db, electionId: string, number?: number): Promise<Results | undefined> {
  const found = await findVersion(db, electionId, number);
  if (!found) return undefined;
  const { version: v, source, latest } = found;
  // In turn: `db` may be a transaction (a publish reads back what it wrote), one connection.
  const lines = await findLines(db, v.id);
  const extra = await findAdditionalSources(db, v.id);

  const votes = lines.map((l) => l.line.votes);
  const linesTotal =
    v.complete && lines.length > 0 && votes.every((n) => n !== null)
      ? votes.reduce<number>((sum, n) => sum + (n ?? 0), 0)
      : null;

  return {
    ...versionHeader(v, latest),
    publishedBy: v.publishedBy,
    note: v.note,
    turnout: {
      registeredVoters: v.registeredVoters,
      ballotsCast: v.ballotsCast,
      validVotes: v.validVotes,
      invalidVotes: v.invalidVotes,
      turnoutPercent: v.turnoutPercent,
    },
    derived: {
      linesTotal,
      ballotsCastMinusLinesTotal: linesTotal !== null && v.ballotsCast !== null ? v.ballotsCast - linesTotal : null,
      turnoutPercent:
        v.ballotsCast !== null && v.registeredVoters ? round2((v.ballotsCast / v.registeredVoters) * 100) : null,
    },
    percentBase: v.percentBase,
    lines: lines.map(({ line, candidate, nominator }) => ({
      kind: line.kind,
      name: candidate?.name ?? line.label ?? '',
      candidate,
      nominator,
      votes: line.votes,
      percent: line.percent,
      rank: line.rank,
      outcome: line.outcome,
      publishedAsIs: line.publishedAsIs,
    })),
    sources: [
      { ...pickSource(source), covers: 'the figures of this version' },
      ...extra.map((e) => ({ ...pickSource(e.source), covers: e.covers })),
    ],
  };
}

const pickSource = (s: {
  id: string;
  publisher: string;
  title: string | null;
  url: string | null;
  kind: 'official' | 'news';
  published: string | null;
}) => ({ id: s.id, publisher: s.publisher, title: s.title, url: s.url, kind: s.kind, published: s.published });

/** The 404 for a version that loadResults did not find: no such election, or no such version. */
async function missing(db: Db, electionId: string, number?: number): Promise<never> {
  if (!(await electionExists(db, electionId))) throw notFound(`Election ${electionId} not found.`);
  throw notFound(
    number === undefined
      ? `No results have been published for ${electionId} yet.`
      : `Election ${electionId} has no result version ${number}.`,
  );
}

/** The version (newest when `number` is omitted), or a 404 problem saying what is missing. */
export async function requireResults(db: Db, electionId: string, number?: number): Promise<Results> {
  return (await loadResults(db, electionId, number)) ?? missing(db, electionId, number);
}

/** A version's JSON body, ready to send, with what the headers need. */
export interface ResultsJson {
  json: string;
  version: number;
  preliminary: boolean;
}

/** The body the route's schema gives for `results`: what loadResultsJson must equal, byte for byte. */
export const serializeResults = (results: Results): string => JSON.stringify(z.encode(resultsSchema, results));

/**
 * The version as its JSON body, the same bytes as serializeResults(loadResults(...)) but written by
 * PostgreSQL in one round trip (see findResultsDocument); a row the statement cannot render
 * exactly takes the object path. Undefined when there is no such version.
 */
export async function loadResultsJson(db: Db, electionId: string, number?: number): Promise<ResultsJson | undefined> {
  const row = await findResultsDocument(db, electionId, number);
  if (!row) return undefined;
  if (row.exact) return { json: row.json, version: row.number, preliminary: isPreliminary(row.status) };
  const results = await loadResults(db, electionId, number);
  return results && { json: serializeResults(results), version: results.version, preliminary: results.preliminary };
}

/** loadResultsJson, or the 404 problem requireResults gives. */
export async function requireResultsJson(db: Db, electionId: string, number?: number): Promise<ResultsJson> {
  return (await loadResultsJson(db, electionId, number)) ?? missing(db, electionId, number);
}

export const resultsEtag = (version: number) => `"results-v${version}"`;
