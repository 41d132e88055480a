// The display name of a record in the language a client asked for (`lang`, else Accept-Language),
// with English as the fallback, and all of its names on request (`names=all`).
import type { FastifyReply, FastifyRequest } from 'fastify';
import Negotiator from 'negotiator';
import { z } from 'zod';
import type { SubjectKind } from '../../db/names.js';
import { namesOf, type StoredName } from './names.repository.js';

const LANGUAGE_TAG = /^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?$/;

export const languageParams = {
  lang: z
    .string()
    .max(35)
    .regex(LANGUAGE_TAG, 'must be a language tag such as en, kk, ru or kk-Latn')
    .optional()
    .describe(
      'The language of `name` (BCP 47: en, kk, kk-Latn, ru…), where a source gives the name in it; English ' +
        'otherwise. Takes precedence over Accept-Language; Content-Language says what was served.',
    ),
  names: z
    .enum(['all'])
    .optional()
    .describe('`all`: add `names`, every name of the record with its language, kind and source.'),
};

export const storedNameSchema = z
  .object({
    name: z.string(),
    lang: z.string().describe('BCP 47: en, kk (Kazakh, Cyrillic), kk-Latn, ru, uk, be…'),
    kind: z
      .enum(['name', 'short', 'abbreviation', 'variant', 'former'])
      .describe('name, short, abbreviation, variant (another spelling seen), former (used until validTo).'),
    preferred: z.boolean().describe('The one to show in this language.'),
    validFrom: z
      .string()
      .nullable()
      .describe('YYYY, YYYY-MM or YYYY-MM-DD, as precise as the source; null when unknown.'),
    validTo: z.string().nullable(),
    source: z.object({
      id: z.string(),
      publisher: z.string(),
      title: z.string().nullable(),
      url: z.string().nullable(),
    }),
  })
  .meta({ id: 'Name' });

export const namesField = z
  .array(storedNameSchema)
  .optional()
  .describe('With names=all: every name of the record, preferred ones first.');

/** The languages the client asked for, best first: `lang`, else Accept-Language's (q > 0, no `*`). */
export function requestedLanguages(request: FastifyRequest, lang: string | undefined): string[] {
  if (lang !== undefined) return [lang];
  if (request.headers['accept-language'] === undefined) return [];
  return new Negotiator(request).languages().filter((l) => l !== '*');
}

/** The preferred name of a record in the first of `langs` it has one in (a tag matches its own subtags too). */
export function pickName(names: StoredName[], langs: string[]): StoredName | undefined {
  for (const wanted of langs) {
    const lower = wanted.toLowerCase();
    const found =
      names.find((n) => n.kind === 'name' && n.preferred && n.lang.toLowerCase() === lower) ??
      names.find((n) => n.kind === 'name' && n.preferred && n.lang.toLowerCase().split('-')[0] === lower) ??
      names.find((n) => n.kind === 'name' && n.preferred && lower.split('-')[0] === n.lang.toLowerCase());
    if (found) return found;
  }
  return undefined;
}

/**
 * Each row with its display name for the request (and `names` with names=all), and the reply's
 * Content-Language set. Reads the names table only when a language other than English,
 * or every name, is asked for.
 */
export async function localise<R extends { name: string }>(
  request: FastifyRequest,
  reply: FastifyReply,
  kind: SubjectKind,
  rows: R[],
  idOf: (row: R) => string,
  query: { lang?: string | undefined; names?: 'all' | undefined },
): Promise<(R & { names?: StoredName[] })[]> {
  // Vary: Accept-Language is the http-cache plugin's (every route that takes `lang`). A CSV export's
  // headers are sent before its first page: it carries no Content-Language.
  const headersOpen = !reply.sent && !reply.raw.headersSent;
  const langs = requestedLanguages(request, query.lang);
  const english = langs.length === 0 || langs[0]!.toLowerCase().split('-')[0] === 'en';
  if (english && query.names !== 'all') {
    if (headersOpen) reply.header('content-language', 'en');
    return rows;
  }
  const found = await namesOf(request.db, kind, rows.map(idOf));
  const served = new Set<string>();
  const out = rows.map((row) => {
    const names = found.get(idOf(row)) ?? [];
    const picked = english ? undefined : pickName(names, langs);
    served.add(picked?.lang ?? 'en');
    return {
      ...row,
      name: picked?.name ?? row.name,
      ...(query.names === 'all' ? { names } : {}),
    };
  });
  if (headersOpen) reply.header('content-language', [...(served.size ? served : ['en'])].sort().join(', '));
  return out;
}
