import { Writable } from 'node:stream';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { StreamSink } from '../../lib/node/stream-sink';

/** A stream whose first write never completes (a socket whose reader stopped reading), already past its high-water mark. */
function stalledStream(): Writable {
  const stream = new Writable({ highWaterMark: 16, write: () => undefined });
  // The app's own write (or another logger's sink on the same stream) fills it.
  stream.write('x'.repeat(64));
  return stream;
}

describe('StreamSink on a stream that never drains', () => {
  // Leak (lib/node/stream-sink.ts, not this helper's to fix): StreamSink.flush() waits for 'drain'
  // with no bound, so every log.flush() that reaches it (nothing of its own pending; the app's
  // writes, or another sink's, fill the stream) leaves a 'drain', an 'error' and a 'close'
  // listener on the stream and a wait in the sink after the logger's flush has timed out: a
  // periodic flush piles them up without end (MaxListenersExceededWarning on the 11th). Fix: bound
  // flush()'s wait for 'drain' by syncFlushTimeoutMs, as writesSettled() already is (or share one
  // drain wait among the flushes under way).
  it.failing('leaves no listener behind on the stream for the flushes that timed out', async () => {
    const stream = stalledStream();
    const before = stream.listenerCount('drain');
    const log = new LoggerConfiguration().writeTo.sink(new StreamSink({ stream, syncFlushTimeoutMs: 5 })).createLogger();
    for (let i = 0; i < 20; i++) expect(await log.flush({ timeoutMs: 10 })).toEqual({ timedOut: true });
    // Past the sink's own bound for waiting on the stream.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stream.listenerCount('drain')).toBe(before);
    await log.close({ timeoutMs: 10 });
  });

  it('takes its listeners off when the logger closes', async () => {
    const stream = stalledStream();
    const before = ['drain', 'error', 'close'].map((name) => stream.listenerCount(name));
    const log = new LoggerConfiguration().writeTo.sink(new StreamSink({ stream, syncFlushTimeoutMs: 5 })).createLogger();
    for (let i = 0; i < 20; i++) await log.flush({ timeoutMs: 5 });
    await log.close({ timeoutMs: 10 });
    expect(['drain', 'error', 'close'].map((name) => stream.listenerCount(name))).toEqual(before);
  });
});
