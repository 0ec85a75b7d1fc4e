import { context, propagation, ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TraceState, W3CTraceContextPropagator } from '@opentelemetry/core';
import { createComposableProbabilitySampler, createCompositeSampler } from '@opentelemetry/sampler-composite';
// sdk-trace-node re-exports sdk-trace-base's samplers: the TraceIdRatioBasedSampler apps configure.
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  ParentBasedSampler,
  RandomIdGenerator,
  SamplingDecision,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-node';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { Subject } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { LogEvent } from '../../lib/core/log-event';
import { SAMPLE_REASON, sampleEvents, type SampleEventsOptions } from '../../lib/operators/sample-events';
import { traceContextEnricher } from '../../lib/otel/trace-context-enricher';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { makeEvent } from '../helpers/events';
import { collectSelfLog } from '../helpers/self-log';

/** The trace ids the real SDK sampler at `ratio` samples, in the order given. */
function sdkSampled(ratio: number, traceIds: readonly string[]): string[] {
  const sampler = new TraceIdRatioBasedSampler(ratio);
  return traceIds.filter(
    (traceId) => sampler.shouldSample(ROOT_CONTEXT, traceId).decision === SamplingDecision.RECORD_AND_SAMPLED,
  );
}

/** The trace ids whose event sampleEvents keeps, one event per id, in the order given. */
function keptBy(options: SampleEventsOptions, traceIds: readonly unknown[]): unknown[] {
  const source = new Subject<LogEvent>();
  const kept: unknown[] = [];
  source.pipe(sampleEvents(options)).subscribe((event) => kept.push(event.properties.TraceId));
  for (const traceId of traceIds) source.next(makeEvent({ properties: { TraceId: traceId } }));
  return kept;
}

/** A trace id whose four 32-bit words XOR to `words` (its first word 1, so never all zero). */
function idWithWords(words: number): string {
  return `00000001${'0'.repeat(16)}${((words ^ 1) >>> 0).toString(16).padStart(8, '0')}`;
}

