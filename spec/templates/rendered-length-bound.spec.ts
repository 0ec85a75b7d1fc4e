import { readCompactJson } from '../../lib/formatting/read-compact-json';
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
