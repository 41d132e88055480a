// The entry of `npm start`: module loading made fast first (src/boot.ts), then the server itself,
// imported after it (a static import would be loaded before boot() ran).
import { boot } from './boot.js';

boot();
await import('./serve.js');
