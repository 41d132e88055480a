// The seats a result version gives each line, as an SVG parliament arch (one dot per seat) with a
// legend, for party-list and other multi-seat contests; a contest of more than 1,000 seats is drawn
// as one bar of seats instead, where dots would be too small to see.
//
// Colours: an organisation's own colour where the data holds one (with its source); else a colour
// of Paul Tol's "muted" palette (colour-blind safe, https://personal.sron.nl/~pault/), in order, and
// the chart says that those colours are not the parties'. Lines that are not a party or candidate
// (independents, "against all") are grey. The seats are laid out from the left in legend order:
// most seats first, lines of other kinds last.
import type { OrganisationFacts } from '../modules/results/results-exports.repository.js';
import type { Results } from '../modules/results/results.service.js';
import {
  Canvas,
  chartId,
  INNER,
  MARGIN,
  MUTED,
  OTHER_BAR,
  type Run,
  runsEl,
  sourceNote,
  STATUS_WORDS,
  statusLine,
  svgDocument,
  textEl,
  textWidth,
  thousands,
  WIDTH,
  wrap,
} from './chart.js';
import { escapeXml } from '../lib/xml.js';

type Line = Results['lines'][number];

/** Paul Tol's muted qualitative palette; repeated in order beyond nine lines. */
export const NEUTRAL_PALETTE = [
  '#332288',
  '#88ccee',
  '#44aa99',
  '#117733',
  '#999933',
  '#ddcc77',
  '#cc6677',
  '#882255',
  '#aa4499',
] as const;
const UNALLOCATED = '#e5e7eb';
const MAX_ARCH_SEATS = 1000;
const ARCH_RADIUS = 250;

/** The seats published in `results`: their sum, 0 when none. */
export const seatsPublished = (results: Pick<Results, 'lines'>) =>
  results.lines.reduce((sum, l) => sum + (l.seats ?? 0), 0);

const seatWord = (n: number) => `${thousands.format(n)} seat${n === 1 ? '' : 's'}`;

/**
 * Dot centres of an arch of `n` seats, left to right, relative to the arch's centre (y up is
 * negative), and the dot radius. Rows are concentric half rings between 0.4 and 1 of `outer`; each
 * row holds seats in proportion to its length, and seats are taken by angle from the left, so that
 * each party gets a wedge.
 */
export function archLayout(n: number, outer: number): { seats: { x: number; y: number }[]; dot: number } {
  const inner = 0.4 * outer;
  for (let rows = 1; ; rows++) {
    const step = (outer - inner) / rows;
    const radii = Array.from({ length: rows }, (_, i) => inner + step * (i + 0.5));
    const capacity = radii.map((r) => Math.floor((Math.PI * r) / step) + 1);
    const room = capacity.reduce((a, b) => a + b, 0);
    if (room < n) continue;
    const counts = capacity.map((c) => Math.floor((n * c) / room));
    const byRemainder = capacity
      .map((c, i) => ({ i, rest: (n * c) / room - counts[i]! }))
      .sort((a, b) => b.rest - a.rest || b.i - a.i);
    let left = n - counts.reduce((a, b) => a + b, 0);
    for (const { i } of byRemainder) {
      if (left === 0) break;
      if (counts[i]! < capacity[i]!) {
        counts[i]! += 1;
        left -= 1;
      }
    }
    const seats = radii.flatMap((r, i) => {
      const m = counts[i]!;
      return Array.from({ length: m }, (_, j) => {
        const angle = m === 1 ? Math.PI / 2 : Math.PI * (1 - j / (m - 1));
        return { angle, r, x: r * Math.cos(angle), y: -r * Math.sin(angle) };
      });
    });
    seats.sort((a, b) => b.angle - a.angle || a.r - b.r);
    return { seats: seats.map(({ x, y }) => ({ x, y })), dot: Math.min(step * 0.42, 14) };
  }
}

