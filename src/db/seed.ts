import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { isoCountryList } from '../lib/countries.js';
import { searchKey } from '../lib/slug.js';
import type { Db } from './client.js';
import * as t from './schema/index.js';

const seedsFolder = fileURLToPath(new URL('../../seeds', import.meta.url));

const dateOrDateTime = z.union([z.iso.date(), z.iso.datetime({ offset: true, local: false })]);

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
  organisations: z.array(z.object({ id: z.string(), name: z.string(), sourceId: z.string() })),
  candidates: z.array(
    z.object({ id: z.string(), name: z.string(), note: z.string().nullable(), sourceId: z.string() }),
  ),
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
      results: z.array(
        z.object({
          number: z.number().int().positive(),
          status: z.enum(t.resultStatus.enumValues),
          asOf: dateOrDateTime.nullable(),
          complete: z.boolean(),
          publishedBy: z.string().nullable(),
          registeredVoters: z.number().int().nullable(),
          ballotsCast: z.number().int().nullable(),
          validVotes: z.number().int().nullable(),
          invalidVotes: z.number().int().nullable(),
          turnoutPercent: z.number().nullable(),
          percentBase: z.enum(t.percentBase.enumValues),
          note: z.string().nullable(),
          sourceId: z.string(),
          additionalSources: z.array(z.object({ sourceId: z.string(), covers: z.string() })),
          lines: z.array(
            z.object({
              kind: z.enum(t.selectionKind.enumValues),
              candidateId: z.string().nullable(),
              label: z.string().nullable(),
              nominatorId: z.string().nullable(),
              votes: z.number().int().nonnegative().nullable(),
              percent: z.number().min(0).max(100).nullable(),
              rank: z.number().int().positive().nullable(),
              outcome: z.enum(t.outcome.enumValues).nullable(),
              publishedAsIs: z.boolean().default(false),
            }),
          ),
        }),
      ),
    }),
  ),
});

export type SeedFile = z.infer<typeof seedFileSchema>;

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

/**
 * Loads the reference countries and the seed files. Idempotent: rows that exist are left as they
 * are (an editor's later versions are never touched), so running it twice changes nothing.
 */
export async function seed(db: Db, files?: SeedFile[]): Promise<void> {
  const data = files ?? (await readSeedFiles());
  await db.transaction(async (tx) => {
    await tx.insert(t.countries).values(isoCountryList()).onConflictDoNothing();
    for (const file of data) {
      if (file.sources.length) await tx.insert(t.sources).values(file.sources).onConflictDoNothing();
      if (file.organisations.length) await tx.insert(t.organisations).values(file.organisations).onConflictDoNothing();
      if (file.candidates.length)
        await tx
          .insert(t.candidates)
          .values(file.candidates.map((c) => ({ ...c, searchKey: searchKey(c.name) })))
          .onConflictDoNothing();
      for (const { results, ...election } of file.elections) {
        await tx.insert(t.elections).values(election).onConflictDoNothing();
        for (const { lines, additionalSources, ...version } of results) {
          const [inserted] = await tx
            .insert(t.resultVersions)
            .values({ ...version, electionId: election.id })
            .onConflictDoNothing()
            .returning({ id: t.resultVersions.id });
          if (!inserted) continue; // this version is already there, with its lines
          if (lines.length) await tx.insert(t.voteShares).values(lines.map((l) => ({ ...l, versionId: inserted.id })));
          if (additionalSources.length)
            await tx
              .insert(t.resultVersionSources)
              .values(additionalSources.map((s) => ({ ...s, versionId: inserted.id })));
        }
      }
    }
  });
}
