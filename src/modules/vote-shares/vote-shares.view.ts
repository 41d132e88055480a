// A result line as the flat vote-shares table shows it: the list of /v1/vote-shares, the CSV of a
// result version, and a candidate's lines across elections.
import type { Db } from '../../db/client.js';
import { isPreliminary } from '../../db/schema/index.js';
import type { Listing } from '../../formats/list.js';
import { voteShareColumns } from './vote-shares.columns.js';
import { listVoteShares, type VoteShareFilter, type VoteShareRow } from './vote-shares.repository.js';

/**
 * The line as the list shows it: the row read for this request, completed in place (a copy made
 * with a spread is slower to serialise). `candidateName` and `label` stay on the object, but no
 * schema or CSV column names them, so neither is written.
 */
export const toVoteShare = (row: VoteShareRow): Omit<VoteShareRow, 'candidateName' | 'label'> & VoteShareView =>
  Object.assign(row, { preliminary: isPreliminary(row.status), name: row.candidateName ?? row.label ?? '' });

interface VoteShareView {
  preliminary: boolean;
  /** The candidate's name, or the line's label (against all, a ballot option). */
  name: string;
}

/** The lines matching `filter` in the order they were recorded (line id). */
export const voteShareListing = (
  db: Db,
  filter: VoteShareFilter,
  filename: string,
): Listing<VoteShareRow, [number], ReturnType<typeof toVoteShare>> => ({
  fetch: (after, limit) => listVoteShares(db, { ...filter, after: after?.[0], limit }),
  key: (r) => [r.id],
  item: toVoteShare,
  csv: { filename, columns: voteShareColumns },
});
