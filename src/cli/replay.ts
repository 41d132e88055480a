// npm run replay -- --election <id> [--speed 60] [--year 2100]
// Replays an election night: into a scratch copy of the election (same country and type, polling
// day moved to --year or the first later year that is free, marked as a replay in its note), each
// result version of the original in the order it was published (the change feed's), through the
// public write API, spaced as the figures' `asOf` times were, divided by --speed. Watch the copy's
// /live page and the feeds move. Needs API_URL (default http://localhost:3000) and API_KEY (a key
// with the write scope: npm run keys:create -- --name replay --scope write).
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

const usage = 'usage: replay --election <id> [--speed <n>] [--year <yyyy>]';
const { values: args } = parseArgs({
  options: {
    election: { type: 'string' },
    speed: { type: 'string', default: '60' },
    year: { type: 'string', default: '2100' },
  },
});
function fail(message: string): never {
  console.error(message);
  process.exit(2);
}
const source = args.election ?? fail(`--election is required\n${usage}`);
const speed = Number(args.speed);
if (!(speed > 0)) fail(`--speed must be a positive number\n${usage}`);
const firstYear = Number(args.year);
if (!Number.isInteger(firstYear) || firstYear < 1900 || firstYear > 2190) fail('--year must be from 1900 to 2190');
const baseUrl = process.env.API_URL ?? 'http://localhost:3000';
const key = process.env.API_KEY || fail('API_KEY must hold a key with the write scope (npm run keys:create)');
/** The longest pause between two versions, however far apart their asOf times (a day at speed 1). */
const MAX_GAP_MS = 86_400_000;

