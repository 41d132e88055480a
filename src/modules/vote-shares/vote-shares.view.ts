// A result line as the flat vote-shares table shows it: the list of /v1/vote-shares, the CSV of a
// result version, and a candidate's lines across elections.
import type { Db } from '../../db/client.js';
import { isPreliminary } from '../../db/schema/index.js';
import type { Listing } from '../../formats/list.js';
import { voteShareColumns } from './vote-shares.columns.js';
import { listVoteShares, type VoteShareFilter, type VoteShareRow } from './vote-shares.repository.js';

export const toVoteShare = ({ candidateName, label, ...row }: VoteShareRow) => ({
  ...row,
  preliminary: isPreliminary(row.status),
  name: candidateName ?? label ?? '',
});

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
