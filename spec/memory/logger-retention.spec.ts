import { runRetention } from '../helpers/retention';

// Hostile but realistic use in bounded loops, measured in a child process with --expose-gc (see
// fixtures/retention.ts): what is still alive is counted with WeakRefs after garbage collection;
// the heap's growth is a second, generous check.

interface Alive {
  alive: Record<string, number>;
  growthMiB: number;
}

interface Loggers extends Alive {
  listeners: { before: Record<string, number>; after: Record<string, number> };
  resources: { before: Record<string, number>; after: Record<string, number> };
}

interface NeverSettles extends Alive {
  metrics: { received: number; dropped: number; pending: number; queueDepth: number; delivered: number };
  report: { delivered: number; dropped: number; failed: number; undelivered: number };
}

interface NeverSettlesLarge {
  metrics: { received: number; dropped: number; pending: number; queueDepth: number; delivered: number };
  report: { delivered: number; dropped: number; failed: number; undelivered: number };
  peakMiB: number;
}

let results: Record<string, unknown>;
beforeAll(() => {
  results = runRetention(
    'loggers',
    'loggersHeldAfterClose',
    'sinksHeldAfterClose',
    'children',
    'neverSettles',
    'neverSettlesLarge',
    'asyncContexts',
    'otelScopes',
  );
}, 120_000);

const noneAlive = (alive: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.keys(alive).map((kind) => [kind, 0]));

describe('Logger.close()', () => {
  it('leaves nothing of 30 loggers alive: every kind of sink, child loggers, events, subscribers that never unsubscribe, shared level switches', () => {
    const { alive, growthMiB } = results.loggers as Loggers;
    expect(Object.keys(alive)).toEqual(
      expect.arrayContaining(['logger', 'child', 'event', 'sink:http', 'sink:otel', 'sink:file']),
    );
    expect(alive).toEqual(noneAlive(alive));
    expect(growthMiB).toBeLessThan(8);
  });

  it('leaves no process listener behind (installProcessHooks comes off with the close)', () => {
    const { listeners } = results.loggers as Loggers;
    expect(listeners.after).toEqual(listeners.before);
  });

  it('leaves no handle or timer behind: no kind of active resource outnumbers the count before the first logger', () => {
    const { resources } = results.loggers as Loggers;
    // At most as many. Both counts are taken once the file requests under way (a FileSink's last
    // write or close) have ended, which on a loaded machine can take longer than the 20 ms after
    // the closes; timers, sockets and other handles are counted as they are.
    const more = Object.entries(resources.after).filter(([kind, count]) => count > (resources.before[kind] ?? 0));
    expect(more).toEqual([]);
  });
});

describe('installProcessHooks uninstall()', () => {
  // Found by review: uninstall() took the process listeners off but left the hooks' watch for the
  // close (a metricsEvery subscription, its timer unref'd for ~24 days), which held the logger and
  // everything it held: 200 loggers hooked, unhooked and let go without a close all stayed alive.
  it('leaves nothing of 200 loggers hooked, unhooked and let go without a close: no logger, no event, no listener', () => {
    const { alive, listeners } = runRetention('hooksUninstalled').hooksUninstalled as Alive & Loggers;
    expect(alive).toEqual({ logger: 0, event: 0 });
    expect(listeners.after).toEqual(listeners.before);
  }, 120_000);
});

describe('a logger the app still holds after close', () => {
  it('keeps none of its events: a stuck batch, a retry wait, operators of .pipe() or of a sink holding events past the timeout', () => {
    const { alive } = results.loggersHeldAfterClose as Alive;
    expect(Object.keys(alive)).toEqual(['stuck', 'stuckImmediate', 'retrying', 'sharedDelay', 'sinkDelay']);
    expect(alive).toEqual(noneAlive(alive));
  });
});

describe('a sink the app still holds after its logger closed', () => {
  // Found by this review: a closed HttpSink (SeqSink, OtlpSink, LokiSink) kept the batch whose
  // request failed without an answer, or whose request the close aborted, for a page-hide
  // hand-over that can no longer come: an app holding its sinks (a module's singleton) kept those events.
  it('keeps none of the events it was given, whatever became of its last batch (written, failed unanswered, aborted by the close)', () => {
    const { alive } = results.sinksHeldAfterClose as Alive;
    expect(Object.keys(alive)).toEqual(expect.arrayContaining(['http', 'httpUnanswered', 'httpInFlight', 'stream', 'file']));
    expect(alive).toEqual(noneAlive(alive));
  });
});

