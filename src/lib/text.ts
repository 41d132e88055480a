import { z } from 'zod';

// A PostgreSQL text value cannot hold NUL (SQLSTATE 22021, a 500 if it got that far), and an
// unpaired UTF-16 surrogate has no UTF-8 form, so the driver would store U+FFFD instead of what
// was sent. Both are refused at the edge, naming the field.
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const UNSTORABLE_MESSAGE = 'must not contain NUL characters or unpaired UTF-16 surrogates';

/** True when the database stores `value` exactly as given. */
function isStorable(value: string): boolean {
  return !value.includes('\u0000') && !UNPAIRED_SURROGATE.test(value);
}

/** True when every string inside a decoded JSON value is storable. */
export function isStorableJson(value: unknown): boolean {
  if (typeof value === 'string') return isStorable(value);
  if (Array.isArray(value)) return value.every(isStorableJson);
  if (value && typeof value === 'object')
    return Object.entries(value).every(([k, v]) => isStorable(k) && isStorableJson(v));
  return true;
}

/** Free text (names, titles, notes, labels) as a body field takes it; chain .min/.max/.trim as usual. */
export function text() {
  return z.string().refine(isStorable, UNSTORABLE_MESSAGE);
}
