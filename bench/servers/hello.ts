// Baseline 1: a plain Fastify hello-world with the API's logger settings (src/app.ts), so the
// ratio to it is the cost of everything the API adds to Fastify itself.
import Fastify from 'fastify';
import { loadConfig } from '../../src/config.js';
import { listenForParent } from './listen.js';

const config = loadConfig({});
const app = Fastify({
  logger: { level: config.LOG_LEVEL, redact: ['req.headers.authorization', 'req.headers.cookie'] },
});
app.get('/', async () => ({ hello: 'world' }));
await listenForParent(app);
