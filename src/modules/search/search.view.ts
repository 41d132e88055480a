import { nameKey } from '../../lib/name-key.js';
import { badParameter } from '../../lib/problem.js';

/** The folded query, or a 400 naming `q` when nothing searchable is left of it. */
export function searchKeyOf(q: string): string {
  const key = nameKey(q);
  if (key === '') throw badParameter('query', 'q', 'must contain at least one letter or digit');
  return key;
}
