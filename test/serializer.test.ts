// The compiled response serializers (src/lib/serializer.ts) on a bare Fastify app: they write what
// the schema declares, fall back to zod where JSON Schema cannot say it, and with the check on
// refuse a body whose values differ from zod's.
import Fastify from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import t from 'tap';
import { z } from 'zod';
import { compiledSerializerCompiler } from '../src/lib/serializer.js';

const person = z.object({
  id: z.string(),
  note: z.string().nullable(),
  party: z.object({ id: z.string() }).nullable(),
  seats: z.number().int().optional(),
});
// A codec: zod writes the string side, while the JSON Schema of its output says number.
const codec = z.object({ n: z.codec(z.string(), z.number(), { decode: Number, encode: String }) });

async function appWith(check: boolean) {
  const app = Fastify({ logger: false }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(compiledSerializerCompiler({ check }));
  app.get('/person', { schema: { response: { 200: person } } }, () => ({
    id: 'a',
    note: null,
    party: { id: 'p', secret: 'not in the schema' },
    internal: 'not in the schema either',
  }));
  app.get('/codec', { schema: { response: { 200: codec } } }, () => ({ n: 5 }));
  app.get('/date', { schema: { response: { 200: z.object({ at: z.date() }) } } }, () => ({
    at: new Date('2022-11-20T00:00:00Z'),
  }));
  await app.ready();
  return app;
}

for (const check of [false, true]) {
  t.test(`check ${check ? 'on' : 'off'}`, async (t) => {
    const app = await appWith(check);
    t.teardown(() => app.close());

    const res = await app.inject('/person');
    t.equal(res.statusCode, 200);
    t.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    // What the schema declares and nothing else, as zod writes it; optional and absent: omitted.
    t.same(JSON.parse(res.body), { id: 'a', note: null, party: { id: 'p' } });
    t.notMatch(res.body, /secret|internal|seats/);

    // zod cannot say z.date() in JSON Schema: zod writes it, as an ISO string.
    const date = await app.inject('/date');
    t.equal(date.statusCode, 200);
    t.same(JSON.parse(date.body), { at: '2022-11-20T00:00:00.000Z' });

    const codecRes = await app.inject('/codec');
    if (check) {
      // zod writes "5", the compiled serializer 5: the check refuses to send either.
      t.equal(codecRes.statusCode, 500);
      t.match(JSON.parse(codecRes.body), {
        message: /GET \/codec: the compiled serializer wrote \{"n":5\}; zod \{"n":"5"\}/,
      });
    } else {
      // Without the check the compiled serializer's reading of the schema wins: why the tests run with it.
      t.equal(codecRes.statusCode, 200);
      t.same(JSON.parse(codecRes.body), { n: 5 });
    }
  });
}