describe('Logger.forContext and child', () => {
  it('keeps nothing of 30 000 per-request child loggers (distinct SourceContexts under overrides, distinct property names)', () => {
    const { alive, growthMiB } = results.children as Alive;
    expect(alive).toEqual({ child: 0 });
    expect(growthMiB).toBeLessThan(4);
  });
});

describe('a sink whose writes never settle', () => {
  it('holds at most the queue limit and one batch in flight, counts the rest dropped, and keeps no argument', () => {
    const { metrics, report, alive, growthMiB } = results.neverSettles as NeverSettles;
    expect(metrics).toMatchObject({ received: 100_001, delivered: 0, dropped: 99_000, pending: 1_001, queueDepth: 1_000 });
    expect(report).toEqual({ delivered: 0, dropped: 99_000, failed: 0, undelivered: 1_001 });
    expect(alive).toEqual({ argument: 0 });
    expect(growthMiB).toBeLessThan(8);
  });

  // docs/reliability.md ("Memory"): the batch in flight comes on top of limitBytes; nothing else does.
  it.each(['drop-oldest', 'drop-newest'])(
    'holds at most limitBytes queued plus one batch in flight with large events (%s), counting every other event dropped',
    (overflow) => {
      const { metrics, report, peakMiB } = (results.neverSettlesLarge as Record<string, NeverSettlesLarge>)[overflow];
      expect(metrics.received).toBe(3_000);
      // 4 MiB of 60 KB events: about 69 fit the queue; the batch of 16 in flight is not counted in it.
      expect(metrics.queueDepth).toBeGreaterThanOrEqual(65);
      expect(metrics.queueDepth).toBeLessThanOrEqual(70);
      expect(metrics.pending).toBe(metrics.queueDepth + 16);
      expect(metrics.dropped).toBe(3_000 - metrics.pending);
      expect(report).toEqual({ delivered: 0, dropped: metrics.dropped, failed: 0, undelivered: metrics.pending });
      // 4 MiB queued and 1 MB in flight; 3 000 events (180 MB of strings) kept would be far past this.
      expect(peakMiB).toBeLessThan(16);
    },
  );
});

describe('a string cut from a longer one', () => {
  let sliced: Record<string, { pending: number; queueBytes: number; growthMiB: number }>;
  beforeAll(() => {
    sliced = runRetention('slicedStrings').slicedStrings as typeof sliced;
  }, 120_000);

  it.each(['argument', 'object', 'child'])('is queued as its own characters, not with the string it was cut from (%s)', (way) => {
    const { pending, queueBytes, growthMiB } = sliced[way];
    expect(pending).toBe(201);
    // 200 events of a 100-character slice each: some 40 KB counted. Each slice kept as given held its 1 MiB body: 200 MiB.
    expect(queueBytes).toBeLessThan(64 * 1024);
    expect(growthMiB).toBeLessThan(20);
  });
});

describe('LogContext under AsyncLocalStorage', () => {
  it('keeps no context of 20 000 concurrent async contexts once they are done', () => {
    const { alive, growthMiB } = results.asyncContexts as Alive;
    expect(alive).toEqual({ context: 0 });
    expect(growthMiB).toBeLessThan(4);
  });
});

describe('useAsyncLocalStorage() never restored', () => {
  it('keeps nothing per call: 200 000 calls, as a handler calling it on every invocation makes', () => {
    const { growthMiB } = runRetention('unrestoredAsyncLocalStorage').unrestoredAsyncLocalStorage as { growthMiB: number };
    expect(growthMiB).toBeLessThan(2);
  }, 120_000);
});

describe('OpenTelemetrySink', () => {
  it('asks the provider for at most 1000 scoped loggers, however many SourceContexts it sees (5000 here)', () => {
    expect((results.otelScopes as { loggers: number }).loggers).toBe(1_001);
  });
});