// The real OpenTelemetry SDK (@opentelemetry/sdk-trace-base's TraceIdRatioBasedSampler and a
// registered NodeTracerProvider): rxlog's decision is compared with the sampler's, id by id.
describe('sampleEvents with OpenTelemetry trace sampling', () => {
  const generator = new RandomIdGenerator();
  const randomIds = Array.from({ length: 5_000 }, () => generator.generateTraceId());
  const ratios = [0, 2 ** -32, 0.001, 0.1, 0.25, 1 / 3, 0.5, 0.9, 1 - 2 ** -33, 1];

  it('keeps, with keyHash "traceidratio", exactly the traces TraceIdRatioBasedSampler samples at the same ratio', () => {
    for (const ratio of ratios) {
      const bound = ratio * 0xffffffff;
      // Ids on both sides of the sampler's bound, its extremes, and upper-case ids (which the SDK reads as their lower case).
      const edges = [
        Math.floor(bound) - 1,
        Math.floor(bound),
        Math.ceil(bound),
        Math.floor(bound) + 1,
        0,
        1,
        0xfffffffe,
        0xffffffff,
      ]
        .filter((words) => words >= 0 && words <= 0xffffffff)
        .map(idWithWords);
      const ids = [...randomIds, ...edges, ...randomIds.slice(0, 500).map((id) => id.toUpperCase())];
      const expected = sdkSampled(ratio, ids);
      expect({
        ratio,
        kept: keptBy({ rate: ratio, key: 'TraceId', keyHash: 'traceidratio', keepWhen: () => false }, ids),
      }).toEqual({
        ratio,
        kept: expected,
      });
    }
    // Not vacuous: at 0.1 the sampler keeps about a tenth of the random ids.
    expect(sdkSampled(0.1, randomIds).length).toBeGreaterThan(400);
    expect(sdkSampled(0.1, randomIds).length).toBeLessThan(600);
  });

  it('keeps other traces than the SDK with the default keyHash, its own hash', () => {
    // The reason keyHash "traceidratio" exists: at the same 10%, most traces with logs have no spans.
    const bySdk = new Set<unknown>(sdkSampled(0.1, randomIds));
    const byHash = keptBy({ rate: 0.1, key: 'TraceId', keepWhen: () => false }, randomIds);
    expect(byHash.filter((id) => bySdk.has(id)).length).toBeLessThan(byHash.length / 4);
  });

  it('samples the all-zero id at random, and hashes another value that is no trace id as keyHash "fnv1a" does, told to SelfLog once', () => {
    const zero = '0'.repeat(32);
    const notIds = ['abc', `${'0'.repeat(31)}g`, ` ${'1'.repeat(32)}`, '1'.repeat(33), 'f47ac10b-58cc-4372-a567-0e02b2c3d479'];
    // The SDK samples none of them, but it never makes a span with one either: such an event was logged outside
    // any trace the SDK decided on. The all-zero id is W3C's "no trace", shared by every untraced event, so it is
    // no key (hashed, every such event would be kept or dropped at once); another value (a request id where no
    // traceparent came) keeps its events together, as the default hash does.
    for (const id of [zero, ...notIds]) expect(sdkSampled(1, [id])).toEqual([]);
    const { diagnostics, stop } = collectSelfLog();
    try {
      const draws = [0.2, 0.8];
      const zeros = keptBy({ rate: 0.5, key: 'TraceId', keyHash: 'traceidratio', random: () => draws.shift() ?? 0.9 }, [
        zero,
        zero,
      ]);
      expect(zeros).toEqual([zero]);
      const ids = [...notIds, ...notIds, 42];
      for (const rate of [0.1, 0.5, 0.9]) {
        const options = { rate, key: 'TraceId', keepWhen: () => false, random: () => 0 };
        expect(keptBy({ ...options, keyHash: 'traceidratio' }, ids)).toEqual(keptBy(options, ids));
      }
      expect(diagnostics.map((d) => d.message)).toEqual(
        Array.from({ length: 3 }, () =>
          expect.stringContaining(
            'sampleEvents: the key value "abc" is no trace id; such values are hashed as keyHash "fnv1a" does',
          ),
        ),
      );
    } finally {
      stop();
    }
  });

  describe('with keyHash "probability", the specification’s consistent probability sampling', () => {
    // The texts are OpenTelemetry's: specification/trace/tracestate-probability-sampling.md (the threshold table and the
    // 1% example) and tracestate-handling.md (`th` and `rv`): the decisions against the specification's own numbers.
    // The next block compares them with OpenTelemetry JS's sampler.
    const probability = (rate: number): SampleEventsOptions => ({
      rate,
      key: 'TraceId',
      keyHash: 'probability',
      keepWhen: () => false,
    });
    /** A trace id whose last 56 bits (its randomness R) are `r`, its first 18 digits random-looking. */
    const idWithRandomness = (r: bigint): string => `4bf92f3577b34da6a3${r.toString(16).padStart(14, '0')}`;
    const keeps = (rate: number, r: bigint): boolean => keptBy(probability(rate), [idWithRandomness(r)]).length === 1;
    const MAX = 2n ** 56n;

    it('keeps an id exactly when its last 56 bits reach the threshold the specification gives for the rate', () => {
      // tracestate-handling.md: th:0 is 100%, th:8 50%, th:c 25% ("c0000000000000 … which is 75%"); likewise e and f.
      for (const [rate, th] of [
        [1, 0n],
        [0.5, 0x80000000000000n],
        [0.25, 0xc0000000000000n],
        [0.125, 0xe0000000000000n],
        [0.0625, 0xf0000000000000n],
      ] as const) {
        expect({ rate, atThreshold: keeps(rate, th), largest: keeps(rate, MAX - 1n) }).toEqual({
          rate,
          atThreshold: true,
          largest: true,
        });
        if (th > 0n)
          expect({ rate, belowThreshold: keeps(rate, th - 1n), zero: keeps(rate, 0n) }).toEqual({
            rate,
            belowThreshold: false,
            zero: false,
          });
      }
      // R = 0 passes at 100% only (th:0 rejects nothing).
      expect(keeps(1, 0n)).toBe(true);
      // Upper-case hex decides as its lower case (the API and the JS SDK accept it): as text, 'D' sorts below 'c'.
      const upper = idWithRandomness(0xd0000000000000n).toUpperCase();
      expect([upper, `${'0'.repeat(18)}D0000000000000`].map((id) => keptBy(probability(0.25), [id]).length)).toEqual([1, 1]);
    });

    it('agrees with the specification’s threshold table to within half its last digit, at precision 3, 4 and 5', () => {
      // "Converting floating-point probability to threshold value": 1-in-N rows, thresholds at precision 3, 4 and 5.
      const table: Array<[number, string[]]> = [
        [1 / 3, ['aab', 'aaab', 'aaaab']],
        [0.2, ['ccd', 'cccd', 'ccccd']],
        [0.1, ['e66', 'e666', 'e6666']],
        [0.01, ['fd71', 'fd70a', 'fd70a4']],
        [0.001, ['ffbe7', 'ffbe77', 'ffbe76d']],
        [0.0001, ['fff972', 'fff9724', 'fff97247']],
        [0.00001, ['ffff584', 'ffff583a', 'ffff583a5']],
        [0.000001, ['ffffef4', 'ffffef39', 'ffffef391']],
      ];
      for (const [rate, thresholds] of table) {
        for (const th of thresholds) {
          const unit = 16n ** BigInt(14 - th.length);
          const rounded = BigInt(`0x${th}`) * unit;
          // The exact threshold lies within half a unit of the rounded one: above it every id is kept, below it none.
          expect({ rate, th, above: keeps(rate, rounded + unit / 2n), below: keeps(rate, rounded - unit / 2n - 1n) }).toEqual({
            rate,
            th,
            above: true,
            below: false,
          });
        }
      }
      // Definitions: "if the sampling probability is 1% … ≈ 71337018784743424 = 0xfd70a400000000", `ot=th:fd70a4`.
      expect(keeps(0.01, 71337018784743424n + 2n ** 32n)).toBe(true);
      expect(keeps(0.01, 71337018784743424n - 2n ** 32n)).toBe(false);
    });

    it('reads a 14-digit value as an explicit randomness `rv`, as the specification’s example does', () => {
      // tracestate-handling.md: `ot=rv:6e6d1a75832a2f` "supports making a consistent positive sampling decision at
      // probabilities ranging from 56.9% through 100% … the same as for a hexadecimal TraceID ending in 6e6d1a75832a2f".
      const rv = '6e6d1a75832a2f';
      const traceId = `${'f'.repeat(18)}${rv}`;
      for (const [rate, kept] of [
        [1, true],
        [0.9, true],
        [0.569, true],
        [0.568, false],
        [0.25, false],
      ] as const) {
        expect({
          rate,
          rv: keptBy(probability(rate), [rv]).length,
          traceId: keptBy(probability(rate), [traceId]).length,
        }).toEqual({
          rate,
          rv: kept ? 1 : 0,
          traceId: kept ? 1 : 0,
        });
      }
      // sdk.md's example of non-random ids with explicit randomness: the rv decides, from a key function.
      const event = makeEvent({
        properties: { TraceId: 'f'.repeat(32), TraceState: 'ot=rv:7479cfb506891d' },
      });
      const rvOf = (e: LogEvent): unknown =>
        /(?:^|,)\s*ot=(?:[^,]*;)?rv:([0-9a-f]{14})(?:;|,|$)/.exec(String(e.properties.TraceState))?.[1] ?? e.properties.TraceId;
      const byRv = (rate: number): number => {
        const kept: LogEvent[] = [];
        const source = new Subject<LogEvent>();
        source
          .pipe(sampleEvents({ rate, key: rvOf, keyHash: 'probability', keepWhen: () => false }))
          .subscribe((e) => kept.push(e));
        source.next(event);
        return kept.length;
      };
      // 0x7479cfb506891d / 2^56 ≈ 0.4550: kept from 54.5% on, where the all-f trace id alone would be kept at any rate.
      expect([byRv(0.546), byRv(0.544), byRv(0.01)]).toEqual([1, 0, 0]);
    });

    it('keeps about a fraction `rate` of random trace ids (property)', () => {
      const N = 2_000;
      fc.assert(
        fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer(), (rate, seed) => {
          // Ids from a hash of the seed, so a failing case shrinks to a rate and a seed, not to 32 000 bytes.
          const ids = Array.from({ length: N }, (_, i) => createHash('sha256').update(`${seed}:${i}`).digest('hex').slice(0, 32));
          const kept = keptBy(probability(rate), ids).length;
          // Six standard deviations of the binomial count (plus one for rounding): a false alarm once in ~10^9 runs.
          return Math.abs(kept - N * rate) <= 6 * Math.sqrt(N * rate * (1 - rate)) + 1;
        }),
        { numRuns: 60 },
      );
    });

    it('keeps at a lower rate a subset of what a higher rate keeps, for every id (property)', () => {
      const rateArb = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 2 ** -56, 0.5, 1 - 2 ** -53, 1));
      fc.assert(
        fc.property(
          fc.oneof(
            fc.stringMatching(/^[0-9a-f]{32}$/),
            fc.stringMatching(/^[0-9A-F]{32}$/),
            fc.stringMatching(/^[0-9a-f]{14}$/),
            // Ids right at a rate's threshold, where rounding would show.
            rateArb.map((rate) => {
              const kept = BigInt(Math.round(rate * 2 ** 56));
              return idWithRandomness(MAX - (kept === 0n ? 1n : kept));
            }),
          ),
          rateArb,
          rateArb,
          (id, a, b) => {
            const [low, high] = a <= b ? [a, b] : [b, a];
            const keptLow = keptBy(probability(low), [id]).length === 1;
            const keptHigh = keptBy(probability(high), [id]).length === 1;
            // Upper case decides as lower case, as the API and the JS SDK read ids.
            const keptLower = keptBy(probability(low), [id.toLowerCase()]).length === 1;
            return (!keptLow || keptHigh) && keptLow === keptLower;
          },
        ),
        { numRuns: 2_000 },
      );
      // Rate 0 keeps no trace, rate 1 every one, with no SelfLog line.
      expect(keptBy(probability(0), [idWithRandomness(MAX - 1n)])).toEqual([]);
      expect(keptBy(probability(1), [idWithRandomness(0n)])).toHaveLength(1);
    });

    it('treats the all-zero id and values that are no trace id as keyHash "traceidratio" does', () => {
      const zero = '0'.repeat(32);
      const notIds = ['abc', `${'0'.repeat(31)}g`, '1'.repeat(33), '1'.repeat(13), 'f47ac10b-58cc-4372-a567-0e02b2c3d479', 42];
      const { diagnostics, stop } = collectSelfLog();
      try {
        const draws = [0.2, 0.8];
        expect(keptBy({ ...probability(0.5), random: () => draws.shift() ?? 0.9 }, [zero, zero])).toEqual([zero]);
        for (const rate of [0.1, 0.5, 0.9]) {
          const options = { rate, key: 'TraceId', keepWhen: () => false, random: () => 0 };
          expect(keptBy({ ...options, keyHash: 'probability' }, notIds)).toEqual(keptBy(options, notIds));
        }
        expect(diagnostics.map((d) => d.message)).toEqual(
          Array.from({ length: 3 }, () => expect.stringContaining('sampleEvents: the key value "abc" is no trace id')),
        );
      } finally {
        stop();
      }
    });

    it('needs a key, and is refused with a message that names it otherwise', () => {
      expect(() => sampleEvents({ rate: 0.5, keyHash: 'probability' })).toThrow(/keyHash "probability" needs a key/);
      expect(() => sampleEvents({ rate: 0.5, key: 'TraceId', keyHash: 'Probability' as 'probability' })).toThrow(
        /'fnv1a', 'traceidratio' or 'probability'.*"Probability"/,
      );
    });
  });

  // The real consistent probability sampler of OpenTelemetry JS: @opentelemetry/sampler-composite's
  // CompositeSampler over its ComposableProbabilitySampler, the specification's ProbabilitySampler.
  // Its threshold is exact, MAX - round(ratio × 2^56), not rounded to a few hex digits.
  describe('with keyHash "probability", against OpenTelemetry JS’s ComposableProbabilitySampler', () => {
    const MAX = 2n ** 56n;
    /** Whether the real sampler at `rate` samples a span of `traceId` under a remote parent whose tracestate is `traceState`. */
    const samplerSamples = (rate: number, traceId: string, traceState?: TraceState): boolean => {
      const parent =
        traceState === undefined
          ? ROOT_CONTEXT
          : trace.setSpanContext(ROOT_CONTEXT, {
              traceId,
              spanId: '00f067aa0ba902b7',
              traceFlags: TraceFlags.NONE,
              isRemote: true,
              traceState,
            });
      const sampler = createCompositeSampler(createComposableProbabilitySampler(rate));
      // The sampler returns the enum of its own copy of @opentelemetry/sdk-trace: the same numbers.
      const { decision } = sampler.shouldSample(parent, traceId, 'span', SpanKind.SERVER, {}, []);
      return Number(decision) === Number(SamplingDecision.RECORD_AND_SAMPLED);
    };
    /** Whether sampleEvents at `rate` keeps one event with these properties. */
    const rxlogKeeps = (rate: number, properties: Record<string, unknown>): boolean => {
      const source = new Subject<LogEvent>();
      let kept = false;
      source
        .pipe(sampleEvents({ rate, key: 'TraceId', keyHash: 'probability', keepWhen: () => false }))
        .subscribe(() => (kept = true));
      source.next(makeEvent({ properties }));
      return kept;
    };
    // 1, the halves, thirds and tenths, and the least rates: 2^-56 keeps R = 2^56 - 1 only; 2^-57
    // rounds (half up) to the same threshold; 2^-58 and 0 keep nothing.
    const edgeRates = [1, 1 - 2 ** -53, 0.5, 1 / 3, 0.1, 0.01, 1e-6, 2 ** -40, 2 ** -56, 1.5 * 2 ** -57, 2 ** -57, 2 ** -58, 0];
    const rateArb = fc.oneof(fc.constantFrom(...edgeRates), fc.double({ min: 0, max: 1, noNaN: true }));
    /** 32 lower-case hex digits, never all zero (no span has that id). */
    const traceIdArb = fc.stringMatching(/^[0-9a-f]{32}$/).filter((id) => !/^0+$/.test(id));
    /** A trace id whose last 56 bits are at, or one off, the sampler's threshold for `rate`. */
    const atThreshold = (rate: number, prefix: string, offset: bigint): string => {
      const threshold = MAX - BigInt(Math.round(rate * 2 ** 56));
      const r = threshold + offset < 0n ? 0n : threshold + offset >= MAX ? MAX - 1n : threshold + offset;
      return `${prefix}${r.toString(16).padStart(14, '0')}`;
    };

    it('keeps an event exactly when the sampler samples a root span with its trace id (property)', () => {
      fc.assert(
        fc.property(
          rateArb,
          fc.oneof(
            traceIdArb,
            fc
              .tuple(rateArb, fc.stringMatching(/^[1-9a-f][0-9a-f]{17}$/), fc.constantFrom(-1n, 0n, 1n))
              .map(([rate, prefix, offset]) => atThreshold(rate, prefix, offset)),
          ),
          (rate, traceId) => rxlogKeeps(rate, { TraceId: traceId }) === samplerSamples(rate, traceId),
        ),
        { numRuns: 3_000 },
      );
      // The edges themselves, for every edge rate: one below the threshold is dropped, the threshold kept.
      for (const rate of edgeRates)
        for (const offset of [-1n, 0n, 1n]) {
          const traceId = atThreshold(rate, '4bf92f3577b34da6a3', offset);
          expect({ rate, traceId, kept: rxlogKeeps(rate, { TraceId: traceId }) }).toEqual({
            rate,
            traceId,
            kept: samplerSamples(rate, traceId),
          });
        }
      // Not vacuous: the sampler keeps the threshold itself at 10% and drops the id one below it.
      expect([0n, -1n].map((offset) => samplerSamples(0.1, atThreshold(0.1, '4bf92f3577b34da6a3', offset)))).toEqual([
        true,
        false,
      ]);
    });

    it('uses the explicit randomness `rv` of the event’s TraceState exactly where the sampler uses the parent’s (property)', () => {
      const hex14 = fc.stringMatching(/^[0-9a-f]{14}$/);
      // `ot` members: valid, upper-case, short, long and non-hex rv values, thresholds and others (not 13 digits and a
      // space, which only the JS sampler reads as an rv: the end-to-end test below shows the logs follow it anyway).
      const otMember = fc.oneof(
        hex14.map((rv) => `rv:${rv}`),
        hex14.map((rv) => `rv:${rv.toUpperCase()}`),
        fc.stringMatching(/^[0-9a-f]{13}$/).map((rv) => `rv:${rv}`),
        fc.stringMatching(/^[0-9a-f]{15}$/).map((rv) => `rv:${rv}`),
        fc.stringMatching(/^[0-9a-f]{13}[g-z]$/).map((rv) => `rv:${rv}`),
        fc.stringMatching(/^[0-9a-f]{1,14}$/).map((th) => `th:${th}`),
        fc.constantFrom('rv:', 'rv', 'p:8', 'xrv:6e6d1a75832a2f', 'r:62'),
      );
      const traceStateArb = fc
        .tuple(
          fc.array(otMember, { minLength: 1, maxLength: 4 }),
          fc.constantFrom('', 'congo=t61rcWkgMzE,', 'rojo=00f067aa0ba902b7,'),
          fc.constantFrom('', ',congo=t61rcWkgMzE', ',vendor@ot=rv:ffffffffffffff'),
        )
        .map(([members, before, after]) => new TraceState(`${before}ot=${members.join(';')}${after}`));
      fc.assert(
        fc.property(rateArb, fc.oneof(traceIdArb, fc.constant('f'.repeat(32))), traceStateArb, (rate, traceId, traceState) => {
          // What traceContextEnricher({ traceState: true }) writes: the span context's tracestate as its header text.
          const properties = { TraceId: traceId, TraceState: traceState.serialize() };
          return rxlogKeeps(rate, properties) === samplerSamples(rate, traceId, traceState);
        }),
        { numRuns: 3_000 },
      );
      // sdk.md's example: non-random ids and an explicit randomness; 0x7479cfb506891d / 2^56 ≈ 0.455.
      const example = new TraceState('ot=rv:7479cfb506891d');
      const decisions = [0.546, 0.544, 0.01].map((rate) => [
        rxlogKeeps(rate, { TraceId: 'f'.repeat(32), TraceState: example.serialize() }),
        samplerSamples(rate, 'f'.repeat(32), example),
      ]);
      expect(decisions).toEqual([
        [true, true],
        [false, false],
        [false, false],
      ]);
    });

    describe('under a NodeTracerProvider with the composite sampler', () => {
      const exporter = new InMemorySpanExporter();
      const provider = new NodeTracerProvider({
        sampler: createCompositeSampler(createComposableProbabilitySampler(0.5)),
        spanProcessors: [new SimpleSpanProcessor(exporter)],
      });
      beforeAll(() => context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()));
      afterAll(async () => {
        await provider.shutdown();
        context.disable();
      });

      it('keeps the logs of exactly the spans sampled, an upstream `rv` deciding over the trace id', async () => {
        const sink = new MemorySink();
        const log = new LoggerConfiguration().enrich
          .with(traceContextEnricher({ traceState: true }))
          .writeTo.sink(sink, { pipe: [sampleEvents({ rate: 0.5, key: 'TraceId', keyHash: 'probability' })] })
          .createLogger();
        const tracer = provider.getTracer('spec');
        const propagator = new W3CTraceContextPropagator();
        const getter = { get: (carrier: Record<string, string>, key: string) => carrier[key], keys: Object.keys };
        // An upstream service with non-random ids sent explicit randomness: the all-f id alone would be kept at any
        // rate, its rv (≈ 0.455) only from 54.5%; the all-zero tail alone would never be kept above 0, its rv (≈ 0.569)
        // is kept at 50%. The JS sampler also reads 13 digits and a space as an rv (BigInt trims the space), which the
        // specification does not: it writes the span's tracestate with the rv it used (0fffffffffffff), which the
        // enricher captures, so the logs still follow. Then traces of random ids that the SDK starts itself.
        const upstream = [
          ['f'.repeat(32), 'ot=rv:7479cfb506891d'],
          [`4bf92f3577b34da6a3${'0'.repeat(14)}`, 'congo=t61rcWkgMzE,ot=rv:91a0c3e5f2b4d6'],
          ['f'.repeat(32), 'ot=rv:fffffffffffff ;th:0'],
        ];
        for (const [traceId, tracestate] of upstream) {
          const parent = propagator.extract(
            ROOT_CONTEXT,
            { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, tracestate },
            getter,
          );
          tracer.startActiveSpan('handler', {}, parent, (span) => {
            log.information('Handled upstream');
            span.end();
          });
        }
        for (let n = 0; n < 200; n++)
          tracer.startActiveSpan('root', (span) => {
            log.information('Root {N}', n);
            span.end();
          });
        const exported = exporter.getFinishedSpans().map((span) => span.spanContext().traceId);
        expect(exported.slice(0, 1)).toEqual([upstream[1][0]]);
        expect(exported.length).toBeGreaterThan(60);
        expect(sink.events.map((e) => e.properties.TraceId)).toEqual(exported);
        // The sampler's tracestate, as the enricher captured it: its threshold and the upstream rv, vendors kept.
        expect(sink.events[0]?.properties.TraceState).toBe('ot=th:8;rv:91a0c3e5f2b4d6,congo=t61rcWkgMzE');
        await log.close();
      });
    });
  });

  describe('under a registered NodeTracerProvider', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({
      // Remote parents' own decisions are followed; root spans are sampled at 25% by trace id.
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.25) }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    beforeAll(() => provider.register());
    afterAll(async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    });

    it('keeps the logs of exactly the traces whose spans are exported, by trace id or by the sampled flag', async () => {
      const hashed = new MemorySink();
      const flagged = new MemorySink();
      const log = new LoggerConfiguration().enrich
        .with(traceContextEnricher())
        .writeTo.sink(hashed, { name: 'hashed', pipe: [sampleEvents({ rate: 0.25, key: 'TraceId', keyHash: 'traceidratio' })] })
        .writeTo.sink(flagged, { name: 'flagged', pipe: [sampleEvents({ rate: 0, keepSampledTraces: true })] })
        .createLogger();
      const tracer = provider.getTracer('spec');
      for (let n = 0; n < 400; n++) {
        tracer.startActiveSpan(`request ${n}`, (span) => {
          log.information('Handling request {N}', n);
          span.end();
        });
      }
      const exported = new Set(exporter.getFinishedSpans().map((span) => span.spanContext().traceId));
      expect(exported.size).toBeGreaterThan(60);
      expect(exported.size).toBeLessThan(140);
      const traces = (sink: MemorySink): Set<unknown> => new Set(sink.events.map((e) => e.properties.TraceId));
      expect(traces(hashed)).toEqual(exported);
      expect(traces(flagged)).toEqual(exported);
      expect(log.metrics().sinks.flagged).toMatchObject({ delivered: exported.size, dropped: 400 - exported.size });
      expect(log.metrics().sinks.flagged?.droppedBy).toEqual({ [SAMPLE_REASON]: 400 - exported.size });
      await log.close();
    });

    it('follows, with keepSampledTraces, a remote parent’s decision where the trace id alone would decide otherwise', async () => {
      exporter.reset();
      const flagged = new MemorySink();
      const hashed = new MemorySink();
      const log = new LoggerConfiguration().enrich
        .with(traceContextEnricher())
        .writeTo.sink(flagged, { name: 'flagged', pipe: [sampleEvents({ rate: 0, keepSampledTraces: true })] })
        .writeTo.sink(hashed, { name: 'hashed', pipe: [sampleEvents({ rate: 0.25, key: 'TraceId', keyHash: 'traceidratio' })] })
        .createLogger();
      const propagator = new W3CTraceContextPropagator();
      const tracer = provider.getTracer('spec');
      // An upstream service sampled the first trace and not the second; the ratio alone keeps the second, not the first.
      const [keptUpstream] = randomIds.filter((id) => sdkSampled(0.25, [id]).length === 0);
      const [droppedUpstream] = sdkSampled(0.25, randomIds);
      for (const [traceId, flags] of [
        [keptUpstream, '01'],
        [droppedUpstream, '00'],
      ] as const) {
        const parent = propagator.extract(
          ROOT_CONTEXT,
          { traceparent: `00-${traceId}-00f067aa0ba902b7-${flags}` },
          {
            get: (carrier, key) => carrier[key as 'traceparent'],
            keys: (carrier) => Object.keys(carrier),
          },
        );
        tracer.startActiveSpan('handler', {}, parent, (span) => {
          log.information('Handled');
          span.end();
        });
      }
      expect(exporter.getFinishedSpans().map((span) => span.spanContext().traceId)).toEqual([keptUpstream]);
      expect(flagged.events.map((e) => [e.properties.TraceId, e.properties.TraceFlags])).toEqual([[keptUpstream, 1]]);
      expect(hashed.events.map((e) => e.properties.TraceId)).toEqual([droppedUpstream]);
      await log.close();
    });
  });
});
