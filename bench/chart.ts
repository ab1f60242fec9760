/**
 * The benchmark's chart: time per request against group size, log-log, as small multiples (one
 * panel per scenario, one line per implementation), rendered as a standalone SVG 1.1 document.
 *
 * Pure and deterministic: `renderChart` returns the document as a string and reads nothing else
 * (no date, no randomness, coordinates rounded to 0.01 px); the runner writes the file
 * (bench/RESULTS.svg). `panelsFromMeasurements` turns the runner's flat rows into panels.
 *
 * Colours: a series is coloured by its colour key, `colorKey` when given, otherwise its label up
 * to the first " (" ("library (cold)" → "library"). Keys get the palette's colours in the order
 * they first appear (panel by panel, series by series), so one implementation has one colour in
 * every panel, and its dashed "after a full GC" line the colour of its solid warm line.
 */

/** One measurement: `y` is `undefined` when it was not measured (or went over budget). */
export interface ChartPoint {
  /** Group size (members); must be positive to be drawn on a log axis. */
  readonly x: number;
  /** Time per request in milliseconds; `undefined` (or not positive) breaks the line there. */
  readonly y: number | undefined;
}

/** One line of a panel: one implementation, warm or cold. */
export interface ChartSeries {
  /** Shown in the legend and in each point's tooltip. */
  readonly label: string;
  /** Points in any order; they are drawn by increasing `x`. */
  readonly points: readonly ChartPoint[];
  /** A dashed line with hollow markers (the "after a full GC" line beside a solid warm line). */
  readonly dashed?: boolean;
  /** Series with the same key share a colour; by default the label up to the first " (". */
  readonly colorKey?: string;
}

/** One small multiple: a scenario, its own y range, the same x range as every other panel. */
export interface ChartPanel {
  /** Shown above the panel, e.g. "S4 1,000 remove ops". */
  readonly title: string;
  /** The lines of this panel. */
  readonly series: readonly ChartSeries[];
}

/** What to draw: a title, the axes' names and the panels, laid out `columns` to a row. */
export interface ChartOptions {
  /** The chart's heading. */
  readonly title: string;
  /** Smaller text under the title; "\n" starts a new line. */
  readonly subtitle?: string;
  /** The x axis' name, written once under the grid, e.g. "group size (members)". */
  readonly xLabel: string;
  /** The y axis' name, written once beside the grid, e.g. "time per request". */
  readonly yLabel: string;
  /** The panels, in reading order. */
  readonly panels: readonly ChartPanel[];
  /** Panels per row (default 3). */
  readonly columns?: number;
}

/** One row of the runner's results, for {@link panelsFromMeasurements}. */
export interface ChartMeasurement {
  /** The panel (scenario) title. */
  readonly panel: string;
  /** The series (implementation) label. */
  readonly series: string;
  /** Group size. */
  readonly x: number;
  /** Time per request (ms), `undefined` when not measured. */
  readonly y: number | undefined;
  /** Drawn dashed (the cold column). */
  readonly dashed?: boolean;
  /** Overrides the colour key (see {@link colorKeyOf}). */
  readonly colorKey?: string;
}

/** Distinct colours that stay apart on white and for common colour blindness (Okabe–Ito, no yellow). */
export const CHART_PALETTE: readonly string[] = [
  '#0072B2', // blue
  '#D55E00', // vermillion
  '#009E73', // bluish green
  '#CC79A7', // reddish purple
  '#E69F00', // orange
  '#56B4E9', // sky blue
  '#000000', // black
  '#8C564B', // brown
];

const WIDTH = 1200;
const MARGIN = { left: 44, right: 16, bottom: 40 } as const;
/** Inside each grid cell: room for the panel title, tick labels and a gap to the next cell. */
const CELL = { height: 280, titleSpace: 26, tickSpaceLeft: 58, tickSpaceBottom: 34, gapRight: 14 } as const;
const TITLE_BASELINE = 30;
const SUBTITLE_LINE = 17;
const LEGEND_ROW = 22;
/** A decade's tick labels are thinned out when decades are closer than this (px). */
const MIN_LABEL_SPACING = 14;
/** Minor grid lines (2×…9× a decade) only when a decade is at least this tall or wide (px). */
const MIN_MINOR_DECADE = 60;
/** Used when no panel has a point: 1k..1M members. */
const DEFAULT_X_DECADES: DecadeRange = { low: 3, high: 6 };
/** A panel without points: 1 ms..10 ms. */
const DEFAULT_Y_DECADES: DecadeRange = { low: 0, high: 1 };

