import slugify from '@sindresorhus/slugify';

/** Lower-case, accent-free, hyphen-joined form used for ids and for name search. */
export function searchKey(text: string): string {
  return slugify(text, { decamelize: false });
}
