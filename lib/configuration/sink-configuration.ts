import { ConfigurationError } from '../core/errors/configuration-error';
import { levelSwitchFrom } from '../core/level-switch';
import type { Sink } from '../core/sink';
import { checkOptionKeys } from '../core/check-option-keys';
import { readGuarded, readOptions } from '../core/read-options';
import { resolveDeliveryOptions, type SinkDeliveryOptions } from '../pipeline/sink-delivery-options';
import { CONSOLE_OPTION_KEYS, ConsoleSink, type ConsoleSinkOptions } from '../sinks/console-sink';
import { type ConfigurationState, expectNotCreated } from './configuration-state';
import { expectFunctions, expectOption } from '../core/expect-option';
import { hasMethods } from '../core/has-methods';
import { describeValue, shortText } from '../core/describe-value';
import { hasLoneSurrogate } from '../core/lone-surrogate';
import { isBlankName } from '../core/blank-name';
import type { SinkOptions } from './sink-options';
import { isArrayOption } from '../operators/operator-options';

/**
 * The default name of a sink: the `kind` it declares (`console`, `file` …), else `sink`. Never the
 * class name: minifiers rename classes, and metrics keys must not change with the build.
 */
/** A sink's default name: its declared kind in lower case (`Kafka` → `kafka`), else `sink`. */
function kindOf(sink: Sink): string {
  const declared = (sink as { kind?: unknown }).kind;
  const kind = typeof declared === 'string' ? declared.toLowerCase() : '';
  return !isBlankName(kind) && kind !== '__proto__' && !hasLoneSurrogate(kind) ? kind : 'sink';
}

/** The keys each options object of `writeTo.sink` takes; any other is a mistake (a typo like `retires`). */
const SINK_KEYS = ['name', 'minimumLevel', 'pipe', 'queue', 'batch', 'retry', 'circuitBreaker', 'fallback'];
const PART_KEYS = {
  queue: ['limit', 'limitBytes', 'overflow', 'warnAt', 'maxEventBytes'],
  batch: ['size', 'maxDelayMs'],
  retry: ['attempts', 'initialDelayMs', 'maxDelayMs', 'jitter'],
  circuitBreaker: ['failureThreshold', 'resetTimeoutMs', 'maxResetTimeoutMs'],
} as const;

/** What `writeTo.sink` and a `fallback` take: an object with an `emit` method. */
const EMIT = ['emit'];

/**
 * Checks that `value` is a sink: an object with an `emit` method that is not an EventEmitter's, and
 * whose `emitSync`, `flush`, `flushSync` and `close`, where present, are methods. A
 * Node stream (`process.stdout`, a file stream, pino's destination) has EventEmitter's
 * `emit(eventName, …)`, which takes each batch as the name of an event nobody listens to: every
 * event would count as delivered and be written nowhere. Told by where `emit` is defined: beside
 * `addListener` on an emitter's prototype, where a sink class defines its own.
 *
 * @throws ConfigurationError naming `where` and the value.
 */
function expectSink(value: unknown, where: string): void {
  expectOption(hasMethods(value, EMIT), where, 'a sink with an emit(events) method', value);
  let owner: object | null = value;
  // Bounded: a Proxy's getPrototypeOf may give the Proxy itself, for ever.
  for (let depth = 0; owner !== null && depth < 100 && !Object.hasOwn(owner, 'emit'); depth++)
    owner = Reflect.getPrototypeOf(owner);
  expectOption(
    owner === null || !Object.hasOwn(owner, 'addListener'),
    where,
    'a sink, not an EventEmitter (its emit(eventName, …) writes nothing; for a Node stream, StreamSink from rxlog/node)',
    value,
  );
  // Each would fail only when called (close() at shutdown, leaving a file open; flushSync() at exit).
  // A getter that throws is left to delivery, which reads each method when it calls it and tells
  // SelfLog then (docs/reliability.md): it may throw only now and then.
  for (const method of ['emitSync', 'flush', 'flushSync', 'close']) {
    let given: unknown;
    try {
      given = value[method];
    } catch {
      continue;
    }
    expectOption(given == null || typeof given === 'function', where, `a sink whose ${method} is a method or absent`, given);
  }
}

