import { ConfigurationError } from '../core/errors/configuration-error';
import { describeValue } from '../core/describe-value';
import { expectOption } from '../core/expect-option';
import type { LogEvent } from '../core/log-event';
import { SelfLog } from '../core/self-log';
import { estimateEventBytes, truncateEvent } from './event-size';
import { checkBytes, checkCount } from './operator-options';

/** What a full queue gives up: the oldest queued event or the one arriving. */
export type OverflowPolicy = 'drop-oldest' | 'drop-newest';

/** Bounds and overflow behaviour of a sink's queue. */
export interface QueueOptions {
  /**
   * Most events held, a count. Default `10_000`. A sink may bring its own default (`Sink.queueDefaults`):
   * `FileSink` and `StreamSink` take 1 000 000, so their byte bound is what binds, `SeqSink` 100 000
   * and `OtlpSink` 2 048.
   */
  limit?: number | undefined;
  /** Most estimated bytes held (see `estimateEventBytes`), in bytes. Default `16 * 1024 * 1024` (16 MiB). */
  limitBytes?: number | undefined;
  /** Which event goes when the queue is full. Default `'drop-oldest'`. */
  overflow?: OverflowPolicy | undefined;
  /** Fill level, a fraction of `limit` or `limitBytes` in (0, 1], at which one back-pressure diagnostic goes to SelfLog per upward crossing. Default `0.8`. */
  warnAt?: number | undefined;
  /** Largest event kept whole, in estimated bytes; larger ones are truncated (see `truncateEvent`), not dropped. Default `256 * 1024` (256 KiB), and never more than `limitBytes`. */
  maxEventBytes?: number | undefined;
}

/** QueueOptions with every default applied and every value checked. */
export interface ResolvedQueueOptions {
  readonly limit: number;
  readonly limitBytes: number;
  readonly overflow: OverflowPolicy;
  readonly warnAt: number;
  readonly maxEventBytes: number;
}

const INITIAL_CAPACITY = 1024;

/**
 * Applies QueueOptions' defaults and checks them.
 *
 * @param where What the options were given to, naming them in an error: `queue` (the sink option, the default) or `boundedQueue`.
 * @throws ConfigurationError naming the bad value.
 */
export function resolveQueueOptions(options: QueueOptions = {}, where = 'queue'): ResolvedQueueOptions {
  // Defaults by destructuring, which only a missing option takes: a JavaScript caller's null is refused below.
  const {
    limit = 10_000,
    limitBytes = 16 * 1024 * 1024,
    overflow = 'drop-oldest',
    warnAt = 0.8,
    maxEventBytes = 256 * 1024,
  } = options;
  checkCount(`${where}.limit`, limit, 'events');
  checkBytes(`${where}.limitBytes`, limitBytes);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers can pass anything
  if (overflow !== 'drop-oldest' && overflow !== 'drop-newest') {
    throw new ConfigurationError(
      // describeValue: String() of a Proxy whose trap throws would throw.
      `${where}.overflow: unknown policy ${describeValue(overflow)} (expected drop-oldest or drop-newest)`,
    );
  }
  expectOption(typeof warnAt === 'number' && warnAt > 0 && warnAt <= 1, `${where}.warnAt`, 'a fraction in (0, 1]', warnAt);
  checkBytes(`${where}.maxEventBytes`, maxEventBytes);
  return { limit, limitBytes, overflow, warnAt, maxEventBytes: Math.min(maxEventBytes, limitBytes) };
}

/**
 * A FIFO ring buffer of events bounded by count and by estimated bytes. `push` never blocks and
 * never throws: on overflow it drops the oldest or the newest event and counts it; an event over
 * `maxEventBytes` is truncated instead of dropped. Each entry carries its enqueue time for
 * latency. Push and shift are O(1) and allocate nothing beyond the stored entry (the ring grows
 * by doubling up to `limit`).
 *
 * @example
 * const queue = new EventQueue({ limit: 2, overflow: 'drop-newest' }, 'http');
 * queue.push(a); queue.push(b); queue.push(c); // c is dropped
 * queue.dropped; // 1
 * queue.take(10); // [a, b]
 */
export class EventQueue {
  /** The options in force, defaults applied. */
  readonly options: ResolvedQueueOptions;
  /** Events dropped by overflow since the queue was made. */
  dropped = 0;
  /** Events truncated because they were larger than `maxEventBytes`. */
  truncated = 0;

