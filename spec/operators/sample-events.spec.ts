import { Subject } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import type { LogEvent } from '../../lib/core/log-event';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import { SAMPLE_REASON, sampleEvents, sampleFraction } from '../../lib/operators/sample-events';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { makeEvent } from '../helpers/events';
import { collectSelfLog } from '../helpers/self-log';
import { RecordingAccounting, subscribedWith } from '../helpers/recording-accounting';
import { createTestScheduler } from '../helpers/test-scheduler';
import { heapGrowthMiB } from '../helpers/operator-memory';

/** Trace ids whose hash falls below / above 0.5, found once so the tests read plainly. */
function idWhere(predicate: (fraction: number) => boolean): string {
  for (let n = 0; ; n++) if (predicate(sampleFraction(`trace-${n}`))) return `trace-${n}`;
}
const kept = idWhere((f) => f < 0.5);
const dropped = idWhere((f) => f >= 0.5);

describe('sampleEvents', () => {
  it('keeps a fraction of events by a random draw, and always keeps warnings and above', () => {
    const testScheduler = createTestScheduler();
    const accounting = new RecordingAccounting();
    const draws = [0.1, 0.9, 0.3];
    const a = makeEvent({ text: 'a' });
    const b = makeEvent({ text: 'b' });
    const c = makeEvent({ text: 'c' });
    const w = makeEvent({ level: 'warning', text: 'w' });
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a-b-w-c-|', { a, b, c, w });
      const out = source.pipe(sampleEvents({ rate: 0.5, random: () => draws.shift() ?? 0 }));
      expectObservable(subscribedWith(accounting, out)).toBe('-a---w-c-|', { a, c, w });
    });
    expect(accounting.droppedBy).toEqual({ [SAMPLE_REASON]: 1 });
  });

  it('decides per key value, the same way for every event of the key', () => {
    const testScheduler = createTestScheduler();
    const k1 = makeEvent({ text: 'k1', properties: { TraceId: kept } });
    const k2 = makeEvent({ text: 'k2', properties: { TraceId: kept } });
    const d1 = makeEvent({ text: 'd1', properties: { TraceId: dropped } });
    const d2 = makeEvent({ text: 'd2', properties: { TraceId: dropped } });
    const values = { a: k1, b: d1, c: k2, d: d2 };
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a-b-c-d-|', values);
      expectObservable(source.pipe(sampleEvents({ rate: 0.5, key: 'TraceId', random: () => 0 }))).toBe('-a---c---|', values);
      expectObservable(source.pipe(sampleEvents({ rate: 0.5, key: (e) => e.properties.TraceId }))).toBe('-a---c---|', values);
    });
  });

  it('hashes keys with FNV-1a over UTF-8 and the murmur3 finalizer, so other services can decide alike', () => {
    const reference = (bytes: number[]): number => {
      let h = 0x811c9dc5;
      for (const x of bytes) h = Math.imul(h ^ x, 0x01000193);
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
      return (h >>> 0) / 2 ** 32;
    };
    expect(sampleFraction('')).toBe(reference([]));
    expect(sampleFraction('a')).toBe(reference([0x61]));
    // Non-ASCII text hashes its UTF-8 bytes: "é" is C3 A9, "😀" is F0 9F 98 80.
    expect(sampleFraction('é')).toBe(reference([0xc3, 0xa9]));
    expect(sampleFraction('😀')).toBe(reference([0xf0, 0x9f, 0x98, 0x80]));
    expect(sampleFraction(42)).toBe(sampleFraction('42'));
  });

  it('hashes with the default keyHash every value as its text: an upper-case id is another key, the all-zero id one key', () => {
    // Unchanged for existing users: 'fnv1a' knows nothing of trace ids (the trace keyHashes do).
    const id = '4bf92f3577b34da6a3ce929d0e0e4736';
    const zero = '0'.repeat(32);
    const rate = (sampleFraction(id) + sampleFraction(id.toUpperCase())) / 2;
    const keptIds: unknown[] = [];
    const source = new Subject<LogEvent>();
    source
      .pipe(sampleEvents({ rate, key: 'TraceId', keepWhen: () => false, random: () => 0 }))
      .subscribe((e) => keptIds.push(e.properties.TraceId));
    for (const traceId of [id, id.toUpperCase(), zero, zero]) source.next(makeEvent({ properties: { TraceId: traceId } }));
    const zeroKept = sampleFraction(zero) < rate;
    expect(keptIds).toEqual([
      ...[id, id.toUpperCase()].filter((v) => sampleFraction(v) < rate),
      ...(zeroKept ? [zero, zero] : []),
    ]);
    // The two cases of one id fall on both sides of the rate: one is kept, the other not.
    expect(keptIds.filter((v) => v !== zero)).toHaveLength(1);
  });

  it('spreads ids that differ only at the end over the whole range', () => {
    const fractions = Array.from({ length: 1000 }, (_, n) => sampleFraction(`trace-${n}`));
    const below = fractions.filter((f) => f < 0.25).length;
    expect(below).toBeGreaterThan(200);
    expect(below).toBeLessThan(300);
  });

  it('samples events without the key at random, keeps all at rate 1 and none (but warnings) at rate 0', () => {
    const source = new Subject<LogEvent>();
    const seen: string[] = [];
    source.pipe(sampleEvents({ rate: 1, key: 'TraceId' })).subscribe((e) => seen.push(`1:${e.messageTemplate.text}`));
    source.pipe(sampleEvents({ rate: 0 })).subscribe((e) => seen.push(`0:${e.messageTemplate.text}`));
    source.next(makeEvent({ text: 'plain' }));
    source.next(makeEvent({ level: 'error', text: 'bad' }));
    expect(seen).toEqual(['1:plain', '1:bad', '0:bad']);
  });

  it('keeps what keepWhen selects, and samples an event whose keepWhen throws', () => {
    const source = new Subject<LogEvent>();
    const seen: string[] = [];
    source
      .pipe(
        sampleEvents({
          rate: 0,
          keepWhen: (e) => {
            if (e.messageTemplate.text === 'hostile') throw new Error('no');
            return e.properties.Audit === true;
          },
        }),
      )
      .subscribe((e) => seen.push(e.messageTemplate.text));
    source.next(makeEvent({ text: 'audit', properties: { Audit: true } }));
    source.next(makeEvent({ level: 'fatal', text: 'fatal' }));
    source.next(makeEvent({ text: 'hostile' }));
    expect(seen).toEqual(['audit']);
  });

  it('never errors the stream: a key value that cannot be made a string is sampled at random, a throwing random source keeps the event', () => {
    const diagnostics: SelfLogEvent[] = [];
    const selfLog = SelfLog.events$.subscribe((event) => diagnostics.push(event));
    try {
      // String() throws for it (an object is keyed by its JSON text, so it has to be another kind).
      const unprintable = Object.assign(() => undefined, {
        toString(): string {
          throw new Error('unprintable');
        },
      });
      let failure: unknown;
      const seen: string[] = [];
      const source = new Subject<LogEvent>();
      source.pipe(sampleEvents({ rate: 0.5, key: 'User', random: () => 0 })).subscribe({
        next: (e) => seen.push(e.messageTemplate.text),
        error: (error: unknown) => (failure = error),
      });
      source.next(makeEvent({ text: 'unprintable key', properties: { User: unprintable } }));
      const broken = new Subject<LogEvent>();
      broken
        .pipe(
          sampleEvents({
            rate: 0.5,
            random: () => {
              throw new Error('no entropy');
            },
          }),
        )
        .subscribe({ next: (e) => seen.push(e.messageTemplate.text), error: (error: unknown) => (failure = error) });
      broken.next(makeEvent({ text: 'no entropy' }));
      expect(failure).toBeUndefined();
      expect(seen).toEqual(['unprintable key', 'no entropy']);
      expect(diagnostics.map((d) => d.message).join('\n')).toMatch(/key[\s\S]*random/);
    } finally {
      selfLog.unsubscribe();
    }
  });

  // A draw that is not a number in [0, 1) is no sampling decision: NaN dropped every event (NaN is
  // below no rate), '0.1' was compared as a string, 1.5 dropped and -1 kept. Such a draw keeps the
  // event (losing events to a broken random source is worse than keeping a few too many), and
  // SelfLog hears of it once, not once per event.
  it('keeps the event when random returns something that is not a number in [0, 1), or throws, and says so once', () => {
    const { diagnostics, stop } = collectSelfLog();
    try {
      const draws: unknown[] = [Number.NaN, '0.9', 1.5, -1, undefined, 1, 0.9, 0.1];
      const seen: string[] = [];
      let failure: unknown;
      const source = new Subject<LogEvent>();
      source.pipe(sampleEvents({ rate: 0.5, random: () => draws.shift() as number })).subscribe({
        next: (e) => seen.push(e.messageTemplate.text),
        error: (error: unknown) => (failure = error),
      });
      for (let i = 0; i < 8; i++) source.next(makeEvent({ text: `e${i}` }));
      // 0.9 is a valid draw above the rate: e6 is sampled out; 0.1 keeps e7.
      expect(seen).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5', 'e7']);
      expect(diagnostics.map((d) => d.message)).toEqual([
        expect.stringMatching(/sampleEvents: random returned NaN, not a number in \[0, 1\)/),
      ]);

      const throwing = new Subject<LogEvent>();
      throwing
        .pipe(
          sampleEvents({
            rate: 0,
            random: () => {
              throw new Error('no entropy');
            },
          }),
        )
        .subscribe({ next: (e) => seen.push(e.messageTemplate.text), error: (error: unknown) => (failure = error) });
      throwing.next(makeEvent({ text: 'kept 1' }));
      throwing.next(makeEvent({ text: 'kept 2' }));
      expect(seen.slice(-2)).toEqual(['kept 1', 'kept 2']);
      expect(diagnostics).toHaveLength(2);
      expect(diagnostics[1].message).toMatch(/random source threw/);
      expect(failure).toBeUndefined();
    } finally {
      stop();
    }
  });

  // A JavaScript `keepWhen: async (e) => …` kept every event: its Promise is truthy, so rate 0 kept
  // them all, silently; an async `random` dropped every event (a Promise is never below the rate).
  // Either one's rejection went unhandled, which ends a Node process. An async answer is no answer,
  // as fingersCrossed's trigger and filterEvents read it (core/stray-promise): keepWhen's event is
  // sampled, random's event kept (as when random throws), and the rejection is reported.
  it('reads an async keepWhen’s or random’s Promise as no answer: sampled, or kept, and its rejection reported', async () => {
    const { diagnostics, stop } = collectSelfLog();
    try {
      const seen: string[] = [];
      const asyncKeep = (async () => {
        throw new Error('audit lookup failed');
      }) as unknown as (e: LogEvent) => boolean;
      const source = new Subject<LogEvent>();
      source.pipe(sampleEvents({ rate: 0, keepWhen: asyncKeep })).subscribe((e) => seen.push(e.messageTemplate.text));
      source.next(makeEvent({ text: 'sampled out' }));
      const asyncRandom = (async () => 0) as unknown as () => number;
      const drawn = new Subject<LogEvent>();
      drawn.pipe(sampleEvents({ rate: 0.5, random: asyncRandom })).subscribe((e) => seen.push(e.messageTemplate.text));
      drawn.next(makeEvent({ text: 'kept' }));
      await Promise.resolve();
      await Promise.resolve();
      expect(seen).toEqual(['kept']);
      expect(diagnostics.map((d) => d.message)).toEqual([
        expect.stringMatching(/sampleEvents keepWhen .*returned a Promise/),
        expect.stringMatching(/sampleEvents random .*returned a Promise/),
        expect.stringMatching(/sampleEvents keepWhen .*failed/),
      ]);
    } finally {
      stop();
    }
  });

  it('never errors the stream for an event whose key property cannot be read: it is sampled at random', () => {
    const diagnostics: SelfLogEvent[] = [];
    const selfLog = SelfLog.events$.subscribe((event) => diagnostics.push(event));
    try {
      const properties = {
        get TraceId(): string {
          throw new Error('detached');
        },
      };
      let failure: unknown;
      const seen: string[] = [];
      const source = new Subject<LogEvent>();
      source.pipe(sampleEvents({ rate: 0.5, key: 'TraceId', random: () => 0 })).subscribe({
        next: (e) => seen.push(e.messageTemplate.text),
        error: (error: unknown) => (failure = error),
      });
      source.next(makeEvent({ text: 'unreadable key', properties }));
      source.next(makeEvent({ text: 'after' }));
      expect(failure).toBeUndefined();
      expect(seen).toEqual(['unreadable key', 'after']);
      expect(diagnostics.map((d) => d.message).join('\n')).toMatch(/TraceId|key/);
    } finally {
      selfLog.unsubscribe();
    }
  });

  it('passes a value that is not an event (a map branch’s undefined) on unsampled, with no SelfLog line and no drop', () => {
    const { diagnostics, stop } = collectSelfLog();
    const accounting = new RecordingAccounting();
    const seen: unknown[] = [];
    const source = new Subject<LogEvent>();
    try {
      subscribedWith(accounting, source.pipe(sampleEvents({ rate: 0, key: 'TraceId', random: () => 0.5 }))).subscribe((e) =>
        seen.push(e),
      );
      for (let n = 0; n < 3; n++) source.next(undefined as unknown as LogEvent);
      source.next(null as unknown as LogEvent);
    } finally {
      stop();
    }
    expect(seen).toEqual([undefined, undefined, undefined, null]);
    expect(accounting.droppedBy).toEqual({});
    expect(diagnostics).toEqual([]);
  });

  it('keeps with keepSampledTraces every event whose TraceFlags has the sampled bit, and samples the rest at the rate', () => {
    const testScheduler = createTestScheduler();
    const accounting = new RecordingAccounting();
    const of = (text: string, properties: Record<string, unknown>): LogEvent => makeEvent({ text, properties });
    const values = {
      a: of('sampled', { TraceId: dropped, TraceFlags: 1 }),
      b: of('sampled and random', { TraceId: dropped, TraceFlags: 3 }),
      c: of('random only', { TraceId: dropped, TraceFlags: 2 }),
      d: of('unsampled, key below the rate', { TraceId: kept, TraceFlags: 0 }),
      e: of('unsampled', { TraceId: dropped, TraceFlags: 0 }),
      // As the sinks read TraceFlags, only an integer 0-255 is a flags byte: '01' (pino's text), 257 and -1 are none.
      f: of('text', { TraceId: dropped, TraceFlags: '01' }),
      g: of('out of range', { TraceId: dropped, TraceFlags: 257 }),
      h: of('negative', { TraceId: dropped, TraceFlags: -1 }),
      i: of('no flags', { TraceId: dropped }),
    };
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a-b-c-d-e-f-g-h-i-|', values);
      const out = source.pipe(sampleEvents({ rate: 0.5, key: 'TraceId', keepSampledTraces: true }));
      expectObservable(subscribedWith(accounting, out)).toBe('-a-b---d-----------|', values);
    });
    expect(accounting.droppedBy).toEqual({ [SAMPLE_REASON]: 6 });
  });

  it('rejects bad options with a ConfigurationError naming them', () => {
    expect(() => sampleEvents({} as { rate: number })).toThrow(ConfigurationError);
    expect(() => sampleEvents({ rate: 1.5 })).toThrow(/rate.*1\.5/);
    expect(() => sampleEvents({ rate: Number.NaN })).toThrow(/rate/);
    expect(() => sampleEvents({ rate: '0.5' as unknown as number })).toThrow(/rate/);
    expect(() => sampleEvents(undefined as unknown as { rate: number })).toThrow(/rate/);
    expect(() => sampleEvents({ rate: 0.5, keepWhen: 'warning' as unknown as () => boolean })).toThrow(/keepWhen/);
    expect(() => sampleEvents({ rate: 0.5, key: {} as string })).toThrow(/key/);
    expect(() => sampleEvents({ rate: 0.5, key: 'TraceId', keyHash: 'otel' as 'fnv1a' })).toThrow(/keyHash.*"otel"/);
    expect(() => sampleEvents({ rate: 0.5, keyHash: 'traceidratio' })).toThrow(/keyHash "traceidratio" needs a key/);
    expect(() => sampleEvents({ rate: 0.5, keepSampledTraces: 'yes' as unknown as boolean })).toThrow(/keepSampledTraces.*"yes"/);
    expect(() => sampleEvents({ rate: 0.5, keepSampledTraces: 1 as unknown as boolean })).toThrow(/keepSampledTraces.*1/);
    expect(() => sampleEvents({ rate: 0.5, key: 'TraceId', keyHash: null as unknown as 'fnv1a' })).toThrow(/keyHash.*null/);
    expect(() => sampleEvents({ rate: 0.5, keepSampledTraces: null as unknown as boolean })).toThrow(/keepSampledTraces.*null/);
    expect(() => sampleEvents({ rate: 0.5, keepSampled: true } as { rate: number })).toThrow(/unknown option "keepSampled"/);
  });

  describe('in a sink pipe', () => {
    it('counts what it removes as dropped, by reason', async () => {
      const memory = new MemorySink();
      const log = new LoggerConfiguration().writeTo
        .sink(memory, { name: 'memory', pipe: [sampleEvents({ rate: 0.5, key: 'TraceId' })] })
        .createLogger();
      for (let n = 0; n < 3; n++) log.forContext('TraceId', kept).information('kept {N}', n);
      for (let n = 0; n < 4; n++) log.forContext('TraceId', dropped).information('sampled out {N}', n);
      log.forContext('TraceId', dropped).warning('a warning is always kept');
      const m = log.metrics().sinks.memory;
      expect(m).toMatchObject({
        received: 8,
        delivered: 4,
        dropped: 4,
        failed: 0,
        pending: 0,
        droppedBy: { [SAMPLE_REASON]: 4 },
      });
      const report = await log.close();
      expect(report.sinks.memory).toEqual({ delivered: 4, dropped: 4, failed: 0, undelivered: 0 });
    });
  });
});

describe('sampleEvents over a long-running stream', () => {
  it('stays bounded: 300 000 events, each of a new key, leave nothing behind (heap flat within 1 MiB)', () => {
    expect(heapGrowthMiB('sampleEvents')).toBeLessThan(1);
  }, 120_000);
});

describe('sampleEvents with a level that is not one of the six', () => {
  it('keeps an event of an unknown level by default, as minimumLevel does, never sampling it out', () => {
    const testScheduler = createTestScheduler();
    const accounting = new RecordingAccounting();
    const unknown = (level: unknown, text: string): LogEvent => ({ ...makeEvent({ text }), level: level as LogEvent['level'] });
    const values = {
      a: makeEvent({ text: 'a' }),
      X: unknown('Error', 'X'),
      W: unknown('WARN', 'W'),
      N: unknown(3, 'N'),
      M: unknown(undefined, 'M'),
    };
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a-X-W-N-M-|', values);
      const out = source.pipe(sampleEvents({ rate: 0, random: () => 0.5 }));
      expectObservable(subscribedWith(accounting, out)).toBe('---X-W-N-M-|', values);
    });
    expect(accounting.droppedBy).toEqual({ [SAMPLE_REASON]: 1 });
  });
});