/**
 * Checks the delivery options now, so a mistake throws with the sink's path instead of at
 * createLogger(), and replaces each part given as an object with a snapshot of it. A `queue` or
 * `batch` given without some of its fields takes the sink's own `queueDefaults` / `batchDefaults`
 * for them (`batch: { size: 100 }` on a SeqSink keeps its 2 s), as each of Serilog's sink
 * parameters and OpenTelemetry's batch processor options keeps its default: a `queue: { limitBytes }`
 * meant to hold more must not lower a SeqSink's 100 000 events to the general 10 000.
 */
function checkDelivery(where: string, delivery: SinkDeliveryOptions, defaults: { queue?: unknown; batch?: unknown }): void {
  for (const part of ['queue', 'batch', 'retry', 'circuitBreaker'] as const) {
    const given: unknown = delivery[part];
    const declared: unknown = (defaults as Record<string, unknown>)[part];
    // Defaults for undefined only (not `??`): null is a mistake like any other value of the wrong kind, where
    // `batch: null` (meant as "no batching") would silently be the sink's own batches.
    const value = given === undefined ? declared : given;
    const at = `${where}.${part}`;
    if (typeof value === 'object' && value !== null) {
      const snapshot = readOptions(at, value, PART_KEYS[part]);
      // The app's keys only: a field the sink declares that rxlog does not know (one a later version
      // may add) is ignored, as it is beside a batch or queue the app gives, never blamed on the app.
      if (given !== undefined) checkOptionKeys(at, snapshot, PART_KEYS[part]);
      // A declared default that is no options object (a sink's mistake) is refused here too, by readOptions.
      delivery[part] =
        value === declared || declared == null ? snapshot : { ...readOptions(at, declared, PART_KEYS[part]), ...snapshot };
    } else {
      // A value of the wrong kind (`queue: 5`, `retry: true`) would otherwise read as "all defaults".
      const switchable = part === 'retry' || part === 'circuitBreaker';
      expectOption(
        value === undefined || (value === false && switchable),
        at,
        switchable ? 'options or false' : 'options',
        value,
      );
    }
  }
  const { fallback } = delivery;
  const at = `${where}.fallback`;
  // A Proxy whose trap throws as it is checked: a ConfigurationError naming the fallback.
  if (fallback !== undefined) readGuarded(at, 'the sink', () => expectSink(fallback, at));
  try {
    resolveDeliveryOptions(delivery);
  } catch (error) {
    throw error instanceof ConfigurationError ? new ConfigurationError(`${where}.${error.message}`) : error;
  }
}

/** `.writeTo…`: where events go. Each sink gets its own lane: level, operators, queue, batch, retry, breaker. */
export class SinkConfiguration<TParent> {
  readonly #parent: TParent;
  readonly #state: ConfigurationState;
  /** The sinks added so far, and their names (this class alone adds them to the state's sinks). */
  readonly #given = new Set<Sink>();
  readonly #taken = new Set<string>();
  /**
   * Per kind, the suffix its search for a free `kind-n` starts from: names are only ever added, so
   * those tried before are still taken. Rebuilding the set and searching from `-2` for each sink
   * made 2 000 unnamed sinks of one kind cost 2 million lookups.
   */
  readonly #nextSuffix = new Map<string, number>();
  constructor(parent: TParent, state: ConfigurationState) {
    this.#parent = parent;
    this.#state = state;
  }

