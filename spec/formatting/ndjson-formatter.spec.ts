import * as fc from 'fast-check';
import { NdjsonFormatter } from '../../lib/formatting/ndjson-formatter';
import { createLogEvent } from '../../lib/templates/log-event-record';
import { makeEvent } from '../helpers/events';
import { collectSelfLog } from '../helpers/self-log';

const timestamp = new Date(Date.UTC(2026, 10, 22, 12, 0, 0));

describe('NdjsonFormatter', () => {
  it('writes timestamp, level, message, template, then the properties', () => {
    const event = createLogEvent('information', 'User {UserId} from {@Location}', [42, { city: 'Oslo' }], { timestamp });
    expect(new NdjsonFormatter().format(event)).toBe(
      '{"timestamp":"2026-11-22T12:00:00.000Z","level":"information","message":"User 42 from {\\"city\\":\\"Oslo\\"}","template":"User {UserId} from {@Location}","UserId":42,"Location":{"city":"Oslo"}}',
    );
  });

  it('writes a level outside the six as it is, escaped, so the line stays JSON', () => {
    for (const level of ['a"b', 'back\\slash', 'line\nbreak', 'constructor']) {
      const line = new NdjsonFormatter().format(makeEvent({ level: level as never }));
      expect((JSON.parse(line) as Record<string, unknown>).level).toBe(level);
    }
  });

  it('leaves the template out when asked', () => {
    const event = createLogEvent('warning', 'Slow {Ms} ms', [812], { timestamp });
    expect(new NdjsonFormatter({ includeTemplate: false }).format(event)).toBe(
      '{"timestamp":"2026-11-22T12:00:00.000Z","level":"warning","message":"Slow 812 ms","Ms":812}',
    );
  });

  it('writes the exception as its stack', () => {
    const error = new Error('boom');
    const line = JSON.parse(new NdjsonFormatter().format(makeEvent({ exception: error }))) as Record<string, unknown>;
    expect(line.exception).toBe(error.stack);
  });

  it('prefixes a property named like a top-level field with an underscore', () => {
    const line = JSON.parse(
      new NdjsonFormatter().format(makeEvent({ properties: { level: 'custom', message: 'm', N: 1 } })),
    ) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'information', message: 'event', _level: 'custom', _message: 'm', N: 1 });
  });

  it('escapes field-name collisions injectively: every property keeps its own key', () => {
    const event = makeEvent({ properties: { level: 'a', _level: 'b', __level: 'c', _other: 'd', message: 'e' } });
    const text = new NdjsonFormatter().format(event);
    const keys = [...text.matchAll(/"([^"]+)":/g)].map((m) => m[1]);
    expect(new Set(keys).size).toBe(keys.length);
    expect(JSON.parse(text)).toMatchObject({
      level: 'information',
      _level: 'a',
      __level: 'b',
      ___level: 'c',
      _other: 'd',
      _message: 'e',
    });
  });

  it('writes JSON-unsafe scalars safely and leaves undefined out', () => {
    const line = new NdjsonFormatter().format(
      makeEvent({ properties: { Big: 12345678901234567890n, NotANumber: NaN, Gone: undefined, When: new Date(0) } }),
    );
    expect(line).toContain('"Big":12345678901234567890');
    expect(JSON.parse(line)).toMatchObject({ NotANumber: 'NaN', When: '1970-01-01T00:00:00.000Z' });
    expect(line).not.toContain('Gone');
  });

  it('always writes one line of valid JSON, whatever the properties hold', () => {
    const formatter = new NdjsonFormatter();
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.anything()), fc.string(), (properties, text) => {
        const line = formatter.format(makeEvent({ text, properties }));
        expect(line).not.toContain('\n');
        expect(() => JSON.parse(line)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  // Found by a review: one property value that threw when read (a getter or Proxy trap of an event
  // built in JavaScript) made the whole event an "Unformattable event" at the time of formatting.
  it('writes an event whose property values throw when read, each such value as its [Throws: message] marker, with one SelfLog report', () => {
    const boom = (): never => {
      throw new Error('boom');
    };
    const properties = Object.defineProperties(
      {},
      { User: { enumerable: true, get: boom }, Shop: { enumerable: true, value: 'north' } },
    );
    const events = [
      { ...makeEvent({ level: 'warning', text: 'Order placed', properties }), renderMessage: boom },
      makeEvent({ level: 'warning', text: 'Order placed', properties: new Proxy({}, { get: boom, ownKeys: boom }) }),
    ];
    const { diagnostics, stop } = collectSelfLog();
    let lines: string[];
    try {
      lines = events.map((e) => new NdjsonFormatter().format(e));
    } finally {
      stop();
    }
    const head = '{"timestamp":"2026-11-22T12:00:00.000Z","level":"warning","message":"Order placed","template":"Order placed"';
    expect(lines).toEqual([`${head},"User":"[Throws: boom]","Shop":"north"}`, `${head},"rxlog.unreadable":"[Throws: boom]"}`]);
    expect(
      diagnostics.map((d) => /NdjsonFormatter: (\d) unreadable value\(s\) of an event written as markers/.exec(d.message)?.[1]),
    ).toEqual(['1', '1']);
  });
});
