import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import fc from 'fast-check';
import { MAX_TIMER_MS } from '../../../lib/core/max-timer-ms';
import { parseRetryAfter } from '../../../lib/sinks/http/http-retry-after';

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 10, 22, 12, 0, 0);

  it('reads delay-seconds as milliseconds', () => {
    expect(parseRetryAfter('5', now)).toBe(5_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date as the time left until it, never negative', () => {
    expect(parseRetryAfter('Sun, 22 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 11:00:00 GMT', now)).toBe(0);
  });

  // RFC 9110 §5.6.7: recipients accept all three formats, and every HTTP date is in UTC (GMT),
  // asctime's too, though it names no zone; a two-digit year more than 50 years ahead is of the
  // century before.
  it('reads the obsolete RFC 850 and asctime dates as UTC, whatever the local time zone', () => {
    // The zone is read when the process starts (jest's process.env is a copy): a child process per zone.
    const { outputFiles } = buildSync({
      stdin: {
        contents: `import { parseRetryAfter } from './http-retry-after';
          const now = ${now};
          process.stdout.write(JSON.stringify([
            parseRetryAfter('Sunday, 22-Nov-26 12:00:30 GMT', now),
            parseRetryAfter('Sun Nov 22 12:00:30 2026', now),
            parseRetryAfter('Sun Nov  1 12:00:00 2026', now),
            parseRetryAfter('Sun, 22 Nov 2026 12:00:30 GMT', now),
          ]));`,
        resolveDir: path.join(__dirname, '../../../lib/sinks/http'),
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      write: false,
      logLevel: 'silent',
    });
    for (const TZ of ['UTC', 'America/New_York', 'Asia/Tokyo']) {
      const out = execFileSync(process.execPath, ['-'], {
        input: outputFiles[0].text,
        encoding: 'utf8',
        env: { ...process.env, TZ },
        timeout: 20_000,
      });
      expect([TZ, JSON.parse(out)]).toEqual([TZ, [30_000, 30_000, 0, 30_000]]);
    }
  }, 30_000);

  it('takes a two-digit year more than 50 years ahead as of the century before, and names in any case', () => {
    expect(parseRetryAfter('Monday, 22-Nov-77 12:00:30 GMT', now)).toBe(0);
    expect(parseRetryAfter('Wednesday, 22-Nov-73 12:00:30 GMT', now)).toBe(MAX_TIMER_MS);
    expect(parseRetryAfter('sun, 22 nov 2026 12:00:30 gmt', now)).toBe(30_000);
  });

  // Date.parse reads almost anything as a date ('garbage 2099' is 1 January 2099): such a header
  // asked for the longest wait retry allows, where RFC 9110 has an invalid field value ignored.
  it('gives undefined for a value that is neither delay-seconds nor one of the three HTTP date formats', () => {
    for (const value of [
      'garbage 2099',
      '12/31/2099',
      '2099-12-31',
      '2099-12-31T00:00:00Z',
      'in 5',
      'x-5',
      '5 GMT',
      '1.5',
      '+5',
      '5, 10',
      'Sun, 22 Nov 2026 12:00:30 PST',
      'Sun, 22 Nov 2026 12:00:30',
      'Sun, 22 Nov 2026 25:00:30 GMT',
      'Sun, 22 Foo 2026 12:00:30 GMT',
    ])
      expect([value, parseRetryAfter(value, now)]).toEqual([value, undefined]);
  });

  // A device's clock may be off by minutes or hours (a phone set by hand, a laptop back from sleep):
  // an HTTP date measured against it waits that much too long or not at all. The response's own
  // Date is the server's clock, as the Retry-After date is.
  it("measures an HTTP date from the response's Date when it has a valid one, not from the device's clock", () => {
    const anHourBehind = now - 3_600_000;
    const date = 'Sun, 22 Nov 2026 12:00:00 GMT';
    expect(parseRetryAfter('Sun, 22 Nov 2026 12:00:30 GMT', anHourBehind, date)).toBe(30_000);
    expect(parseRetryAfter('Sunday, 22-Nov-26 12:00:30 GMT', now + 3_600_000, ` ${date} `)).toBe(30_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 11:59:00 GMT', anHourBehind, date)).toBe(0);
    // Delay-seconds need no clock; an unreadable Date leaves the device's clock to measure with.
    expect(parseRetryAfter('5', anHourBehind, 'Sun, 22 Nov 2026 13:00:00 GMT')).toBe(5_000);
    for (const unreadable of ['', 'yesterday', 'Sun, 22 Nov 2026 12:00:00 PST', null, undefined])
      expect(parseRetryAfter('Sun, 22 Nov 2026 12:00:30 GMT', now, unreadable)).toBe(30_000);
  });

  it('gives undefined for a missing or unreadable header', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });

  it('caps an absurd delay at the longest timer delay instead of giving Infinity, which retry would ignore', () => {
    expect(parseRetryAfter('9'.repeat(400), now)).toBe(MAX_TIMER_MS);
    expect(parseRetryAfter('99999999999', now)).toBe(MAX_TIMER_MS);
    expect(parseRetryAfter('Fri, 31 Dec 9999 23:59:59 GMT', now)).toBe(MAX_TIMER_MS);
    expect(parseRetryAfter('2147483', now)).toBe(2_147_483_000);
  });

  it('never throws, and gives undefined or a delay from 0 to the longest timer delay, whatever the header', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
        ),
        (value) => {
          const delay = parseRetryAfter(value, now);
          if (delay !== undefined) expect(Number.isInteger(delay) && delay >= 0 && delay <= MAX_TIMER_MS).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
