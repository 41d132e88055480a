// Loaded in every test process after tsx (package.json "tap"."node-arg"): the fast module loading
// of `npm start` (src/boot.ts), so that a test file imports the app as quickly as the server does.
import { boot } from '../../src/boot.js';

boot();
