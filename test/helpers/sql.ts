// The same helper the API uses, for tests that read tables directly.
export { rowsOf } from '../../src/db/rows.js';
