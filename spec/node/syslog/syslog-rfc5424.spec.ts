import fc from 'fast-check';
import type { SyslogMessageSettings } from '../../../lib/node/syslog/syslog-message-settings';
import { syslogEscapeLineBreaks } from '../../../lib/node/syslog/syslog-framing';
import { syslogEscapeNul } from '../../../lib/node/syslog/syslog-message-text';
import { syslogRfc5424 } from '../../../lib/node/syslog/syslog-rfc5424';
import { syslogSdElement, syslogStructuredDataParams } from '../../../lib/node/syslog/syslog-structured-data';
import { syslogTruncateUtf8 } from '../../../lib/node/syslog/syslog-truncate-utf8';
import { makeEvent } from '../../helpers/events';

const settings: SyslogMessageSettings = {
  facility: 1,
  hostname: 'web-1',
  appName: 'shop',
  procId: '4242',
  messageIdProperty: 'SourceContext',
  structuredDataId: 'rxlog@32473',
  formatter: undefined,
  maxMessageBytes: 2048,
  singleLine: false,
};

describe('syslogRfc5424', () => {
  it('writes PRI, version, timestamp to the millisecond, hostname, app, procid, msgid, SD and MSG', () => {
    const event = makeEvent({
      level: 'warning',
      text: 'Slow 812 ms',
      properties: { Ms: 812, SourceContext: 'Orders' },
      timestamp: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 67)),
    });
    expect(syslogRfc5424(event, settings)).toBe(
      '<12>1 2026-01-02T03:04:05.067Z web-1 shop 4242 Orders [rxlog@32473 Ms="812" SourceContext="Orders"] Slow 812 ms',
    );
  });

  it('sanitises MSGID to 32 printable US-ASCII characters', () => {
    const event = makeEvent({ properties: { SourceContext: 'Shop.Orders Service.Ünïcode.And.A.Very.Long.Name' } });
    expect(syslogRfc5424(event, { ...settings, structuredDataId: undefined })).toContain(
      ' 4242 Shop.Orders_Service._n_code.And. - event',
    );
  });

  it('writes - for MSGID when messageIdProperty is off or the property is missing', () => {
    const event = makeEvent({ properties: { SourceContext: 'Orders' } });
    expect(syslogRfc5424(event, { ...settings, messageIdProperty: undefined, structuredDataId: undefined })).toBe(
      '<14>1 2026-11-22T12:00:00.000Z web-1 shop 4242 - - event',
    );
    expect(syslogRfc5424(makeEvent(), settings)).toBe('<14>1 2026-11-22T12:00:00.000Z web-1 shop 4242 - - event');
  });

  it('takes MSGID from the event’s own property only, never from Object.prototype (constructor, toString)', () => {
    for (const messageIdProperty of ['constructor', 'toString', '__proto__']) {
      expect(syslogRfc5424(makeEvent(), { ...settings, messageIdProperty })).toBe(
        '<14>1 2026-11-22T12:00:00.000Z web-1 shop 4242 - - event',
      );
    }
  });

  it('writes - for MSGID when reading the property throws, and still sends the event', () => {
    const properties = Object.defineProperty({ A: 1 }, 'SourceContext', {
      enumerable: true,
      get: () => {
        throw new Error('hostile getter');
      },
    });
    expect(syslogRfc5424(makeEvent({ properties }), settings)).toBe(
      '<14>1 2026-11-22T12:00:00.000Z web-1 shop 4242 - [rxlog@32473 A="1"] event',
    );
  });

  it('writes the NILVALUE for an invalid timestamp', () => {
    expect(syslogRfc5424(makeEvent({ timestamp: new Date(Number.NaN) }), settings)).toBe('<14>1 - web-1 shop 4242 - - event');
  });

  it('writes the NILVALUE for a time whose year is not four digits (before 0000, after 9999)', () => {
    // RFC 5424 §6.2.3: TIMESTAMP is RFC 3339's FULL-DATE, DATE-FULLYEAR = 4DIGIT; toISOString writes ±YYYYYY there.
    for (const time of [Date.UTC(10_000, 0, 1), 8.64e15, Date.UTC(-1, 0, 1), -8.64e15]) {
      expect(syslogRfc5424(makeEvent({ timestamp: new Date(time) }), settings)).toBe('<14>1 - web-1 shop 4242 - - event');
    }
    const yearZero = new Date(Date.UTC(2000, 0, 1));
    yearZero.setUTCFullYear(0);
    expect(syslogRfc5424(makeEvent({ timestamp: yearZero }), settings)).toBe(
      '<14>1 0000-01-01T00:00:00.000Z web-1 shop 4242 - - event',
    );
  });

  it('writes the NILVALUE for a year rsyslog refuses, 2100 and later, so it still parses the header', () => {
    // rsyslog's ParseTIMESTAMP3339 (runtime/datetime.c) fails `year >= 2100`, and then reads the
    // message as RFC 3164: HOSTNAME, APP-NAME, PROCID and the structured data all end up in MSG.
    for (const time of [Date.UTC(2100, 0, 1), Date.UTC(9999, 11, 31, 23, 59, 59, 999)]) {
      expect(syslogRfc5424(makeEvent({ timestamp: new Date(time) }), settings)).toBe('<14>1 - web-1 shop 4242 - - event');
    }
    expect(syslogRfc5424(makeEvent({ timestamp: new Date(Date.UTC(2099, 11, 31, 23, 59, 59, 999)) }), settings)).toBe(
      '<14>1 2099-12-31T23:59:59.999Z web-1 shop 4242 - - event',
    );
  });

  it('writes NUL in structured data as #000, as in MSG: a receiver that ends frames at NUL would split the message there', () => {
    const event = makeEvent({ text: 'a\u0000b', properties: { P: 'c\u0000<11>1 - forged' } });
    expect(syslogRfc5424(event, settings)).toBe(
      '<14>1 2026-11-22T12:00:00.000Z web-1 shop 4242 - [rxlog@32473 P="c#000<11>1 - forged"] a#000b',
    );
  });

  it('writes a valid PRI for a level outside the six, even one named like an Object.prototype member', () => {
    expect(syslogRfc5424(makeEvent({ level: 'constructor' as never }), settings)).toBe(
      '<14>1 2026-11-22T12:00:00.000Z web-1 shop 4242 - - event',
    );
  });

  it('ends after the structured data when MSG is empty', () => {
    expect(syslogRfc5424(makeEvent({ text: '' }), settings)).toBe('<14>1 2026-11-22T12:00:00.000Z web-1 shop 4242 - -');
  });

  it('escapes line breaks in SD and MSG when singleLine', () => {
    const event = makeEvent({ text: 'a\nb', properties: { P: 'c\nd' } });
    expect(syslogRfc5424(event, { ...settings, singleLine: true })).toBe(
      '<14>1 2026-11-22T12:00:00.000Z web-1 shop 4242 - [rxlog@32473 P="c#012d"] a#012b',
    );
  });

  it('cuts MSG to fit maxMessageBytes and keeps structured data that fits', () => {
    const event = makeEvent({ text: 'x'.repeat(500), properties: { A: 1 } });
    const line = syslogRfc5424(event, { ...settings, maxMessageBytes: 100 });
    expect(line).toBe(`<14>1 2026-11-22T12:00:00.000Z web-1 shop 4242 - [rxlog@32473 A="1"] ${'x'.repeat(31)}`);
    expect(Buffer.byteLength(line)).toBe(100);
  });

  it('leaves out structured data that alone would exceed maxMessageBytes', () => {
    const event = makeEvent({ text: 'short', properties: { Big: 'y'.repeat(500) } });
    expect(syslogRfc5424(event, { ...settings, maxMessageBytes: 100 })).toBe(
      '<14>1 2026-11-22T12:00:00.000Z web-1 shop 4242 - - short',
    );
  });

  // A long value (an SQL text, a payload) took every other property with it: RequestId and UserId were lost too.
  it('keeps the SD-PARAMs that fit when the structured data would not, leaving out whole the ones too long', () => {
    const event = makeEvent({
      text: 'Query failed',
      properties: { RequestId: 'r-7', Sql: `select "${'c'.repeat(300)}"`, UserId: 42, Payload: ']'.repeat(200), Ok: true },
    });
    const line = syslogRfc5424(event, { ...settings, maxMessageBytes: 200, singleLine: true });
    expect(line).toBe(
      '<14>1 2026-11-22T12:00:00.000Z web-1 shop 4242 - [rxlog@32473 RequestId="r-7" UserId="42" Ok="true"] Query failed',
    );
  });

  it('measures the SD-PARAMs it keeps as sent: escaped, with NUL and (singleLine) line breaks written out', () => {
    // Each of A and B is 60 characters raw but 240 bytes sent; only one fits beside the header.
    const event = makeEvent({ text: 'm', properties: { A: '\n'.repeat(60), B: '\0'.repeat(60), C: 'c' } });
    const line = syslogRfc5424(event, { ...settings, maxMessageBytes: 340, singleLine: true });
    expect(line).toBe(`<14>1 2026-11-22T12:00:00.000Z web-1 shop 4242 - [rxlog@32473 A="${'#012'.repeat(60)}" C="c"] m`);
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(340);
  });

  it('always writes a message within maxMessageBytes whose structured data is a well-formed SD-ELEMENT or -', () => {
    const sdElement = /^\[rxlog@32473(?: [!#-<>-\\^-~]{1,32}="(?:[^"\\\]]|\\["\\\]])*")*\]$/u;
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 120 }), { maxKeys: 8 }),
        fc.string({ maxLength: 200 }),
        fc.integer({ min: 80, max: 600 }),
        fc.boolean(),
        (properties, text, maxMessageBytes, singleLine) => {
          const line = syslogRfc5424(makeEvent({ text, properties }), { ...settings, maxMessageBytes, singleLine });
          expect(Buffer.byteLength(line)).toBeLessThanOrEqual(maxMessageBytes);
          const rest = line.slice('<14>1 2026-11-22T12:00:00.000Z web-1 shop 4242 - '.length);
          if (rest.startsWith('-')) return;
          // The SD-ELEMENT ends at the first ] that no backslash escapes.
          const end = /^\[(?:[^\]"]|"(?:[^"\\]|\\.)*")*\]/u.exec(rest);
          expect(end?.[0]).toMatch(sdElement);
        },
      ),
      { numRuns: 300 },
    );
  });

  // Values and MSG longer than maxMessageBytes are dropped or cut before they are escaped (escaping
  // megabytes only to drop them blocked the caller for seconds): the message is the same as when
  // everything is escaped first and measured after, as here.
  it('writes the same message as escaping every value and the whole MSG first, however long they are', () => {
    const escaped = (text: string, singleLine: boolean): string =>
      singleLine ? syslogEscapeLineBreaks(syslogEscapeNul(text)) : syslogEscapeNul(text);
    const escapeAllFirst = (properties: Record<string, string>, text: string, max: number, singleLine: boolean): string => {
      const head = '<14>1 2026-11-22T12:00:00.000Z web-1 shop 4242 - ';
      const params = syslogStructuredDataParams(properties).map((param) => escaped(param, singleLine));
      let sd = syslogSdElement(params, 'rxlog@32473');
      const msg = escaped(text, singleLine);
      const whole = msg === '' ? head + sd : `${head}${sd} ${msg}`;
      if (Buffer.byteLength(whole) <= max) return whole;
      if (Buffer.byteLength(head + sd) >= max) {
        let used = 'rxlog@32473'.length + 2;
        const kept = params.filter((param) => {
          const bytes = Buffer.byteLength(param);
          if (used + bytes >= max - head.length) return false;
          used += bytes;
          return true;
        });
        sd = syslogSdElement(kept, 'rxlog@32473');
      }
      return syslogTruncateUtf8(msg === '' ? head + sd : `${head}${sd} ${msg}`, max);
    };
    const hostile = fc.string({
      unit: fc.constantFrom('a', 'é', '"', ']', '\\', '\n', '\r', '\u0000', '\ud83d', '\ude80', '🚀'),
      maxLength: 400,
    });
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('A', 'B', 'C', 'D'), hostile, { maxKeys: 4 }),
        hostile,
        fc.integer({ min: 80, max: 300 }),
        fc.boolean(),
        (properties, text, maxMessageBytes, singleLine) => {
          const line = syslogRfc5424(makeEvent({ text, properties }), {
            ...settings,
            messageIdProperty: undefined,
            maxMessageBytes,
            singleLine,
          });
          expect(line).toBe(escapeAllFirst(properties, text, maxMessageBytes, singleLine));
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
