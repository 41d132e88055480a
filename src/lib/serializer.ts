// Response bodies written by serializers compiled once per route from the JSON Schema of their zod
// schema (fast-json-stringify, as Fastify does by default), instead of zod encoding each response
// and JSON.stringify writing the result. With `check`, zod's serializer runs too and must write the
// same values (keys may come in another order: the compiled one writes required properties first):
// the tests run so on PGlite, and a difference is a 500 naming the route.
import { isDeepStrictEqual } from 'node:util';
import fastJson from 'fast-json-stringify';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

type RouteSchema = Parameters<typeof zodSerializerCompiler>[0];

/** The zod schema of a response: itself, or `{ properties: schema }` as some routes declare it. */
function zodSchemaOf(schema: unknown): z.ZodType | undefined {
  if (schema instanceof z.ZodType) return schema;
  const properties = (schema as { properties?: unknown } | null)?.properties;
  return properties instanceof z.ZodType ? properties : undefined;
}

/** The schema's JSON Schema, or undefined when zod cannot represent it (a transform, a custom type). */
function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> | undefined {
  try {
    return z.toJSONSchema(schema, { io: 'output', unrepresentable: 'throw', target: 'draft-7' });
  } catch {
    return undefined;
  }
}

export class SerializerMismatchError extends Error {}

// One compiled serializer per schema for the process: every app built from the same routes (the
// tests build hundreds) shares it.
const compiledSchemas = new WeakMap<z.ZodType, ((data: unknown) => string) | null>();

/**
 * The schema without `additionalProperties: false`. fast-json-stringify writes declared properties
 * only either way, but it picks a branch of `anyOf` (a nullable object) by validating the value
 * against each, and a row carrying one more column than the schema names matches none: a 500
 * where zod would have stripped the column.
 */
function allowingMore(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(allowingMore);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'additionalProperties' && value === false))
      .map(([key, value]) => [key, allowingMore(value)]),
  );
}

function compiledFor(schema: z.ZodType): ((data: unknown) => string) | null {
  let compiled = compiledSchemas.get(schema);
  if (compiled === undefined) {
    const json = jsonSchemaOf(schema);
    compiled = json ? (fastJson(allowingMore(json) as object) as (data: unknown) => string) : null;
    compiledSchemas.set(schema, compiled);
  }
  return compiled;
}

/**
 * Fastify compiles a serializer for every route and status at start; fast-json-stringify's compile
 * is not cheap (it would add seconds to every start), so each is compiled when its first response is
 * written.
 */
export function compiledSerializerCompiler(options: { check: boolean }) {
  return (route: RouteSchema): ((data: unknown) => string) => {
    const reference = zodSerializerCompiler(route) as (data: unknown) => string;
    let write: ((data: unknown) => string) | undefined;
    const compile = () => {
      const schema = zodSchemaOf(route.schema);
      const compiled = schema && compiledFor(schema);
      // What zod alone can express stays zod's to write.
      if (!compiled) return reference;
      if (!options.check) return compiled;
      return (data: unknown) => {
        const expected = reference(data);
        const written = compiled(data);
        // The same values; the order of keys may differ (optional properties come last).
        if (written !== expected && !isDeepStrictEqual(JSON.parse(written), JSON.parse(expected)))
          throw new SerializerMismatchError(
            `${route.method} ${route.url}: the compiled serializer wrote ${written.slice(0, 2000)}; zod ${expected.slice(0, 2000)}`,
          );
        return written;
      };
    };
    return (data) => (write ??= compile())(data);
  };
}