  /**
   * Any object with `emit(events)`.
   *
   * @throws ConfigurationError when the sink has no `emit` (or EventEmitter's: a Node stream), was given before (to another `writeTo`, or
   * as its own fallback: one fallback may serve several sinks), an option is out of range, or the name is taken,
   * empty, `__proto__` or holds a lone UTF-16 surrogate (it has no UTF-8 form).
   */
  sink(sink: Sink, options: SinkOptions = {}): TParent {
    expectNotCreated(this.#state, 'writeTo.sink');
    return this.#add('writeTo.sink', () => sink, options, SINK_KEYS);
  }

  /** A ConsoleSink: coloured text in a terminal, console methods in a browser. */
  console(options: ConsoleSinkOptions & SinkOptions = {}): TParent {
    expectNotCreated(this.#state, 'writeTo.console');
    return this.#add(
      'writeTo.console',
      (given) => {
        // The sink gets only its own options (it refuses any other key); the rest are the lane's.
        const own: Record<string, unknown> = {};
        for (const key of CONSOLE_OPTION_KEYS) if (key in given) own[key] = given[key];
        try {
          return new ConsoleSink(own);
        } catch (error) {
          // Named as the lane's options are (writeTo.console(out).queue), not after a class the app never named.
          // A function, so that a name holding `$&` is not read as a replacement pattern.
          const prefix = (): string =>
            `writeTo.console(${shortText(this.#nameFor('writeTo.console', 'console', given.name as string | undefined))})`;
          throw error instanceof ConfigurationError
            ? new ConfigurationError(error.message.replace(/^ConsoleSink/, prefix), { cause: error.cause })
            : error;
        }
      },
      options,
      [...SINK_KEYS, ...CONSOLE_OPTION_KEYS],
    );
  }

  /**
   * Adds the sink's lane. The options are read once, into a snapshot (each option read once: a
   * getter, or a change made to the object later, cannot change what was configured). A getter of
   * the sink or of its options that throws (a hostile Proxy, a sink whose `emit` or `kind` reads a
   * closed resource) is a configuration mistake like any other: a ConfigurationError that says so
   * (naming the option) and keeps the error as its `cause`. Messages name `call`, the method the
   * app called (`writeTo.console(console).queue: …`).
   */
  #add(call: string, sinkFor: (given: Record<string, unknown>) => Sink, options: SinkOptions, keys: readonly string[]): TParent {
    return readGuarded(call, 'the sink or its options', () => {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers can pass anything
      expectOption(typeof options === 'object' && options !== null, call, 'options', options);
      const given = readOptions(call, options, keys);
      return this.#addLane(call, sinkFor(given), given, keys);
    });
  }

  #addLane(call: string, sink: Sink, options: SinkOptions, keys: readonly string[]): TParent {
    expectSink(sink, call);
    const name = this.#nameFor(call, kindOf(sink), options.name);
    // Cut as a bad value is: a megabyte name (or declared kind) must not make megabyte messages.
    const where = `${call}(${shortText(name)})`;
    checkOptionKeys(where, options, keys);
    // Two lanes on one sink would each deliver every event to it, and the first to finish closing
    // would close it under the other; nor can a sink be its own fallback.
    expectOption(sink !== options.fallback && !this.#given.has(sink), where, 'a sink not given before', sink);
    const { pipe = [] } = options;

    // isArrayOption: a revoked Proxy is refused naming pipe, not as "the sink or its options".
    expectOption(isArrayOption(pipe), `${where}.pipe`, 'an array of operator functions', pipe);
    // A copy, each item read once: what was checked is what runs, and an operator pushed onto the
    // array later is not one of this sink's.
    const operators = expectFunctions(pipe, `${where}.pipe`, 'an operator function');
    const minimumLevel =
      options.minimumLevel === undefined ? undefined : levelSwitchFrom(options.minimumLevel, `${where}.minimumLevel`);
    // The lane's own options (name, minimumLevel, pipe) ride along unread.
    const delivery: SinkDeliveryOptions = { ...options };
    checkDelivery(where, delivery, { queue: sink.queueDefaults, batch: sink.batchDefaults });
    this.#state.sinks.push({ name, sink, minimumLevel, pipe: operators, delivery });
    this.#taken.add(name);
    this.#given.add(sink);
    return this.#parent;
  }

  #nameFor(call: string, kind: string, requested: string | undefined): string {
    const taken = this.#taken;
    if (requested !== undefined) {
      // metrics().sinks and the shutdown report are plain objects keyed by name: "__proto__" cannot key them.
      // A name of white space only is a mistake (a blank environment variable), not a label: a
      // dashboard or a shutdown report line would show nothing where the sink's name belongs.
      const ok = typeof requested === 'string' && !isBlankName(requested) && requested !== '__proto__';
      expectOption(ok, call, 'a non-blank name other than "__proto__"', requested);
      // Prometheus, OpenTelemetry and JSON encoders would write U+FFFD: `a\uD800` and `a\uDC00` would report as one.
      expectOption(!hasLoneSurrogate(requested), call, 'a name without a lone UTF-16 surrogate', requested);
      if (taken.has(requested))
        throw new ConfigurationError(`${call}: a sink named ${describeValue(requested)} is already configured`);
      return requested;
    }
    // The kind, else the first of `kind-2`, `kind-3` … not taken. The start is kept at the name
    // found, not past it: a sink whose options are then refused does not take it.
    let n = this.#nextSuffix.get(kind) ?? 1;
    let name = n === 1 ? kind : `${kind}-${n}`;
    while (taken.has(name)) name = `${kind}-${++n}`;
    this.#nextSuffix.set(kind, n);
    return name;
  }
}
