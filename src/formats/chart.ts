// A result version as an SVG bar chart that a newsroom can embed as it is (<img> or inline).
//
// Bars are drawn on a 0–100% scale, so their lengths read as shares of the whole; each is labelled
// with the percentage exactly as published. A line with no published percentage gets no bar (its
// share is never computed here), and an incomplete version says that other lines exist.
// Layout is computed here from estimated text widths, so no script or web font is needed.
import type { Results } from '../modules/results/results.service.js';
import { escapeXml } from '../lib/xml.js';

export const SVG_CONTENT_TYPE = 'image/svg+xml; charset=utf-8';

export const WIDTH = 600;
export const MARGIN = 24;
export const INNER = WIDTH - 2 * MARGIN;
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, 'Liberation Sans', sans-serif";
export const INK = '#111827';
export const MUTED = '#4b5563';
export const CANDIDATE_BAR = '#1d4ed8';
export const OTHER_BAR = '#6b7280';

export const STATUS_WORDS: Record<Results['status'], string> = {
  'unofficial-partial': 'Preliminary results, partial count',
  'unofficial-complete': 'Preliminary results',
  certified: 'Certified results',
  recount: 'Recount results',
  correction: 'Corrected results',
};

export const BASE_WORDS: Record<Results['percentBase'], string> = {
  'lines-total': 'Percentages as published, of the votes of all the lines.',
  'ballots-cast': 'Percentages as published, of the ballots cast.',
  'valid-votes': 'Percentages as published, of the valid votes.',
  unknown: 'Percentages as published; the source does not say what they are of.',
};

export const longDate = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});
export const thousands = new Intl.NumberFormat('en-GB');

// Generous per-character widths (in em) of common sans-serif faces, DejaVu Sans being the widest,
// so that estimated lines are never shorter than drawn ones.
function charEm(c: string): number {
  if (" .,:;'’|!ilIjtf()[]".includes(c)) return 0.36;
  if ('mwMW@%'.includes(c)) return 0.95;
  if (c >= 'A' && c <= 'Z') return 0.74;
  if (c >= '0' && c <= '9') return 0.66;
  return 0.62;
}

export function textWidth(value: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const c of value) em += charEm(c);
  return em * fontSize * (bold ? 1.1 : 1);
}

/** Greedy word wrap to `width`; a single word longer than a line is cut with an ellipsis. */
export function wrap(value: string, width: number, fontSize: number, bold = false): string[] {
  const fits = (s: string) => textWidth(s, fontSize, bold) <= width;
  const lines: string[] = [];
  let current = '';
  for (const word of value.split(/\s+/).filter(Boolean)) {
    const candidate = current ? `${current} ${word}` : word;
    if (fits(candidate)) current = candidate;
    else {
      if (current) lines.push(current);
      current = word;
    }
    while (!fits(current)) {
      let cut = current;
      while (cut.length > 1 && !fits(`${cut}…`)) cut = cut.slice(0, -1);
      lines.push(`${cut}…`);
      current = '';
    }
  }
  if (current) lines.push(current);
  return lines;
}

/** Wraps a title, preferring to break after its last comma that leaves a fitting first line. */
export function wrapTitle(value: string, width: number, fontSize: number): string[] {
  if (textWidth(value, fontSize, true) <= width) return [value];
  const commas = [...value.matchAll(/, /g)].map((m) => m.index + 1).reverse();
  const at = commas.find((i) => textWidth(value.slice(0, i), fontSize, true) <= width);
  if (at === undefined) return wrap(value, width, fontSize, true);
  return [value.slice(0, at), ...wrap(value.slice(at + 1), width, fontSize, true)];
}

export const isoDate = (value: string | null) =>
  value && /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : null;

export interface TextOptions {
  size: number;
  bold?: boolean;
  fill?: string;
  anchor?: 'start' | 'middle' | 'end';
  cls: string;
}

/** A run of text inside a <text>, in its own weight and colour. */
export interface Run {
  text: string;
  bold?: boolean;
  fill?: string;
}

export function runsEl(x: number, y: number, runs: Run[], o: TextOptions): string {
  const spans = runs.map(
    (r) =>
      `<tspan${r.bold ? ' font-weight="700"' : ''}${r.fill ? ` fill="${r.fill}"` : ''}>${escapeXml(r.text)}</tspan>`,
  );
  return `<text class="${o.cls}" x="${x}" y="${y}" font-size="${o.size}" fill="${o.fill ?? INK}">${spans.join('')}</text>`;
}

export function textEl(x: number, y: number, content: string, o: TextOptions): string {
  const attrs = [
    `class="${o.cls}"`,
    `x="${x}"`,
    `y="${y}"`,
    `font-size="${o.size}"`,
    o.bold ? 'font-weight="700"' : '',
    `fill="${o.fill ?? INK}"`,
    o.anchor && o.anchor !== 'start' ? `text-anchor="${o.anchor}"` : '',
  ].filter(Boolean);
  return `<text ${attrs.join(' ')}>${escapeXml(content)}</text>`;
}

