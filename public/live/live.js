// The live results page (GET /live/{electionId}): draws the election's current results and race
// call, then draws each new version or call of its main contest as soon as it is committed, told by
// the change stream (Server-Sent Events, /v1/changes/stream). Plain DOM, no framework; text only
// (never HTML).
'use strict';

const main = document.querySelector('main[data-election]');
const election = main.dataset.election;
const statusLine = main.querySelector('.status');
const rows = main.querySelector('tbody');
const source = main.querySelector('.source');
const connection = main.querySelector('.connection');
const callLine = main.querySelector('.call');
const number = new Intl.NumberFormat('en-US');
// The words for each status, as the API's charts and feeds use them (written into the page).
const STATUS = JSON.parse(main.dataset.statusWords);
const UNITS = JSON.parse(main.dataset.unitWords);

/** The contest the page shows (the main one, from the first answer), the version and the call drawn. */
let contest = null;
let shown = 0;
let shownCall = 0;

async function read(path) {
  // no-cache: revalidate with the ETag, never a copy the browser kept from before the change.
  const response = await fetch(path, { cache: 'no-cache', headers: { accept: 'application/json' } });
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`${path}: ${response.status} ${response.statusText}`);
  return response.json();
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function draw(results) {
  // A slower answer for an older version never replaces a newer one.
  if (results.version < shown) return;
  shown = results.version;
  contest = results.contest.id;
  const asOf = results.asOf ? ` as of ${results.asOf}` : '';
  // Counting progress, as published: "61.99% of polling stations counted" (the share is derived).
  const c = results.counting;
  const counted =
    c && c.unitsReporting !== null && c.unitsTotal !== null
      ? ` · ${results.derived.unitsReportingPercent ?? 0}% of ${UNITS[c.unitsLevel] ?? 'reporting units'} counted`
      : '';
  statusLine.textContent = `${STATUS[results.status] ?? results.status}${asOf}, version ${results.version}${counted}`;
  const top = Math.max(0, ...results.lines.map((line) => line.percent ?? 0));
  rows.replaceChildren(
    ...results.lines.map((line) => {
      const tr = document.createElement('tr');
      const bar = document.createElement('span');
      bar.className = 'bar';
      // The CSSOM, not a style attribute: the page's CSP allows no inline style.
      bar.style.width = `${top > 0 ? ((line.percent ?? 0) / top) * 100 : 0}%`;
      const barCell = cell('', 'bar-cell');
      barCell.append(bar);
      tr.append(
        cell(line.name),
        cell(line.votes === null ? '—' : number.format(line.votes), 'number'),
        cell(line.percent === null ? '—' : `${line.percent}%`, 'number'),
        barCell,
      );
      return tr;
    }),
  );
  source.textContent = `Source: ${results.attribution}`;
  main.dataset.version = String(results.version);
}

const names = (list) => (list.length <= 1 ? (list[0] ?? '') : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`);

/** The call that stands, in words: "Called: Kassym-Jomart Tokayev wins (Kazinform, 21 Nov 2022 06:00 UTC)". */
function drawCall(call) {
  if (call === null || call === undefined || call.version < shownCall) return;
  shownCall = call.version;
  const winners = names(call.winners.map((w) => w.name));
  const words = {
    called: `Called: ${winners} ${call.winners.length === 1 ? 'wins' : 'win'}`,
    runoff: `Runoff: ${winners} advance`,
    'too-early': 'Too early to call',
    'too-close': 'Too close to call',
    uncalled: 'Not called (the earlier call was retracted)',
  }[call.status];
  const when = new Date(call.calledAt).toLocaleString('en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'UTC',
  });
  callLine.textContent = `${words ?? call.status} (${call.calledBy.publisher}, ${when} UTC)`;
  callLine.dataset.status = call.status;
  main.dataset.call = String(call.version);
}

function failed(err) {
  connection.textContent = `Could not load the results (${err.message}); retrying with the next update.`;
}

async function load(path) {
  const results = await read(path);
  if (results === null) statusLine.textContent = 'No results yet.';
  else {
    draw(results);
    // The current results carry the call that stands; a version read by its URL does not.
    drawCall(results.call);
  }
}

async function loadCall(path) {
  const call = await read(path);
  if (call !== null) drawCall(call);
}

// A browser's EventSource reconnects by itself and sends Last-Event-ID: the stream resumes from the
// change feed with nothing missed.
const events = new EventSource(`/v1/changes/stream?election=${encodeURIComponent(election)}`);
// Read once the stream is open (and again on each reconnection): a version committed before the
// stream began is in /results, one committed after comes as an event; none falls between the two.
events.onopen = () => {
  connection.textContent = '';
  main.dataset.live = 'true';
  load(`/v1/elections/${encodeURIComponent(election)}/results`).catch(failed);
};
events.onerror = () => {
  connection.textContent = 'Reconnecting…';
  main.dataset.live = 'false';
};
events.onmessage = (event) => {
  const change = JSON.parse(event.data);
  if (change.kind !== 'results' && change.kind !== 'call') return;
  // A version or a call is immutable: read it by its own URL, never a cached /results. Before any
  // result (contest unknown), the first version or call of any contest sends the page to /results.
  if (contest === null) load(`/v1/elections/${encodeURIComponent(election)}/results`).catch(failed);
  else if (change.contest !== contest) return;
  else if (change.kind === 'results' && change.version > shown) load(change.url).catch(failed);
  else if (change.kind === 'call' && change.version > shownCall) loadCall(change.url).catch(failed);
};
