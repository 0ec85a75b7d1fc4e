import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { NdjsonFormatter } from '../../lib/formatting/ndjson-formatter';
import { createLogEvent } from '../../lib/templates/log-event-record';
import { readLogLine } from '../../lib/cli/read-log-line';
import { boundedEvent } from '../../lib/cli/bounded-event';
import type { LogEvent } from '../../lib/core/log-event';
import { cpuMs } from '../helpers/cpu-time';

function read(line: string): LogEvent {
  const result = readLogLine(line);
  if (result.kind !== 'event') throw new Error(result.reason);
  return result.event;
}

// NDJSON has no `@r`: a formatted hole whose value JSON turns into something else (a Date, now its ISO string) was
// rendered again from that, so `rxlog` showed `Due 2026-12-04T00:00:00.000Z` for `Due {When:yyyy-MM-dd}`. The line's
// `message` is how the app rendered it: each formatted hole is read from it.
describe('readLogLine on NDJSON with formatted holes', () => {
  const at = new Date(Date.UTC(2026, 11, 4));

  it.each<[string, unknown[]]>([
    ['Due {When:yyyy-MM-dd}', [at]],
    ['Due {When:yyyy-MM-dd} and {Then:HH:mm}!', [at, at]],
    ['{When,-14:yyyy-MM-dd} | {N,8:0.00} {Name}', [at, 3.14159, 'Ann']],
    ['{When,12:yyyy}{{x}}', [at]],
  ])('shows %j as the app rendered it', (template, args) => {
    const event = createLogEvent('information', template, args, { timestamp: at });
    const line = new NdjsonFormatter().format(event);
    const readBack = read(line);
    expect(readBack.renderMessage()).toBe(event.renderMessage());
    expect(boundedEvent(readBack, 1 << 20)?.renderMessage()).toBe(event.renderMessage());
    // --json writes the app's rendering as @r, as CompactJsonFormatter wrote it for the original.
    expect(new CompactJsonFormatter({ renderMessage: true }).format(readBack)).toBe(
      new CompactJsonFormatter({ renderMessage: true }).format(event),
    );
  });

  it('renders the template again where the message does not have its shape', () => {
    const line = '{"timestamp":"2026-12-04T00:00:00.000Z","message":"other","template":"Due {When:yyyy} x","When":"2026-12-04"}';
    expect(read(line).renderMessage()).toBe('Due 2026-12-04 x');
    const adjacent = '{"timestamp":"2026-12-04T00:00:00.000Z","message":"ab","template":"{A:0}{B:0}","A":1,"B":2}';
    expect(read(adjacent).renderMessage()).toBe('12');
  });

  // Found by a property test: the first ':' after `{When:o}` was taken as the text after it, though the
  // rendering holds ':' itself, so `@r` (--json) held `2026-12-04T00` for When, and a hole rendered again
  // (an array) beside a hole read from the message repeated part of the message.
  it('renders the template again where the message splits more than one way', () => {
    const event = createLogEvent('information', '{When:o}:{Name:l}', [at, 'x'], { timestamp: at });
    const line = new NdjsonFormatter().format(event);
    expect(JSON.parse(line)).toMatchObject({ message: '2026-12-04T00:00:00.0000000+00:00:x' });
    // Rendered again from the value read (the ISO string), not cut at the first ':'.
    expect(JSON.parse(new CompactJsonFormatter().format(read(line)))).toMatchObject({ '@r': ['2026-12-04T00:00:00.000Z', 'x'] });
    expect(read(line).renderMessage()).toBe('2026-12-04T00:00:00.000Z:x');
    const mixed = createLogEvent('information', '{Dates:o}:{Name:j}', [[at], 'x'], { timestamp: at });
    expect(read(new NdjsonFormatter().format(mixed)).renderMessage()).toBe('["2026-12-04T00:00:00.000Z"]:x');
    // One way only, a rendering with ':' in it is read from the message.
    const once = createLogEvent('information', '{When:o} by {Name:l}', [at, 'x'], { timestamp: at });
    expect(read(new NdjsonFormatter().format(once)).renderMessage()).toBe(once.renderMessage());
  });

  // The rightmost split was the leftmost of the message reversed, a copy made a character at a time: 4 MiB took a
  // second of CPU (20 times the line's reading without a formatted hole), and a 15 MiB message, under the 16 MiB line
  // cap, 670 MB and 20 s.
  it('reads the rendering of a long message in time linear in it, as a line without a formatted hole', async () => {
    const long = 'x'.repeat(4 * 1024 * 1024);
    const line = (template: string): string =>
      JSON.stringify({ timestamp: '2026-12-04T00:00:00.000Z', template, message: `Due ${long} end`, When: '2026-12-04' });
    const plain = line('Due {When} end');
    const formatted = line('Due {When:yyyy} end');
    // The least of three runs: a garbage collection in one says nothing of the work.
    const least = async (text: string): Promise<number> => {
      let ms = Infinity;
      for (let i = 0; i < 3; i++) ms = Math.min(ms, await cpuMs(() => void readLogLine(text)));
      return ms;
    };
    expect(read(formatted).renderMessage()).toBe(`Due ${long} end`);
    expect(await least(formatted)).toBeLessThan(4 * (await least(plain)) + 100);
  });
});