const percentLabel = (l: Results['lines'][number]) =>
  l.percent === null ? 'no percentage published' : `${l.percent}%`;
const votesLabel = (l: Results['lines'][number]) => (l.votes === null ? '' : `${thousands.format(l.votes)} votes`);
const seatsLabel = (l: Results['lines'][number]) =>
  l.seats === null ? '' : `${thousands.format(l.seats)} seat${l.seats === 1 ? '' : 's'}`;
const nominator = (l: Results['lines'][number]) => (l.nominator ? ` (${l.nominator.name})` : '');

/** Text laid out top to bottom: `y` is the bottom of what is placed so far. */
export class Canvas {
  y = MARGIN;
  readonly body: string[] = [];

  /** Lines of text, each `lineHeight` below the last. */
  block(lines: string[], size: number, o: Omit<TextOptions, 'size'>, lineHeight = size * 1.3): void {
    for (const line of lines) {
      this.y += lineHeight;
      this.body.push(textEl(MARGIN, Math.round(this.y - size * 0.3), line, { ...o, size }));
    }
  }

  /** The title (bold, broken after a comma where it can be) and the status line under it. */
  heading(title: string, status: string): void {
    this.block(wrapTitle(title, INNER, 20), 20, { bold: true, cls: 'title' });
    this.block(wrap(status, INNER, 14), 14, { fill: MUTED, cls: 'status' }, 20);
    this.y += 14;
  }

  /** Footnotes in small grey type. */
  notes(notes: string[]): void {
    this.y += 4;
    for (const note of notes) this.block(wrap(note, INNER, 12), 12, { fill: MUTED, cls: 'note' }, 17);
  }

  get height(): number {
    return Math.ceil(this.y + MARGIN - 4);
  }
}

