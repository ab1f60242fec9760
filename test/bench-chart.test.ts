/**
 * The benchmark's SVG chart (bench/chart.ts): a well-formed document, log-log geometry checked
 * against the decade grid's own tick labels, lines broken at unmeasured points, one colour per
 * implementation across panels, text escaped.
 */
import { describe, expect, it } from 'vitest';
import {
  colorKeyOf,
  escapeXml,
  formatCount,
  formatDuration,
  panelsFromMeasurements,
  renderChart,
  type ChartOptions,
  type ChartPanel,
} from '../bench/chart.js';

// ---------------------------------------------------------------------------------------------
// A minimal XML well-formedness check: tags nest and close, attributes are quoted, every `&`
// starts an entity, no `<` outside markup, one root element.

interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
}

const ENTITY = /^&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/;
const TAG = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*="[^"<]*")*)\s*(\/?)>/y;
const ATTRIBUTE = /([A-Za-z_][\w.:-]*)="([^"<]*)"/g;

function checkEntities(text: string, where: string): void {
  for (let i = text.indexOf('&'); i !== -1; i = text.indexOf('&', i + 1)) {
    if (!ENTITY.test(text.slice(i))) throw new Error(`bare & in ${where}: ${text.slice(i, i + 12)}`);
  }
  if (text.includes('>') && where === 'attribute') throw new Error('> in an attribute');
}

