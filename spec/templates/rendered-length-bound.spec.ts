import { readCompactJson } from '../../lib/formatting/read-compact-json';
import { RenderedEvent } from '../../lib/formatting/rendered-event';
import { createLogEvent } from '../../lib/templates/log-event-record';
import { parseTemplate } from '../../lib/templates/parse-template';
import { cutRendering, MAX_RENDERED_LENGTH, RENDER_CUT_MARKER, renderTemplate } from '../../lib/templates/render-template';

// A short template can render past V8's longest string (2^29 - 24 code units), where `+=` throws
// RangeError "Invalid string length": each hole names the same large property, or pads to 9999.
// Rendering never throws (logging never throws in the caller): it stops at MAX_RENDERED_LENGTH and
// marks the cut, as capture marks a cut string.
const T0 = '2026-11-22T12:00:00.000Z';
const MEGA = 'x'.repeat(2 ** 20);

function expectCut(message: string, first: string): void {
  expect(message).toHaveLength(MAX_RENDERED_LENGTH + RENDER_CUT_MARKER.length);
  expect(message.startsWith(first)).toBe(true);
  expect(message.endsWith(`x${RENDER_CUT_MARKER}`) || message.endsWith(` ${RENDER_CUT_MARKER}`)).toBe(true);
}

describe('a message that would render past MAX_RENDERED_LENGTH', () => {
  it('is 2^28 code units and the marker, far below the longest string of any engine', () => {
    expect(MAX_RENDERED_LENGTH).toBe(2 ** 28);
    expect(RENDER_CUT_MARKER).toBe('…[truncated]');
  });

  it('is cut by renderTemplate, which does not throw', () => {
    expectCut(renderTemplate(parseTemplate(`Big ${'{A}'.repeat(600)}`), { A: MEGA }), 'Big xxx');
  });

  it('is cut by a logged event’s renderMessage(), which does not throw', () => {
    const event = createLogEvent('information', `Padded ${'{N,9999}'.repeat(60_000)}`, [1], { timestamp: new Date(T0) });
    expectCut(event.renderMessage(), `Padded ${' '.repeat(9998)}1`);
    expect(event.renderMessage()).toBe(event.renderMessage());
  });

  it('is cut by renderMessage() of an event read from a hostile CLEF line', () => {
    const line = `{"@t":"${T0}","@mt":"Big ${'{A}'.repeat(600)}","A":"${MEGA}"}`;
    expectCut(readCompactJson(line).renderMessage(), 'Big xxx');
  });

  it('is cut by renderMessage() of an event read with @r renderings', () => {
    const holes = 60_000;
    const line = `{"@t":"${T0}","@mt":"${'{A,9999:x}'.repeat(holes)}","@r":[${'"1",'.repeat(holes - 1)}"1"],"A":1}`;
    expectCut(readCompactJson(line).renderMessage(), `${' '.repeat(9998)}1`);
  });

  it('renders a message of exactly MAX_RENDERED_LENGTH whole', () => {
    const template = parseTemplate('{A}'.repeat(2 ** 8));
    const message = renderTemplate(template, { A: MEGA });
    expect(message).toHaveLength(MAX_RENDERED_LENGTH);
    expect(message.endsWith('xxx')).toBe(true);
  });
});

describe('cutRendering', () => {
  it('keeps what of the piece fits, then the marker', () => {
    expect(cutRendering('ab', 'cdef', 1)).toBe(`abc${RENDER_CUT_MARKER}`);
    expect(cutRendering('ab', 'cdef', 0)).toBe(`ab${RENDER_CUT_MARKER}`);
  });

  it('never cuts between the halves of a surrogate pair', () => {
    expect(cutRendering('a', 'b😀c', 2)).toBe(`ab${RENDER_CUT_MARKER}`);
    expect(cutRendering('a', 'b😀c', 3)).toBe(`ab😀${RENDER_CUT_MARKER}`);
  });
});

// A 1.2 MB CLEF line (a 50 000-item array named by 100 000 `{A}` holes) took 58 s to render: each
// hole wrote the whole array again, up to the bound. A structure is written once per render.
describe('a structure named by many holes', () => {
  /** Properties whose one structure counts how often it is walked (each walk reads `n` once). */
  function counted(): { properties: Record<string, unknown>; walks: () => number } {
    let reads = 0;
    const structure = {
      get n(): number {
        reads++;
        return 1;
      },
    };
    return { properties: { A: structure, D: new Date(Date.UTC(2026, 0, 2)) }, walks: () => reads };
  }

  it('is written once by renderTemplate, whatever the holes’ formats and alignments', () => {
    const { properties, walks } = counted();
    const template = parseTemplate('{A} {A:x} {A,12} {A:0.0} {D:yyyy} {D:MM} {A}');
    expect(renderTemplate(template, properties)).toBe('{"n":1} {"n":1}      {"n":1} {"n":1} 2026 01 {"n":1}');
    expect(walks()).toBe(1);
  });

  it('is written once by renderMessage() of an event read with @r renderings', () => {
    const { properties, walks } = counted();
    const event = new RenderedEvent(
      0,
      'information',
      parseTemplate('{A} {A:x} {N:x} {A}'),
      { ...properties, N: 255 },
      undefined,
      ['rendered', 'ff'],
    );
    expect(event.renderMessage()).toBe('{"n":1} {"n":1} ff {"n":1}');
    expect(walks()).toBe(1);
  });

  it('is written once each when holes name two structures in turn', () => {
    const first = counted();
    const second = counted();
    const properties = { A: first.properties.A, B: second.properties.A };
    expect(renderTemplate(parseTemplate('{A}{B}{A}{B}{A:x}{B,9}'), properties)).toBe(`${'{"n":1}'.repeat(5)}  {"n":1}`);
    expect([first.walks(), second.walks()]).toEqual([1, 1]);
  });

  it('is written again by the next render', () => {
    const { properties, walks } = counted();
    const template = parseTemplate('{A}{A}');
    renderTemplate(template, properties);
    renderTemplate(template, properties);
    expect(walks()).toBe(2);
  });
});
