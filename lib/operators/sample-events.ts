import type { MonoTypeOperatorFunction } from 'rxjs';
import { ConfigurationError } from '../core/errors/configuration-error';
import type { LogEvent } from '../core/log-event';
import { WARNING } from '../core/log-level';
import { levelRank } from './read-level';
import { SelfLog } from '../core/self-log';
import { strayPromise } from '../core/stray-promise';
import { excludingCounted } from './filter-events';
import { type EventKey, eventKeySelector } from './event-key';
import { describeOption, numberOption, snapshotOptions } from './operator-options';
import { checkOptionKeys } from '../core/check-option-keys';
import { expectOption } from '../core/expect-option';
import { describeValue } from '../core/describe-value';

/** Options of {@link sampleEvents}. */
export interface SampleEventsOptions {
  /** The fraction of events kept, from `0` (none) to `1` (all). Required. */
  rate: number;
  /** Events this returns true for are always kept. Default: level `warning` and above, and a level that is not one of the six names (an app operator's `'WARN'`), as minimumLevel keeps it. */
  keepWhen?: ((event: LogEvent) => boolean) | undefined;
  /**
   * Makes the decision per key instead of per event, e.g. `'TraceId'`: every event with the same
   * key value is kept or dropped together, in every process that uses the same rate (see
   * {@link sampleFraction}); a structured value (an object, an array) is hashed as its JSON text.
   * Events without the key are sampled at random. Default: none.
   */
  key?: EventKey | undefined;
  /**
   * How a `key` value becomes a decision. `'fnv1a'` hashes any value (see {@link sampleFraction}).
   * `'traceidratio'` reads it as an OpenTelemetry trace id and keeps exactly the traces that
   * OpenTelemetry JS's `TraceIdRatioBasedSampler` samples at ratio `rate` (the XOR of the id's four
   * 32-bit words, below `rate × 0xffffffff`), so logs follow traces sampled with
   * `OTEL_TRACES_SAMPLER=traceidratio`. `'probability'` is the specification's consistent probability
   * sampling (its `ProbabilitySampler`): the randomness R is the explicit randomness `rv` of the `ot`
   * entry of the event's `TraceState` (as `traceContextEnricher({ traceState: true })` writes it),
   * else the trace id's last 14 hex digits (56 bits); a key value of exactly 14 hex digits is R
   * itself. The event is kept when R ≥ 2^56 − round(`rate` × 2^56), the sampler's rejection
   * threshold; a lower rate keeps a subset of what a higher one keeps. For both,
   * upper-case hex reads as lower case; the all-zero id (no trace) is sampled at random, as an event
   * without the key; another value that is no trace id (a request id) is hashed as by `'fnv1a'`, told
   * to SelfLog once. Both need `key`. Default `'fnv1a'`.
   */
  keyHash?: 'fnv1a' | 'traceidratio' | 'probability' | undefined;
  /**
   * Keeps every event of a sampled trace: one whose `TraceFlags` (a number, as
   * `traceContextEnricher` writes it) has bit 0, W3C Trace Context's `sampled` flag, set, whichever
   * sampler decided it. The other events are sampled at `rate`. Default `false`.
   */
  keepSampledTraces?: boolean | undefined;
  /**
   * The random source for events sampled without a key, giving numbers in `[0, 1)`. A draw that
   * throws or is anything else (NaN, a string, 1) keeps its event, told to SelfLog once. Default `Math.random`.
   */
  random?: (() => number) | undefined;
}

/** Why sampleEvents dropped events, as the sink's `droppedBy` names it. */
export const SAMPLE_REASON = 'sampleEvents.sampledOut';

/**
 * Where a key value falls in `[0, 1)`: FNV-1a (32-bit) over the UTF-8 bytes of `String(value)`,
 * then murmur3's 32-bit finalizer (fmix32), divided by 2^32. A key is kept when its fraction is below the rate, so a service in any
 * language can make the same decision for the same trace.
 *
 * @example sampleFraction('4bf92f3577b34da6a3ce929d0e0e4736') < 0.1 // the same answer everywhere
 */
