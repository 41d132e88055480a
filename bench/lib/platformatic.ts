// The API side by side with a generic REST layer over the same tables (`--only platformatic`, issue
// 18): Platformatic's sql-mapper and sql-openapi on Fastify, from bench/platformatic (a package of
// its own with its own lockfile, installed here on first use so that the project's npm install never
// carries it). Each read of the records bench is asked of both, in the request a user of the generic
// layer would send for it.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordPath } from './records.js';
import type { TargetResult } from './report.js';
import { root } from './servers.js';
import { runText, type SectionMeta, spliceSection } from './splice.js';
import { cpuPerRequest, medianOfRounds, roundsTable } from './records-report.js';
import { fmt, median, ratios, table } from './stats.js';

export const PLATFORMATIC_DIR = join(root, 'bench', 'platformatic');

/** `npm ci` in bench/platformatic when its node_modules is missing; the versions it runs. */
export function installPlatformatic(): Record<string, string> {
  if (!existsSync(join(PLATFORMATIC_DIR, 'node_modules'))) {
    console.error(`npm ci in ${PLATFORMATIC_DIR} (the generic layer's own lockfile)…`);
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: PLATFORMATIC_DIR,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const version = (name: string) =>
    (
      JSON.parse(readFileSync(join(PLATFORMATIC_DIR, 'node_modules', name, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  return {
    '@platformatic/sql-mapper': version('@platformatic/sql-mapper'),
    '@platformatic/sql-openapi': version('@platformatic/sql-openapi'),
    'Fastify (generic layer)': version('fastify'),
  };
}

/** What the generic layer is asked for one read of the records bench, or why it cannot be. */
export type GenericRequest = { path: string; differs: string } | { path: null; why: string };

/**
 * The generic layer's request for each read: the same table, filter, order and page size. Where its
 * answer is not the same data, `differs` says how; where no single request of it gives the data,
 * `why` says so and the read is not measured.
 */
export function genericRequest(p: RecordPath): GenericRequest {
  const url = new URL(p.path, 'http://x');
  const q = url.searchParams;
  const tail = url.pathname.split('/').at(-1)!;
  const rows = 'the table rows alone, without the related records the API nests';
  switch (p.key) {
    case 'election':
      return { path: `/elections/${tail}`, differs: `${rows} (its country, source and contests)` };
    case 'candidate':
      return { path: `/candidates/${tail}`, differs: `${rows} (its names and identifiers)` };
    case 'country':
      return { path: `/countries/${tail}`, differs: 'the row alone, without its OCD-ID' };
    case 'source':
      return { path: `/sources/${tail}`, differs: 'the same row' };
    case 'organisation':
      return { path: `/organisations/${tail}`, differs: `${rows} (an alliance's members)` };
    case 'countries':
      return { path: '/countries/?limit=50&orderby.code=asc', differs: 'the rows alone, without OCD-IDs or a cursor' };
    case 'sources':
    case 'organisations':
    case 'candidates':
      return { path: `/${p.key}/?limit=50&orderby.id=asc`, differs: 'the rows, without a cursor to the next page' };
    case 'elections':
      return {
        path: '/elections/?limit=20&orderby.date=desc&orderby.id=asc',
        differs: 'the rows, without a cursor to the next page',
      };
    case 'elections-country':
      return {
        path: `/elections/?where.countryCode.eq=${q.get('country')}&limit=20&orderby.date=desc&orderby.id=asc`,
        differs: 'the rows, without a cursor to the next page',
      };
    case 'shares-candidate':
      return {
        path: `/voteShares/?where.candidateId.eq=${q.get('candidate')}&limit=50&orderby.id=asc`,
        differs:
          'lines of every version (superseded ones too), in id order, without the election, version or source of each',
      };
    default:
      return {
        path: null,
        why: 'the lines carry a version, not an election or a country: no single request of the generic layer selects them',
      };
  }
}

export interface PlatformaticReport extends SectionMeta {
  dataset: { name: string; elections: number; lines: number; reused: boolean };
  reads: { key: string; what: string; api: string; generic: GenericRequest }[];
  bytes: Record<string, { api: number; generic: number }>;
  targets: TargetResult[];
}

export const platformaticKeys = (key: string) => ({ generic: `generic-${key}`, api: `generic-${key}-api` });
export const PLATFORMATIC_START =
  '<!-- platformatic: start (npm run bench -- --only platformatic rewrites this section alone) -->';
export const PLATFORMATIC_END = '<!-- platformatic: end -->';

const find = (r: PlatformaticReport, key: string) => r.targets.find((t) => t.key === key);
const code = (path: string) => `\`${decodeURIComponent(path)}\``;
const ratioOf = (r: PlatformaticReport, key: string) => {
  const k = platformaticKeys(key);
  const api = find(r, k.api);
  return api ? median(ratios(api, find(r, k.generic))) : Number.NaN;
};

export function platformaticSummary(r: PlatformaticReport): string {
  return table(
    [
      'read (API)',
      'generic layer request',
      'API req/s',
      'generic req/s',
      'API ÷ generic (median of rounds)',
      'p50 / p99 ms: API, generic',
      'server CPU µs/request: API, generic',
      'body bytes: API, generic',
    ],
    r.reads.map((read) => {
      if (read.generic.path === null) return [code(read.api), `none: ${read.generic.why}`, '', '', '', '', '', ''];
      const k = platformaticKeys(read.key);
      const api = find(r, k.api);
      const generic = find(r, k.generic);
      const lat = (t: TargetResult | undefined) =>
        `${fmt.ms(medianOfRounds(t, (m) => m.p50))} / ${fmt.ms(medianOfRounds(t, (m) => m.p99))}`;
      const b = r.bytes[read.key];
      return [
        code(read.api),
        code(read.generic.path),
        fmt.int(medianOfRounds(api, (m) => m.rps)),
        fmt.int(medianOfRounds(generic, (m) => m.rps)),
        fmt.ratio(ratioOf(r, read.key)),
        `${lat(api)}, ${lat(generic)}`,
        `${fmt.int(cpuPerRequest(api))}, ${fmt.int(cpuPerRequest(generic))}`,
        b ? `${fmt.int(b.api)}, ${fmt.int(b.generic)}` : 'n/a',
      ];
    }),
  );
}

export function platformaticGoals(r: PlatformaticReport): string {
  return table(
    ['target (issue 18)', 'measured (median)', 'status'],
    r.reads.flatMap((read) => {
      if (read.generic.path === null) return [];
      const ratio = ratioOf(r, read.key);
      return [[`${code(read.api)} ahead of the generic layer`, fmt.ratio(ratio), ratio > 1 ? 'met' : 'not met']];
    }),
  );
}

function renderPlatformatic(r: PlatformaticReport): string {
  const differences = r.reads
    .map((read) =>
      read.generic.path === null
        ? `- ${code(read.api)}: not measured; ${read.generic.why}.`
        : `- ${code(read.api)}: ${read.generic.differs}.`,
    )
    .join('\n');
  return `${PLATFORMATIC_START}
## Against a generic REST layer (Platformatic)

${runText(r)} A run with \`--only platformatic\` rewrites this section alone.

The same reads as the records section, each asked of the API and of a generic REST layer over the
same database: Platformatic's \`@platformatic/sql-mapper\` and \`@platformatic/sql-openapi\` on
Fastify with its request log (\`bench/platformatic\`, installed by the bench from its own lockfile on
first use), with the API's pool of 10 connections. Platformatic's own runtime (\`platformatic db\`)
wraps these two packages; its 3.x line needs Node 22.19 or later, so the bench uses the 2.x line
that runs on the Node of this machine.

Load: autocannon, req/s counting 2xx answers only, ${r.options.connections} connections, ${r.options.duration} s per measurement,
${r.options.rounds} round(s), ${r.options.warmup} s warm-up per target before the first round; the generic layer measured right
before the API for each read, each ratio taken per round. Dataset \`${r.dataset.name}\`
(${fmt.int(r.dataset.elections)} synthetic elections, ${fmt.int(r.dataset.lines)} vote-share lines${r.dataset.reused ? ', reused from an earlier run' : ''}).

The generic layer does less per request, which the ratio does not correct for: it sends a table's
rows as they are, with no ETag, \`Cache-Control\`, \`Last-Modified\`, CORS, rate limit or load
shedding, and what each read leaves out is below. The body bytes show the difference in what is sent.

${platformaticSummary(r)}

### Targets from the issue (against the generic layer)

${platformaticGoals(r)}

### What the generic layer's answer leaves out

${differences}

### Every round (against the generic layer)

${roundsTable(r)}
${PLATFORMATIC_END}`;
}

/** The report `existing` with this section replaced, or inserted after the records sections. */
export function splicePlatformatic(existing: string | null, r: PlatformaticReport): string {
  return spliceSection(existing, renderPlatformatic(r), PLATFORMATIC_START, PLATFORMATIC_END, [
    '\n<!-- search: start',
    '\n<!-- per-area: start',
    '\n## Start to ready',
  ]);
}
