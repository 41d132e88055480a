// One bar per area (a version's figures for the areas at one level: every region), highest first:
// the turnout, or one line's percentage, as published. Bars are on a 0–100% scale. A turnout the
// source did not publish but whose ballots cast and registered voters it did is computed (the
// document's `derived` figure) and marked so; an area with neither gets no bar and is named below.
import type { Results } from '../modules/results/results.service.js';
import {
  BASE_WORDS,
  Canvas,
  CANDIDATE_BAR,
  chartId,
  INK,
  MARGIN,
  MUTED,
  sourceNote,
  STATUS_WORDS,
  statusLine,
  svgDocument,
  textEl,
  WIDTH,
  wrap,
} from './chart.js';

type Line = Results['lines'][number];
type AreaFigures = Results['areas'][number];

/** What the bars show: turnout, or the percentage of one line (a candidate id, a party's id, or a label). */
export type RegionsMeasure = { kind: 'turnout' } | { kind: 'line'; key: string };

/** The line `key` names: a candidate's id, a party line's organisation id, or the line's name or label in any case. */
export function findLine<L extends Pick<Line, 'kind' | 'name' | 'candidate' | 'nominator'>>(
  lines: L[],
  key: string,
): L | undefined {
  const lower = key.toLowerCase();
  return (
    lines.find((l) => l.candidate?.id === key) ??
    lines.find((l) => l.kind === 'party' && l.nominator?.id === key) ??
    lines.find((l) => l.name.toLowerCase() === lower)
  );
}

export interface AreaBar {
  area: AreaFigures['area'];
  value: number | null;
  /** True for a turnout computed from ballots cast and registered voters, not published. */
  computed: boolean;
}

/** Each area's value, highest first, then the areas without one, by name. */
export function areaBars(results: Pick<Results, 'areas'>, measure: RegionsMeasure): AreaBar[] {
  const bars = results.areas.map((a): AreaBar => {
    if (measure.kind === 'turnout') {
      const published = a.turnout.turnoutPercent;
      return published !== null
        ? { area: a.area, value: published, computed: false }
        : { area: a.area, value: a.derived.turnoutPercent, computed: a.derived.turnoutPercent !== null };
    }
    return { area: a.area, value: findLine(a.lines, measure.key)?.percent ?? null, computed: false };
  });
  const byName = (a: AreaBar, b: AreaBar) => (a.area.name < b.area.name ? -1 : a.area.name > b.area.name ? 1 : 0);
  return [
    ...bars.filter((b) => b.value !== null).sort((a, b) => b.value! - a.value! || byName(a, b)),
    ...bars.filter((b) => b.value === null).sort(byName),
  ];
}

export interface RegionsChartInput {
  results: Results;
  /** What heads the chart: the election, and the contest when it is not the main one. */
  title: string;
  measure: RegionsMeasure;
  level: string;
  /** Whether the version was asked for (?version=) or chosen as the one with these figures for the most areas. */
  chosen: 'asked' | 'most-areas';
}

const LABEL_WIDTH = 168;
const BAR_X = MARGIN + LABEL_WIDTH + 10;
const VALUE_ROOM = 78;
const SCALE = WIDTH - MARGIN - BAR_X - VALUE_ROOM;
const BAR_HEIGHT = 18;

const levelWords = (level: string) => level.replace('-', ' ');

/** The regional chart of one version's areas at a level; the caller checks that some bar has a value. */
export function toRegionsChart({ results, title, measure, level, chosen }: RegionsChartInput): string {
  const bars = areaBars(results, measure);
  const withValue = bars.filter((b) => b.value !== null);
  const lineName =
    measure.kind === 'line'
      ? (findLine(
          results.areas.flatMap((a) => a.lines),
          measure.key,
        )?.name ?? measure.key)
      : undefined;
  const what = lineName === undefined ? 'Turnout' : `${lineName}, share of the vote,`;
  const within = results.area.name;

  const canvas = new Canvas();
  const { body } = canvas;
  canvas.heading(title, `${what} by ${levelWords(level)} · ${statusLine(results)}`);

  for (const bar of withValue) {
    const names = wrap(bar.area.name, LABEL_WIDTH, 13);
    const rowHeight = Math.max(BAR_HEIGHT, names.length * 16) + 8;
    const top = canvas.y;
    const mid = top + rowHeight / 2;
    names.forEach((name, i) =>
      body.push(
        textEl(MARGIN, Math.round(mid - ((names.length - 1) * 16) / 2 + i * 16 + 4.5), name, {
          size: 13,
          cls: 'name',
        }),
      ),
    );
    const width = Math.max(1, (Math.min(bar.value!, 100) / 100) * SCALE);
    body.push(
      `<rect class="bar" x="${BAR_X}" y="${(mid - BAR_HEIGHT / 2).toFixed(1)}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="${CANDIDATE_BAR}"/>`,
    );
    body.push(
      textEl(BAR_X + width + 6, Math.round(mid + 4.5), `${bar.value}%${bar.computed ? '*' : ''}`, {
        size: 13,
        bold: true,
        fill: INK,
        cls: 'value',
      }),
    );
    canvas.y = top + rowHeight;
  }
  // The scale's ends, so that the bars read as shares of the whole.
  body.push(
    `<line class="axis" x1="${BAR_X}" y1="${canvas.y + 2}" x2="${BAR_X + SCALE}" y2="${canvas.y + 2}" stroke="${MUTED}" stroke-width="1"/>`,
    textEl(BAR_X, canvas.y + 16, '0%', { size: 11, fill: MUTED, cls: 'axis-label' }),
    textEl(BAR_X + SCALE, canvas.y + 16, '100%', { size: 11, fill: MUTED, anchor: 'middle', cls: 'axis-label' }),
  );
  canvas.y += 20;

  const without = bars.filter((b) => b.value === null).map((b) => b.area.name);
  const version =
    chosen === 'most-areas' && !results.current
      ? `Version ${results.version} has these figures for the most areas at this level (the newest such version); it is not the current version.`
      : chosen === 'asked' && !results.current
        ? `Version ${results.version}, as asked; it is not the current version.`
        : null;
  const footnotes = [
    measure.kind === 'turnout'
      ? 'Turnout as published, in per cent of registered voters.'
      : BASE_WORDS[results.percentBase],
    withValue.some((b) => b.computed)
      ? '* Not published: computed by this API from the ballots cast and registered voters the source gives.'
      : null,
    without.length > 0 ? `No figure published for: ${without.join(', ')}.` : null,
    version,
    `Areas at level ${levelWords(level)} within ${within}, highest first; bars on a 0–100% scale.`,
    sourceNote(results),
  ].filter((s): s is string => s !== null);
  canvas.notes(footnotes);

  const desc = [
    `Horizontal bar chart of ${lineName === undefined ? 'turnout' : `the share of the vote of ${lineName}`} by ${levelWords(level)}, ` +
      `${STATUS_WORDS[results.status].toLowerCase()}, version ${results.version}, highest first.`,
    ...withValue.map((b) => `${b.area.name}: ${b.value}%${b.computed ? ' (computed)' : ''}.`),
    ...footnotes,
  ].join(' ');
  const kind = lineName === undefined ? 'turnout' : 'share';
  return svgDocument({
    id: chartId(`regions-chart-${kind}`, results),
    title: `${title}: ${lineName === undefined ? 'turnout' : lineName} by ${levelWords(level)}`,
    desc,
    height: canvas.height,
    body,
  });
}
