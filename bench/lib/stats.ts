export function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const fmt = {
  int: (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : 'n/a'),
  ms: (n: number) => (Number.isFinite(n) ? (n < 10 ? n.toFixed(1) : Math.round(n).toString()) : 'n/a'),
  ratio: (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : 'n/a'),
  mb: (n: number | null) => (n === null || !Number.isFinite(n) ? 'n/a' : Math.round(n).toString()),
};

/** A Markdown table, the first column left-aligned and the others right-aligned. */
export const table = (head: string[], rows: string[][]) =>
  [
    `| ${head.join(' | ')} |`,
    `|${head.map((h, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

/** Per-round ratio of a target's req/s to a baseline's (the median of these is what is reported). */
export function ratios(
  target: { rounds: { rps: number }[] },
  baseline: { rounds: { rps: number }[] } | undefined,
): number[] {
  if (!baseline) return [];
  return target.rounds.map((m, i) => m.rps / (baseline.rounds[i]?.rps ?? Number.NaN));
}
