/**
 * The report `existing` with the section between the markers `start` and `end` replaced by
 * `section` (which carries both markers), or, when it has none yet, inserted before the first of
 * `before` it holds, else at the end. A bench run with `--only` rewrites its own section this way.
 */
export function spliceSection(
  existing: string | null,
  section: string,
  start: string,
  end: string,
  before: readonly string[],
): string {
  if (existing === null) return `# Benchmarks\n\n${section}\n`;
  const from = existing.indexOf(start);
  const to = existing.indexOf(end);
  if (from >= 0 && to > from) return existing.slice(0, from) + section + existing.slice(to + end.length);
  for (const heading of before) {
    const at = existing.indexOf(heading);
    if (at >= 0) return `${existing.slice(0, at)}\n${section}\n${existing.slice(at)}`;
  }
  return `${existing.trimEnd()}\n\n${section}\n`;
}

/** What a section written by an `--only` run says of the run: when, how, on what. */
export interface SectionMeta {
  date: Date;
  command: string;
  commit: string;
  machine: { cpu: string; cores: number; loadBefore: number[] };
  versions: Record<string, string>;
  options: { rounds: number; duration: number; warmup: number; connections: number };
}

/** Each path's statements, each with its plan, under a heading per path (`title` of the path). */
export function explainedStatements(
  explain: { path: string; statements: { sql: string; plan: string }[] }[],
  title: (path: string) => string,
): string {
  return explain
    .map(
      (e) =>
        `#### ${title(e.path)}\n\n${e.statements
          .map((s) => `\`\`\`sql\n${s.sql}\n\`\`\`\n\n\`\`\`\n${s.plan}\n\`\`\``)
          .join('\n\n')}`,
    )
    .join('\n\n');
}

/** The opening of a section written by one `--only` run: when, with what command, on what. */
export function runText(
  r: Pick<SectionMeta, 'date' | 'command' | 'commit' | 'versions'> & {
    machine: { cpu: string; cores: number; loadBefore: number[] };
  },
): string {
  return `Run ${r.date.toISOString()} with \`${r.command}\` at commit ${r.commit}, on ${r.machine.cpu}
(${r.machine.cores} cores; load ${r.machine.loadBefore.map((l) => l.toFixed(2)).join(', ')} before);
${Object.entries(r.versions)
  .map(([k, v]) => `${k} ${v}`)
  .join(', ')}.`;
}