  readonly #name: string;
  readonly #onDrop: ((count: number) => void) | undefined;
  // Allocated by #resize, from the constructor on.
  #events!: (LogEvent | undefined)[];
  #times!: Float64Array;
  #sizes!: Float64Array;
  #head = 0;
  #count = 0;
  #byteCount = 0;
  readonly #warnDepth: number;
  readonly #warnBytes: number;
  #warned = false;
  #overflowReported = false;
  #lastShiftedAt = 0;

  /**
   * @param options Bounds and overflow policy.
   * @param name Named in diagnostics, e.g. the sink's name. Default `'queue'`.
   * @param onDrop Called with the number of events just dropped, on the pushing turn.
   */
  constructor(options: QueueOptions = {}, name = 'queue', onDrop?: (count: number) => void) {
    this.#name = name;
    this.#onDrop = onDrop;
    this.options = resolveQueueOptions(options);
    this.#resize(this.#firstCapacity());
    this.#warnDepth = Math.max(1, Math.ceil(this.options.warnAt * this.options.limit));
    this.#warnBytes = this.options.warnAt * this.options.limitBytes;
  }

  /** Events held now. */
  get depth(): number {
    return this.#count;
  }

  /** Estimated bytes held now. */
  get bytes(): number {
    return this.#byteCount;
  }

  /**
   * Slots allocated now: 1024 (or `limit`, if smaller) at first, doubling as the queue fills, up
   * to `limit`, and back to the first size whenever the queue is empty again.
   */
  get capacity(): number {
    return this.#events.length;
  }

  /** The enqueue time of the oldest event held (NaN when empty). */
  get headEnqueuedAt(): number {
    return this.#count === 0 ? NaN : this.#times[this.#head];
  }

  /** The enqueue time of the event the last `shift()` returned. */
  get shiftedEnqueuedAt(): number {
    return this.#lastShiftedAt;
  }

