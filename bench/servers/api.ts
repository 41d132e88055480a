// The API under test: buildApp with its default settings (loadConfig with only DATABASE_URL),
// logging at its default level to stdout, which the parent points at /dev/null.
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { listenForParent } from './listen.js';

const app = await buildApp({ config: loadConfig({ DATABASE_URL: process.env.BENCH_DATABASE_URL }) });
await listenForParent(app);