interface Group {
  name: string;
  fullName: string;
  seats: number;
  colour: string;
  own: boolean;
}

const isHexColour = (c: string | null | undefined): c is string => !!c && /^#[0-9a-fA-F]{6}$/.test(c);

function groups(results: Results, organisations: Map<string, OrganisationFacts>): Group[] {
  const voted = (l: Line) => l.kind === 'party' || l.kind === 'candidate';
  const lines = results.lines
    .map((line, order) => ({ line, order }))
    .filter(({ line }) => line.seats !== null && line.seats > 0)
    .sort(
      (a, b) => Number(voted(b.line)) - Number(voted(a.line)) || b.line.seats! - a.line.seats! || a.order - b.order,
    );
  let next = 0;
  return lines.map(({ line }) => {
    const org = line.nominator ? organisations.get(line.nominator.id) : undefined;
    const ownColour = voted(line) && isHexColour(org?.colour) ? org.colour : undefined;
    const own = ownColour !== undefined;
    const colour = ownColour
      ? ownColour.toLowerCase()
      : voted(line)
        ? NEUTRAL_PALETTE[next++ % NEUTRAL_PALETTE.length]!
        : OTHER_BAR;
    const name = line.kind === 'party' ? (org?.shortName ?? line.name) : line.name;
    return { name, fullName: line.name, seats: line.seats!, colour, own };
  });
}

export interface SeatsChartInput {
  results: Results;
  /** What heads the chart: the election, and the contest when it is not the main one. */
  title: string;
  organisations: Map<string, OrganisationFacts>;
}

