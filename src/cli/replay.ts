// npm run replay -- --election <id> [--speed 60] [--year 2100] [--synthetic-count]
// Replays an election night: into a scratch copy of the election (same country and type, polling
// day moved to --year or the first later year that is free, marked as a replay in its note), each
// result version of the original in the order it was published (the change feed's), through the
// public write API, spaced as the figures' `asOf` times were, divided by --speed. Watch the copy's
// /live page and the feeds move. Needs API_URL (default http://localhost:3000) and API_KEY (a key
// with the write scope: npm run keys:create -- --name replay --scope write).
//
// --synthetic-count adds what the original never had: a per-region vote count that grows with each
// briefing. It is made up, and kept apart: a contest of its own in the copy ("synthetic-count"),
// from a source of its own that says so, each version's note beginning "SYNTHETIC". The copy's main
// contest carries the original's versions only.
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

const usage = 'usage: replay --election <id> [--speed <n>] [--year <yyyy>] [--synthetic-count]';
const { values: args } = parseArgs({
  options: {
    election: { type: 'string' },
    speed: { type: 'string', default: '60' },
    year: { type: 'string', default: '2100' },
    'synthetic-count': { type: 'boolean', default: false },
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
  areas: {
    area: { id: string; level: string };
    complete: boolean;
    turnout: Turnout;
    counting: Counting;
    lines: Line[];
  }[];
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

// --synthetic-count: its source and contest, and the final shares it splits each region's ballots by.
const SYNTHETIC_SOURCE = 'replay-synthetic-count';
const SYNTHETIC_CONTEST = 'synthetic-count';
const SYNTHETIC_NOTE =
  "SYNTHETIC: made up by npm run replay --synthetic-count, not real figures. Each region's ballots are the " +
  "original's last national ballots cast shared by the regions' turnout, counted in step with the briefings and " +
  'split by the final national shares.';
let synthetic: { shares: { line: Line; share: number }[]; ballots: number; briefings: number; steps: number } | null =
  null;
if (args['synthetic-count']) {
  const main = contests.data.find((c) => c.main)!;
  const madeSource = await call<{ detail?: string }>('POST', '/v1/sources', {
    id: SYNTHETIC_SOURCE,
    publisher: 'npm run replay --synthetic-count (made up, not a real source)',
    kind: 'news',
    note: 'Figures made up to exercise the live page and the feeds on a replayed election night. Not real.',
  });
  if (madeSource.status !== 201 && madeSource.status !== 409)
    fail(`POST /v1/sources: ${madeSource.status} ${madeSource.body.detail ?? ''}`);
  const madeContest = await call<{ detail?: string }>('POST', `/v1/elections/${copy}/contests`, {
    id: SYNTHETIC_CONTEST,
    name: `${main.name}: a synthetic count (made up, not real figures)`,
    kind: main.kind,
    areaId: main.area.id,
    seats: main.seats,
    note: SYNTHETIC_NOTE,
    sourceId: SYNTHETIC_SOURCE,
  });
  if (madeContest.status !== 201)
    fail(`POST contest ${SYNTHETIC_CONTEST}: ${madeContest.status} ${madeContest.body.detail ?? ''}`);
  // The final shares (the last main-contest version with votes) and the last national ballots cast.
  const versions = await Promise.all(changes.map((c) => read<Version>(c.url)));
  const mains = versions.filter((v) => v.contest.main);
  const final = mains.findLast((v) => v.lines.some((l) => l.votes !== null));
  const ballots = mains.findLast((v) => v.turnout.ballotsCast !== null)?.turnout.ballotsCast ?? null;
  if (!final || ballots === null)
    fail(`${source}: no version with votes and ballots cast to make a synthetic count from`);
  const voted = final.lines.filter((l) => l.votes !== null && l.kind !== 'other');
  const total = voted.reduce((sum, l) => sum + l.votes!, 0);
  // One step per main-contest version with regions' figures: the count reaches 100% at the last.
  let steps = 0;
  for (const c of changes) {
    const byRegion = await read<Version>(`${c.url}?level=region`);
    if (byRegion.contest.main && byRegion.areas.length > 0) steps += 1;
  }
  synthetic = { shares: voted.map((line) => ({ line, share: line.votes! / total })), ballots, briefings: 0, steps };
}

/** The synthetic count at a briefing: each region's share of the ballots, `counted` of it, split by the final shares. */
function syntheticVersion(version: Version, regions: Version['areas'], step: number, steps: number) {
  const { shares, ballots } = synthetic!;
  const weights = regions.map((a) => a.turnout.turnoutPercent ?? 0);
  const sum = weights.reduce((a, b) => a + b, 0) || 1;
  const counted = step / steps;
  // Rounded on the running total, so that the regions' ballots add up to the country's exactly.
  let running = 0;
  const areas = regions.map((a, i) => {
    const before = Math.round((ballots * running) / sum);
    running += weights[i]!;
    const regionBallots = Math.round((ballots * running) / sum) - before;
    return {
      areaId: a.area.id,
      counting: { ballotsCounted: Math.round(regionBallots * counted) },
      lines: shares.map(({ line, share }) => ({
        ...lineInput(line),
        votes: Math.floor(regionBallots * counted * share),
        percent: null,
        rank: null,
        outcome: null,
        seats: null,
      })),
    };
  });
  const sumOf = (j: number) => areas.reduce((n, a) => n + a.lines[j]!.votes, 0);
  return {
    status: 'unofficial-partial',
    asOf: version.asOf,
    complete: false,
    note: SYNTHETIC_NOTE,
    sourceId: SYNTHETIC_SOURCE,
    percentBase: 'lines-total',
    counting: { ballotsCounted: areas.reduce((n, a) => n + a.counting.ballotsCounted, 0) },
    lines: shares.map(({ line }, j) => ({
      ...lineInput(line),
      votes: sumOf(j),
      percent: null,
      rank: null,
      outcome: null,
      seats: null,
    })),
    areas,
  };
}

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
  const regions = areas.filter((a) => a.area.level === 'region');
  if (synthetic && version.contest.main && regions.length > 0) {
    synthetic.briefings += 1;
    const made = await call<{ version: number; detail?: string }>(
      'POST',
      `/v1/elections/${copy}/contests/${SYNTHETIC_CONTEST}/results`,
      syntheticVersion(version, regions, synthetic.briefings, synthetic.steps),
      { 'idempotency-key': `replay-${copy}-synthetic-${version.version}` },
    );
    if (made.status !== 201)
      fail(`POST synthetic count (v${version.version}): ${made.status} ${made.body.detail ?? ''}`);
    console.log(`${version.asOf ?? 'no asOf'}\t${SYNTHETIC_CONTEST} v${made.body.version}\tSYNTHETIC`);
  }
}
console.log(`done: ${copy}`);