export function sampleFraction(value: unknown): number {
  const text = String(value);
  let hash = 0x811c9dc5;
  const byte = (b: number): void => {
    hash ^= b;
    hash = Math.imul(hash, 0x01000193);
  };
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (code < 0x80) byte(code);
    else if (code < 0x800) {
      byte(0xc0 | (code >> 6));
      byte(0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
      byte(0xe0 | (code >> 12));
      byte(0x80 | ((code >> 6) & 0x3f));
      byte(0x80 | (code & 0x3f));
    } else {
      byte(0xf0 | (code >> 18));
      byte(0x80 | ((code >> 12) & 0x3f));
      byte(0x80 | ((code >> 6) & 0x3f));
      byte(0x80 | (code & 0x3f));
    }
  }
  // FNV-1a alone maps ids that differ in their last characters (trace-1, trace-2) close together;
  // murmur3's 32-bit finalizer spreads them over the whole range.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 0x1_0000_0000;
}

/** 32 hex digits, in either case, as `@opentelemetry/api` reads a trace id. */
const TRACE_ID = /^[0-9a-f]{32}$/i;
const NO_TRACE_ID = '00000000000000000000000000000000';
/** An explicit randomness value, `rv` in the `ot` entry of `tracestate`: 14 hex digits. */
const RANDOMNESS = /^[0-9a-f]{14}$/i;

/**
 * The explicit randomness in a W3C `tracestate` text, as `@opentelemetry/sampler-composite` reads
 * it: the `ot` entry (none when longer than 256 characters), its last `rv:` member, valid when it
 * is 14 hex digits (the specification asks for lower case; the JS sampler takes either). An
 * invalid `rv` is none, so the trace id decides, as in the JS and Java samplers. (The JS sampler
 * also reads fewer digits padded with spaces, then writes its span's `tracestate` with the 14
 * digits it used, which is what `TraceState` holds.)
 */
function randomnessIn(traceState: unknown): string | undefined {
  const ot = typeof traceState === 'string' ? /(?:^|,)[ \t]*ot=([^,]*)/.exec(traceState)?.[1].trimEnd() : undefined;
  // A later rv: member replaces an earlier one, as in the JS sampler's parse loop.
  const rv =
    ot !== undefined && ot.length <= 256
      ? ot
          .split(';')
          .filter((m) => m.startsWith('rv:'))
          .pop()
      : undefined;
  return rv !== undefined && RANDOMNESS.test(rv.slice(3)) ? rv.slice(3) : undefined;
}

/**
 * What OpenTelemetry JS's `TraceIdRatioBasedSampler` compares with its bound: the XOR of the
 * trace id's four 32-bit words (its `_accumulate`, in `@opentelemetry/sdk-trace-base` 1.x and 2.x).
 */
function traceIdWords(traceId: string): number {
  let words = 0;
  for (let i = 0; i < 32; i += 8) words ^= parseInt(traceId.slice(i, i + 8), 16);
  return words >>> 0;
}

/** Warnings and above, and events of a level that is not one of the six (kept, as minimumLevel keeps them). */
function keepWarnings(event: LogEvent): boolean {
  return levelRank(event) >= WARNING;
}

