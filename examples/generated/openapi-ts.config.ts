// `npm run client:zod` (Node >= 22.18, what @hey-api/openapi-ts needs): the second generated client,
// from the committed openapi.json. Its SDK parses each JSON response body with the zod schema of its
// operation before handing it over, so a body that breaks the document throws at run time. The
// generated code itself runs on Node 20 with the project's zod. ./hey-api is wiped and written whole
// on every run (test/generated-client.test.ts fails when it is stale): edit this file, not that folder.
import { fileURLToPath } from 'node:url';
import type { UserConfig } from '@hey-api/openapi-ts';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default {
  input: here('../../openapi.json'),
  output: {
    path: here('./hey-api'),
    // NodeNext resolution: the generated imports end in `.js`.
    tsConfigPath: here('../../tsconfig.json'),
  },
  plugins: [
    '@hey-api/client-fetch',
    // RFC 3339 date-times carry an offset (`asOf: 2022-11-20T22:00:00+06:00`); zod refuses one unless told.
    { name: 'zod', dates: { offset: true } },
    { name: '@hey-api/sdk', validator: true },
  ],
} satisfies UserConfig;
