import { ConfigurationError } from '../core/errors/configuration-error';
import { LevelSwitch } from '../core/level-switch';
import type { Sink } from '../core/sink';
import { parseLevel } from '../core/log-level';
import { checkOptionKeys } from '../core/check-option-keys';
import { resolveDeliveryOptions, type SinkDeliveryOptions } from '../pipeline/sink-delivery-options';
import { ConsoleSink, type ConsoleSinkOptions } from '../sinks/console-sink';
import type { ConfigurationState } from './configuration-state';
import { describeValue } from '../core/describe-value';
import type { SinkOptions } from './sink-options';

/**
 * The default name of a sink: the `kind` it declares (`console`, `file` …), else `sink`. Never the
 * class name: minifiers rename classes, and metrics keys must not change with the build.
 */
function kindOf(sink: Sink): string {
  const kind = (sink as { kind?: unknown }).kind;
  return typeof kind === 'string' && kind !== '' && kind !== '__proto__' ? kind : 'sink';
}

/** The keys each options object of `writeTo.sink` takes; any other is a mistake (a typo like `retires`). */
const SINK_KEYS = ['name', 'minimumLevel', 'pipe', 'queue', 'batch', 'retry', 'circuitBreaker', 'fallback'];
const CONSOLE_KEYS = [
  'outputTemplate',
  'formatter',
  'theme',
  'standardErrorFromLevel',
  'mode',
  'stdout',
  'stderr',
  'colors',
  'console',
];
const PART_KEYS = {
  queue: ['limit', 'limitBytes', 'overflow', 'warnAt', 'maxEventBytes'],
  batch: ['size', 'maxDelayMs'],
  retry: ['attempts', 'initialDelayMs', 'maxDelayMs', 'jitter'],
  circuitBreaker: ['failureThreshold', 'resetTimeoutMs'],
} as const;

/** Checks the delivery options now, so a mistake throws with the sink's path instead of at createLogger(). */
function checkDelivery(where: string, delivery: SinkDeliveryOptions): void {
  // A value of the wrong kind (`queue: 5`, `retry: true`) would otherwise read as "all defaults".
  for (const part of ['queue', 'retry', 'circuitBreaker'] as const) {
    const value: unknown = delivery[part];
    const allowed = value === undefined || (typeof value === 'object' && value !== null) || (value === false && part !== 'queue');
    if (!allowed)
      throw new ConfigurationError(
        `${where}.${part}: expected ${part === 'queue' ? 'options' : 'options or false'}, got ${describeValue(value)}`,
      );
  }
  for (const part of ['queue', 'batch', 'retry', 'circuitBreaker'] as const) {
    const value: unknown = delivery[part];
    if (typeof value === 'object' && value !== null) checkOptionKeys(`${where}.${part}`, value, PART_KEYS[part]);
  }
  const fallback = delivery.fallback as { emit?: unknown } | undefined;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers can pass anything
  if (fallback !== undefined && (typeof fallback !== 'object' || fallback === null || typeof fallback.emit !== 'function')) {
    throw new ConfigurationError(
      `${where}.fallback: expected a sink with an emit(events) method, got ${describeValue(fallback)}`,
    );
  }
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
  constructor(parent: TParent, state: ConfigurationState) {
    this.#parent = parent;
    this.#state = state;
  }

  /**
   * Any object with `emit(events)`.
   *
   * @throws ConfigurationError when the sink has no `emit`, an option is out of range, or the name is taken.
   */
  sink(sink: Sink, options: SinkOptions = {}): TParent {
    return this.#add(sink, options, SINK_KEYS);
  }

  /** A ConsoleSink: coloured text in a terminal, console methods in a browser. */
  console(options: ConsoleSinkOptions & SinkOptions = {}): TParent {
    return this.#add(new ConsoleSink(options), options, [...SINK_KEYS, ...CONSOLE_KEYS]);
  }

  #add(sink: Sink, options: SinkOptions, keys: readonly string[]): TParent {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers can pass anything
    if (typeof sink !== 'object' || sink === null || typeof (sink as { emit?: unknown }).emit !== 'function') {
      throw new ConfigurationError(`writeTo.sink: expected a sink with an emit(events) method, got ${describeValue(sink)}`);
    }
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers can pass anything
    if (typeof options !== 'object' || options === null)
      throw new ConfigurationError(`writeTo.sink: expected options, got ${describeValue(options)}`);
    const name = this.#nameFor(sink, options.name);
    const where = `writeTo.sink(${name})`;
    checkOptionKeys(where, options, keys);
    const pipe = options.pipe ?? [];

    if (!Array.isArray(pipe))
      throw new ConfigurationError(`${where}.pipe: expected an array of operator functions, got ${describeValue(pipe)}`);
    pipe.forEach((operator, index) => {
      if (typeof operator !== 'function')
        throw new ConfigurationError(`${where}.pipe[${index}]: expected an operator function, got ${describeValue(operator)}`);
    });
    let minimumLevel: LevelSwitch | undefined;
    if (options.minimumLevel instanceof LevelSwitch) minimumLevel = options.minimumLevel;
    else if (options.minimumLevel !== undefined) {
      minimumLevel = new LevelSwitch(parseLevel(options.minimumLevel, `${where}.minimumLevel`));
    }
    const { queue, retry, circuitBreaker, fallback } = options;
    const delivery: SinkDeliveryOptions = {
      queue: queue ?? sink.queueDefaults,
      batch: options.batch ?? sink.batchDefaults,
      retry,
      circuitBreaker,
      fallback,
    };
    checkDelivery(where, delivery);
    this.#state.sinks.push({ name, sink, minimumLevel, pipe, delivery });
    return this.#parent;
  }

  #nameFor(sink: Sink, requested: string | undefined): string {
    const taken = new Set(this.#state.sinks.map((s) => s.name));
    if (requested !== undefined) {
      if (typeof requested !== 'string' || requested === '')
        throw new ConfigurationError(`writeTo.sink: expected a non-empty name, got ${describeValue(requested)}`);
      // metrics().sinks and the shutdown report are plain objects keyed by name.
      if (requested === '__proto__')
        throw new ConfigurationError('writeTo.sink: the name "__proto__" cannot key metrics and reports; choose another');
      if (taken.has(requested)) throw new ConfigurationError(`writeTo.sink: a sink named "${requested}" is already configured`);
      return requested;
    }
    const kind = kindOf(sink);
    if (!taken.has(kind)) return kind;
    for (let n = 2; ; n++) if (!taken.has(`${kind}-${n}`)) return `${kind}-${n}`;
  }
}
