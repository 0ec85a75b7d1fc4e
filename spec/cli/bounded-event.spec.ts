import fc from 'fast-check';
import { boundedEvent } from '../../lib/cli/bounded-event';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { readCompactJson } from '../../lib/formatting/read-compact-json';
import { LogEventRecord } from '../../lib/templates/log-event-record';
import { parseTemplate } from '../../lib/templates/parse-template';
import { TEMPLATE_CHARACTERS } from '../helpers/arbitraries';

const T0 = '2026-11-22T12:00:00.000Z';

describe('boundedEvent', () => {
  it('gives the message renderMessage() gives, and the same CLEF, @r renderings from the line included', () => {
    const line = `{"@t":"${T0}","@mt":"Paid {Amount,8:C} for {@Items} by {User} ({Ms:0.0} ms, {Missing:x})","@r":["¤12.50"],"Amount":12.5,"Items":["book"],"User":"ann","Ms":3.14159}`;
    const event = readCompactJson(line);
    const bounded = boundedEvent(event, 1000);
    expect(bounded?.renderMessage()).toBe('Paid   ¤12.50 for ["book"] by ann (3.1 ms, {Missing:x})');
    expect(bounded?.renderMessage()).toBe(event.renderMessage());
    const clef = new CompactJsonFormatter();
    expect(clef.format(bounded as LogEventRecord)).toBe(clef.format(event));
    expect(clef.format(event)).toContain('"@r":["¤12.50","3.1","{Missing:x}"]');
  });

  it('renders any template with any string and number properties as renderMessage() does, when short enough', () => {
    const template = fc.array(fc.constantFrom(...TEMPLATE_CHARACTERS, 'A', 'x', '9'), { maxLength: 40 }).map((c) => c.join(''));
    fc.assert(
      fc.property(template, fc.oneof(fc.string(), fc.double(), fc.integer()), fc.nat(200), (text, value, max) => {
        const event = new LogEventRecord(0, 'information', parseTemplate(text), { A: value, B: value, 0: value });
        const message = event.renderMessage();
        expect(boundedEvent(event, max)?.renderMessage()).toBe(message.length <= max ? message : undefined);
      }),
      { numRuns: 300 },
    );
  });

  it('stops past maxLength and renders each distinct hole once, however often the template repeats it', () => {
    let reads = 0;
    const values: Record<string, unknown> = { A: ['x'.repeat(100)], B: 7 };
    const properties = new Proxy(values, {
      get(target, name) {
        if (typeof name === 'string') reads++;
        return target[name as string];
      },
    });
    const repeated = new LogEventRecord(0, 'information', parseTemplate('{@A}{B:0.0}'.repeat(100_000)), properties);
    // `["xx…x"]7.0`: 104 + 3 characters, 100 000 times.
    expect(boundedEvent(repeated, Number.MAX_SAFE_INTEGER)?.renderMessage().length).toBe(100_000 * 107);
    expect(reads).toBe(2);
    reads = 0;
    // 10 holes 10 000 wide fill 100 000 characters; the next hole (a new text, so rendered) is one past them.
    const aligned = '{B,10000}'.repeat(10) + Array.from({ length: 100_000 }, (_, i) => `{B,${i}}`).join('');
    expect(boundedEvent(new LogEventRecord(0, 'information', parseTemplate(aligned), properties), 100_000)).toBeUndefined();
    expect(reads).toBe(2);
  });
});