  /**
   * Adds an event at the tail, dropping per the overflow policy when full. Returns `false` when
   * the event itself was dropped (`drop-newest` on a full queue). Never throws.
   *
   * @param enqueuedAt The time to measure latency from, in milliseconds. Default `0`.
   */
  push(event: LogEvent, enqueuedAt = 0): boolean {
    let size = estimateEventBytes(event);
    const { maxEventBytes, limit, limitBytes } = this.options;
    if (size > maxEventBytes) {
      event = truncateEvent(event, maxEventBytes);
      size = Math.min(estimateEventBytes(event), maxEventBytes);
      this.truncated++;
    }
    let dropped = 0;
    if (this.#count >= limit || this.#byteCount + size > limitBytes) {
      if (this.options.overflow === 'drop-newest') {
        this.#countDrops(1);
        return false;
      }
      while (this.#count > 0 && (this.#count >= limit || this.#byteCount + size > limitBytes)) {
        this.#removeHead();
        dropped++;
      }
    }
    // A full ring doubles its slots, up to `limit`: the count is below it here, so there is room.
    if (this.#count === this.#events.length) this.#resize(Math.min(limit, this.#count * 2));
    const index = (this.#head + this.#count) % this.#events.length;
    this.#events[index] = event;
    this.#times[index] = enqueuedAt;
    this.#sizes[index] = size;
    this.#count++;
    this.#byteCount += size;
    // Counters first, diagnostics last: a SelfLog handler that reads the counts sees them settled.
    if (dropped !== 0) this.#countDrops(dropped);
    if (!this.#warned && (this.#count >= this.#warnDepth || this.#byteCount >= this.#warnBytes)) this.#warn();
    return true;
  }

  /** Removes and returns the oldest event, or undefined when empty; its enqueue time is then `shiftedEnqueuedAt`. */
  shift(): LogEvent | undefined {
    if (this.#count === 0) return undefined;
    this.#lastShiftedAt = this.#times[this.#head];
    const event = this.#events[this.#head];
    this.discard(1);
    return event;
  }

  /**
   * Removes and returns up to `n` of the oldest events, in order.
   *
   * @param times When given, receives each returned event's enqueue time at the same index.
   */
  take(n: number, times?: number[]): LogEvent[] {
    const events = this.peek(n, times);
    this.discard(events.length);
    return events;
  }

  /**
   * Returns up to `n` of the oldest events, in order, without removing them (see `discard`).
   *
   * @param times When given, receives each returned event's enqueue time at the same index.
   */
  peek(n: number, times?: number[]): LogEvent[] {
    const taken = Math.max(0, Math.min(n, this.#count));
    const events = new Array<LogEvent>(taken);
    for (let index = 0; index < taken; index++) {
      const at = (this.#head + index) % this.#events.length;
      if (times !== undefined) times.push(this.#times[at]);
      events[index] = this.#events[at] as LogEvent;
    }
    return events;
  }

  /** Removes up to `n` of the oldest events without returning them (after a successful `peek`); not counted as dropped. */
  discard(n: number): void {
    const taken = Math.max(0, Math.min(n, this.#count));
    for (let index = 0; index < taken; index++) this.#removeHead();
    // Back below warnAt: the back-pressure diagnostics are armed again.
    if (this.#count < this.#warnDepth && this.#byteCount < this.#warnBytes) {
      this.#warned = false;
      this.#overflowReported = false;
    }
    // Gives back what a burst allocated: an empty queue returns to its first size (nothing to copy).
    const first = this.#firstCapacity();
    if (this.#count === 0 && this.#events.length > first) this.#resize(first);
  }

  /** Removes the events at `positions` (0 is the oldest), keeping the others in order; not counted as dropped. */
  remove(positions: ReadonlySet<number>): void {
    const count = this.#count;
    const length = this.#events.length;
    let kept = 0;
    for (let index = 0; index < count; index++) {
      const from = (this.#head + index) % length;
      if (positions.has(index)) {
        this.#byteCount -= this.#sizes[from];
        continue;
      }
      const to = (this.#head + kept++) % length;
      this.#events[to] = this.#events[from];
      this.#times[to] = this.#times[from];
      this.#sizes[to] = this.#sizes[from];
    }
    for (let index = kept; index < count; index++) this.#events[(this.#head + index) % length] = undefined;
    this.#count = kept;
    if (kept === 0) this.#byteCount = 0;
    this.discard(0);
  }

  /** Removes and returns everything held, oldest first; not counted as dropped. */
  clear(times?: number[]): LogEvent[] {
    return this.take(this.#count, times);
  }

  /** Forgets the oldest event (its slot is cleared, so the queue holds no reference to it). */
  #removeHead(): void {
    this.#events[this.#head] = undefined;
    this.#byteCount -= this.#sizes[this.#head];
    this.#head = (this.#head + 1) % this.#events.length;
    this.#count--;
    if (this.#count === 0) this.#byteCount = 0; // no float drift left behind
  }

  /** The slots a new or emptied queue has: `INITIAL_CAPACITY`, or `limit` if smaller. */
  #firstCapacity(): number {
    return Math.min(this.options.limit, INITIAL_CAPACITY);
  }

  #resize(capacity: number): void {
    const events = new Array<LogEvent | undefined>(capacity);
    const times = new Float64Array(capacity);
    const sizes = new Float64Array(capacity);
    for (let index = 0; index < this.#count; index++) {
      const from = (this.#head + index) % this.#events.length;
      events[index] = this.#events[from];
      times[index] = this.#times[from];
      sizes[index] = this.#sizes[from];
    }
    this.#events = events;
    this.#times = times;
    this.#sizes = sizes;
    this.#head = 0;
  }

  /** Counts `count` events just dropped by overflow, tells `onDrop`, then writes the overflow diagnostic once per crossing. */
  #countDrops(count: number): void {
    this.dropped += count;
    if (this.#onDrop !== undefined) {
      try {
        this.#onDrop(count);
      } catch (error) {
        SelfLog.write('Queue {Name} onDrop hook failed', this.#name, error);
      }
    }
    if (this.#overflowReported) return;
    this.#overflowReported = true;
    SelfLog.write(
      'Queue {Name} is full; dropping events ({Policy}) until it drains below warnAt',
      this.#name,
      this.options.overflow,
    );
  }

  #warn(): void {
    this.#warned = true;
    SelfLog.write(
      'Queue {Name} is above {Percent}% of its limit ({Depth} events, {Bytes} bytes): the sink is not keeping up',
      this.#name,
      Math.round(this.options.warnAt * 100),
      this.#count,
      Math.round(this.#byteCount),
    );
  }
}
