import { type LogLineResult, readLogLine } from '../../lib/cli/read-log-line';
import type { LogEvent } from '../../lib/core/log-event';

function eventOf(result: LogLineResult): LogEvent {
  if (result.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(result)}`);
  return result.event;
}

// readAsWritten is what readLogLine does to a line's time and level before reading it: tested through readLogLine.
describe('readAsWritten', () => {
  // Serilog's reader parses "@t" with DateTimeOffset.TryParse, which takes a text without an offset as local time;
  // so does JavaScript's Date (pino-pretty) for a date with a time. The TZ a user runs in is tested in main.spec.ts.
  it.each([
    ['{"@t":"2026-12-04T10:00:00.123","@mt":"A"}', new Date(2026, 11, 4, 10, 0, 0, 123)],
    ['{"timestamp":"2026-07-04 10:00:00","message":"B"}', new Date(2026, 6, 4, 10, 0, 0)],
    ['{"@t":"2026-12-04","@mt":"C"}', new Date(2026, 11, 4)],
    [
      '{"@t":"0001-01-02T00:00:00","@mt":"D"}',
      // At the zone's offset in whole minutes, as .NET reads a local mean time's -4:56:02 (getTimezoneOffset's 296).
      (() => {
        const local = new Date(0);
        local.setFullYear(1, 0, 2);
        local.setHours(0, 0, 0, 0);
        const fields = new Date(0);
        fields.setUTCFullYear(1, 0, 2);
        return new Date(fields.getTime() + local.getTimezoneOffset() * 60_000);
      })(),
    ],
  ])('reads a time without an offset as local time: %s', (line, local) => {
    expect(eventOf(readLogLine(line)).timestamp.getTime()).toBe(local.getTime());
  });

  it('keeps a time with an offset, and a CLEF event\'s own "timestamp" property, as they are', () => {
    const event = eventOf(readLogLine('{"@t":"2026-12-04T10:00:00.123+02:00","@mt":"A","timestamp":"2026-12-04T10:00:00"}'));
    expect(event.timestamp.toISOString()).toBe('2026-12-04T08:00:00.123Z');
    expect(event.properties.timestamp).toBe('2026-12-04T10:00:00');
  });

  it.each([
    ['CRITICAL', 'fatal'], // Python logging
    ['Critical', 'fatal'], // .NET's Microsoft.Extensions.Logging
    ['crit', 'fatal'], // syslog: the severity SyslogSink writes for Fatal
    ['err', 'error'], // syslog
    ['ERR', 'error'], // {Level:u3}
    ['dbg', 'debug'],
    ['VRB', 'verbose'],
    ['Inf', 'information'],
    ['WRN', 'warning'],
    ['FTL', 'fatal'],
    [' warn ', 'warning'], // already an alias
  ])('reads the level %j as %s, in CLEF and in NDJSON', (name, level) => {
    expect(eventOf(readLogLine(`{"@t":"2026-12-04T10:00:00Z","@mt":"A","@l":${JSON.stringify(name)}}`)).level).toBe(level);
    expect(eventOf(readLogLine(`{"timestamp":"2026-12-04T10:00:00Z","message":"A","level":${JSON.stringify(name)}}`)).level).toBe(
      level,
    );
  });

  // A number is a level only within its own scheme: 3 is Warning to Serilog and error to syslog, 30 info to pino and
  // WARNING to Python. The line is not read, so it is passed through (or reported under --strict), never misfiled.
  it.each([30, '30', 3, 'notice', 'http', 'emerg'])('does not read the level %j', (name) => {
    expect(readLogLine(`{"@t":"2026-12-04T10:00:00Z","@mt":"A","@l":${JSON.stringify(name)}}`)).toEqual({
      kind: 'invalid',
      reason: `unknown level ${JSON.stringify(name)} in "@l"`,
    });
  });
});