function decode(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Parses the document or throws where it is not well-formed. */
function parseXml(document: string): XmlElement {
  let at = 0;
  if (document.startsWith('<?xml')) {
    at = document.indexOf('?>') + 2;
    if (at === 1) throw new Error('unclosed XML declaration');
  }
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (at < document.length) {
    const open = document.indexOf('<', at);
    const text = document.slice(at, open === -1 ? document.length : open);
    checkEntities(text, 'text');
    if (text.includes('>')) throw new Error(`> in text: ${text}`);
    const parent = stack.at(-1);
    if (parent === undefined) {
      if (text.trim() !== '') throw new Error(`text outside the root: ${text}`);
    } else {
      parent.text += decode(text);
    }
    if (open === -1) break;
    TAG.lastIndex = open;
    const match = TAG.exec(document);
    if (match === null) throw new Error(`malformed tag at ${String(open)}: ${document.slice(open, open + 40)}`);
    const [whole, closing = '', name = '', attributeText = '', selfClosing = ''] = match;
    at = open + whole.length;
    if (closing === '/') {
      if (selfClosing === '/' || attributeText !== '') throw new Error(`malformed end tag ${whole}`);
      const top = stack.pop();
      if (top?.name !== name) throw new Error(`</${name}> closes <${top?.name ?? 'nothing'}>`);
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const [, key = '', value = ''] of attributeText.matchAll(ATTRIBUTE)) {
      if (key in attributes) throw new Error(`attribute ${key} twice in <${name}>`);
      checkEntities(value, 'attribute');
      attributes[key] = decode(value);
    }
    const element: XmlElement = { name, attributes, children: [], text: '' };
    if (parent === undefined) {
      if (root !== undefined) throw new Error('a second root element');
      root = element;
    } else {
      parent.children.push(element);
    }
    if (selfClosing !== '/') stack.push(element);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.map((e) => e.name).join('> <')}>`);
  if (root === undefined) throw new Error('no root element');
  return root;
}

function descendants(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((child) => [...(child.name === name ? [child] : []), ...descendants(child, name)]);
}

const byClass = (element: XmlElement, name: string, className: string): XmlElement[] =>
  descendants(element, name).filter((e) => e.attributes.class === className);

function polylinePoints(polyline: XmlElement): { x: number; y: number }[] {
  return (polyline.attributes.points ?? '')
    .trim()
    .split(/\s+/)
    .map((pair) => {
      const [x, y] = pair.split(',').map(Number);
      return { x: x ?? NaN, y: y ?? NaN };
    });
}

/** The coordinate of the tick label reading `label` in a panel. */
function tickAt(panel: XmlElement, className: 'x-tick' | 'y-tick', label: string): number {
  const tick = byClass(panel, 'text', className).find((text) => text.text === label);
  if (tick === undefined) throw new Error(`no tick ${label}`);
  return Number(className === 'x-tick' ? tick.attributes.x : tick.attributes.y);
}

const chart = (panels: readonly ChartPanel[], extra: Partial<ChartOptions> = {}): XmlElement =>
  parseXml(renderChart({ title: 'Time per request', xLabel: 'group size', yLabel: 'time per request', panels, ...extra }));

// ---------------------------------------------------------------------------------------------

describe('the XML checker used below', () => {
  it('rejects crossed tags, a bare &, an unquoted attribute, an unclosed element and two roots', () => {
    expect(() => parseXml('<a><b></a></b>')).toThrow(/closes/);
    expect(() => parseXml('<a>x & y</a>')).toThrow(/bare &/);
    expect(() => parseXml('<a x=1></a>')).toThrow(/malformed/);
    expect(() => parseXml('<a><b></b>')).toThrow(/unclosed/);
    expect(() => parseXml('<a/><b/>')).toThrow(/second root/);
    expect(() => parseXml('<a>1 < 2</a>')).toThrow(/malformed/);
    expect(parseXml('<a k="&amp;&lt;">x &gt; y<b/></a>')).toMatchObject({ name: 'a', attributes: { k: '&<' }, text: 'x > y' });
  });
});

/** Nine panels like the runner's: four implementations warm, two cold, unmeasured cells. */
function realisticPanels(): ChartPanel[] {
  const sizes = [1e3, 1e4, 1e5, 1e6];
  return ['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S6r', 'U1 emails', 'U2 Entra'].map((title, p) => ({
    title,
    series: [
      { label: 'library', points: sizes.map((x, i) => ({ x, y: 0.0002 * 10 ** (i + p / 3) })) },
      { label: 'library (cold)', dashed: true, points: sizes.map((x, i) => ({ x, y: 0.0005 * 10 ** (i + p / 3) })) },
      { label: 'baseline', points: sizes.map((x, i) => ({ x, y: 0.0003 * 10 ** i })) },
      { label: 'baseline (cold)', dashed: true, points: sizes.map((x, i) => ({ x, y: 0.0004 * 10 ** i })) },
      { label: 'scim-patch', points: sizes.map((x, i) => ({ x, y: i >= 2 ? undefined : 3 * 10 ** (i * 2) })) },
      { label: 'scimmy', points: sizes.map((x, i) => ({ x, y: i === 3 ? undefined : 20 * 10 ** i })) },
    ],
  }));
}

describe('renderChart', () => {
  it('is a standalone SVG 1.1 document that parses as XML, one panel per scenario', () => {
    const document = renderChart({
      title: 'Time per request',
      subtitle: 'node v20, 2 cores\nwarm: solid; after a full GC: dashed',
      xLabel: 'group size (members)',
      yLabel: 'time per request',
      panels: realisticPanels(),
    });
    expect(document.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')).toBe(true);
    const svg = parseXml(document);
    expect(svg.name).toBe('svg');
    expect(svg.attributes).toMatchObject({ xmlns: 'http://www.w3.org/2000/svg', version: '1.1', width: '1200', 'font-family': 'sans-serif' });
    expect(svg.attributes.viewBox).toBe(`0 0 1200 ${svg.attributes.height ?? '?'}`);
    expect(Number(svg.attributes.height)).toBeGreaterThan(3 * 200);
    expect(byClass(svg, 'g', 'panel')).toHaveLength(9);
    expect(descendants(svg, 'script')).toHaveLength(0);
    expect(document).not.toMatch(/href|@import|url\(/);
  });

  it('gives the same bytes for the same input', () => {
    const options = { title: 't', xLabel: 'x', yLabel: 'y', panels: realisticPanels() };
    expect(renderChart(options)).toBe(renderChart(options));
  });

  it('puts a point ten times larger one decade to the right, and ten times slower one decade up', () => {
    const svg = chart([
      {
        title: 'S2',
        series: [{ label: 'library', points: [{ x: 1e3, y: 1 }, { x: 1e4, y: 10 }, { x: 1e6, y: 100 }] }],
      },
    ]);
    const [panel] = byClass(svg, 'g', 'panel');
    if (panel === undefined) throw new Error('no panel');
    const [polyline, ...more] = descendants(panel, 'polyline');
    expect(more).toHaveLength(0);
    if (polyline === undefined) throw new Error('no polyline');
    const [a, b, c] = polylinePoints(polyline);
    if (a === undefined || b === undefined || c === undefined) throw new Error('three points expected');

    const decadeRight = tickAt(panel, 'x-tick', '10k') - tickAt(panel, 'x-tick', '1k');
    expect(decadeRight).toBeGreaterThan(50);
    expect(a.x).toBeCloseTo(tickAt(panel, 'x-tick', '1k'), 1);
    expect(b.x - a.x).toBeCloseTo(decadeRight, 1);
    expect(c.x - b.x).toBeCloseTo(2 * decadeRight, 1);
    expect(c.x).toBeCloseTo(tickAt(panel, 'x-tick', '1M'), 1);

    // Tick labels sit 4 px below their grid line; the y axis runs 1 ms..100 ms, upwards.
    const decadeUp = tickAt(panel, 'y-tick', '1 ms') - tickAt(panel, 'y-tick', '10 ms');
    expect(decadeUp).toBeGreaterThan(30);
    expect(a.y).toBeCloseTo(tickAt(panel, 'y-tick', '1 ms') - 4, 1);
    expect(a.y - b.y).toBeCloseTo(decadeUp, 1);
    expect(b.y - c.y).toBeCloseTo(decadeUp, 1);
  });

  it('rounds each panel’s y range out to whole decades, the x range shared by all panels', () => {
    const svg = chart([
      { title: 'fast', series: [{ label: 'a', points: [{ x: 2000, y: 0.0002 }, { x: 300_000, y: 15_000 }] }] },
      { title: 'slow', series: [{ label: 'a', points: [{ x: 2000, y: 2 }, { x: 300_000, y: 30 }] }] },
    ]);
    const [fast, slow] = byClass(svg, 'g', 'panel');
    if (fast === undefined || slow === undefined) throw new Error('two panels expected');
    const labels = (panel: XmlElement, className: string): string[] => byClass(panel, 'text', className).map((t) => t.text);
    expect(labels(fast, 'x-tick')).toEqual(['1k', '10k', '100k', '1M']);
    expect(labels(slow, 'x-tick')).toEqual(['1k', '10k', '100k', '1M']);
    // 0.0002 ms .. 15 s → 100 ns .. 100 s, nine decades.
    expect(labels(fast, 'y-tick')).toEqual(['100 ns', '1 µs', '10 µs', '100 µs', '1 ms', '10 ms', '100 ms', '1 s', '10 s', '100 s']);
    expect(labels(slow, 'y-tick')).toEqual(['1 ms', '10 ms', '100 ms']);
  });

  it('breaks a line at an unmeasured point: two polylines, a marker per measured point', () => {
    const svg = chart([
      {
        title: 'S4',
        series: [
          {
            label: 'scimmy',
            points: [{ x: 1e3, y: 1 }, { x: 3e3, y: 3 }, { x: 1e4, y: undefined }, { x: 3e4, y: 30 }, { x: 1e5, y: 100 }],
          },
        ],
      },
    ]);
    const polylines = descendants(svg, 'polyline');
    expect(polylines).toHaveLength(2);
    const [first, second] = polylines.map(polylinePoints);
    expect(first).toHaveLength(2);
    expect(second).toHaveLength(2);
    expect(Math.max(...(first ?? []).map((p) => p.x))).toBeLessThan(Math.min(...(second ?? []).map((p) => p.x)));
    expect(byClass(svg, 'g', 'series').flatMap((g) => descendants(g, 'circle'))).toHaveLength(4);
  });

  it('draws points in order of x whatever order they come in', () => {
    const svg = chart([{ title: 'S2', series: [{ label: 'a', points: [{ x: 1e5, y: 3 }, { x: 1e3, y: 1 }, { x: 1e4, y: 2 }] }] }]);
    const xs = descendants(svg, 'polyline').flatMap(polylinePoints).map((p) => p.x);
    expect(xs).toHaveLength(3);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
  });

  it('colours one label the same in every panel, its "(cold)" line too, and different labels apart', () => {
    const svg = chart(realisticPanels());
    const colours = new Map<string, Set<string>>();
    for (const series of byClass(svg, 'g', 'series')) {
      for (const polyline of descendants(series, 'polyline')) {
        const label = descendants(polyline, 'title')[0]?.text ?? '?';
        const set = colours.get(label) ?? new Set();
        set.add(polyline.attributes.stroke ?? '?');
        colours.set(label, set);
      }
    }
    for (const label of ['library', 'library (cold)', 'baseline', 'scim-patch', 'scimmy']) {
      expect(colours.get(label)?.size, label).toBe(1);
    }
    const colourOf = (label: string): string => [...(colours.get(label) ?? [])][0] ?? '?';
    expect(colourOf('library (cold)')).toBe(colourOf('library'));
    expect(colourOf('baseline (cold)')).toBe(colourOf('baseline'));
    expect(new Set(['library', 'baseline', 'scim-patch', 'scimmy'].map(colourOf)).size).toBe(4);

    // Dashed for the cold lines only.
    const dashedLabels = new Set(
      descendants(svg, 'polyline')
        .filter((p) => p.attributes['stroke-dasharray'] !== undefined)
        .map((p) => descendants(p, 'title')[0]?.text),
    );
    expect([...dashedLabels].sort()).toEqual(['baseline (cold)', 'library (cold)']);
  });

  it('has one legend entry per label, coloured like the lines', () => {
    const svg = chart(realisticPanels());
    const [legend] = byClass(svg, 'g', 'legend');
    if (legend === undefined) throw new Error('no legend');
    expect(descendants(legend, 'text').map((t) => t.text)).toEqual([
      'library',
      'library (cold)',
      'baseline',
      'baseline (cold)',
      'scim-patch',
      'scimmy',
    ]);
    const firstLibrary = descendants(svg, 'polyline').find((p) => descendants(p, 'title')[0]?.text === 'library');
    expect(descendants(legend, 'line')[0]?.attributes.stroke).toBe(firstLibrary?.attributes.stroke);
  });

  it('colours by an explicit colorKey over the label', () => {
    expect(colorKeyOf({ label: 'library (cold)' })).toBe('library');
    expect(colorKeyOf({ label: 'library' })).toBe('library');
    expect(colorKeyOf({ label: 'warm', colorKey: 'library' })).toBe('library');
    const svg = chart([
      {
        title: 'S1',
        series: [
          { label: 'library', points: [{ x: 1e3, y: 1 }, { x: 1e4, y: 1 }] },
          { label: 'after GC', colorKey: 'library', dashed: true, points: [{ x: 1e3, y: 2 }, { x: 1e4, y: 2 }] },
          { label: 'baseline', points: [{ x: 1e3, y: 3 }, { x: 1e4, y: 3 }] },
        ],
      },
    ]);
    const strokes = descendants(svg, 'polyline').map((p) => p.attributes.stroke);
    expect(strokes[1]).toBe(strokes[0]);
    expect(strokes[2]).not.toBe(strokes[0]);
  });

  it('escapes every text: titles, labels and tooltips', () => {
    const hostile = 'S<1> & "x" \'y\'';
    const document = renderChart({
      title: hostile,
      subtitle: `a & b\n<c>`,
      xLabel: 'x<',
      yLabel: 'y&',
      panels: [{ title: hostile, series: [{ label: '<lib> & co', points: [{ x: 1e3, y: 1 }, { x: 1e4, y: 2 }] }] }],
    });
    expect(document).toContain('S&lt;1&gt; &amp; &quot;x&quot; &apos;y&apos;');
    expect(document).not.toContain('S<1>');
    expect(document).not.toContain('<lib>');
    const svg = parseXml(document);
    const texts = [...descendants(svg, 'text'), ...descendants(svg, 'title')].map((t) => t.text);
    expect(texts).toContain(hostile);
    expect(texts).toContain('a & b');
    expect(texts).toContain('<c>');
    expect(texts).toContain('<lib> & co');
    expect(texts).toContain('<lib> & co, 1,000 members: 1 ms');
  });

  it('draws an empty panel with a note instead of failing', () => {
    const svg = chart([{ title: 'U1', series: [{ label: 'library', points: [{ x: 1e3, y: undefined }] }] }]);
    expect(descendants(svg, 'polyline')).toHaveLength(0);
    expect(descendants(svg, 'text').map((t) => t.text)).toContain('no measurements');
  });
});

describe('the chart’s helpers', () => {
  it('escapeXml replaces the five special characters and characters XML forbids', () => {
    expect(escapeXml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
    expect(escapeXml('µs 😀 \t')).toBe('µs 😀 \t');
    expect(escapeXml('a\u0000b\uD800c')).toBe('a\uFFFDb\uFFFDc');
  });

  it('formatDuration picks the unit that reads best', () => {
    expect(formatDuration(0.000123)).toBe('123 ns');
    expect(formatDuration(0.0015)).toBe('1.5 µs');
    expect(formatDuration(1.5)).toBe('1.5 ms');
    expect(formatDuration(0.9996)).toBe('1 ms');
    expect(formatDuration(2500)).toBe('2.5 s');
    expect(formatDuration(20_000)).toBe('20 s');
  });

  it('formatCount writes member counts as 1k, 10k, 100k, 1M', () => {
    expect([1, 10, 100, 1e3, 1e4, 1e5, 1e6, 2500].map(formatCount)).toEqual(['1', '10', '100', '1k', '10k', '100k', '1M', '2.5k']);
  });

  it('panelsFromMeasurements groups rows by panel and series in order of appearance, points by x', () => {
    expect(
      panelsFromMeasurements([
        { panel: 'S2', series: 'library', x: 1e5, y: 3 },
        { panel: 'S2', series: 'library (cold)', x: 1e5, y: 6, dashed: true },
        { panel: 'S1', series: 'library', x: 1e3, y: 0.1 },
        { panel: 'S2', series: 'library', x: 1e3, y: undefined },
      ]),
    ).toEqual([
      {
        title: 'S2',
        series: [
          { label: 'library', points: [{ x: 1e3, y: undefined }, { x: 1e5, y: 3 }] },
          { label: 'library (cold)', dashed: true, points: [{ x: 1e5, y: 6 }] },
        ],
      },
      { title: 'S1', series: [{ label: 'library', points: [{ x: 1e3, y: 0.1 }] }] },
    ]);
  });
});
