import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { and, eq } from 'drizzle-orm';
import { iso31662 } from 'iso-3166';
import { z } from 'zod';
import { isoCountryList } from '../lib/countries.js';
import { packageInfo } from '../lib/package-info.js';
import { fromRoot } from '../lib/project-root.js';
import { nameKey } from '../lib/name-key.js';
import type { Db } from './client.js';
import { fillOwnNames, ISO_3166_1_SOURCE, ownNameRows, syncOwnNames } from './names.js';
import { defaultMainContest } from './contests.js';
import { insertVersions, type VersionRows } from './result-versions.js';
import * as t from './schema/index.js';

// Every ISO 3166-2 code, with its country: the iso-3166 package is the authority, not a hand-typed list.
const isoSubdivisions = new Map(iso31662.map((s) => [s.code, s.parent]));

const seedsFolder = fromRoot('seeds');
/** The newest migration's tag (migrations/meta/_journal.json): a new migration may want the seed again. */
const latestMigration = () =>
  (
    JSON.parse(readFileSync(fromRoot('migrations', 'meta', '_journal.json'), 'utf8')) as {
      entries: { tag: string }[];
    }
  ).entries.at(-1)?.tag;

const dateOrDateTime = z.union([z.iso.date(), z.iso.datetime({ offset: true, local: false })]);

const count = z.number().int().nonnegative().nullable();
const counts = {
  registeredVoters: count,
  ballotsCast: count,
  validVotes: count,
  invalidVotes: count,
  turnoutPercent: z.number().nullable(),
  // Counting progress (omitted: not published).
  unitsLevel: z.enum(t.areaLevel.enumValues).nullable().default(null),
  unitsReporting: count.default(null),
  unitsTotal: count.default(null),
  ballotsCounted: count.default(null),
  expectedVotes: count.default(null),
};

/** The counting-progress fields of a version or an area, as the seed format holds them (flat). */
export const COUNTING_KEYS = ['unitsLevel', 'unitsReporting', 'unitsTotal', 'ballotsCounted', 'expectedVotes'] as const;
/** No counting progress published. */
export const NO_COUNTING = {
  unitsLevel: null,
  unitsReporting: null,
  unitsTotal: null,
  ballotsCounted: null,
  expectedVotes: null,
} as const;

const seedLineSchema = z.object({
  kind: z.enum(t.selectionKind.enumValues),
  candidateId: z.string().nullable(),
  label: z.string().nullable(),
  nominatorId: z.string().nullable(),
  votes: count,
  percent: z.number().min(0).max(100).nullable(),
  rank: z.number().int().positive().nullable(),
  outcome: z.enum(t.outcome.enumValues).nullable(),
  seats: count.default(null),
  publishedAsIs: z.boolean().default(false),
});

const seedVersionSchema = z.object({
  number: z.number().int().positive(),
  status: z.enum(t.resultStatus.enumValues),
  asOf: dateOrDateTime.nullable(),
  complete: z.boolean(),
  publishedBy: z.string().nullable(),
  ...counts,
  percentBase: z.enum(t.percentBase.enumValues),
  note: z.string().nullable(),
  sourceId: z.string(),
  additionalSources: z.array(z.object({ sourceId: z.string(), covers: z.string() })),
  lines: z.array(seedLineSchema),
  // Figures for areas other than the contest's own.
  areas: z
    .array(
      z.object({
        areaId: z.string(),
        ...counts,
        complete: z.boolean().default(false),
        publishedAsIs: z.boolean().default(false),
        lines: z.array(seedLineSchema).default([]),
      }),
    )
    .default([]),
});

const seedContestSchema = z.object({
  slug: z.string(),
  kind: z.enum(t.contestKind.enumValues),
  name: z.string(),
  areaId: z.string(),
  seats: z.number().int().positive().nullable(),
  thresholdPercent: z.number().nullable(),
  main: z.boolean(),
  note: z.string().nullable(),
  sourceId: z.string(),
  results: z.array(seedVersionSchema),
});

// A name or an identifier belongs to exactly one record.
const subject = {
  candidateId: z.string().optional(),
  organisationId: z.string().optional(),
  areaId: z.string().optional(),
  electionId: z.string().optional(),
};
const oneSubject = (row: Partial<Record<keyof typeof subject, string>>) =>
  [row.candidateId, row.organisationId, row.areaId, row.electionId].filter((id) => id !== undefined).length === 1;
const partialDate = z.string().regex(/^\d{4}(-\d{2}(-\d{2})?)?$/);
const seedNameSchema = z
  .object({
    ...subject,
    name: z.string().min(1),
    lang: z.string().regex(/^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?$/),
    kind: z.enum(t.nameKind.enumValues),
    preferred: z.boolean().default(false),
    validFrom: partialDate.nullable().default(null),
    validTo: partialDate.nullable().default(null),
    sourceId: z.string(),
  })
  .refine(oneSubject, 'names one record: exactly one of candidateId, organisationId, areaId, electionId');
const seedIdentifierSchema = z
  .object({ ...subject, scheme: z.enum(t.identifierScheme.enumValues), value: z.string().min(1), sourceId: z.string() })
  .refine(oneSubject, 'names one record: exactly one of candidateId, organisationId, areaId, electionId');

