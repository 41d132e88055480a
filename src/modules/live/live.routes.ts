// GET /live/{electionId}: a small results page a newsroom can embed in an iframe. It draws the
// current results and race call and redraws on each new version or call, pushed by /v1/changes/stream; everything it
// loads is served here (public/live/), under a CSP that allows nothing else.
import { readFile } from 'node:fs/promises';
import type { FastifyPluginAsync } from 'fastify';
import { STATUS_WORDS, UNIT_WORDS } from '../../formats/chart.js';
import { fromRoot } from '../../lib/project-root.js';
import { escapeXml } from '../../lib/xml.js';
import { notFound } from '../../lib/problem.js';
import { electionParams } from '../elections/elections.schemas.js';
import { findElection } from '../elections/elections.repository.js';
import { electionTitle } from '../elections/elections.view.js';

const assets = `${fromRoot('public', 'live')}/`;
// The page, its script and its style change with a deploy, not with the data: a short max-age, and
// the ETag to revalidate.
const ASSET_CACHE = 'public, max-age=300';

function page(id: string, title: string): string {
  const t = escapeXml(title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t}: live results</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/live/assets/live.css">
<script src="/live/assets/live.js" defer></script>
</head>
<body>
<main data-election="${escapeXml(id)}" data-status-words="${escapeXml(JSON.stringify(STATUS_WORDS))}" data-unit-words="${escapeXml(JSON.stringify(UNIT_WORDS))}">
<h1>${t}</h1>
<p class="status" aria-live="polite">Loading the results…</p>
<p class="call" aria-live="polite"></p>
<table>
<caption class="visually-hidden">Results by line, highest first</caption>
<thead><tr><th scope="col">Name</th><th scope="col" class="number">Votes</th><th scope="col" class="number">%</th><th scope="col"><span class="visually-hidden">Share</span></th></tr></thead>
<tbody></tbody>
</table>
<p class="source"></p>
<p class="connection" role="status"></p>
</main>
</body>
</html>
`;
}

export const liveRoutes: FastifyPluginAsync = async (app) => {
  const [script, style] = await Promise.all([
    readFile(`${assets}live.js`, 'utf8'),
    readFile(`${assets}live.css`, 'utf8'),
  ]);
  app.get('/live/assets/live.js', { schema: { hide: true } }, (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', ASSET_CACHE).send(script),
  );
  app.get('/live/assets/live.css', { schema: { hide: true } }, (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', ASSET_CACHE).send(style),
  );
  app.get<{ Params: { id: string } }>(
    '/live/:id',
    { schema: { hide: true, params: electionParams } },
    async (request, reply) => {
      const row = await findElection(request.db, request.params.id);
      if (!row) throw notFound(`Election ${request.params.id} not found.`);
      const title = electionTitle({ countryName: row.countryName, ...row.election });
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', ASSET_CACHE)
        .send(page(row.election.id, title));
    },
  );
};