/** The status in words, the as-of date and the version: "Certified results · as of 22 November 2022 · version 10". */
export function statusLine(results: Pick<Results, 'status' | 'asOf' | 'version'>): string {
  const asOf = isoDate(results.asOf);
  // A time of day is shown as published, in the publisher's offset: 20 November 2022, 22:00 UTC+06:00.
  const time = /T(\d\d:\d\d)(?::\d\d(?:\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.exec(results.asOf ?? '');
  const at = time ? `, ${time[1]} ${time[2] === 'Z' ? 'UTC' : `UTC${time[2]}`}` : '';
  return [
    STATUS_WORDS[results.status],
    asOf ? `as of ${longDate.format(new Date(asOf))}${at}` : null,
    `version ${results.version}`,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** What counted units are called, in the plural: shared by the charts, the feeds and the live page. */
export const UNIT_WORDS: Record<NonNullable<Results['counting']['unitsLevel']>, string> = {
  country: 'countries',
  region: 'regions',
  city: 'cities',
  district: 'districts',
  'polling-station': 'polling stations',
};

/**
 * Counting progress in words, as published: "62% of polling stations counted (6,262 of 10,101).",
 * the ballots counted, and a published expected vote; null when the version gives none.
 */
export function countingNote(results: {
  counting: Results['counting'];
  derived: Pick<Results['derived'], 'unitsReportingPercent'>;
}): string | null {
  const c = results.counting;
  const units = c.unitsLevel ? UNIT_WORDS[c.unitsLevel] : 'reporting units';
  const parts = [
    c.unitsReporting !== null && c.unitsTotal !== null
      ? `${results.derived.unitsReportingPercent ?? 0}% of ${units} counted (${thousands.format(c.unitsReporting)} of ${thousands.format(c.unitsTotal)}).`
      : c.unitsReporting !== null
        ? `${thousands.format(c.unitsReporting)} ${units} counted.`
        : null,
    c.ballotsCounted !== null ? `${thousands.format(c.ballotsCounted)} ballots counted.` : null,
    c.expectedVotes !== null
      ? `Expected vote, as estimated by the source: ${thousands.format(c.expectedVotes)}.`
      : null,
  ].filter((p): p is string => p !== null);
  return parts.length ? parts.join(' ') : null;
}

const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

/**
 * Who published the figures (the version's source, and the authority it reports when that is
 * another), the credit line to print when a source asks for one, and the terms its figures are under.
 */
export function sourceNote(results: Pick<Results, 'sources' | 'publishedBy' | 'attribution'>): string {
  const publisher = results.sources[0]?.publisher ?? 'unknown';
  const source =
    results.publishedBy && results.publishedBy !== publisher
      ? `Source: ${publisher}, reporting figures of the ${results.publishedBy}.`
      : `Source: ${publisher}.`;
  const credit = results.sources.some((s) => s.attribution !== null)
    ? sentence(`Credit: ${results.attribution}`)
    : null;
  const terms = [...new Set(results.sources.flatMap((s) => (s.terms === null ? [] : [s.terms])))];
  return [source, credit, terms.length > 0 ? sentence(`Terms: ${terms.join('; ')}`) : null]
    .filter((part): part is string => part !== null)
    .join(' ');
}

/** An id for the chart's <title> and <desc>: `kind`, the election, the contest (when not the main one), the version. */
export function chartId(kind: string, results: Pick<Results, 'electionId' | 'version' | 'contest'>): string {
  const contest = results.contest.main ? '' : `-${results.contest.id}`;
  return `${kind}-${results.electionId}${contest}-v${results.version}`.replace(/[^A-Za-z0-9]+/g, '-');
}

/** The SVG document: accessible name and description, a white background, then `body`. */
export function svgDocument(o: { id: string; title: string; desc: string; height: number; body: string[] }): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${o.height}" viewBox="0 0 ${WIDTH} ${o.height}" ` +
      `role="img" aria-labelledby="${o.id}-title ${o.id}-desc" font-family="${escapeXml(FONT)}">`,
    `<title id="${o.id}-title">${escapeXml(o.title)}</title>`,
    `<desc id="${o.id}-desc">${escapeXml(o.desc)}</desc>`,
    `<rect class="background" width="${WIDTH}" height="${o.height}" fill="#ffffff"/>`,
    ...o.body,
    '</svg>',
    '',
  ].join('\n');
}

/** The chart of one result version; `election.title` heads it (country, type and polling day). */
export function toResultsChart(results: Results, election: { title: string }): string {
  const canvas = new Canvas();
  const { body } = canvas;
  canvas.heading(election.title, statusLine(results));

  const barHeight = 22;
  for (const line of results.lines) {
    // The name in bold, then the nominator in grey on the same line, or on lines of its own.
    const by = line.nominator && line.kind !== 'party' ? ` · ${line.nominator.name}` : '';
    const rows: Run[][] =
      textWidth(line.name, 14, true) + textWidth(by, 14) <= INNER
        ? [[{ text: line.name, bold: true }, ...(by ? [{ text: by, fill: MUTED }] : [])]]
        : [
            ...wrap(line.name, INNER, 14, true).map((text) => [{ text, bold: true }]),
            ...wrap(by ? line.nominator!.name : '', INNER, 14).map((text) => [{ text, fill: MUTED }]),
          ];
    for (const runs of rows) {
      canvas.y += 19;
      body.push(runsEl(MARGIN, Math.round(canvas.y - 14 * 0.3), runs, { size: 14, cls: 'name' }));
    }
    canvas.y += 5;
    const y = canvas.y;

    const label = [percentLabel(line), votesLabel(line), seatsLabel(line)].filter(Boolean).join(' · ');
    const labelWidth = textWidth(label, 13, true);
    const barWidth = line.percent === null ? 0 : Math.max(1, (line.percent / 100) * INNER);
    // What voters chose (a candidate, a list, an option) in colour; "against all" and other counts in grey.
    const colour = ['candidate', 'party', 'option'].includes(line.kind) ? CANDIDATE_BAR : OTHER_BAR;
    const mid = y + barHeight / 2 + 4.5;
    if (barWidth > 0)
      body.push(
        `<rect class="bar" x="${MARGIN}" y="${y}" width="${barWidth.toFixed(1)}" height="${barHeight}" fill="${colour}"/>`,
      );
    // The label goes after the bar when it fits there, else inside the bar's end in white, else
    // on a line of its own under the bar.
    if (barWidth === 0) body.push(textEl(MARGIN, mid, label, { size: 13, fill: MUTED, cls: 'value' }));
    else if (MARGIN + barWidth + 6 + labelWidth <= WIDTH - MARGIN)
      body.push(textEl(MARGIN + barWidth + 6, mid, label, { size: 13, bold: true, cls: 'value' }));
    else if (labelWidth > barWidth - 12) {
      canvas.y += 18;
      body.push(textEl(MARGIN, Math.round(mid + 18), label, { size: 13, bold: true, cls: 'value' }));
    } else
      body.push(
        textEl(MARGIN + barWidth - 6, mid, label, {
          size: 13,
          bold: true,
          fill: '#ffffff',
          anchor: 'end',
          cls: 'value',
        }),
      );
    canvas.y += barHeight + 14;
  }
  if (results.lines.length === 0)
    canvas.block(['No figures have been published for this version.'], 14, { cls: 'name' });

  const footnotes = [
    countingNote(results),
    results.lines.length > 0 ? BASE_WORDS[results.percentBase] : null,
    results.complete ? null : 'Incomplete: the source published only the lines shown.',
    sourceNote(results),
  ].filter((s): s is string => s !== null);
  canvas.notes(footnotes);

  const asOf = isoDate(results.asOf);
  const title = `${election.title}: ${STATUS_WORDS[results.status].toLowerCase()}`;
  const desc = [
    `Horizontal bar chart of vote shares${asOf ? ` as of ${longDate.format(new Date(asOf))}` : ''}.`,
    ...results.lines.map(
      (l) =>
        `${l.name}${l.kind === 'party' ? '' : nominator(l)}: ${[percentLabel(l), votesLabel(l), seatsLabel(l)].filter(Boolean).join(', ')}.`,
    ),
    ...footnotes,
  ].join(' ');
  return svgDocument({ id: chartId('election-chart', results), title, desc, height: canvas.height, body });
}
