import type { PassThrough } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpProblem } from '../../lib/problem.js';
import { problemResponses, readResponses } from '../../lib/responses.js';
import { ChangeHub } from './changes.hub.js';
import { openChangeStream, type StreamLimits } from './changes.stream.js';
import { changesAfter } from './changes.repository.js';
import { changeFeedQuery, changeFeedSchema, changeStreamHeaders, changeStreamQuery } from './changes.schemas.js';
import { feedPage } from './changes.view.js';

export interface ChangesOptions {
  streams: StreamLimits & {
    /** Open streams on this instance (503 beyond). */
    max: number;
    /** Open streams per client (429 beyond). */
    perClient: number;
  };
}

// How often the hub reads the feed without a notification: the longest a lost one delays a change.
const POLL_MS = 2000;
// A stream refused for a full instance or client: when the next try may find a place.
const RETRY_AFTER_S = 5;

const eventStream = z.string().meta({
  examples: [
    'retry: 2000\n\nid: 412\ndata: {"id":"412","at":"2026-12-06T18:00:00.000000Z","kind":"results","action":"published",' +
      '"resourceId":"kz-presidential-2022-11-20","electionId":"kz-presidential-2022-11-20","countryCode":"KZ",' +
      '"contest":"president","version":11,"url":"/v1/elections/kz-presidential-2022-11-20/contests/president/results/versions/11"}\n\n' +
      ': keep-alive\n\n',
  ],
});

export const changesRoutes: FastifyPluginAsyncZod<ChangesOptions> = async (app, options) => {
  const limits = options.streams;
  const hub = new ChangeHub(app.database, app.log, { pollMs: POLL_MS });
  const open = new Set<PassThrough>();
  const perClient = new Map<string, number>();
  app.addHook('preClose', () => hub.close());

  app.get(
    '/changes/stream',
    {
      compress: false,
      schema: {
        operationId: 'streamChanges',
        tags: ['changes'],
        summary: 'The change feed pushed as each change is committed (Server-Sent Events)',
        description:
          'A `text/event-stream` that stays open: each change to public data as an event whose `data` is a ' +
          'Change (as in `/v1/changes`) and whose `id` is its place in the feed. `election` or `country` ' +
          'narrow it to one election or one country (`kind` to one kind of change). Changes reach every ' +
          "instance's streams within about a second of their commit (PostgreSQL LISTEN/NOTIFY); a write " +
          'rolled back never appears. A reconnecting client (a browser `EventSource` does it by itself) ' +
          'sends `Last-Event-ID` and gets what it missed from the feed first, nothing twice. A comment ' +
          `line every ${limits.heartbeatMs / 1000} s keeps it open through proxies; a client that stops ` +
          'reading is cut off once too much waits for it, and reconnects. At most ' +
          `${limits.perClient} streams per client (429).`,
        querystring: changeStreamQuery,
        headers: changeStreamHeaders,
        response: {
          200: {
            description: 'Events, until the client or the server (shutting down) closes the stream.',
            content: { 'text/event-stream': { schema: eventStream } },
          },
          // A stream has no validator to revalidate: no 304.
          ...problemResponses(400, 401, 406, 414, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const { since, election, country, kind } = request.query;
      const header = request.headers['last-event-id'];
      const client = app.rateLimit.clientOf(request);
      const mine = perClient.get(client) ?? 0;
      if (mine >= limits.perClient) {
        reply.header('retry-after', RETRY_AFTER_S);
        throw new HttpProblem(429, `At most ${limits.perClient} change streams at once per client; close one first.`);
      }
      if (open.size >= limits.max) {
        reply.header('retry-after', RETRY_AFTER_S);
        throw new HttpProblem(503, `This server has ${limits.max} change streams open; retry in a few seconds.`);
      }
      const stream = await openChangeStream({
        hub,
        db: app.database.primary,
        filter: { election, country, kind },
        since: header === undefined ? since : Number(header),
        limits,
        reply,
        log: request.log,
      });
      open.add(stream);
      perClient.set(client, mine + 1);
      // Shutting down: the stream ends (its client reconnects elsewhere with Last-Event-ID), so that
      // the server does not wait for it.
      const forget = app.endOnClose(() => stream.end());
      stream.once('close', () => {
        forget();
        open.delete(stream);
        const left = (perClient.get(client) ?? 1) - 1;
        if (left > 0) perClient.set(client, left);
        else perClient.delete(client);
      });
      return (
        reply
          .header('content-type', 'text/event-stream; charset=utf-8')
          .header('cache-control', 'no-store')
          .header('x-accel-buffering', 'no')
          // The body is the stream of events the schema's string describes; Fastify pipes it.
          .send(stream as unknown as string)
      );
    },
  );

  app.get(
    '/changes',
    {
      schema: {
        operationId: 'listChanges',
        tags: ['changes'],
        summary: 'Every change to public data, oldest first, from a cursor',
        description:
          'The change feed: each new result version, each new or edited election, person, party, source ' +
          'or area, and each merge, in the order they were committed, with what to read (`url`). Start with ' +
          '`since=0` (or no `since`), then ask again with the `next` of each answer: a loader that follows it ' +
          'sees every change once, in order, across restarts and on any instance; a write rolled back never ' +
          'appears. `election`, `country` and `kind` narrow it; `next` still moves past what they leave out. ' +
          'Revalidate rather than cache: the answer is `no-cache`, with an ETag.',
        querystring: changeFeedQuery,
        response: readResponses('Changes after `since`, oldest first.', changeFeedSchema, 400, 503),
      },
    },
    async (request, reply) => {
      const { since, limit, election, country, kind } = request.query;
      const rows = await changesAfter(request.db, { since, limit: limit + 1, election, country, kind });
      reply.header('cache-control', 'no-cache');
      return feedPage(rows, since, limit);
    },
  );
};
