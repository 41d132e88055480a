import { readFileSync } from 'node:fs';

/** This package's name and version (package.json), for the OpenAPI document and the CDF's issuer. */
export const packageInfo = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};
