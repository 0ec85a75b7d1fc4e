import { type MonoTypeOperatorFunction, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { ConfigurationError } from '../core/errors/configuration-error';
import type { LogEvent } from '../core/log-event';
import { MAX_TIMER_MS } from '../core/max-timer-ms';
import { unrefScheduler } from '../core/unref-scheduler';
import { type LogLevelName, levelValue, parseLevel } from '../core/log-level';
import { SelfLog } from '../core/self-log';
import { strayPromise } from '../core/stray-promise';
import { injectEventAccounting, injectScheduler } from './event-accounting';
import { type EventKey, eventKeySelector } from './event-key';
import { checkScheduler, describeOption, numberOption, optionsObject, snapshotOptions } from './operator-options';
import { checkOptionKeys } from '../core/check-option-keys';
import { subscribeUpstream } from './subscribe-upstream';
import { estimateEventBytes } from './event-size';
import { levelRank } from './read-level';

/**
 * What a key does after its trigger: `'passthrough'` lets its later events through unheld (until
 * the key expires or is evicted), `'reset'` starts holding again at once, `{ passthroughMs }` lets
 * them through for that many milliseconds after the latest trigger, then holds again (a key that
 * expires, idle for `ttlMs`, or is evicted before then holds again at once) (`passthroughMs`
 * is required: `{}` or a misspelt key throws a ConfigurationError rather than meaning `'reset'`).
 */
export type AfterTrigger = 'passthrough' | 'reset' | { readonly passthroughMs: number };

/** Options of {@link fingersCrossed}. */
export interface FingersCrossedOptions {
  /** The level at or above which an event releases what is held, or a predicate that says so (its answer read as RxJS's `filter` reads it: truthy triggers; a Promise does not; for an event on which it throws, the `'error'` level decides, told to SelfLog once). An event whose level is not one of the six names (an app operator's `'Error'`) counts as `fatal`, so it triggers, never held to be dropped. Default `'error'`. */
  trigger?: LogLevelName | ((event: LogEvent) => boolean) | undefined;
  /** Most events held per key, in events; the oldest is dropped (and counted) beyond it. Default `1000`. */
  bufferSize?: number | undefined;
  /** What separates held events into independent rings, e.g. `'RequestId'`: a property name or a function. Default: one ring for all. */
  isolateBy?: EventKey | undefined;
  /** How long a key may stay idle (no event) before its ring is dropped (counted) and its state forgotten, in milliseconds, from 1 to 2^31 - 1, or `Infinity` (never). Default `Infinity`. */
  ttlMs?: number | undefined;
  /** What a key does after its trigger. Default `'passthrough'` (LogTape's behaviour). */
  afterTrigger?: AfterTrigger | undefined;
  /** Most keys tracked at once; the least recently seen key is evicted (its ring dropped and counted) beyond it. Default `1000`. */
  maxKeys?: number | undefined;
  /** Most estimated bytes held in all: the events held (estimated as queues estimate events), and each key tracked, its value's length (a structure's JSON text) and its state; beyond it the least recently seen keys that hold events are evicted (their rings dropped and counted), then the oldest events of the arriving event's own key (counted as overflow), then the least recently seen keys that hold none (a key passing through after its trigger forgets it: its next event is held, as a new key's). Events that arrive while a release is taken weigh against it too (past it, the oldest of them are dropped as overflow). Default `16 * 1024 * 1024` (16 MiB). */
  maxBytes?: number | undefined;
  /**
   * The level at or above which an event below the trigger is passed on at once, never held, so
   * warnings of requests that never fail still reach the sink (Monolog's `passthruLevel`; LogTape's
   * `bufferLevel: 'info'` is `passthroughLevel: 'warning'`). Below a trigger given as a level.
   * Default: none (every event below the trigger is held).
   */
  passthroughLevel?: LogLevelName | undefined;
}

/** Why fingersCrossed dropped events, as the sink's `droppedBy` names it. */
export const FINGERS_CROSSED_REASONS = Object.freeze({
  overflow: 'fingersCrossed.overflow',
  expired: 'fingersCrossed.expired',
  evicted: 'fingersCrossed.evicted',
  untriggered: 'fingersCrossed.untriggered',
  /** Released by a trigger while the downstream unsubscribed (the lane torn down at close), or arrived as it did (its trigger predicate or isolateBy selector logged what made it unsubscribe). */
  discarded: 'fingersCrossed.discarded',
});

/**
 * What a tracked key costs besides its value's length: its state, its ring's object and arrays,
 * its Map entry (about 244 bytes measured in V8).
 */
const KEY_BYTES = 256;

/** A fixed-size ring of held events, oldest first, with their estimated bytes. */
class Ring {
  private items: (LogEvent | undefined)[] = [];
  private sizes: number[] = [];
  private start = 0;
  length = 0;
  /** The estimated bytes of the events held. */
  bytes = 0;

  constructor(readonly capacity: number) {}

  /** Adds an event of `size` estimated bytes; the caller has made room (`length < capacity`). */
  push(event: LogEvent, size: number): void {
    const index = (this.start + this.length) % this.capacity;
    this.items[index] = event;
    this.sizes[index] = size;
    this.length++;
    this.bytes += size;
  }

  /** Drops the oldest event; returns its estimated bytes. */
  shift(): number {
    const size = this.sizes[this.start];
    this.items[this.start] = undefined;
    this.start = (this.start + 1) % this.capacity;
    this.length--;
    this.bytes -= size;
    return size;
  }

  /**
   * Lets the slots of a ring its byte bound shrank go (its arrays keep their high-water length,
   * about 16 bytes a slot, up to `capacity`): once it holds less than a quarter of them, and 32 or
   * more are spare (a small ring is not copied again and again), what it holds is moved to the
   * front and the rest released.
   */
  shrink(): void {
    if (this.items.length < 4 * this.length + 32) return;
    const items: (LogEvent | undefined)[] = [];
    const sizes: number[] = [];
    for (let i = 0; i < this.length; i++) {
      const index = (this.start + i) % this.capacity;
      items.push(this.items[index]);
      sizes.push(this.sizes[index]);
    }
    this.items = items;
    this.sizes = sizes;
    this.start = 0;
  }

  /** Removes and returns every held event, oldest first. */
  drain(): LogEvent[] {
    const events: LogEvent[] = [];
    for (let i = 0; i < this.length; i++) {
      const index = (this.start + i) % this.capacity;
      events.push(this.items[index] as LogEvent);
    }
    // Emptied, the arrays let their slots go: a key passing through weighs only KEY_BYTES.
    this.items.length = 0;
    this.sizes.length = 0;
    this.start = 0;
    this.length = 0;
    this.bytes = 0;
    return events;
  }
}

/** How the source ended. */
type Ending = { readonly kind: 'complete' } | { readonly kind: 'error'; readonly error: unknown };

interface KeyState {
  readonly ring: Ring;
  /** Until when (scheduler time) events pass unheld; -Infinity while holding. */
  passUntil: number;
  lastSeen: number;
  /** What the key itself weighs in estimated bytes (see KEY_BYTES), at most maxBytes. */
  readonly weight: number;
}

function triggerPredicate(trigger: FingersCrossedOptions['trigger']): (event: LogEvent) => boolean {
  // A JavaScript caller's null is no level, not the default.
  const threshold = levelValue(
    parseLevel(trigger === undefined || typeof trigger === 'function' ? 'error' : trigger, 'fingersCrossed: trigger'),
  );
  // An event of a level that is not one of the six (an app operator's 'Error') triggers, as fatal,
  // rather than being held and dropped untriggered. A value that is not an event (an app operator's
  // `undefined`, a Proxy whose reads throw) is held as one below the trigger: failing on it would
  // lose everything held.
  const atLevel = (event: LogEvent): boolean => levelRank(event) >= threshold;
  if (typeof trigger !== 'function') return atLevel;
  let told = false;
  return (event) => {
    // A value that is not an event is held as one below the trigger, without asking a predicate
    // written for events (which would throw on it).
    if (typeof event !== 'object' || (event as unknown) === null) return false;
    try {
      const answer: unknown = trigger(event);
      // Read as RxJS's filter reads a predicate (a JavaScript `e => e.exception` triggers on an
      // exception); an async predicate's Promise is no answer, not a trigger for every event.
      return !strayPromise(answer, 'fingersCrossed trigger', trigger) && !!answer;
    } catch (error) {
      // The default level decides for this event, so an Error still releases what is held rather
      // than being held (and maybe dropped) itself. Said once per operator, not once an event.
      if (!told) SelfLog.write('fingersCrossed: the trigger predicate threw; the Error level decides instead', error);
      told = true;
      return atLevel(event);
    }
  };
}

function passthroughFor(given: AfterTrigger | undefined): number {
  const afterTrigger = snapshotOptions(given, 'fingersCrossed: afterTrigger', ['passthroughMs']);
  if (afterTrigger === undefined || afterTrigger === 'passthrough') return Number.POSITIVE_INFINITY;
  if (afterTrigger === 'reset') return 0;
  if (typeof afterTrigger === 'object' && (afterTrigger as unknown) !== null && !Array.isArray(afterTrigger)) {
    // A misspelt or missing passthroughMs would otherwise read as 0, which is 'reset': no passthrough, and nothing said.
    checkOptionKeys('fingersCrossed: afterTrigger', afterTrigger, ['passthroughMs']);
    if ((afterTrigger.passthroughMs as unknown) === undefined)
      throw new ConfigurationError('fingersCrossed: afterTrigger.passthroughMs: required (milliseconds ≥ 0)');
    return numberOption(afterTrigger.passthroughMs, 0, 'fingersCrossed: afterTrigger.passthroughMs', { min: 0 });
  }
  throw new ConfigurationError(
    `fingersCrossed: afterTrigger: expected 'passthrough', 'reset' or { passthroughMs }, got ${describeOption(afterTrigger)}`,
  );
}

/** The level value from which events pass unheld (`Infinity`: none), checked against a trigger given as a level. */
function passthroughFrom(level: LogLevelName | undefined, trigger: FingersCrossedOptions['trigger']): number {
  if (level === undefined) return Number.POSITIVE_INFINITY;
  const value = levelValue(parseLevel(level, 'fingersCrossed: passthroughLevel'));
  // At or above the trigger it would pass nothing: such events release the ring instead.
  if (typeof trigger !== 'function' && value >= levelValue(parseLevel(trigger ?? 'error', 'fingersCrossed: trigger')))
    throw new ConfigurationError(
      `fingersCrossed: passthroughLevel: expected a level below the trigger "${trigger ?? 'error'}", got ${describeOption(level)}`,
    );
  return value;
}

/**
 * Holds events below the trigger level in a bounded ring per isolation key and lets them go only
 * when something goes wrong: a trigger event releases its key's ring, oldest first, then itself
 * (LogTape's "fingers crossed"). Debug detail costs nothing in the output until it is needed.
 * A release reaches the subscriber whole: an event that arrives while the subscriber takes a
 * released event (a subscriber that logs) comes after the trigger, in arrival order, and the
 * source's completion or error arriving then (a subscriber that closes the logger) is passed on
 * after them.
 *
 * In a sink's `pipe`, what it holds counts in the sink's `pending`, and what it drops (ring
 * overflow, an expired or evicted key, whatever is still held when the stream ends, what a trigger
 * released after the downstream went away) in `dropped`
 * and `droppedBy` (see {@link FINGERS_CROSSED_REASONS}). Events at or above `passthroughLevel` pass
 * at once, as after a trigger.
 *
 * ```text
 * source:              -d1-d2-i3-E4-d5-|     (d = debug, i = information, E = error)
 * fingersCrossed():    ----------(d1 d2 i3 E4)-d5-|   ('passthrough' after the trigger)
 * ```
 *
 * @param scheduler Reads the clock and runs the expiry timer. Default: given none, the scheduler of the logger whose pipeline subscribes it (`useScheduler`), read at subscribe; outside a logger, `unrefScheduler` (its timer never keeps a Node process alive).
 * @throws ConfigurationError when an option is invalid.
 * @example
 * .writeTo.sink(file, { pipe: [fingersCrossed({ isolateBy: 'RequestId', ttlMs: 60_000 })] })
 */
export function fingersCrossed(
  options: FingersCrossedOptions = {},
  scheduler?: SchedulerLike,
): MonoTypeOperatorFunction<LogEvent> {
  const names = ['trigger', 'bufferSize', 'isolateBy', 'ttlMs', 'afterTrigger', 'maxKeys', 'maxBytes', 'passthroughLevel'];
  const given = snapshotOptions(optionsObject(options, 'fingersCrossed'), 'fingersCrossed', names);
  checkOptionKeys('fingersCrossed', given, names);
  const { trigger, afterTrigger, isolateBy, passthroughLevel, ...bounds } = given;
  const isTrigger = triggerPredicate(trigger);
  const passAt = passthroughFrom(passthroughLevel, trigger);
  // Memory bounds: finite.
  const count = { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true };
  const bufferSize = numberOption(bounds.bufferSize, 1000, 'fingersCrossed: bufferSize', count);
  const maxKeys = numberOption(bounds.maxKeys, 1000, 'fingersCrossed: maxKeys', count);
  // Counts alone let 1 000 keys of 1 000 events hold gigabytes of large events (a request body each).
  const maxBytes = numberOption(bounds.maxBytes, 16 * 1024 * 1024, 'fingersCrossed: maxBytes', count);
  const ttlMs = numberOption(bounds.ttlMs, Number.POSITIVE_INFINITY, 'fingersCrossed: ttlMs', { min: 1 });
  // The expiry sweep is a timer: past 2^31 - 1 ms Node's and browsers' timers fire at once.
  if (ttlMs !== Number.POSITIVE_INFINITY && ttlMs > MAX_TIMER_MS)
    throw new ConfigurationError(
      `fingersCrossed: ttlMs: expected milliseconds from 1 to ${MAX_TIMER_MS} or Infinity, got ${ttlMs}`,
    );
  const passthroughMs = passthroughFor(afterTrigger);
  if (scheduler !== undefined) checkScheduler('fingersCrossed', scheduler);
  const keyOf = isolateBy === undefined ? () => undefined : eventKeySelector(isolateBy, 'fingersCrossed: isolateBy');

  return (source) =>
    new Observable<LogEvent>((subscriber) => {
      const accounting = injectEventAccounting();
      // Given none: the logger's scheduler when a logger's pipeline subscribes it (useScheduler), else the default.
      const clock = scheduler ?? injectScheduler(unrefScheduler);
      // A Map keeps insertion order: a key seen again is moved to the end, so the first entry is
      // always the least recently seen (the one to evict, and the first to expire).
      const states = new Map<unknown, KeyState>();
      let sweep: Subscription | null = null;
      // The estimated bytes held: every key's weight and every ring's `bytes`, bounded by maxBytes.
      let held = 0;
      // The keys' part of it (the sum of their weights).
      let keyBytes = 0;

      const forget = (key: unknown, state: KeyState, reason: string): void => {
        states.delete(key);
        held -= state.weight + state.ring.bytes;
        keyBytes -= state.weight;
        if (state.ring.length > 0) accounting.dropped(state.ring.drain().length, reason);
      };

      /**
       * Evicts the least recently seen keys but `keep` (those that hold events only, when
       * `holding`) until `size` more bytes fit maxBytes.
       */
      const evictFor = (size: number, keep: KeyState | null, holding: boolean): void => {
        for (const [key, other] of states) {
          // Stop once the other keys' rings hold nothing, when only those are wanted.
          if (held + size <= maxBytes || (holding && held - keyBytes === (keep?.ring.bytes ?? 0))) break;
          if (other !== keep && (!holding || other.ring.length > 0)) forget(key, other, FINGERS_CROSSED_REASONS.evicted);
        }
      };

      /**
       * Makes room in `state`'s ring for one event of `size` estimated bytes: past `bufferSize` its
       * oldest goes (overflow); past `maxBytes` the least recently seen other keys that hold events
       * are evicted, as beyond `maxKeys`, then its own oldest go (overflow), then the least recently
       * seen keys that hold none (passing through after a trigger, which they forget). Counted
       * once, after the rings settle.
       */
      const makeRoom = (state: KeyState, size: number): void => {
        let overflowed = 0;
        if (state.ring.length === state.ring.capacity) {
          held -= state.ring.shift();
          overflowed++;
        }
        if (held + size > maxBytes) {
          evictFor(size, state, true);
          while (state.ring.length > 0 && held + size > maxBytes) {
            held -= state.ring.shift();
            overflowed++;
          }
          state.ring.shrink();
          evictFor(size, state, false);
        }
        if (overflowed > 0) accounting.dropped(overflowed, FINGERS_CROSSED_REASONS.overflow);
      };

      const armSweep = (): void => {
        if (sweep !== null || ttlMs === Number.POSITIVE_INFINITY) return;
        const oldest = states.values().next();
        if (oldest.done === true) return;
        const delay = Math.max(0, oldest.value.lastSeen + ttlMs - clock.now());
        sweep = clock.schedule(() => {
          sweep = null;
          const now = clock.now();
          for (const [key, state] of states) {
            if (state.lastSeen + ttlMs > now) break;
            forget(key, state, FINGERS_CROSSED_REASONS.expired);
          }
          armSweep();
        }, delay);
      };

      const stateFor = (key: unknown, now: number): KeyState => {
        let state = states.get(key);
        if (state !== undefined) {
          states.delete(key);
        } else {
          if (states.size >= maxKeys) {
            const [oldestKey, oldest] = states.entries().next().value as [unknown, KeyState];
            forget(oldestKey, oldest, FINGERS_CROSSED_REASONS.evicted);
          }
          // A key made from data (an id, a structure's JSON text) weighs its length, as throttleEvents weighs its keys.
          const weight = Math.min(KEY_BYTES + (typeof key === 'string' ? key.length : 0), maxBytes);
          evictFor(weight, null, false);
          state = { ring: new Ring(bufferSize), passUntil: Number.NEGATIVE_INFINITY, lastSeen: now, weight };
          held += weight;
          keyBytes += weight;
        }
        state.lastSeen = now;
        states.set(key, state);
        return state;
      };

      const dropAll = (): void => {
        for (const [key, state] of states) forget(key, state, FINGERS_CROSSED_REASONS.untriggered);
        sweep?.unsubscribe();
        sweep = null;
      };

      // Events that arrive while a trigger's release is delivered (the subscriber logs while taking
      // a released event) wait here, so the release reaches the subscriber whole, and are taken
      // right after it, in arrival order. Only the outermost release defers: what arrives while they
      // are taken is taken at once, on the same stack, so a subscriber that logs for every event it
      // sees still nests, and the logger's bound on nested log calls still stops it.
      // They are weighed in `held` against maxBytes (a subscriber that logs large events for each
      // released one queued them unbounded): one that does not fit evicts the least recently seen
      // keys that hold events, then the oldest waiting (overflow).
      let deferring = false;
      let draining = false;
      const arrivedDuringRelease: LogEvent[] = [];
      const arrivedSizes: number[] = [];
      const nextArrived = (): LogEvent => {
        held -= arrivedSizes.shift() as number;
        return arrivedDuringRelease.shift() as LogEvent;
      };
      const arrive = (event: LogEvent): void => {
        const size = Math.min(estimateEventBytes(event), maxBytes);
        if (held + size > maxBytes) {
          evictFor(size, null, true);
          let overflowed = 0;
          for (; arrivedDuringRelease.length > 0 && held + size > maxBytes; overflowed++) nextArrived();
          if (overflowed > 0) accounting.dropped(overflowed, FINGERS_CROSSED_REASONS.overflow);
        }
        arrivedDuringRelease.push(event);
        arrivedSizes.push(size);
        held += size;
      };
      const discardArrived = (): void => {
        if (arrivedDuringRelease.length > 0) accounting.dropped(arrivedDuringRelease.length, FINGERS_CROSSED_REASONS.discarded);
        while (arrivedDuringRelease.length > 0) nextArrived();
      };

      const release = (released: LogEvent[]): void => {
        for (let i = 0; i < released.length; i++) {
          // The downstream went away while taking them (unsubscribed on one of them).
          if (subscriber.closed) {
            accounting.dropped(released.length - i, FINGERS_CROSSED_REASONS.discarded);
            break;
          }
          subscriber.next(released[i]);
        }
      };

      // The source's end, when it comes while a release is taken (the subscriber closes the logger
      // on a released event): passed on once the release and what arrived during it are taken, so
      // no released event is cut off or comes after the completion.
      let endedDuringRelease: Ending | null = null;
      const end = (ending: Ending): void => {
        discardArrived();
        dropAll();
        if (ending.kind === 'error') subscriber.error(ending.error);
        else subscriber.complete();
      };
      const endOrDefer = (ending: Ending): void => {
        if (deferring || draining) endedDuringRelease ??= ending;
        else end(ending);
      };

      // A call, not a read TypeScript would narrow: the subscriber may go away during any call below.
      const downstreamGone = (): boolean => subscriber.closed;

      const take = (event: LogEvent): void => {
        // The key and the trigger first: a selector or predicate that logs sends its event through
        // here on this turn, and that may evict a key (maxKeys); the state is taken after it.
        const key = keyOf(event);
        const triggers = isTrigger(event);
        // What they logged made the subscriber unsubscribe: the teardown has counted what was held,
        // and this event, neither held nor passed on, is counted with it.
        if (downstreamGone()) {
          accounting.dropped(1, FINGERS_CROSSED_REASONS.discarded);
          return;
        }
        const now = clock.now();
        const state = stateFor(key, now);
        if (triggers) {
          // Set before emitting: an event the subscriber logs on this turn comes after the trigger.
          state.passUntil = passthroughMs === 0 ? Number.NEGATIVE_INFINITY : now + passthroughMs;
          held -= state.ring.bytes;
          const released = state.ring.drain();
          released.push(event);
          if (draining) {
            release(released);
          } else {
            deferring = true;
            try {
              release(released);
            } finally {
              deferring = false;
            }
            draining = true;
            try {
              while (arrivedDuringRelease.length > 0 && !subscriber.closed) take(nextArrived());
            } finally {
              draining = false;
              // The downstream went away, or taking one threw: what waited is counted, not lost silently.
              discardArrived();
              const ending = endedDuringRelease;
              endedDuringRelease = null;
              if (ending !== null) end(ending);
            }
          }
        } else if (state.passUntil > now || levelRank(event) >= passAt) {
          subscriber.next(event);
        } else {
          // One event larger than maxBytes is held alone, as if it were maxBytes: what is held then
          // weighs at most maxBytes, its own key, and one event the caller had already made.
          const size = Math.min(estimateEventBytes(event), maxBytes);
          makeRoom(state, size);
          state.ring.push(event, size);
          held += size;
        }
        armSweep();
      };

      subscribeUpstream(source, subscriber, {
        next: (event) => {
          if (deferring) arrive(event);
          else take(event);
        },
        error: (error: unknown) => endOrDefer({ kind: 'error', error }),
        complete: () => endOrDefer({ kind: 'complete' }),
      });
      return () => {
        discardArrived();
        dropAll();
      };
    });
}
