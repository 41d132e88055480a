// A result version as the API serves it, read through results.document.ts: its JSON body (for the
// route and its cache) or that body parsed (for the diff, the CDF, the chart and a publish's answer).
import type { z } from 'zod';
import type { Db } from '../../db/client.js';
import { isPreliminary, type resultVersions } from '../../db/schema/index.js';
import { notFound } from '../../lib/problem.js';
import { findArea, isWithin } from '../areas/areas.repository.js';
import { findContest } from '../contests/contests.repository.js';
import { electionExists } from '../elections/elections.repository.js';
import { type DocumentQuery, findResultsDocument } from './results.document.js';
import type { resultsSchema } from './results.schemas.js';

export type Results = z.output<typeof resultsSchema>;

/** A version's JSON body, ready to send, with what the headers need. */
export interface ResultsJson {
  json: string;
  version: number;
  preliminary: boolean;
  /** The election's newest version: its body says `current: true` until a newer one is published. */
  current: boolean;
}

/**
 * The revision part of a version's ETag as JSON (`csv`: as CSV). A version's figures change once,
 * when a newer version makes it no longer current, so a superseded version has a tag of its own;
 * the current version's tag is the one If-Match names when publishing. A read's tag adds a digest
 * of the body (digestTag): the names and sources it shows can be edited.
 */
export const resultsEtag = (version: number, { current = true, csv = false } = {}) =>
  `"results-v${version}${current ? '' : '-superseded'}${csv ? '-csv' : ''}"`;

/** The fields a version's summary shares with the full version; `latest` is the election's newest number. */
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

/**
 * The version (newest when `number` is omitted) as its JSON body; undefined when there is no such
 * version. A row the API cannot serve (values no API write can store) is an error, logged as a 500.
 */
export async function loadResultsJson(db: Db, q: DocumentQuery): Promise<ResultsJson | undefined> {
  const row = await findResultsDocument(db, q);
  if (!row) return undefined;
  if (!row.exact)
    throw new Error(`result version ${row.number} of ${q.electionId} holds values outside what the API serves`);
  let { json } = row;
  // The current results carry the contest's current call, beside the figures (CurrentResults):
  // read by the same statement, appended as the last key of the schema before the closing brace.
  if (q.number === undefined) json = `${json.slice(0, -1)},"call":${row.call}}`;
  return { json, version: row.number, preliminary: isPreliminary(row.status), current: row.current };
}

/** The 404 for a version that is not there: no such election, contest or version. */
async function missing(db: Db, q: DocumentQuery): Promise<never> {
  const { electionId, contest, number } = q;
  if (!(await electionExists(db, electionId))) throw notFound(`Election ${electionId} not found.`);
  const found = await findContest(db, electionId, contest);
  if (contest !== undefined && !found) throw notFound(`Election ${electionId} has no contest '${contest}'.`);
  const of = contest === undefined ? electionId : `${electionId} (${contest})`;
  if (q.area !== undefined && found) {
    if (!(await findArea(db, q.area))) throw notFound(`No area has the id '${q.area}'.`);
    if (!(await isWithin(db, q.area, found.contest.areaId)))
      throw notFound(`Area ${q.area} is not within ${found.contest.areaId}, the area of ${of}.`);
  }
  throw notFound(
    number === undefined ? `No results have been published for ${of} yet.` : `${of} has no result version ${number}.`,
  );
}

/** loadResultsJson, or a 404 problem saying what is missing. */
export async function requireResultsJson(db: Db, q: DocumentQuery): Promise<ResultsJson> {
  return (await loadResultsJson(db, q)) ?? missing(db, q);
}

/** The version as an object: its JSON body parsed (the document follows resultsSchema key for key). */
export async function loadResults(db: Db, q: DocumentQuery): Promise<Results | undefined> {
  const found = await loadResultsJson(db, q);
  return found && (JSON.parse(found.json) as Results);
}

/** loadResults, or a 404 problem saying what is missing. */
export async function requireResults(db: Db, q: DocumentQuery): Promise<Results> {
  return JSON.parse((await requireResultsJson(db, q)).json) as Results;
}