export const seedFileSchema = z.object({
  sources: z.array(
    z.object({
      id: z.string(),
      publisher: z.string(),
      title: z.string().nullable(),
      url: z.url().nullable(),
      published: dateOrDateTime.nullable(),
      kind: z.enum(t.sourceKind.enumValues),
      language: z.string().nullable(),
      note: z.string().nullable(),
    }),
  ),
  areas: z
    .array(
      z.object({
        id: z.string(),
        countryCode: z.string().length(2),
        parentId: z.string().nullable(),
        level: z.enum(t.areaLevel.enumValues),
        name: z.string(),
        isoCode: z.string().nullable(),
        authorityCode: z.string().nullable(),
        validFrom: z.iso.date().nullable(),
        validTo: z.iso.date().nullable(),
        note: z.string().nullable(),
        sourceId: z.string(),
      }),
    )
    .default([]),
  organisations: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      kind: z.enum(t.organisationKind.enumValues).nullable().default(null),
      shortName: z.string().nullable().default(null),
      abbreviation: z.string().nullable().default(null),
      colour: z
        .string()
        .regex(/^#[0-9a-f]{6}$/)
        .nullable()
        .default(null),
      colourSourceId: z.string().nullable().default(null),
      sourceId: z.string(),
    }),
  ),
  candidates: z.array(
    z.object({ id: z.string(), name: z.string(), note: z.string().nullable(), sourceId: z.string() }),
  ),
  names: z.array(seedNameSchema).default([]),
  identifiers: z.array(seedIdentifierSchema).default([]),
  elections: z.array(
    z.object({
      id: z.string(),
      countryCode: z.string().length(2),
      type: z.enum(t.electionType.enumValues),
      date: z.iso.date(),
      snap: z.boolean().nullable(),
      round: z.number().int().positive(),
      previousRoundId: z.string().nullable(),
      termEndYear: z.number().int().nullable(),
      candidateCount: z.number().int().nullable(),
      note: z.string().nullable(),
      sourceId: z.string(),
      // The main contest's versions, when `contests` names no main contest (the shape of older files).
      results: z.array(seedVersionSchema).default([]),
      contests: z.array(seedContestSchema).default([]),
    }),
  ),
});

export type SeedFile = z.infer<typeof seedFileSchema>;
export type SeedElection = SeedFile['elections'][number];
export type SeedVersion = z.infer<typeof seedVersionSchema>;
export type SeedContest = Omit<z.infer<typeof seedContestSchema>, 'seats' | 'thresholdPercent'> & {
  seats?: number | null;
  thresholdPercent?: number | null;
};

/**
 * Country names are the library's: a database seeded with other names (before the switch to ISO's
 * own short names) gets them on its next start. Only when a name differs is anything written: an
 * UPDATE, even of no row, bumps the data version (every ETag) at each start.
 */
async function renameCountries(tx: Db, countries: { code: string; name: string }[]) {
  const names = new Map(countries.map((c) => [c.code, c.name]));
  const stored = await tx.select({ code: t.countries.code, name: t.countries.name }).from(t.countries);
  const areas = await tx
    .select({ id: t.areas.id, name: t.areas.name })
    .from(t.areas)
    .where(eq(t.areas.level, 'country'));
  for (const c of stored) {
    const name = names.get(c.code);
    if (name !== undefined && name !== c.name)
      await tx.update(t.countries).set({ name }).where(eq(t.countries.code, c.code));
  }
  for (const a of areas) {
    const name = names.get(a.id.toUpperCase());
    if (name !== undefined && name !== a.name) {
      await tx.update(t.areas).set({ name }).where(eq(t.areas.id, a.id));
      await syncOwnNames(tx, 'area', a.id, ownNameRows('area', a.id, { name }, ISO_3166_1_SOURCE));
    }
  }
}

/** The source the countries, their own areas and their names cite: the iso-3166 package's list. */
const ISO_3166_1: typeof t.sources.$inferInsert = {
  id: ISO_3166_1_SOURCE,
  publisher: 'ISO',
  title: 'ISO 3166-1 country codes (short names in English)',
  url: 'https://www.iso.org/iso-3166-country-codes.html',
  published: null,
  kind: 'official',
  language: 'en',
  note: "The countries and their short names, read from the iso-3166 package: the source of each country's own area and its name.",
};

/** An election's contests: those the file names, and the main one its `results` belong to. */
export function contestsOf(election: SeedElection): SeedContest[] {
  if (election.contests.some((c) => c.main)) return election.contests;
  const main = defaultMainContest(election);
  return [
    {
      slug: main.slug,
      kind: main.kind,
      name: main.name,
      areaId: main.areaId,
      seats: main.seats ?? null,
      thresholdPercent: null,
      main: true,
      note: null,
      sourceId: main.sourceId,
      results: election.results,
    },
    ...election.contests,
  ];
}

