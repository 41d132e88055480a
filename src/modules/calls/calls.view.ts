import type { z } from 'zod';
import type { CallRow } from './calls.repository.js';
import type { raceCallSchema } from './calls.schemas.js';

export const callUrl = (electionId: string, contest: string, number: number) =>
  `/v1/elections/${electionId}/contests/${contest}/calls/${number}`;

export const toCall = ({ call, contest, latest, winners, source }: CallRow): z.output<typeof raceCallSchema> => ({
  electionId: call.electionId,
  contest,
  version: call.number,
  status: call.status,
  current: call.number === latest,
  winners,
  calledBy: source,
  calledAt: call.calledAt.toISOString(),
  recordedAt: call.createdAt.toISOString(),
  note: call.note,
  url: callUrl(call.electionId, contest, call.number),
});