/** The seats chart of one version; the caller checks that it has seats (seatsPublished > 0). */
export function toSeatsChart({ results, title, organisations }: SeatsChartInput): string {
  const parts = groups(results, organisations);
  const published = parts.reduce((sum, g) => sum + g.seats, 0);
  const contestSeats = results.contest.seats ?? 0;
  const total = Math.max(contestSeats, published);
  const missing = total - published;

  const canvas = new Canvas();
  const { body } = canvas;
  canvas.heading(title, `Seats won · ${statusLine(results)}`);

  const arch = total <= MAX_ARCH_SEATS;
  if (arch) {
    const cx = WIDTH / 2;
    const cy = canvas.y + ARCH_RADIUS;
    const { seats, dot } = archLayout(total, ARCH_RADIUS);
    let at = 0;
    const groupDots = (colour: string, count: number, label: string, cls: string) => {
      const dots = seats
        .slice(at, at + count)
        .map((s) => `<circle cx="${(cx + s.x).toFixed(1)}" cy="${(cy + s.y).toFixed(1)}" r="${dot.toFixed(1)}"/>`);
      at += count;
      body.push(
        `<g class="${cls}" fill="${colour}"${colour === UNALLOCATED ? ` stroke="${MUTED}" stroke-width="0.5"` : ''}>` +
          `<title>${escapeXml(label)}</title>${dots.join('')}</g>`,
      );
    };
    for (const g of parts) groupDots(g.colour, g.seats, `${g.fullName}: ${seatWord(g.seats)}`, 'seats');
    if (missing > 0)
      groupDots(UNALLOCATED, missing, `Not in the published figures: ${seatWord(missing)}`, 'seats missing');
    body.push(
      textEl(cx, cy - 8, thousands.format(total), { size: 30, bold: true, anchor: 'middle', cls: 'total' }),
      textEl(cx, cy + 12, total === 1 ? 'seat' : 'seats', { size: 14, fill: MUTED, anchor: 'middle', cls: 'total' }),
    );
    canvas.y = cy + 26;
  } else {
    // One bar, each line's seats as a share of its width.
    const barY = canvas.y + 4;
    let x = MARGIN;
    const segments = [
      ...parts.map((g) => ({ colour: g.colour, seats: g.seats })),
      { colour: UNALLOCATED, seats: missing },
    ];
    for (const s of segments.filter((s) => s.seats > 0)) {
      const width = (s.seats / total) * INNER;
      body.push(
        `<rect class="seats" x="${x.toFixed(1)}" y="${barY}" width="${width.toFixed(1)}" height="36" fill="${s.colour}"/>`,
      );
      x += width;
    }
    canvas.y = barY + 36 + 10;
    canvas.block([`${thousands.format(total)} seats`], 14, { bold: true, cls: 'total' });
    canvas.y += 6;
  }

  // The legend: a swatch, the name in bold, the seats in grey.
  const legend = [
    ...parts.map((g) => ({ colour: g.colour, name: g.name, seats: g.seats })),
    ...(missing > 0 ? [{ colour: UNALLOCATED, name: 'Not in the published figures', seats: missing }] : []),
  ];
  for (const entry of legend) {
    const value = ` · ${seatWord(entry.seats)}`;
    const x = MARGIN + 20;
    const rows: Run[][] =
      textWidth(entry.name, 14, true) + textWidth(value, 14) <= INNER - 20
        ? [
            [
              { text: entry.name, bold: true },
              { text: value, fill: MUTED },
            ],
          ]
        : [
            ...wrap(entry.name, INNER - 20, 14, true).map((text) => [{ text, bold: true }]),
            [{ text: seatWord(entry.seats), fill: MUTED }],
          ];
    canvas.y += 21;
    body.push(
      `<circle class="swatch" cx="${MARGIN + 7}" cy="${canvas.y - 9}" r="7" fill="${entry.colour}"${entry.colour === UNALLOCATED ? ` stroke="${MUTED}" stroke-width="0.5"` : ''}/>`,
    );
    rows.forEach((runs, i) => {
      if (i > 0) canvas.y += 19;
      body.push(runsEl(x, Math.round(canvas.y - 14 * 0.3), runs, { size: 14, cls: 'legend' }));
    });
  }
  canvas.y += 8;

  const none = results.lines.filter((l) => l.seats === 0).map((l) => l.name);
  const notPublished = results.lines
    .filter((l) => l.seats === null && (l.kind === 'party' || l.kind === 'candidate'))
    .map((l) => l.name);
  const palette = parts.filter((g) => !g.own && g.colour !== OTHER_BAR);
  const footnotes = [
    none.length > 0 ? `No seats: ${none.join(', ')}.` : null,
    notPublished.length > 0 ? `No seats published for: ${notPublished.join(', ')}.` : null,
    missing > 0
      ? `${seatWord(missing)} of the ${thousands.format(total)} to fill ${missing === 1 ? 'is' : 'are'} not in the published figures of this version.`
      : null,
    results.contest.thresholdPercent === null
      ? null
      : `A list needs ${results.contest.thresholdPercent}% of the vote for seats.`,
    results.complete ? null : 'Incomplete: the source published only the lines shown.',
    palette.length === 0
      ? null
      : palette.length === parts.filter((g) => g.colour !== OTHER_BAR).length
        ? "Colours are from a neutral palette, not the parties' own."
        : `Colours of ${palette.map((g) => g.name).join(', ')} are from a neutral palette, not the parties' own.`,
    sourceNote(results),
  ].filter((s): s is string => s !== null);
  canvas.notes(footnotes);

  const desc = [
    `${arch ? 'Parliament arch, one dot per seat' : 'A bar of seats'}: the ${seatWord(total)} of ${results.contest.name}, from the left:`,
    ...legend.map((e, i) => `${e.name}: ${seatWord(e.seats)}${i === legend.length - 1 ? '.' : ';'}`),
    ...footnotes,
  ].join(' ');
  return svgDocument({
    id: chartId('seats-chart', results),
    title: `${title}: seats won, ${STATUS_WORDS[results.status].toLowerCase()}`,
    desc,
    height: canvas.height,
    body,
  });
}