/** Whole decades, as powers of ten: the axis runs from 10^low to 10^high, low < high. */
interface DecadeRange {
  readonly low: number;
  readonly high: number;
}

/**
 * Renders the chart as a complete SVG 1.1 document (XML declaration, `xmlns`, `width`, `height`,
 * `viewBox`; sans-serif text; no script, no external resource).
 *
 * Each panel has log-log axes with a grid line per decade: the x range is shared by all panels,
 * each panel's y range is its own, both rounded out to whole decades around the drawn points.
 * A series is one `<polyline>` per run of consecutive measured points (a point whose `y` is
 * `undefined` ends a run) and a `<circle>` per measured point.
 *
 * @param options - the title, axis names, panels and columns.
 * @returns the SVG document, the same string for the same options.
 * @example
 * ```ts
 * const svg = renderChart({
 *   title: 'Time per request', xLabel: 'group size (members)', yLabel: 'time per request',
 *   panels: [{ title: 'S2 add 1,000', series: [
 *     { label: 'library', points: [{ x: 1e3, y: 0.2 }, { x: 1e5, y: 3 }] },
 *     { label: 'library (cold)', dashed: true, points: [{ x: 1e3, y: 0.5 }, { x: 1e5, y: 6 }] },
 *   ] }],
 * });
 * ```
 */
