import { readFileSync } from 'node:fs';
import { fromRoot } from './project-root.js';

/** This package's name and version (package.json), for the OpenAPI document and the CDF's issuer. */
export const packageInfo = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as {
  name: string;
  version: string;
};