/**
 * Keeps a fraction `rate` of events, always keeping those `keepWhen` selects (by default
 * warnings and above). With `key`, the decision is a hash of the key's value, so a sampled
 * request or trace keeps all its events, across services; `keyHash: 'traceidratio'` makes it
 * OpenTelemetry JS's trace id ratio decision, `keyHash: 'probability'` the specification's consistent
 * probability sampling (56 random bits of the trace id, or the `rv` of its `TraceState`), and `keepSampledTraces` keeps the events of traces
 * whose `TraceFlags` say sampled, so logs follow the traces. In a sink's `pipe`, what it drops
 * counts in `dropped` (under {@link SAMPLE_REASON}). Nothing it is given errors the stream: a
 * key value that cannot be made a string is sampled at random (reported to SelfLog), and a `random`
 * that throws or returns anything but a number in `[0, 1)` keeps the event (reported once); an async `keepWhen`'s or `random`'s Promise is no answer (the
 * event is sampled, or kept), reported with its rejection. A value that is not an event (an app
 * operator's `undefined`) is passed on unsampled.
 *
 * ```text
 * source:                                   -a-b-W-c-|   (W a warning)
 * sampleEvents({ rate: 0.5, key: 'Id' }):   -a---W-c-|   (b's Id hashes above 0.5)
 * ```
 *
 * @throws ConfigurationError when `rate` is not a number from 0 to 1, or another option is invalid.
 * @example
 * .writeTo.sink(http, { pipe: [sampleEvents({ rate: 0.1, key: 'TraceId' })] })
 * @example
 * // The logs of the traces the tracer provider sampled, and warnings.
 * .writeTo.sink(http, { pipe: [sampleEvents({ rate: 0, keepSampledTraces: true })] })
 */
