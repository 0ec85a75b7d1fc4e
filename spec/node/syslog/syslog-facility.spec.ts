import { ConfigurationError } from '../../../lib/core/errors/configuration-error';
import { syslogFacility } from '../../../lib/node/syslog/syslog-facility';

describe('syslogFacility', () => {
  it.each([
    ['kern', 0],
    ['user', 1],
    ['daemon', 3],
    ['auth', 4],
    ['security', 4],
    ['authpriv', 10],
    ['local0', 16],
    ['LOCAL7', 23],
    [' Local3 ', 19],
  ])('maps the name %p to %p', (name, code) => {
    expect(syslogFacility(name)).toBe(code);
  });

  it('accepts integer codes 0 to 23', () => {
    expect(syslogFacility(0)).toBe(0);
    expect(syslogFacility(23)).toBe(23);
  });

  it.each([-1, 24, 1.5, Number.NaN, 'local8', '', 'toString'])('throws a ConfigurationError naming %p', (value) => {
    expect(() => syslogFacility(value)).toThrow(ConfigurationError);
    expect(() => syslogFacility(value)).toThrow(JSON.stringify(String(value)));
  });

  it('throws a ConfigurationError, not a TypeError, for a value String() cannot convert', () => {
    const bare: unknown = Object.create(null);
    expect(() => syslogFacility(bare as string)).toThrow(ConfigurationError);
    expect(() => syslogFacility(bare as string)).toThrow('SyslogSink: unknown facility object');
  });
});
