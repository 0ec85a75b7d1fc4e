import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { childStdout } from '../helpers/child-stdout';

const root = path.join(__dirname, '..', '..');

/** Runs close-given-up.ts: what it printed after the close, and at exit. */
function run(
  kind: 'stream' | 'stream-end' | 'file' | 'relp' | 'tcp' | 'tls' | 'unix',
  mode: 'logger' | 'direct',
): Record<string, unknown> {
  const fixture = path.join(__dirname, 'fixtures', 'close-given-up.ts');
  const child = spawnSync(process.execPath, ['--import', 'tsx', fixture, kind, mode], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  const lines = childStdout(child).trim().split('\n');
  return Object.assign({}, ...lines.map((line) => JSON.parse(line) as Record<string, unknown>)) as Record<string, unknown>;
}

// DESIGN.md: a clean shutdown leaves nothing of rxlog's holding the process once `log.close()`
// has returned, in time or timed out; what the stalled reader did not take is undelivered. The
// sink's own wait for the reader (syncFlushTimeoutMs, 5 s here) kept the process alive 5 s after
// a close bounded at 200 ms had returned.
describe('a sink whose close the logger gave up on, its reader stalled', () => {
  it.each([
    ['a StreamSink on a PassThrough nobody reads', 'stream'],
    ['a StreamSink with endOnClose on a PassThrough nobody reads', 'stream-end'],
    ['a FileSink on a FIFO whose reader stopped in a line', 'file'],
  ] as const)('%s: the process ends at once after log.close() returned, not syncFlushTimeoutMs later', (_, kind) => {
    const result = run(kind, 'logger');
    expect(result.timedOut).toBe(true);
    expect((result.sink as { undelivered: number }).undelivered).toBeGreaterThan(0);
    // Exit after close returned: about 5 000 ms before, a few ms now (2 s for a loaded machine).
    expect(result.exitMs).toBeLessThan(2000);
  });

  // The socket of a RELP session is held while an answer is awaited, and close() sends `close` and
  // waits for its answer (writeTimeoutMs, 5 s here): the process stayed alive 4.6 s after a close
  // bounded at 200 ms had returned. TCP, TLS and unix hold nothing open in their close.
  it.each([
    ['a SyslogSink over RELP to a receiver that answered open, then nothing', 'relp'],
    ['a SyslogSink over TCP to a receiver that never reads', 'tcp'],
    ['a SyslogSink over TLS to a receiver that never reads', 'tls'],
    ['a SyslogSink over a Unix socket to a receiver that never reads', 'unix'],
  ] as const)('%s: the process ends at once after log.close() returned, not writeTimeoutMs later', (_, kind) => {
    const result = run(kind, 'logger');
    expect(result.timedOut).toBe(true);
    expect((result.sink as { undelivered: number }).undelivered).toBeGreaterThan(0);
    // The batch whose answer the session's end failed is not counted again, nor retried.
    expect(result.later).toEqual(result.atClose);
    expect(result.exitMs).toBeLessThan(2000);
  });

  // Not by unref'ing the sink's timers: an app that awaits the sink's own close() with nothing else
  // keeping the process alive would exit before the code after the await ran.
  it.each([
    ['a StreamSink', 'stream'],
    ['a FileSink', 'file'],
    ['a SyslogSink over RELP (its receiver answering nothing, writeTimeoutMs 1 s)', 'relp'],
  ] as const)(
    '%s closed by the app itself still waits for the reader (300 ms), keeping the process alive until it returns',
    (_, kind) => {
      const result = run(kind, 'direct');
      expect(result.afterClose).toBeGreaterThanOrEqual(250);
    },
  );
});
