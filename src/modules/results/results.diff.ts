import type { z } from 'zod';
import type { diffSchema } from './results.schemas.js';
import type { Results } from './results.service.js';

type Diff = z.output<typeof diffSchema>;
type Line = Results['lines'][number];

const lineKey = (l: Line) => (l.candidate ? `candidate:${l.candidate.id}` : `label:${l.name}`);
const figures = (l: Line) => ({
  votes: l.votes,
  percent: l.percent,
  rank: l.rank,
  outcome: l.outcome,
  nominatorId: l.nominator?.id ?? null,
});
const delta = (a: number | null | undefined, b: number | null | undefined, digits = 0) =>
  a === null || a === undefined || b === null || b === undefined
    ? null
    : Math.round((b - a) * 10 ** digits) / 10 ** digits;

/** Version-level fields and every line compared; lines are matched by candidate, else by label. */
export function diffResults(from: Results, to: Results): Diff {
  const flat = (r: Results): Record<string, string | number | boolean | null> => ({
    status: r.status,
    asOf: r.asOf,
    complete: r.complete,
    publishedBy: r.publishedBy,
    percentBase: r.percentBase,
    source: r.sources[0]?.id ?? null,
    ...Object.fromEntries(Object.entries(r.turnout).map(([k, v]) => [`turnout.${k}`, v])),
  });
  const a = flat(from);
  const b = flat(to);
  const fields = Object.keys(b)
    .filter((field) => a[field] !== b[field])
    .map((field) => ({ field, from: a[field] ?? null, to: b[field] ?? null }));

  const before = new Map(from.lines.map((l) => [lineKey(l), l]));
  const lines: Diff['lines'] = to.lines.map((line) => {
    const key = lineKey(line);
    const old = before.get(key);
    before.delete(key);
    const now = figures(line);
    const was = old ? figures(old) : null;
    return {
      key,
      name: line.name,
      change: !was ? 'added' : JSON.stringify(was) === JSON.stringify(now) ? 'unchanged' : 'changed',
      from: was,
      to: now,
      votesDelta: delta(was?.votes, now.votes),
      percentDelta: delta(was?.percent, now.percent, 3),
    };
  });
  for (const [key, old] of before)
    lines.push({
      key,
      name: old.name,
      change: 'removed',
      from: figures(old),
      to: null,
      votesDelta: null,
      percentDelta: null,
    });
  return { electionId: to.electionId, from: from.version, to: to.version, fields, lines };
}
