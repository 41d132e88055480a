// Baseline 1: a plain Fastify hello-world with the API's logger settings (src/app.ts), so the
// ratio to it is the cost of everything the API adds to Fastify itself.
// Baseline 2 (`--only warm`): with BENCH_BARE_RESPONSE, the path of a JSON file holding a response
// the API sent (headers, body in base64), `GET /bare` sends those bytes with those headers and does
// nothing else: Fastify's own limit for that response, with the same logger.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { loadConfig } from '../../src/config.js';
import { listenForParent } from './listen.js';

const config = loadConfig({});
const app = Fastify({
  logger: { level: config.LOG_LEVEL, redact: ['req.headers.authorization', 'req.headers.cookie'] },
});
app.get('/', async () => ({ hello: 'world' }));
const bare = process.env.BENCH_BARE_RESPONSE;
if (bare) {
  const captured = JSON.parse(readFileSync(bare, 'utf8')) as { headers: Record<string, string>; body: string };
  const body = Buffer.from(captured.body, 'base64');
  app.get('/bare', (_request, reply) => reply.headers(captured.headers).send(body));
}
await listenForParent(app);
