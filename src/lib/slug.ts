import slugify from '@sindresorhus/slugify';
import { z } from 'zod';
import { badParameter } from './problem.js';

// slugify spells umlauts the German way (ü → ue) by default; search must find "Ünal" from
// "unal", so every diacritic is simply dropped.
const plainUmlauts: [string, string][] = [...'äöüÄÖÜ'].map((c) => [c, c.normalize('NFD')[0]!]);

/** Lower-case, accent-free, transliterated, hyphen-joined form used for ids and for name search. */
export function searchKey(text: string): string {
  return slugify(text, { decamelize: false, customReplacements: plainUmlauts });
}

/** An id made from a name when the client gives none: its slug, at most 120 characters. */
export function derivedId(name: string): string {
  const id = searchKey(name).slice(0, 120).replace(/-+$/, '');
  if (!id) throw badParameter('body', 'id', 'cannot be derived from a name with no letters or digits; pass one');
  return id;
}

/** A path or body id made by derivedId: lower-case letters, digits and single hyphens. */
export function slugIdParam(what: string, example?: string) {
  return z
    .string()
    .max(200)
    .regex(
      /^[a-z0-9]+(-[a-z0-9]+)*$/,
      `must be ${what} id: lower-case letters, digits and hyphens${example ? `, e.g. ${example}` : ''}`,
    );
}
