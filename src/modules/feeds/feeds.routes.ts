// Atom feeds (RFC 4287) of result versions, per election and per country, for the newsroom tools
// that read feeds rather than follow /v1/changes.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Feed } from 'feed';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { countingNote, STATUS_WORDS } from '../../formats/chart.js';
import { escapeXml, xmlChars } from '../../lib/xml.js';
import { packageInfo } from '../../lib/package-info.js';
import { HttpProblem, notFound } from '../../lib/problem.js';
import { readResponses } from '../../lib/responses.js';
import { isPreliminary } from '../../db/schema/index.js';
import { findCountry } from '../countries/countries.repository.js';
import { countryParams } from '../countries/countries.schemas.js';
import { findElection } from '../elections/elections.repository.js';
import { electionParams } from '../elections/elections.schemas.js';
import { electionTitle } from '../elections/elections.view.js';
import {
  type CallEntry,
  type FeedEntry,
  type FeedScope,
  feedUpdated,
  latestEntries,
  type VersionEntry,
} from './feeds.repository.js';

const ATOM_CONTENT_TYPE = 'application/atom+xml; charset=utf-8';
/** Entries per feed: the newest versions; older ones stay in /v1/changes. */
const ENTRIES = 50;

const atomDocument = z
  .string()
  .describe('An Atom 1.0 feed document (RFC 4287).')
  .meta({
    examples: [
      '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n' +
        '    <id>https://elections.example.org/v1/elections/kz.presidential.2022-11-20/results/feed</id>\n' +
        '    <title>Kazakhstan presidential election, 20 November 2022: results and calls</title>\n' +
        '    <updated>2026-12-06T18:00:00.000Z</updated>\n    …\n    <entry>\n' +
        '        <title type="html"><![CDATA[Kazakhstan presidential election, 20 November 2022: version 10, certified results]]></title>\n' +
        '        <id>https://elections.example.org/v1/elections/kz.presidential.2022-11-20/contests/president/results/versions/10</id>\n' +
        '        …\n    </entry>\n</feed>\n',
    ],
  });

const atomResponses = (description: string) => ({
  ...readResponses(description, atomDocument, 400, 404, 503),
  200: { description, content: { 'application/atom+xml': { schema: atomDocument } } },
});

const number = new Intl.NumberFormat('en-US');

/** What a version says, in a sentence or three: its status, the leading lines, turnout, its areas. */
function summary(v: VersionEntry): string {
  const asOf = v.as_of ? ` as of ${v.as_of}` : '';
  const parts = [
    `${STATUS_WORDS[v.status]}${asOf}${v.complete ? '' : ' (not complete)'}, published by ${v.publisher}.`,
  ];
  if (v.top.length > 0)
    parts.push(
      `${v.top
        .map((l) => {
          const figures = [
            l.percent === null ? null : `${Number(l.percent)}%`,
            l.votes === null ? null : `${number.format(l.votes)} votes`,
            l.seats === null ? null : `${l.seats} seat${l.seats === 1 ? '' : 's'}`,
          ].filter((f) => f !== null);
          const [first, ...more] = figures;
          return `${l.name}${first === undefined ? '' : `: ${first}`}${more.length ? ` (${more.join(', ')})` : ''}`;
        })
        .join('; ')}.`,
    );
  if (v.turnout_percent !== null) parts.push(`Turnout ${v.turnout_percent}%.`);
  const counted = countingNote({
    counting: {
      unitsLevel: v.units_level,
      unitsReporting: v.units_reporting,
      unitsTotal: v.units_total,
      ballotsCounted: v.ballots_counted === null ? null : Number(v.ballots_counted),
      expectedVotes: v.expected_votes === null ? null : Number(v.expected_votes),
    },
    derived: {
      unitsReportingPercent:
        v.units_reporting !== null && v.units_total
          ? Math.round((v.units_reporting / v.units_total) * 100 * 100) / 100
          : null,
    },
  });
  if (counted) parts.push(counted);
  if (v.areas > 0) parts.push(`Figures for ${v.areas} area${v.areas === 1 ? '' : 's'}.`);
  if (v.note) parts.push(v.note);
  return parts.join(' ');
}

const names = (list: string[]) =>
  list.length <= 1 ? (list[0] ?? '') : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`;

/** What a call says, in a few words: "Kassym-Jomart Tokayev wins", "too close to call". */
function callHeadline(c: CallEntry): string {
  switch (c.call_status) {
    case 'called':
      return `called: ${names(c.winners)} ${c.winners.length === 1 ? 'wins' : 'win'}`;
    case 'runoff':
      return `runoff: ${names(c.winners)} advance`;
    case 'too-early':
      return 'too early to call';
    case 'too-close':
      return 'too close to call';
    case 'uncalled':
      return 'uncalled: no call stands';
  }
}

function callSummary(c: CallEntry): string {
  const headline = callHeadline(c);
  const parts = [`${headline[0]!.toUpperCase()}${headline.slice(1)}, by ${c.publisher}, at ${c.called_at}.`];
  if (c.note) parts.push(c.note);
  return parts.join(' ');
}

/** The API's own address as the client reached it (X-Forwarded-* when TRUST_PROXY says so). */
function origin(request: FastifyRequest): string {
  // X-Forwarded-Proto, behind a trusted proxy, could say anything.
  if (request.protocol !== 'http' && request.protocol !== 'https')
    throw new HttpProblem(
      400,
      `The protocol ${JSON.stringify(request.protocol)} is not http or https: the feed's links need one.`,
    );
  const url = URL.parse(`${request.protocol}://${request.host}`);
  if (url === null)
    throw new HttpProblem(
      400,
      `The Host header (${JSON.stringify(request.host)}) is not a host name: the feed's links need one.`,
    );
  return url.origin;
}

