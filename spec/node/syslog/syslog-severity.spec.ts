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
});
