// Atom feeds (RFC 4287) of result versions, per election and per country, for the newsroom tools
// that read feeds rather than follow /v1/changes.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Feed } from 'feed';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { STATUS_WORDS } from '../../formats/chart.js';
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
import { type FeedScope, feedUpdated, latestVersions, type VersionEntry } from './feeds.repository.js';

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
        '    <title>Kazakhstan presidential election, 20 November 2022: result versions</title>\n' +
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
  if (v.areas > 0) parts.push(`Figures for ${v.areas} area${v.areas === 1 ? '' : 's'}.`);
  if (v.note) parts.push(v.note);
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

function atom(request: FastifyRequest, title: string, updated: string, entries: VersionEntry[]): string {
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
    feed.addItem({
      // A version never changes: its URL is its permanent id.
      id: `${base}${v.url}`,
      link: `${base}${v.url}`,
      title: escapeXml(`${contest}: version ${v.number}, ${STATUS_WORDS[v.status].toLowerCase()}`),
      date: new Date(v.at),
      published: new Date(v.at),
      // The library marks titles and summaries `type="html"`: escaped, a name or note with `<` or
      // `&` is shown as written, never markup.
      description: escapeXml(summary(v)),
      author: [{ name: xmlChars(v.publisher), ...(v.source_url ? { link: v.source_url } : {}) }],
      category: [{ term: v.status }],
    });
  }
  return feed.atom1();
}

/** The Atom feed of the newest versions in `scope`, cached as results `preliminary` are. */
async function sendFeed(
  request: FastifyRequest,
  reply: FastifyReply,
  scope: FeedScope,
  title: string,
  preliminary: (entries: VersionEntry[]) => boolean,
) {
  const entries = await latestVersions(request.db, scope, ENTRIES);
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
        summary: "An election's result versions as an Atom feed",
        description:
          `The election's ${ENTRIES} newest result versions (every contest), newest first, as an Atom 1.0 ` +
          'feed for feed readers and newsroom tools: each entry is a version (its URL is its id and its link), ' +
          'when the API recorded it, its status, its leading lines, turnout and source. /v1/changes has every ' +
          'change, from any point.',
        params: electionParams,
        response: atomResponses('The Atom feed.'),
      },
    },
    async (request, reply) => {
      const election = await findElection(request.db, request.params.id);
      if (!election) throw notFound(`Election ${request.params.id} not found.`);
      const title = `${electionTitle({ countryName: election.countryName, ...election.election })}: result versions`;
      // As the results: short-lived while the newest version is preliminary (or none is out yet).
      return sendFeed(request, reply, { election: election.election.id }, title, (entries) =>
        entries[0] === undefined ? true : isPreliminary(entries[0].status),
      );
    },
  );

  app.get(
    '/countries/:code/results/feed',
    {
      schema: {
        operationId: 'getCountryResultsFeed',
        tags: ['countries', 'changes'],
        summary: "A country's result versions as an Atom feed",
        description:
          `The ${ENTRIES} newest result versions of all the country's elections, newest first, as an Atom ` +
          "1.0 feed: entries as in an election's feed.",
        params: countryParams,
        response: atomResponses('The Atom feed.'),
      },
    },
    async (request, reply) => {
      const country = await findCountry(request.db, request.params.code);
      if (!country) throw notFound(`Country ${request.params.code} is not in the database.`);
      // A country's next election can start at any time: always the preliminary results' max-age.
      return sendFeed(request, reply, { country: country.code }, `${country.name}: result versions`, () => true);
    },
  );
};