export function renderChart(options: ChartOptions): string {
  const columns = Math.max(1, Math.floor(options.columns ?? 3));
  const colors = assignColors(options.panels);
  const legend = legendEntries(options.panels, colors);
  const xRange = decadeRange(
    options.panels.flatMap((panel) => panel.series.flatMap((series) => drawnPoints(series).map((point) => point.x))),
    DEFAULT_X_DECADES,
  );

  const subtitleLines = options.subtitle === undefined ? [] : options.subtitle.split('\n');
  const legendTop = TITLE_BASELINE + 14 + subtitleLines.length * SUBTITLE_LINE;
  const legendLayout = layoutLegend(legend);
  const gridTop = legendTop + legendLayout.rows * LEGEND_ROW + 10;
  const rows = Math.max(1, Math.ceil(options.panels.length / columns));
  const cellWidth = (WIDTH - MARGIN.left - MARGIN.right) / columns;
  const height = gridTop + rows * CELL.height + MARGIN.bottom;

  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${String(WIDTH)}" height="${num(height)}" viewBox="0 0 ${String(WIDTH)} ${num(height)}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(options.title)}</title>`,
    `<rect x="0" y="0" width="${String(WIDTH)}" height="${num(height)}" fill="#ffffff"/>`,
    `<text x="${num(MARGIN.left)}" y="${num(TITLE_BASELINE)}" font-size="20" font-weight="bold">${escapeXml(options.title)}</text>`,
  ];
  subtitleLines.forEach((line, i) => {
    out.push(
      `<text x="${num(MARGIN.left)}" y="${num(TITLE_BASELINE + 6 + (i + 1) * SUBTITLE_LINE)}" font-size="13" fill="#444444">${escapeXml(line)}</text>`,
    );
  });
  out.push(...renderLegend(legendLayout, legendTop));

  options.panels.forEach((panel, i) => {
    const left = MARGIN.left + (i % columns) * cellWidth;
    const top = gridTop + Math.floor(i / columns) * CELL.height;
    out.push(...renderPanel(panel, { left, top, width: cellWidth }, xRange, colors));
  });

  const gridBottom = gridTop + rows * CELL.height;
  out.push(
    `<text x="${num(MARGIN.left + (WIDTH - MARGIN.left - MARGIN.right) / 2)}" y="${num(gridBottom + 16)}" text-anchor="middle" font-size="14">${escapeXml(options.xLabel)}</text>`,
    `<text x="${num(16)}" y="${num((gridTop + gridBottom) / 2)}" text-anchor="middle" font-size="14" transform="rotate(-90 16 ${num((gridTop + gridBottom) / 2)})">${escapeXml(options.yLabel)}</text>`,
    '</svg>',
    '',
  );
  return out.join('\n');
}

/**
 * Groups flat result rows into panels and series, both in the order they first appear, for
 * {@link renderChart}. Writes nothing: the runner writes the SVG.
 *
 * @param rows - one row per measured (or unmeasured) cell.
 * @returns the panels, each series' points sorted by `x`.
 * @example
 * ```ts
 * panelsFromMeasurements([{ panel: 'S2', series: 'library', x: 1000, y: 0.2 }]);
 * // → [{ title: 'S2', series: [{ label: 'library', points: [{ x: 1000, y: 0.2 }] }] }]
 * ```
 */
export function panelsFromMeasurements(rows: readonly ChartMeasurement[]): ChartPanel[] {
  const panels = new Map<string, Map<string, { dashed: boolean; colorKey: string | undefined; points: ChartPoint[] }>>();
  for (const row of rows) {
    let panel = panels.get(row.panel);
    if (panel === undefined) {
      panel = new Map();
      panels.set(row.panel, panel);
    }
    let series = panel.get(row.series);
    if (series === undefined) {
      series = { dashed: row.dashed === true, colorKey: row.colorKey, points: [] };
      panel.set(row.series, series);
    }
    series.points.push({ x: row.x, y: row.y });
  }
  return [...panels].map(([title, series]) => ({
    title,
    series: [...series].map(([label, { dashed, colorKey, points }]) => ({
      label,
      points: [...points].sort((a, b) => a.x - b.x),
      ...(dashed ? { dashed } : {}),
      ...(colorKey === undefined ? {} : { colorKey }),
    })),
  }));
}

/**
 * The key a series is coloured by: its `colorKey`, or its label up to the first " ("
 * ("library (cold)" and "library" share a colour).
 *
 * @param series - the series.
 * @returns the colour key.
 */
export function colorKeyOf(series: Pick<ChartSeries, 'label' | 'colorKey'>): string {
  if (series.colorKey !== undefined) return series.colorKey;
  const cut = series.label.indexOf(' (');
  return cut === -1 ? series.label : series.label.slice(0, cut);
}

/**
 * A duration in milliseconds in the unit that reads best: "100 ns", "1.23 µs", "45 ms", "2 s".
 *
 * @param ms - milliseconds, positive.
 * @returns up to three significant digits and a unit.
 */
export function formatDuration(ms: number): string {
  if (!(ms > 0) || !Number.isFinite(ms)) return String(ms) + ' ms';
  const seconds = ms / 1000;
  let exponent = Math.min(0, Math.max(-12, Math.floor(log10(seconds) / 3) * 3));
  let value = Number((seconds / 10 ** exponent).toPrecision(3));
  if (value >= 1000 && exponent < 0) {
    exponent += 3;
    value = Number((seconds / 10 ** exponent).toPrecision(3));
  }
  return `${String(value)} ${UNIT_BY_EXPONENT.get(exponent) ?? 's'}`;
}

/**
 * A member count as an axis label: "1k", "10k", "100k", "1M"; smaller counts as they are.
 *
 * @param count - a positive count.
 * @returns the label.
 */
export function formatCount(count: number): string {
  for (const [size, suffix] of [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (count >= size) return String(Number((count / size).toPrecision(3))) + suffix;
  }
  return String(Number(count.toPrecision(3)));
}

// ---------------------------------------------------------------------------------------------

const UNIT_BY_EXPONENT: ReadonlyMap<number, string> = new Map([
  [-12, 'ps'],
  [-9, 'ns'],
  [-6, 'µs'],
  [-3, 'ms'],
  [0, 's'],
]);

/** The label of the decade 10^exponent ms: "100 ns", "1 µs", "10 ms", "1 s", "100 s". */
function decadeDurationLabel(exponent: number): string {
  const secondsExponent = exponent - 3;
  if (secondsExponent < -12 || secondsExponent > 4) return `1e${String(secondsExponent)} s`;
  const unit = Math.min(0, Math.floor(secondsExponent / 3) * 3);
  return `1${'0'.repeat(secondsExponent - unit)} ${UNIT_BY_EXPONENT.get(unit) ?? 's'}`;
}

/** The label of the decade 10^exponent members. */
function decadeCountLabel(exponent: number): string {
  return exponent < 0 ? `1e${String(exponent)}` : formatCount(10 ** exponent);
}

/** log10, exact on powers of ten (so a decade's grid line and a point on it coincide). */
function log10(value: number): number {
  const log = Math.log10(value);
  const rounded = Math.round(log);
  return Math.abs(log - rounded) < 1e-9 ? rounded : log;
}

/** The smallest range of whole decades that holds every value; `fallback` when there is none. */
function decadeRange(values: readonly number[], fallback: DecadeRange): DecadeRange {
  if (values.length === 0) return fallback;
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  const low = Math.floor(log10(min));
  const high = Math.ceil(log10(max));
  return { low, high: high > low ? high : low + 1 };
}

/** The points a log-log axis can show: measured, positive and finite on both axes. */
function drawnPoints(series: ChartSeries): { x: number; y: number }[] {
  const points: { x: number; y: number }[] = [];
  for (const { x, y } of series.points) {
    if (isDrawable(x) && y !== undefined && isDrawable(y)) points.push({ x, y });
  }
  return points;
}

const isDrawable = (value: number): boolean => value > 0 && Number.isFinite(value);

/** Colour per colour key, in order of first appearance; the palette repeats past its end. */
function assignColors(panels: readonly ChartPanel[]): ReadonlyMap<string, string> {
  const colors = new Map<string, string>();
  for (const panel of panels) {
    for (const series of panel.series) {
      const key = colorKeyOf(series);
      if (!colors.has(key)) colors.set(key, CHART_PALETTE[colors.size % CHART_PALETTE.length] ?? '#000000');
    }
  }
  return colors;
}

interface LegendEntry {
  readonly label: string;
  readonly color: string;
  readonly dashed: boolean;
}

/** One legend entry per distinct label, in order of first appearance. */
function legendEntries(panels: readonly ChartPanel[], colors: ReadonlyMap<string, string>): LegendEntry[] {
  const entries = new Map<string, LegendEntry>();
  for (const panel of panels) {
    for (const series of panel.series) {
      if (!entries.has(series.label)) {
        entries.set(series.label, {
          label: series.label,
          color: colors.get(colorKeyOf(series)) ?? '#000000',
          dashed: series.dashed === true,
        });
      }
    }
  }
  return [...entries.values()];
}

interface PlacedEntry extends LegendEntry {
  readonly x: number;
  readonly row: number;
}

/** Entries left to right, wrapping to a new row at the chart's width (text width estimated). */
function layoutLegend(entries: readonly LegendEntry[]): { readonly rows: number; readonly entries: readonly PlacedEntry[] } {
  const placed: PlacedEntry[] = [];
  let x = MARGIN.left;
  let row = 0;
  for (const entry of entries) {
    const width = 46 + entry.label.length * 7 + 18;
    if (x + width > WIDTH - MARGIN.right && x > MARGIN.left) {
      row++;
      x = MARGIN.left;
    }
    placed.push({ ...entry, x, row });
    x += width;
  }
  return { rows: entries.length === 0 ? 0 : row + 1, entries: placed };
}

function renderLegend(layout: { readonly entries: readonly PlacedEntry[] }, top: number): string[] {
  const out = ['<g class="legend">'];
  for (const entry of layout.entries) {
    const y = top + entry.row * LEGEND_ROW + LEGEND_ROW / 2;
    out.push(
      `<line x1="${num(entry.x)}" y1="${num(y)}" x2="${num(entry.x + 36)}" y2="${num(y)}" ${strokeAttributes(entry.color, entry.dashed)}/>`,
      marker(entry.x + 18, y, entry.color, entry.dashed),
      `<text x="${num(entry.x + 44)}" y="${num(y + 4)}" font-size="13">${escapeXml(entry.label)}</text>`,
    );
  }
  out.push('</g>');
  return out;
}

interface Cell {
  readonly left: number;
  readonly top: number;
  readonly width: number;
}

function renderPanel(panel: ChartPanel, cell: Cell, xRange: DecadeRange, colors: ReadonlyMap<string, string>): string[] {
  const plot = {
    left: cell.left + CELL.tickSpaceLeft,
    right: cell.left + cell.width - CELL.gapRight,
    top: cell.top + CELL.titleSpace,
    bottom: cell.top + CELL.height - CELL.tickSpaceBottom,
  };
  const drawn = panel.series.map(drawnPoints);
  const yRange = decadeRange(
    drawn.flatMap((points) => points.map((point) => point.y)),
    DEFAULT_Y_DECADES,
  );
  const xDecade = (plot.right - plot.left) / (xRange.high - xRange.low);
  const yDecade = (plot.bottom - plot.top) / (yRange.high - yRange.low);
  const toX = (x: number): number => plot.left + (log10(x) - xRange.low) * xDecade;
  const toY = (y: number): number => plot.bottom - (log10(y) - yRange.low) * yDecade;

  const out = [
    '<g class="panel">',
    `<text x="${num(plot.left)}" y="${num(cell.top + 16)}" font-size="14" font-weight="bold">${escapeXml(panel.title)}</text>`,
    `<rect x="${num(plot.left)}" y="${num(plot.top)}" width="${num(plot.right - plot.left)}" height="${num(plot.bottom - plot.top)}" fill="#ffffff" stroke="#999999"/>`,
  ];

  // Grid: minor lines first, so that decade lines and data are drawn over them.
  for (let d = xRange.low; d < xRange.high && xDecade >= MIN_MINOR_DECADE; d++) {
    for (let m = 2; m <= 9; m++) {
      const x = toX(m * 10 ** d);
      out.push(`<line x1="${num(x)}" y1="${num(plot.top)}" x2="${num(x)}" y2="${num(plot.bottom)}" stroke="#f0f0f0"/>`);
    }
  }
  for (let d = yRange.low; d < yRange.high && yDecade >= MIN_MINOR_DECADE; d++) {
    for (let m = 2; m <= 9; m++) {
      const y = toY(m * 10 ** d);
      out.push(`<line x1="${num(plot.left)}" y1="${num(y)}" x2="${num(plot.right)}" y2="${num(y)}" stroke="#f0f0f0"/>`);
    }
  }
  const xStep = Math.ceil(MIN_LABEL_SPACING * 3 / xDecade);
  for (let d = xRange.low; d <= xRange.high; d++) {
    const x = toX(10 ** d);
    out.push(`<line x1="${num(x)}" y1="${num(plot.top)}" x2="${num(x)}" y2="${num(plot.bottom)}" stroke="#d9d9d9"/>`);
    if ((d - xRange.low) % xStep === 0) {
      out.push(`<text class="x-tick" x="${num(x)}" y="${num(plot.bottom + 15)}" text-anchor="middle" font-size="11" fill="#333333">${escapeXml(decadeCountLabel(d))}</text>`);
    }
  }
  const yStep = Math.ceil(MIN_LABEL_SPACING / yDecade);
  for (let d = yRange.low; d <= yRange.high; d++) {
    const y = toY(10 ** d);
    out.push(`<line x1="${num(plot.left)}" y1="${num(y)}" x2="${num(plot.right)}" y2="${num(y)}" stroke="#d9d9d9"/>`);
    if ((d - yRange.low) % yStep === 0) {
      out.push(`<text class="y-tick" x="${num(plot.left - 5)}" y="${num(y + 4)}" text-anchor="end" font-size="11" fill="#333333">${escapeXml(decadeDurationLabel(d))}</text>`);
    }
  }

  if (drawn.every((points) => points.length === 0)) {
    out.push(
      `<text x="${num((plot.left + plot.right) / 2)}" y="${num((plot.top + plot.bottom) / 2)}" text-anchor="middle" fill="#777777">no measurements</text>`,
    );
  }

  panel.series.forEach((series, i) => {
    const color = colors.get(colorKeyOf(series)) ?? '#000000';
    const dashed = series.dashed === true;
    out.push(`<g class="series">`);
    for (const run of measuredRuns(series)) {
      if (run.length >= 2) {
        const points = run.map((point) => `${num(toX(point.x))},${num(toY(point.y))}`).join(' ');
        out.push(`<polyline points="${points}" fill="none" ${strokeAttributes(color, dashed)}><title>${escapeXml(series.label)}</title></polyline>`);
      }
    }
    for (const point of drawn[i] ?? []) {
      const tooltip = `${series.label}, ${groupDigits(point.x)} members: ${formatDuration(point.y)}`;
      out.push(marker(toX(point.x), toY(point.y), color, dashed, tooltip));
    }
    out.push('</g>');
  });

  out.push('</g>');
  return out;
}

/** The series' points by increasing x, cut into runs at every point that is not drawable. */
function measuredRuns(series: ChartSeries): { x: number; y: number }[][] {
  const sorted = series.points.filter((point) => isDrawable(point.x)).sort((a, b) => a.x - b.x);
  const runs: { x: number; y: number }[][] = [];
  let run: { x: number; y: number }[] = [];
  for (const { x, y } of sorted) {
    if (y !== undefined && isDrawable(y)) {
      run.push({ x, y });
    } else if (run.length > 0) {
      runs.push(run);
      run = [];
    }
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

function strokeAttributes(color: string, dashed: boolean): string {
  return `stroke="${color}" stroke-width="2"${dashed ? ' stroke-dasharray="6 4"' : ''}`;
}

/** A point marker: filled for a solid line, hollow for a dashed one. */
function marker(x: number, y: number, color: string, hollow: boolean, tooltip?: string): string {
  const attributes = `cx="${num(x)}" cy="${num(y)}" r="3.5" fill="${hollow ? '#ffffff' : color}" stroke="${color}" stroke-width="1.5"`;
  return tooltip === undefined ? `<circle ${attributes}/>` : `<circle ${attributes}><title>${escapeXml(tooltip)}</title></circle>`;
}

/** A coordinate with at most two decimals, no "-0", no exponent. */
function num(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return String(rounded === 0 ? 0 : rounded);
}

/** 100000 → "100,000" (locale-independent). */
function groupDigits(value: number): string {
  const [whole = '', fraction] = String(value).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/**
 * Text for XML content or a quoted attribute value: `&`, `<`, `>`, `"` and `'` become
 * entities; characters XML 1.0 forbids (controls other than tab and newlines, lone surrogates)
 * become U+FFFD.
 *
 * @param text - any string.
 * @returns the escaped string.
 */
export function escapeXml(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= highSurrogateFirst && code <= highSurrogateLast) {
      const next = text.charCodeAt(i + 1);
      if (next >= lowSurrogateFirst && next <= lowSurrogateLast) {
        out += text.slice(i, i + 2);
        i++;
      } else {
        out += replacementCharacter;
      }
      continue;
    }
    const char = text.charAt(i);
    out += XML_ENTITIES[char] ?? (isXmlChar(code) ? char : replacementCharacter);
  }
  return out;
}

const highSurrogateFirst = 0xd800;
const highSurrogateLast = 0xdbff;
const lowSurrogateFirst = 0xdc00;
const lowSurrogateLast = 0xdfff;
const replacementCharacter = '\uFFFD';

/** XML 1.0's Char production, for one UTF-16 code unit that is not a high surrogate. */
function isXmlChar(code: number): boolean {
  if (code < 0x20) return code === 0x09 || code === 0x0a || code === 0x0d;
  if (code >= lowSurrogateFirst && code <= lowSurrogateLast) return false;
  return code !== 0xfffe && code !== 0xffff;
}

const XML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
