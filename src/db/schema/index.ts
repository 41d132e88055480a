export * from './enums.js';
export * from './countries.js';
export * from './sources.js';
export * from './organisations.js';
export * from './candidates.js';
export * from './elections.js';
export * from './results.js';
export * from './api-keys.js';