/** A version of the seed format as the rows the database keeps. */
export function versionRows(electionId: string, contestId: number, v: SeedVersion): VersionRows {
  const { lines, areas, additionalSources, ...version } = v;
  return {
    version: { ...version, electionId, contestId },
    lines: [
      ...lines.map((l) => ({ ...l, areaId: null })),
      ...areas.flatMap((a) => a.lines.map((l) => ({ ...l, areaId: a.areaId }))),
    ],
    areas: areas.map(({ lines: _lines, ...a }) => a),
    additionalSources,
  };
}

export async function readSeedFiles(folder = seedsFolder): Promise<SeedFile[]> {
  const names = (await readdir(folder)).filter((name) => name.endsWith('.json')).sort();
  return Promise.all(
    names.map(async (name) => {
      const parsed = seedFileSchema.safeParse(JSON.parse(await readFile(`${folder}/${name}`, 'utf8')));
      if (!parsed.success) throw new Error(`seeds/${name}: ${z.prettifyError(parsed.error)}`);
      return parsed.data;
    }),
  );
}

/** Throws unless every ISO 3166-2 code the areas give is one the iso-3166 package knows, in that country. */
function checkIsoCodes(areas: SeedFile['areas']) {
  for (const area of areas)
    if (area.isoCode !== null && isoSubdivisions.get(area.isoCode) !== area.countryCode)
      throw new Error(`area ${area.id}: ${area.isoCode} is not an ISO 3166-2 code of ${area.countryCode}`);
}

/**
 * Loads the reference countries (each with its own area) and the seed files. Idempotent: rows
 * that exist are left as they are, and a contest's versions are written only while it has none (an
 * editor's versions are never touched, and never followed by an older history), so running it twice
 * changes nothing.
 */
export async function seed(db: Db, files?: SeedFile[]): Promise<void> {
  const data = files ?? (await readSeedFiles());
  const countries = isoCountryList();
  await seedWith(db, data, countries, seedDigest(data, countries));
}

/**
 * What a start runs (AUTO_MIGRATE): the seed, unless this database has had exactly this seed
 * before (the same seed files, reference countries, migrations and release), when it would change
 * nothing. Returns whether it ran. `npm run db:seed` always runs it in full.
 */
export async function seedIfChanged(db: Db, folder = seedsFolder): Promise<boolean> {
  const data = await readSeedFiles(folder);
  const countries = isoCountryList();
  const digest = seedDigest(data, countries);
  const [done] = await db.select().from(t.seedRuns).where(eq(t.seedRuns.digest, digest));
  if (done) return false;
  await seedWith(db, data, countries, digest);
  return true;
}

/** A digest of everything a seed writes from: the files, the countries, the schema and the code's release. */
function seedDigest(data: SeedFile[], countries: ReturnType<typeof isoCountryList>): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([packageInfo.version, latestMigration(), ISO_3166_1, countries, data]));
  return hash.digest('hex');
}

async function seedWith(db: Db, data: SeedFile[], countries: ReturnType<typeof isoCountryList>, digest: string) {
  for (const file of data) checkIsoCodes(file.areas);
  await db.transaction(async (tx) => {
    await tx.insert(t.sources).values(ISO_3166_1).onConflictDoNothing();
    await tx.insert(t.countries).values(countries).onConflictDoNothing();
    await tx
      .insert(t.areas)
      .values(
        countries.map((c) => ({
          id: c.code.toLowerCase(),
          countryCode: c.code,
          level: 'country' as const,
          name: c.name,
        })),
      )
      .onConflictDoNothing();
    for (const file of data) {
      if (file.sources.length) await tx.insert(t.sources).values(file.sources).onConflictDoNothing();
      if (file.areas.length) await tx.insert(t.areas).values(file.areas).onConflictDoNothing();
      if (file.organisations.length) await tx.insert(t.organisations).values(file.organisations).onConflictDoNothing();
      if (file.candidates.length) await tx.insert(t.candidates).values(file.candidates).onConflictDoNothing();
      for (const election of file.elections) {
        const { results: _results, contests: _contests, ...row } = election;
        await tx.insert(t.elections).values(row).onConflictDoNothing();
        for (const { results, ...contest } of contestsOf(election)) {
          await tx
            .insert(t.contests)
            .values({ ...contest, electionId: election.id })
            .onConflictDoNothing();
          const [stored] = await tx
            .select({ id: t.contests.id, latest: t.contests.currentVersion })
            .from(t.contests)
            .where(and(eq(t.contests.electionId, election.id), eq(t.contests.slug, contest.slug)));
          if (!stored || stored.latest !== null) continue; // it has versions already: they are kept as they are
          await insertVersions(
            tx,
            results.map((v) => versionRows(election.id, stored.id, v)),
          );
        }
      }
      if (file.names.length)
        await tx
          .insert(t.names)
          .values(file.names.map((n) => ({ ...n, searchKey: nameKey(n.name) })))
          .onConflictDoNothing();
      if (file.identifiers.length) await tx.insert(t.externalIds).values(file.identifiers).onConflictDoNothing();
    }
    await renameCountries(tx, countries);
    await fillOwnNames(tx);
    await tx.insert(t.seedRuns).values({ digest }).onConflictDoNothing();
  });
}
