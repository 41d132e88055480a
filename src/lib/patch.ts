import { z } from 'zod';

type Optional<T extends z.ZodType> =
  T extends z.ZodDefault<infer Inner extends z.ZodType> ? z.ZodOptional<Inner> : z.ZodOptional<T>;

/**
 * The body of a PATCH from the fields of a create body: each field optional, its default dropped
 * (a field left out is left as it is, not reset), and at least one field.
 */
export function patchBody<S extends Record<string, z.ZodType>>(shape: S) {
  const fields = Object.fromEntries(
    Object.entries(shape).map(([name, field]) => [
      name,
      (field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : field).optional(),
    ]),
  ) as { [K in keyof S]: Optional<S[K]> };
  return z
    .strictObject(fields)
    .refine((body) => Object.values(body).some((v) => v !== undefined), { message: 'must change at least one field' });
}
