import type { Change } from './changes.repository.js';

/** A change as the feed and the streams show it (the Change schema). */
export const changeItem = (r: Change) => ({
  id: r.id,
  at: r.at,
  kind: r.kind,
  action: r.action,
  resourceId: r.resource_id,
  electionId: r.election_id,
  countryCode: r.country_code,
  contest: r.contest,
  version: r.version,
  url: r.url,
});
