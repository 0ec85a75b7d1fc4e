import { syslogSeverity } from '../../../lib/node/syslog/syslog-severity';

describe('syslogSeverity', () => {
  it.each([
    ['verbose', 7],
    ['debug', 7],
    ['information', 6],
    ['warning', 4],
    ['error', 3],
    ['fatal', 2],
  ] as const)('maps %s to severity %i', (level, severity) => {
    expect(syslogSeverity(level)).toBe(severity);
  });

  it('maps a level outside the six to informational, even one named like an Object.prototype member', () => {
    for (const level of ['loud', 'constructor', 'toString', '__proto__', 'hasOwnProperty'])
      expect(syslogSeverity(level as never)).toBe(6);
  });
});