interface Line {
  kind: string;
  name: string;
  candidate: { id: string } | null;
  nominator: { id: string } | null;
  votes: number | null;
  percent: number | null;
  rank: number | null;
  outcome: string | null;
  seats: number | null;
  publishedAsIs: boolean;
}
interface Turnout {
  registeredVoters: number | null;
  ballotsCast: number | null;
  validVotes: number | null;
  invalidVotes: number | null;
  turnoutPercent: number | null;
}
interface Counting {
  unitsLevel: string | null;
  unitsReporting: number | null;
  unitsTotal: number | null;
  ballotsCounted: number | null;
  expectedVotes: number | null;
}
interface Version {
  version: number;
  status: string;
  asOf: string | null;
  complete: boolean;
  publishedBy: string | null;
  note: string | null;
  contest: { id: string; main: boolean };
  turnout: Turnout;
  counting: Counting;
  percentBase: string;
  lines: Line[];
  areas: { area: { id: string }; complete: boolean; turnout: Turnout; counting: Counting; lines: Line[] }[];
  sources: { id: string; covers: string }[];
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(new URL(path, baseUrl), {
    method,
    headers: {
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json', authorization: `Bearer ${key}` }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).catch((err: Error) => fail(`${method} ${path}: cannot reach ${baseUrl} (${err.message})`));
  const text = await response.text();
  const json = text ? (JSON.parse(text) as unknown) : null;
  return { status: response.status, body: json as T };
}

async function read<T>(path: string): Promise<T> {
  const { status, body } = await call<T & { detail?: string }>('GET', path);
  if (status !== 200) fail(`GET ${path}: ${status} ${body?.detail ?? ''}`);
  return body;
}

const lineInput = (l: Line) => ({
  kind: l.kind,
  candidateId: l.candidate?.id ?? null,
  // A candidate's or a party's line is named by its record; any other by its label.
  label: l.kind === 'candidate' || l.kind === 'party' ? null : l.name,
  nominatorId: l.nominator?.id ?? null,
  votes: l.votes,
  percent: l.percent,
  rank: l.rank,
  outcome: l.outcome,
  seats: l.seats,
  publishedAsIs: l.publishedAsIs,
});

/** A version as the write API takes it: the same figures, its own source first, the others after. */
const versionInput = (v: Version) => ({
  status: v.status,
  asOf: v.asOf,
  complete: v.complete,
  publishedBy: v.publishedBy,
  note: v.note,
  sourceId: v.sources[0]!.id,
  additionalSources: v.sources.slice(1).map((s) => ({ sourceId: s.id, covers: s.covers })),
  turnout: v.turnout,
  counting: v.counting,
  percentBase: v.percentBase,
  lines: v.lines.map(lineInput),
  areas: v.areas.map((a) => ({
    areaId: a.area.id,
    turnout: a.turnout,
    counting: a.counting,
    complete: a.complete,
    lines: a.lines.map(lineInput),
  })),
});

/** The instant of an asOf (a date is its midnight UTC), or null. */
const instant = (asOf: string | null) =>
  asOf === null ? null : Date.parse(asOf.length === 10 ? `${asOf}T00:00:00Z` : asOf);

// The original: the election, its contests, and its result versions in the order they were published.
const election = await read<{
  id: string;
  country: { code: string };
  type: string;
  date: string;
  snap: boolean | null;
  termEndYear: number | null;
  candidateCount: number | null;
  source: { id: string };
}>(`/v1/elections/${encodeURIComponent(source)}`);
const contests = await read<{
  data: {
    id: string;
    name: string;
    kind: string;
    seats: number | null;
    thresholdPercent: number | null;
    main: boolean;
    area: { id: string };
    note: string | null;
  }[];
}>(`/v1/elections/${encodeURIComponent(source)}/contests?limit=100`);
const changes: { url: string }[] = [];
for (let since = '0'; ;) {
  const page = await read<{ data: { url: string }[]; next: string; more: boolean }>(
    `/v1/changes?election=${encodeURIComponent(source)}&kind=results&limit=1000&since=${since}`,
  );
  changes.push(...page.data);
  since = page.next;
  if (!page.more) break;
}
if (changes.length === 0) fail(`${source} has no result versions to replay`);

// The copy: the first free polling day from --year on, its note saying what it is.
let copy = '';
for (let year = firstYear; !copy; year += 1) {
  if (year > firstYear + 50) fail('no free polling day in 50 years from --year');
  // 29 February exists only in leap years.
  if (election.date.slice(5) === '02-29' && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) continue;
  const created = await call<{ id: string; detail?: string }>('POST', '/v1/elections', {
    country: election.country.code,
    type: election.type,
    date: `${year}${election.date.slice(4)}`,
    snap: election.snap,
    termEndYear: null,
    candidateCount: election.candidateCount,
    note: `A replay of ${source} (npm run replay), not a real election: its versions are the original's, re-published.`,
    sourceId: election.source.id,
  });
  if (created.status === 201) copy = created.body.id;
  else if (created.status !== 409) fail(`POST /v1/elections: ${created.status} ${created.body.detail ?? ''}`);
}
for (const c of contests.data.filter((c) => !c.main)) {
  const made = await call<{ detail?: string }>('POST', `/v1/elections/${copy}/contests`, {
    id: c.id,
    name: c.name,
    kind: c.kind,
    areaId: c.area.id,
    seats: c.seats,
    thresholdPercent: c.thresholdPercent,
    note: c.note,
    sourceId: election.source.id,
  });
  if (made.status !== 201) fail(`POST contest ${c.id}: ${made.status} ${made.body.detail ?? ''}`);
}
console.log(`${source} → ${copy}: ${changes.length} versions at ${speed}× (watch ${baseUrl}/live/${copy})`);

const LEVELS = ['region', 'city', 'district', 'polling-station'];
let previous: number | null = null;
for (const change of changes) {
  const own = await read<Version>(change.url);
  // Every area the version has figures for, level by level.
  const areas = [];
  for (const level of LEVELS) areas.push(...(await read<Version>(`${change.url}?level=${level}`)).areas);
  const version = { ...own, areas };
  const at = instant(version.asOf);
  if (previous !== null && at !== null && at > previous) await sleep(Math.min(at - previous, MAX_GAP_MS) / speed);
  if (at !== null) previous = at;
  const path = version.contest.main
    ? `/v1/elections/${copy}/results`
    : `/v1/elections/${copy}/contests/${version.contest.id}/results`;
  const published = await call<{ version: number; detail?: string }>('POST', path, versionInput(version), {
    // A request retried (by a proxy, or by hand with this key) is answered with the version it made.
    'idempotency-key': `replay-${copy}-${version.contest.id}-${version.version}`,
  });
  if (published.status !== 201)
    fail(`POST ${path} (v${version.version}): ${published.status} ${published.body.detail ?? ''}`);
  console.log(
    `${version.asOf ?? 'no asOf'}\t${version.contest.id} v${version.version} → v${published.body.version}\t${version.status}`,
  );
}
console.log(`done: ${copy}`);
