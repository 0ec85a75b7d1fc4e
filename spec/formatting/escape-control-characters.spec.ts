import { escapeControlCharacters } from '../../lib/core/escape-control-characters';
import { renderMessageEscaped } from '../../lib/formatting/escape-control-characters';
import { readCompactJson } from '../../lib/formatting/read-compact-json';
import { RenderedEvent } from '../../lib/formatting/rendered-event';
import { createLogEvent } from '../../lib/templates/log-event-record';
import { parseTemplate } from '../../lib/templates/parse-template';
import { MAX_RENDERED_LENGTH, RENDER_CUT_MARKER } from '../../lib/templates/render-template';

describe('escapeControlCharacters', () => {
  it('writes C0, DEL, C1 and the Unicode line separators as visible escapes', () => {
    expect(escapeControlCharacters('a\u001b[2J\n\r\t\u0000\u007f\u009b\u2028z')).toBe(
      'a\\u001b[2J\\n\\r\\t\\u0000\\u007f\\u009b\\u2028z',
    );
    expect(escapeControlCharacters('plain ünïcode ✓')).toBe('plain ünïcode ✓');
  });

  // Trojan Source (CVE-2021-42574): an override or isolate from data reorders the rest of the line
  // where it is shown (a browser console, a terminal with bidi, an editor), so `admin` can read as
  // someone else's name or a line can seem to say what it does not.
  it('writes the bidirectional embeddings, overrides and isolates as escapes, in stack traces too', () => {
    const hostile = 'a\u202ab\u202bc\u202cd\u202de\u202ef\u2066g\u2067h\u2068i\u2069j';
    const escaped = 'a\\u202ab\\u202bc\\u202cd\\u202de\\u202ef\\u2066g\\u2067h\\u2068i\\u2069j';
    expect(escapeControlCharacters(hostile)).toBe(escaped);
    expect(escapeControlCharacters(`${hostile}\n`, true)).toBe(`${escaped}\n`);
    // Right-to-left text itself, and the marks that only nudge neutral characters, stay as written.
    expect(escapeControlCharacters('שלום \u200f! مرحبا\u200e')).toBe('שלום \u200f! مرحبا\u200e');
  });

  it('keeps line breaks and tabs when asked (for stack traces)', () => {
    expect(escapeControlCharacters('Error: x\u001b\n\tat f', true)).toBe('Error: x\\u001b\n\tat f');
  });

  it('reads a Windows line break (CRLF) as a line break when keeping them, and escapes a lone CR', () => {
    expect(escapeControlCharacters('System.Exception: boom\r\n   at Main()\r\n', true)).toBe(
      'System.Exception: boom\n   at Main()\n',
    );
    expect(escapeControlCharacters('ok\rforged\r\n', true)).toBe('ok\\rforged\n');
    expect(escapeControlCharacters('a\r\nb')).toBe('a\\r\\nb');
  });
});

describe('renderMessageEscaped', () => {
  // Bounded as renderMessage() is (spec/templates/rendered-length-bound.spec.ts): before, the escaped
  // rendering walked a structure once per hole, and threw RangeError past V8's longest string.
  it('writes a structure many holes name once, as renderMessage() does', () => {
    let reads = 0;
    const structure = {
      get n(): number {
        reads++;
        return 1;
      },
    };
    const event = new RenderedEvent(
      0,
      'information',
      parseTemplate('{A}{A} {B} {A:x}{A,9}'),
      { A: structure, B: 'a\u0007' },
      undefined,
      [],
    );
    expect(renderMessageEscaped(event)).toBe('{"n":1}{"n":1} a\\u0007 {"n":1}  {"n":1}');
    // Once for renderMessage(), whose text holds a control character, once for the escaped text.
    expect(reads).toBe(2);
  });

  it('cuts an escaped message past 2^28 code units and marks it, instead of throwing', () => {
    const event = new RenderedEvent(
      0,
      'information',
      parseTemplate('{A}'.repeat(600)),
      { A: `${'x'.repeat(2 ** 20)}\u0007` },
      undefined,
      [],
    );
    const escaped = renderMessageEscaped(event);
    expect(escaped).toHaveLength(MAX_RENDERED_LENGTH + RENDER_CUT_MARKER.length);
    expect(escaped.startsWith('xxx')).toBe(true);
    expect(escaped.endsWith(RENDER_CUT_MARKER)).toBe(true);
    expect(escaped).toContain('x\\u0007x');
  });

  it('escapes property values only, never the template text', () => {
    const event = createLogEvent('information', 'Line one\nUser {Name}', ['a\nb']);
    expect(renderMessageEscaped(event)).toBe('Line one\nUser a\\nb');
  });

  it('aligns a value after escaping it, so an escaped value keeps its column', () => {
    const event = createLogEvent('information', '{Name,-8}|{Name,8}|{Missing,5}|', ['a\u001bb']);
    expect(renderMessageEscaped(event)).toBe('a\\u001bb|a\\u001bb|{Missing,5}|');
    const short = createLogEvent('information', '{Name,-10}|{Name,10}|', ['a\u0007']);
    expect(renderMessageEscaped(short)).toBe('a\\u0007   |   a\\u0007|');
  });

  it('aligns the @r rendering of an event read from a CLEF line after escaping it', () => {
    const line = JSON.stringify({ '@t': '2026-11-30T10:00:00.000Z', '@mt': '{At,12:HH}|', '@r': ['1\u001b'], At: 'x' });
    expect(renderMessageEscaped(readCompactJson(line))).toBe('     1\\u001b|');
  });

  it('keeps the @r rendering of a formatted hole of an event read from a CLEF line', () => {
    // .NET's currency format, which rxlog does not render: only the line's @r says how it read.
    const line = JSON.stringify({
      '@t': '2026-11-30T10:00:00.000Z',
      '@mt': 'Paid {Amount,8:C} to {Name}',
      '@r': ['¤12.50'],
      Amount: 12.5,
      Name: 'a\nb',
    });
    const event = readCompactJson(line);
    expect(event.renderMessage()).toBe('Paid   ¤12.50 to a\nb');
    expect(renderMessageEscaped(event)).toBe('Paid   ¤12.50 to a\\nb');
  });
});
