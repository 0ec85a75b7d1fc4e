import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { NdjsonFormatter } from '../../lib/formatting/ndjson-formatter';
import { readCompactJson } from '../../lib/formatting/read-compact-json';
import { LogEventRecord } from '../../lib/templates/log-event-record';
import { parseTemplate } from '../../lib/templates/parse-template';

// What docs/conformance.md (CLEF) states of numbers and of names a UTF-8 line cannot keep apart.
const at = new Date(Date.UTC(2026, 10, 22, 12));
const formatter = new CompactJsonFormatter();

function line(properties: Record<string, unknown>): string {
  return formatter.format(new LogEventRecord(at, 'information', parseTemplate('x'), properties));
}

describe('CLEF numbers beside Serilog’s JsonValueFormatter', () => {
  it('writes NaN and ±Infinity as the strings Serilog writes, and -0 as 0 where Serilog writes -0', () => {
    expect(line({ A: Number.NaN, B: Infinity, C: -Infinity, D: -0 })).toMatch(
      /,"A":"NaN","B":"Infinity","C":"-Infinity","D":0\}$/,
    );
  });

  it('reads -0 as -0 and a number past the range of a double as Infinity, and writes them back as 0 and a string', () => {
    const read = readCompactJson('{"@t":"2026-11-22T12:00:00.000Z","@mt":"x","D":-0,"E":1E400,"F":-1e-400}');
    expect(Object.is(read.properties.D, -0)).toBe(true);
    expect(read.properties.E).toBe(Infinity);
    expect(formatter.format(read)).toMatch(/,"D":0,"E":"Infinity","F":0\}$/);
  });
});

describe('CLEF property names with a lone surrogate', () => {
  it('writes a name holding a lone surrogate with U+FFFD, so it reads back as that name', () => {
    const written = line({ 'a\ud800': 1 });
    expect(written).toMatch(/,"a\ufffd":1\}$/);
    expect(readCompactJson(written).properties).toEqual({ 'a\ufffd': 1 });
  });

  it('writes two names that differ only by a lone surrogate and U+FFFD as one name twice: a reader keeps the last', () => {
    const written = line({ 'a\ud800': 1, 'a\ufffd': 2 });
    expect(written).toMatch(/,"a\ufffd":1,"a\ufffd":2\}$/);
    expect(readCompactJson(written).properties).toEqual({ 'a\ufffd': 2 });
  });
});

describe('NDJSON property names with a lone surrogate', () => {
  const ndjson = new NdjsonFormatter();
  const ndjsonLine = (properties: Record<string, unknown>): string =>
    ndjson.format(new LogEventRecord(at, 'information', parseTemplate('x'), properties));

  it('writes two NDJSON names that differ only by a lone surrogate and U+FFFD as one name twice, as CLEF does: JSON.parse keeps the last', () => {
    const written = ndjsonLine({ 'a\ud800': 1, 'a\ufffd': 2 });
    expect(written).toMatch(/,"a\ufffd":1,"a\ufffd":2\}$/);
    expect(JSON.parse(written)).toMatchObject({ 'a\ufffd': 2 });
    // A member of a structure alike.
    expect(ndjsonLine({ S: { 'b\udc00': 1, 'b\ufffd': 2 } })).toMatch(/,"S":\{"b\ufffd":1,"b\ufffd":2\}\}$/);
  });
});