export function sampleEvents(given: SampleEventsOptions): MonoTypeOperatorFunction<LogEvent> {
  if (typeof given !== 'object' || (given as unknown) === null)
    throw new ConfigurationError(`sampleEvents: expected options with a rate, got ${describeOption(given)}`);
  const names = ['rate', 'keepWhen', 'key', 'keyHash', 'keepSampledTraces', 'random'];
  const options = snapshotOptions(given, 'sampleEvents', names);
  checkOptionKeys('sampleEvents', options, names);
  if ((options.rate as unknown) === undefined)
    throw new ConfigurationError('sampleEvents: rate is required (a number from 0 to 1)');
  const rate = numberOption(options.rate, 1, 'sampleEvents: rate', { min: 0, max: 1 });
  if (options.keepWhen !== undefined && typeof options.keepWhen !== 'function')
    throw new ConfigurationError(`sampleEvents: keepWhen: expected a function, got ${describeOption(options.keepWhen)}`);
  if (options.random !== undefined && typeof options.random !== 'function')
    throw new ConfigurationError(`sampleEvents: random: expected a function, got ${describeOption(options.random)}`);
  // Read as unknown: a JavaScript caller's value may be anything, null included (only undefined is the default).
  const keyHash: unknown = options.keyHash === undefined ? 'fnv1a' : options.keyHash;
  const keepSampledTraces: unknown = options.keepSampledTraces === undefined ? false : options.keepSampledTraces;
  expectOption(
    keyHash === 'fnv1a' || keyHash === 'traceidratio' || keyHash === 'probability',
    'sampleEvents: keyHash',
    "'fnv1a', 'traceidratio' or 'probability'",
    keyHash,
  );
  // Without a key, a trace keyHash would sample every event at random, and nothing would say why.
  if (keyHash !== 'fnv1a' && options.key === undefined)
    throw new ConfigurationError(
      `sampleEvents: keyHash "${keyHash}" needs a key, the property that holds the trace id ('TraceId')`,
    );
  expectOption(typeof keepSampledTraces === 'boolean', 'sampleEvents: keepSampledTraces', 'true or false', keepSampledTraces);
  const keepWhen = options.keepWhen ?? keepWarnings;
  const random = options.random ?? Math.random;
  const keyOf = options.key === undefined ? undefined : eventKeySelector(options.key, 'sampleEvents: key');
  const flagsOf = keepSampledTraces ? eventKeySelector('TraceFlags', 'sampleEvents: keepSampledTraces') : undefined;
  const stateOf = keyHash === 'probability' ? eventKeySelector('TraceState', 'sampleEvents: keyHash') : undefined;
  // The SDK's own bound, to the bit: ratio 1 keeps every id, whose XOR can be 0xffffffff.
  const traceBound = rate === 1 ? 0x1_0000_0000 : Math.floor(rate * 0xffffffff);
  // The specification's rejection threshold T = 2^56 - round(rate × 2^56), exact (as OpenTelemetry
  // JS's and Java's consistent samplers compute it), as 14 lower-case hex digits: OpenTelemetry
  // specifies lower case so that R >= T is a comparison of the texts. Below 2^-57 no trace is
  // kept (T would be 2^56, which 14 digits cannot hold; the specification's least rate is 2^-56).
  const kept56 = Math.round(rate * 2 ** 56);
  const threshold = kept56 === 0 ? undefined : (2n ** 56n - BigInt(kept56)).toString(16).padStart(14, '0');

  const keeps = (event: LogEvent): boolean => {
    // A value that is not an event (an app operator's `undefined`) is passed on as the pipeline passes
    // it: sampled, it would be read as an event whose keepWhen and key both fail, two SelfLog lines each.
    if (typeof event !== 'object' || (event as unknown) === null) return true;
    try {
      // An async keepWhen's Promise is no answer (it would keep every event): the event is sampled.
      const keep: unknown = keepWhen(event);
      if (!strayPromise(keep, 'sampleEvents keepWhen', keepWhen) && keep) return true;
    } catch (error) {
      SelfLog.write('sampleEvents: keepWhen threw; the event is sampled', error);
    }
    const flags = flagsOf?.(event);
    // As the sinks read TraceFlags: an integer 0-255; the text '01' is no flags byte.
    if (Number.isInteger(flags) && (flags as number) >= 0 && (flags as number) < 256 && (flags as number) & 1) return true;
    const value = keyOf?.(event);
    if (value !== undefined && value !== null) {
      try {
        if (
          keyHash !== 'fnv1a' &&
          typeof value === 'string' &&
          (TRACE_ID.test(value) || (keyHash === 'probability' && RANDOMNESS.test(value)))
        ) {
          // All zero is W3C Trace Context's "no trace", which every untraced event would share:
          // hashed, it would keep or drop them all at once. Such an event has no key.
          if (value !== NO_TRACE_ID)
            return keyHash === 'traceidratio'
              ? traceIdWords(value) < traceBound
              : threshold !== undefined &&
                  ((value.length > 14 && randomnessIn(stateOf?.(event))) || value.slice(-14)).toLowerCase() >= threshold;
        } else {
          // Another id (a request id where no traceparent came) still keeps its events together.
          if (keyHash !== 'fnv1a')
            tellOnce(
              'sampleEvents: the key value {Value} is no trace id; such values are hashed as keyHash "fnv1a" does',
              describeValue(value),
            );
          return sampleFraction(value) < rate;
        }
      } catch (error) {
        // String(value) threw (an object without a prototype, a throwing toString).
        SelfLog.write('sampleEvents: the key value cannot be made a string; the event is sampled at random', error);
      }
    }
    try {
      const draw: unknown = random();
      // An async random's Promise is no draw: the event is kept, as when random throws.
      if (strayPromise(draw, 'sampleEvents random', random)) return true;
      if (typeof draw === 'number' && draw >= 0 && draw < 1) return draw < rate;
      // NaN, a string, 1 or -1 is no decision: keeping the event is safer than losing it.
      return tellOnce(
        'sampleEvents: random returned {Draw}, not a number in [0, 1); such draws keep their events',
        describeOption(draw),
      );
    } catch (error) {
      return tellOnce('sampleEvents: the random source threw; such draws keep their events', error);
    }
  };
  // Said once per operator and message: a broken random source, or a key that holds other ids,
  // would otherwise fill SelfLog, one line an event.
  const told = new Set<string>();
  const tellOnce = (message: string, detail: unknown): true => {
    if (!told.has(message)) SelfLog.write(message, detail);
    told.add(message);
    return true;
  };

  return excludingCounted(keeps, SAMPLE_REASON);
}