function atom(request: FastifyRequest, title: string, updated: string, entries: FeedEntry[]): string {
  const base = origin(request);
  const self = new URL(request.url.split('?')[0]!, base).href;
  const feed = new Feed({
    id: self,
    title: xmlChars(title),
    updated: new Date(updated),
    link: self,
    feedLinks: { atom: self },
    generator: `${packageInfo.name} ${packageInfo.version}`,
    docs: `${base}/docs`,
  });
  for (const v of entries) {
    const election = electionTitle({
      countryName: v.country_name,
      type: v.election_type,
      round: v.election_round,
      date: v.election_date,
    });
    const contest = v.main ? election : `${election}, ${v.contest_name}`;
    const call = v.kind === 'call';
    feed.addItem({
      // A version or a call never changes: its URL is its permanent id.
      id: `${base}${v.url}`,
      link: `${base}${v.url}`,
      title: escapeXml(
        call
          ? `${contest}: call ${v.number}, ${callHeadline(v)}`
          : `${contest}: version ${v.number}, ${STATUS_WORDS[v.status].toLowerCase()}`,
      ),
      date: new Date(v.at),
      published: new Date(v.at),
      // The library marks titles and summaries `type="html"`: escaped, a name or note with `<` or
      // `&` is shown as written, never markup.
      description: escapeXml(call ? callSummary(v) : summary(v)),
      author: [{ name: xmlChars(v.publisher), ...(v.source_url ? { link: v.source_url } : {}) }],
      category: call ? [{ term: 'call' }, { term: v.call_status }] : [{ term: v.status }],
    });
  }
  return feed.atom1();
}

/** The Atom feed of the newest versions and calls in `scope`, cached as results `preliminary` are. */
async function sendFeed(
  request: FastifyRequest,
  reply: FastifyReply,
  scope: FeedScope,
  title: string,
  preliminary: (entries: FeedEntry[]) => boolean,
) {
  const entries = await latestEntries(request.db, scope, ENTRIES);
  // <updated>: the newest entry's time; an empty feed, the last change to what it covers (or never).
  const updated = entries[0]?.at ?? (await feedUpdated(request.db, scope)) ?? new Date(0).toISOString();
  return reply
    .cacheResults(preliminary(entries))
    .type(ATOM_CONTENT_TYPE)
    .send(atom(request, title, updated, entries));
}

export const feedsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/elections/:id/results/feed',
    {
      schema: {
        operationId: 'getElectionResultsFeed',
        tags: ['elections', 'changes'],
        summary: "An election's result versions and race calls as an Atom feed",
        description:
          `The election's ${ENTRIES} newest result versions and race calls (every contest), newest first, as an ` +
          'Atom 1.0 feed for feed readers and newsroom tools: each entry is a version or a call (its URL is its ' +
          'id and its link), when the API recorded it; a version with its status, leading lines, turnout and ' +
          'source; a call with its status, winners, who made it and when. /v1/changes has every change, from ' +
          'any point.',
        params: electionParams,
        response: atomResponses('The Atom feed.'),
      },
    },
    async (request, reply) => {
      const election = await findElection(request.db, request.params.id);
      if (!election) throw notFound(`Election ${request.params.id} not found.`);
      const title = `${electionTitle({ countryName: election.countryName, ...election.election })}: results and calls`;
      // As the results: short-lived while the newest version is preliminary (or none is out yet).
      return sendFeed(request, reply, { election: election.election.id }, title, (entries) => {
        const newest = entries.find((e): e is VersionEntry => e.kind === 'results');
        return newest === undefined ? true : isPreliminary(newest.status);
      });
    },
  );

  app.get(
    '/countries/:code/results/feed',
    {
      schema: {
        operationId: 'getCountryResultsFeed',
        tags: ['countries', 'changes'],
        summary: "A country's result versions and race calls as an Atom feed",
        description:
          `The ${ENTRIES} newest result versions and race calls of all the country's elections, newest first, ` +
          "as an Atom 1.0 feed: entries as in an election's feed.",
        params: countryParams,
        response: atomResponses('The Atom feed.'),
      },
    },
    async (request, reply) => {
      const country = await findCountry(request.db, request.params.code);
      if (!country) throw notFound(`Country ${request.params.code} is not in the database.`);
      // A country's next election can start at any time: always the preliminary results' max-age.
      return sendFeed(request, reply, { country: country.code }, `${country.name}: results and calls`, () => true);
    },
  );
};
