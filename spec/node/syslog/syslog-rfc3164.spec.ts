import type { LogEvent } from '../../../lib/core/log-event';
import type { SyslogMessageSettings } from '../../../lib/node/syslog/syslog-message-settings';
import { syslogBsdHostname, syslogRfc3164 } from '../../../lib/node/syslog/syslog-rfc3164';
import { createLogEvent } from '../../../lib/templates/log-event-record';
import { makeEvent } from '../../helpers/events';

const settings: SyslogMessageSettings = {
  facility: 3,
  hostname: 'web-1',
  appName: 'shop',
  procId: '4242',
  messageIdProperty: 'SourceContext',
  structuredDataId: undefined,
  formatter: undefined,
  maxMessageBytes: 1024,
  singleLine: false,
};

describe('syslogRfc3164', () => {
  it('writes <PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG in local time, the day padded with a space', () => {
    const event = makeEvent({
      level: 'error',
      text: 'Disk full',
      timestamp: new Date(2026, 10, 2, 8, 5, 9),
      properties: { Disk: 'sda' },
    });
    expect(syslogRfc3164(event, settings)).toBe('<27>Nov  2 08:05:09 web-1 shop[4242]: Disk full');
  });

  it('escapes NUL in MSG as #000, as rsyslog shows control characters', () => {
    const event = createLogEvent('information', 'a\u0000b {X}', ['c\u0000d']);
    expect(syslogRfc3164(event, settings)).toMatch(/: a#000b c\\u0000d$/);
  });

  it('writes two-digit days as they are', () => {
    const event = makeEvent({ timestamp: new Date(2026, 0, 15, 23, 59, 0) });
    expect(syslogRfc3164(event, settings)).toBe('<30>Jan 15 23:59:00 web-1 shop[4242]: event');
  });

  it('escapes line breaks when singleLine and cuts at maxMessageBytes', () => {
    const event = makeEvent({ text: `a\nb${'é'.repeat(100)}`, timestamp: new Date(2026, 0, 15, 23, 59, 0) });
    const line = syslogRfc3164(event, { ...settings, singleLine: true, maxMessageBytes: 64 });
    expect(line.startsWith('<30>Jan 15 23:59:00 web-1 shop[4242]: a#012bé')).toBe(true);
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(64);
    expect(line).not.toContain('\ufffd');
  });

  it.each([1e20, Number.POSITIVE_INFINITY, -8.64e15 - 1, Number.NaN])(
    'writes the time of formatting for an event time %p no Date can hold (a copy with its own timeMs)',
    (timeMs) => {
      jest.useFakeTimers({ now: new Date(2026, 0, 15, 23, 59, 0) });
      try {
        const copy = { ...makeEvent(), timestamp: undefined, timeMs } as unknown as LogEvent;
        expect(syslogRfc3164(copy, settings)).toBe('<30>Jan 15 23:59:00 web-1 shop[4242]: event');
      } finally {
        jest.useRealTimers();
      }
    },
  );

  it('leaves out a hostname with nothing a BSD HOSTNAME can hold, so the receiver names the sender', () => {
    const event = makeEvent({ timestamp: new Date(2026, 0, 15, 23, 59, 0) });
    expect(syslogRfc3164(event, { ...settings, hostname: '' })).toBe('<30>Jan 15 23:59:00 shop[4242]: event');
  });
});

describe('syslogBsdHostname', () => {
  it.each([
    ['web-1.example.com', 'web-1.example.com'],
    ['web@1', 'web_1'],
    ['fe80::1', 'fe80__1'],
    ['node-', 'node'],
    ['db.', 'db'],
    ['a b', 'a_b'],
    ['-', ''],
    ['é', ''],
    ['_x', '_x'],
  ])('makes %p %p: letters, digits, . _ - only, ending in a letter or digit', (value, expected) => {
    expect(syslogBsdHostname(value)).toBe(expected);
  });

  it('cuts at 255 characters', () => {
    expect(syslogBsdHostname('x'.repeat(300))).toBe('x'.repeat(255));
  });
});
