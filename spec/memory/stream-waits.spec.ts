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
  // Found by review: StreamSink.flush() waited for 'drain' with no bound, so every log.flush()
  // that reached it (nothing of its own pending; the app's writes, or another sink's, fill the
  // stream) left a 'drain', an 'error' and a 'close' listener on the stream and a wait in the sink
  // after the logger's flush had timed out: a periodic flush piled them up without end
  // (MaxListenersExceededWarning on the 11th). The wait is bounded by syncFlushTimeoutMs.
  it('leaves no listener behind on the stream for the flushes that timed out', async () => {
    jest.useFakeTimers();
    try {
      const stream = stalledStream();
      const before = ['drain', 'error', 'close'].map((name) => stream.listenerCount(name));
      const log = new LoggerConfiguration().writeTo.sink(new StreamSink({ stream, syncFlushTimeoutMs: 50 })).createLogger();
      for (let i = 0; i < 20; i++) {
        const flushed = log.flush({ timeoutMs: 10 });
        await jest.advanceTimersByTimeAsync(10);
        expect(await flushed).toEqual({ timedOut: true });
      }
      // Past the sink's own bound for waiting on the stream.
      await jest.advanceTimersByTimeAsync(50);
      // The sink's own one 'error' listener stays until close (the next test).
      const [drain, error, close] = before as [number, number, number];
      expect(['drain', 'error', 'close'].map((name) => stream.listenerCount(name))).toEqual([drain, error + 1, close]);
      const closed = log.close({ timeoutMs: 10 });
      await jest.advanceTimersByTimeAsync(60);
      await closed;
    } finally {
      jest.useRealTimers();
    }
  });

  it('takes its listeners off when the logger closes', async () => {
    const stream = stalledStream();
    const before = ['drain', 'error', 'close'].map((name) => stream.listenerCount(name));
    const log = new LoggerConfiguration().writeTo.sink(new StreamSink({ stream, syncFlushTimeoutMs: 5 })).createLogger();
    for (let i = 0; i < 20; i++) await log.flush({ timeoutMs: 5 });
    await log.close({ timeoutMs: 10 });
    expect(['drain', 'error', 'close'].map((name) => stream.listenerCount(name))).toEqual(before);
  });

  // Found by review: a syncFlushTimeoutMs past 2^31 - 1 ms made each wait end after 1 ms (Node's
  // timers fire at once past it) with a TimeoutOverflowWarning; it is capped at what a timer can wait.
  it('waits on a stalled stream as long as a timer can when syncFlushTimeoutMs is past 2^31 - 1 ms', async () => {
    jest.useFakeTimers();
    try {
      const stream = stalledStream();
      const sink = new StreamSink({ stream, syncFlushTimeoutMs: 2 ** 32 });
      let flushed = false;
      void sink.flush().then(() => (flushed = true));
      await jest.advanceTimersByTimeAsync(1_000);
      expect(flushed).toBe(false);
      await jest.advanceTimersByTimeAsync(2_147_483_647);
      expect(flushed).toBe(true);
      await sink.close();
    } finally {
      jest.useRealTimers();
    }
  });
});
