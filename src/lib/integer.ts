import { z } from 'zod';

const DECIMAL = /^[0-9]{1,16}$/;

/**
 * An integer parameter of a path or query string, written in decimal digits only. `z.coerce.number()`
 * takes whatever Number() takes: `1e1`, `0x10`, ` 1` and `1.0` would be 10, 16, 1 and 1. The
 * document says `type: integer` (a preprocess step is invisible to it); anything else in the URL is
 * a 400 naming the parameter.
 */
export function decimalInt(min: number, max: number, doc: { default?: number; examples?: number[] } = {}) {
  return z.preprocess(
    (value) => (typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value),
    z
      .int({ error: (issue) => (issue.input === undefined ? undefined : 'must be an integer in decimal digits') })
      .min(min)
      .max(max)
      // The document shows the inner schema of a preprocess: its default and examples go here.
      .meta(doc),
  );
}
