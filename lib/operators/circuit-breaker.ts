import { BehaviorSubject, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { checkTimerMs } from '../core/max-timer-ms';
import { SelfLog } from '../core/self-log';
import { unrefScheduler } from '../core/unref-scheduler';
import type { BreakerStateName } from '../metrics/metrics-types';
import { BrokenCircuitError } from './broken-circuit-error';
import { checkCount, checkScheduler, optionsObject } from './operator-options';
import { readOptions } from '../core/read-options';
import { expectOption } from '../core/expect-option';
import { checkOptionKeys } from '../core/check-option-keys';
import { guardSubscribers } from '../core/guard-subscribers';
import { hasSharedBrand } from '../core/shared-brand';
import { subscribeUpstream } from './subscribe-upstream';
import { injectScheduler } from './event-accounting';
import { passGate, quietGate } from '../core/report-gate';
import { retryHint } from '../core/retry-hint';

/** Marks the CircuitBreakers of every copy of rxlog in a process (its CommonJS and ES module builds). */
const BRAND: unique symbol = Symbol.for('rxlog.CircuitBreaker');

/** Shortest interval between two SelfLog lines of one breaker's failed probes, in milliseconds (the rest are counted in the next). */
const PROBE_REPORT_INTERVAL_MS = 60_000;

/** When a breaker opens and how long it stays open. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker, a count. Default `5`. */
  failureThreshold?: number | undefined;
  /** How long the breaker stays open before one probe is let through, in milliseconds. Default `400`; at most 2^31 - 1 (a timer fires at once past it). */
  resetTimeoutMs?: number | undefined;
  /**
   * Longest open time, in milliseconds: each failed probe doubles the open time, from
   * `resetTimeoutMs` up to this, until a probe succeeds. Default `resetTimeoutMs`: no backoff, a
   * probe every `resetTimeoutMs`, so a sink that recovers is written to again within it. At most
   * 2^31 - 1; not less than `resetTimeoutMs`. A failure's `Retry-After` can hold the breaker open
   * longer (see `recordFailure`).
   */
  maxResetTimeoutMs?: number | undefined;
}

/** CircuitBreakerOptions with defaults applied and values checked. */
export interface ResolvedCircuitBreakerOptions {
  readonly failureThreshold: number;
  readonly resetTimeoutMs: number;
  readonly maxResetTimeoutMs: number;
}

/**
 * Applies CircuitBreakerOptions' defaults and checks them.
 *
 * @throws ConfigurationError naming the bad value.
 */
export function resolveCircuitBreakerOptions(options: CircuitBreakerOptions = {}): ResolvedCircuitBreakerOptions {
  const given = optionsObject(options, 'circuitBreaker');
  // Defaults by destructuring, which only a missing option takes: a JavaScript caller's null is refused below.
  const { failureThreshold = 5, resetTimeoutMs = 400 } = given;
  const { maxResetTimeoutMs = resetTimeoutMs } = given;
  checkCount('circuitBreaker.failureThreshold', failureThreshold, 'failures');
  checkTimerMs('circuitBreaker.resetTimeoutMs', resetTimeoutMs);
  checkTimerMs('circuitBreaker.maxResetTimeoutMs', maxResetTimeoutMs, resetTimeoutMs);
  return { failureThreshold, resetTimeoutMs, maxResetTimeoutMs };
}

/**
 * A circuit breaker's state machine: `closed` counts consecutive failures and opens at
 * `failureThreshold`; `open` rejects every call until `resetTimeoutMs` has passed (by the
 * scheduler's clock), then lets exactly one probe through as `half-open`; the probe's success
 * closes it, its failure opens it again, for twice as long each time up to `maxResetTimeoutMs`
 * when that is set (as Polly's break duration generator and Serilog's batching backoff do), else
 * for `resetTimeoutMs` again; a failure that asks for a longer wait (an HTTP `Retry-After`, given
 * to `recordFailure`) holds it open that long. Time is only read when a call
 * asks, so an idle breaker schedules nothing. Changes go to `state$` and to SelfLog; SelfLog hears
 * of the first probe of an outage, then of failed probes at most once a minute (with the count of
 * those not told), and always of the close. The caller must report every acquired call's outcome
 * with `recordSuccess`, `recordFailure` or `releaseProbe` (given `tryAcquireCall`'s answer, so
 * only the probe's decides a half-open breaker).
 *
 * @example
 * const breaker = new CircuitBreaker({ failureThreshold: 3 }, unrefScheduler, 'payments');
 * if (breaker.tryAcquire() === 'primary') {
 *   try { await pay(); breaker.recordSuccess(); } catch (error) { breaker.recordFailure(); throw error; }
 * }
 */
export class CircuitBreaker {
  /**
   * `value instanceof CircuitBreaker` holds for a breaker made by any copy of rxlog in the process
   * (its CommonJS and ES module builds), so `circuitBreaker(breaker)` shares it. For a subclass,
   * `instanceof` keeps its usual meaning.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return hasSharedBrand(this, CircuitBreaker, BRAND, value);
  }

  /** The mark `instanceof CircuitBreaker` reads. */
  get [BRAND](): true {
    // On the prototype, not each instance: printed by Node, an instance would show it.
    return true;
  }
  /** The options in force, defaults applied. */
  readonly options: ResolvedCircuitBreakerOptions;
  #current: BreakerStateName = 'closed';
  /** Consecutive failures while closed. */
  #failures = 0;
  /** When the breaker last opened, by the scheduler's clock. */
  #openedAt = 0;
  /** Failed probes since the breaker last closed: the open time doubles with each. */
  #failedProbes = 0;
  /** Whether SelfLog has heard of a probe since the breaker last closed (only the outage's first is told). */
  #probeTold = false;
  /** How long it stays open this time, in milliseconds. */
  #openMs: number;
  /** The failure that last opened it (see lastFailure). */
  #lastFailure: unknown;
  /** When SelfLog last heard of a failed probe, and how many it has not heard of since. */
  readonly #probeReports = quietGate();
  readonly #subject = new BehaviorSubject<BreakerStateName>('closed');
  readonly #scheduler: SchedulerLike;

  /**
   * @param scheduler The clock for `resetTimeoutMs`. Default `unrefScheduler`.
   * @param name Named in diagnostics. Default `'circuit'`.
   * @throws ConfigurationError when an option is invalid or unknown (or reading it throws), the scheduler is not a SchedulerLike, or the name is not a string.
   */
  constructor(
    options: CircuitBreakerOptions = {},
    scheduler: SchedulerLike = unrefScheduler,
    readonly name = 'circuit',
  ) {
    // Each option read once (see readOptions): a getter that throws, or a Proxy's trap, is a
    // ConfigurationError naming it, and one that answers differently on each read is read once.
    const keys = ['failureThreshold', 'resetTimeoutMs', 'maxResetTimeoutMs'];
    const given = readOptions('circuitBreaker', optionsObject(options, 'circuitBreaker'), keys);
    this.options = resolveCircuitBreakerOptions(given);
    // Refused here, as circuitBreaker(options) refuses them: a misspelt option would mean its default,
    // and a scheduler without now() (a name given in its place) would throw out of recordFailure.
    checkOptionKeys('circuitBreaker', given, keys);
    checkScheduler('CircuitBreaker', scheduler);
    // Named in every BrokenCircuitError's message: a value whose text cannot be made would throw there.
    expectOption(typeof name === 'string', 'CircuitBreaker: name', 'a string', name);
    this.#scheduler = scheduler;
    this.#openMs = this.options.resetTimeoutMs;
  }

  /** The state's name now. An open breaker whose reset timeout has passed still reads `open` until the next `tryAcquire`. */
  get state(): BreakerStateName {
    return this.#current;
  }

  /**
   * The state now and every change after (a BehaviorSubject underneath). A subscriber that throws
   * is reported to SelfLog and stays subscribed: it can neither crash the process nor reach the call.
   */
  get state$(): Observable<BreakerStateName> {
    return guardSubscribers(this.#subject.asObservable(), (error) => SelfLog.write('A state$ subscriber failed', error));
  }

  /**
   * While open, the milliseconds until `tryAcquire` lets a probe through (0 once it would);
   * otherwise `undefined`. A rejected call's `BrokenCircuitError` carries it, as its `retryAfterMs`.
   */
  get retryAfterMs(): number | undefined {
    return this.#current === 'open' ? Math.max(0, this.#openedAt + this.#openMs - this.#scheduler.now()) : undefined;
  }

  /**
   * While open or half-open, the failure that last opened the breaker, as given to
   * `recordFailure` (the failed probe's once a probe failed); `undefined` when closed or none was
   * given. A rejected call's `BrokenCircuitError` has it as its `cause`. When that failure is itself
   * a `BrokenCircuitError` (a call through another breaker, or through this one again), its
   * `cause` is kept instead: a chain holds one rejection, however many outages feed it back.
   */
  get lastFailure(): unknown {
    return this.#lastFailure;
  }

  /** Asks to make a call: `'primary'` to go ahead (possibly as the half-open probe), `'reject'` to skip it. */
  tryAcquire(): 'primary' | 'reject' {
    return this.tryAcquireCall() === 'reject' ? 'reject' : 'primary';
  }

  /**
   * Asks to make a call, as `tryAcquire` does, and tells the half-open probe apart: `'probe'` for
   * the call that moved the breaker to half-open, `'primary'` for any other call let through,
   * `'reject'` to skip it. Give the answer to `recordSuccess`, `recordFailure` and `releaseProbe`,
   * so the outcome of a call made before the breaker opened, which ends while the probe is out,
   * counts as nothing there, as it would while open (the `circuitBreaker` operator tells them
   * apart so): only the probe's answer closes or reopens a half-open breaker.
   *
   * @example
   * const call = breaker.tryAcquireCall();
   * if (call !== 'reject') {
   *   try { await pay(); breaker.recordSuccess(call); } catch (error) { breaker.recordFailure(0, 5_000, error, call); throw error; }
   * }
   */
  tryAcquireCall(): 'primary' | 'probe' | 'reject' {
    // Half-open: the probe is out; everyone else waits for its outcome.
    if (this.#current === 'closed') return 'primary';
    if (this.#current === 'half-open' || this.#scheduler.now() - this.#openedAt < this.#openMs) return 'reject';
    this.#moveTo('half-open');
    return 'probe';
  }

  /**
   * Reports that an acquired call succeeded: resets the failure count, or closes a half-open breaker.
   *
   * @param call What `tryAcquireCall` answered for the call: half-open, a `'primary'` call's
   * success counts as nothing, as its failure does (it was made before the breaker opened: old
   * news, as while open), so only the probe's answer closes the breaker, as in cockatiel. Without
   * it, any success reported half-open is taken as the probe's.
   */
  recordSuccess(call?: 'primary' | 'probe'): void {
    // Open: a call acquired before the breaker opened finished late; the open period stands.
    if (this.#current === 'closed') this.#failures = 0;
    else if (this.#current === 'half-open' && call !== 'primary') this.#moveTo('closed');
  }

  /**
   * Reports that an acquired call failed: counts it, opening the breaker at the threshold, or reopens a half-open one.
   *
   * @param retryAfterMs The least wait the failure asked for, in milliseconds (its error's
   * `retryAfterMs`: an `HttpStatusError`'s `Retry-After`): when this failure opens the breaker, it
   * stays open for the longer of its open time and this wait, the wait capped by `maxRetryAfterMs`,
   * as a retry waits the longer of its backoff and the wait, capped by its `maxDelayMs`. Without it
   * (or NaN), the open time is as the options make it.
   * @param maxRetryAfterMs The longest wait for a `Retry-After`, in milliseconds (the retries' `maxDelayMs`). Default `5_000`, as theirs.
   * @param error The failure, kept as `lastFailure` when it opens the breaker.
   * @param call What `tryAcquireCall` answered for the call: half-open, a `'primary'` call's
   * failure counts as nothing (it was made before the breaker opened: old news, as while open,
   * and reopening on it would throw away the probe's answer). Without it, any failure reported
   * half-open is taken as the probe's.
   */
  recordFailure(retryAfterMs = 0, maxRetryAfterMs = 5_000, error?: unknown, call?: 'primary' | 'probe'): void {
    if (this.#current === 'half-open' && call === 'primary') return;
    if (this.#current === 'half-open') this.#failedProbes++;
    if (this.#current === 'half-open' || (this.#current === 'closed' && ++this.#failures >= this.options.failureThreshold)) {
      // A rejection's cause, not the rejection: a chain never holds two. Bounded for a cycle a caller
      // built; a Proxy's trap or a getter that throws leaves the failure as far as it was unwrapped.
      try {
        for (let depth = 0; depth < 8 && error instanceof BrokenCircuitError; depth++) error = error.cause;
      } catch {
        // Kept as it is.
      }
      this.#lastFailure = error;
      // NaN from JavaScript: no wait.
      this.#moveTo('open', this.#scheduler.now(), Math.min(retryAfterMs, maxRetryAfterMs) || 0);
    }
  }

  /**
   * Ends the open period now: the next `tryAcquire` lets a probe through. A logger's `close()`
   * calls it, so what is queued gets one try of the sink (as Serilog's batching sink tries its
   * queue once at shutdown) instead of going past it unless the reset timeout has passed.
   */
  probeNow(): void {
    if (this.#current === 'open') this.#openedAt = this.#scheduler.now() - this.#openMs;
  }

  /**
   * Gives back a half-open probe that ended without an outcome (it was cancelled): the next
   * `tryAcquire` probes again. Not told to SelfLog: nothing was learnt of the resource, and a
   * caller that cancels every call (a `switchMap`, a `timeout` after the breaker) would write
   * two lines per call.
   *
   * @param call What `tryAcquireCall` answered for the call: half-open, a `'primary'` call (made
   * before the breaker opened) holds no probe, so giving it back leaves the probe out, as its
   * outcome would count as nothing; giving back the probe's slot would let a second probe through
   * while the first is out. Without it, the call is taken as the probe.
   */
  releaseProbe(call?: 'primary' | 'probe'): void {
    if (this.#current === 'half-open' && call !== 'primary') this.#moveTo('open', this.#scheduler.now() - this.#openMs, 0, false);
  }

  #moveTo(next: BreakerStateName, openedAt = 0, atLeastMs = 0, tell = true): void {
    const previous = this.#current;
    const { resetTimeoutMs, maxResetTimeoutMs } = this.options;
    const now = this.#scheduler.now();
    this.#current = next;
    this.#failures = 0;
    this.#openedAt = openedAt;
    // Closed, the failure is let go: an error can hold a response or a socket.
    if (next === 'closed') {
      this.#failedProbes = 0;
      this.#lastFailure = undefined;
    }
    // At most 31 doublings: resetTimeoutMs 0 times 2^1024 would be NaN.
    // A failure's Retry-After holds it open longer.
    this.#openMs = Math.max(Math.min(resetTimeoutMs * 2 ** Math.min(this.#failedProbes, 31), maxResetTimeoutMs), atLeastMs);
    if (previous === next) return;
    // Only the first probe of an outage is told as it starts, and a failed one at most once a
    // minute: a resource down for hours (a full disk) made three lines per probe, several a second.
    // (Only a reopening has failed probes behind it: one from closed has none.) The close tells
    // what went untold. A probe given back (releaseProbe) is not told, nor is the next one.
    const gate = this.#probeReports;
    let untold: number | undefined = tell ? gate.untold : undefined;
    if (next === 'half-open') {
      if (this.#probeTold) untold = undefined;
      this.#probeTold = true;
    } else if (next === 'closed') this.#probeTold = false;
    else if (tell) untold = passGate(gate, now, this.#failedProbes > 1 ? PROBE_REPORT_INTERVAL_MS : 0, 1);
    if (untold !== undefined) {
      gate.untold = 0;
      SelfLog.write(
        'Circuit breaker {Name} is now {State} (was {Previous}){Detail}',
        this.name,
        next,
        previous,
        (next === 'open' ? `; next probe in ${this.#openMs} ms` : '') +
          (untold === 0 ? '' : ` (${untold} more failed probes not reported)`),
      );
    }
    this.#subject.next(next);
  }
}

/** An operator that guards a cold source with a shared circuit breaker; the breaker is exposed for its state. */
export interface CircuitBreakerOperator {
  <T>(source: Observable<T>): Observable<T>;
  /** The breaker every source piped through this operator shares. */
  readonly breaker: CircuitBreaker;
}

/**
 * Guards calls with one shared circuit breaker. Each subscription to a guarded source is one
 * call: while the breaker is open it errors at once with `BrokenCircuitError` (its `cause` the
 * failure that opened the breaker) without subscribing to the source; otherwise the source's
 * error counts as a failure (one marked `permanent: true`, an `HttpStatusError` 400, counts as a
 * success: the resource answered, as an outcome Polly's `ShouldHandle` leaves out does; one marked
 * `permanent: 'sink'`, a 401 or 404, is a failure; see `retryHint`), and its completion, or an
 * unsubscribe after it emitted a value (`take(1)`, `firstValueFrom`), as a success; an unsubscribe
 * before any value counts as neither (so a `timeout` goes before it, inside the call, for a call
 * that times out to count as a failure). A call's outcome counts only in the state it was let
 * through in: once the breaker has moved on while the call was out (opened on other calls'
 * failures), its outcome is old news and counts as nothing, while the probe is out and after the
 * probe closed the breaker alike, as in gobreaker (Polly and cockatiel count it in whatever state
 * it ends, so slow calls from before an outage that fail after it can reopen the breaker on a
 * resource the probe found back). Build the operator once and pipe every call through it, so
 * they share the breaker; put `retryWithBackoff` before it to retry inside one call, or after it
 * to let each retry ask the breaker (a rejected retry's `BrokenCircuitError` has the open time
 * left as its `retryAfterMs`, which the next retry waits for).
 *
 * @param options The breaker's options, or an existing CircuitBreaker to share (also one made by another copy of rxlog, its CommonJS or ES module build).
 * @param scheduler The clock for `resetTimeoutMs` when a breaker is made here. Default: the scheduler of the logger whose pipeline makes the first call (`useScheduler`), else `unrefScheduler`; read once, at the first call, and kept, since the breaker is shared.
 * @example
 * const guard = circuitBreaker({ failureThreshold: 3, resetTimeoutMs: 1_000 });
 * const save = (order: Order) => defer(() => http.post('/orders', order)).pipe(guard);
 * guard.breaker.state$.subscribe((state) => console.log('orders API is', state));
 */
export function circuitBreaker(
  options: CircuitBreakerOptions | CircuitBreaker = {},
  scheduler?: SchedulerLike,
): CircuitBreakerOperator {
  const shared = options instanceof CircuitBreaker;
  if (scheduler !== undefined) checkScheduler('circuitBreaker', scheduler);
  // Given no scheduler, the breaker's clock is bound at its first call (or first direct use), to
  // the scheduler of the logger subscribing it, else unrefScheduler; bound once, since times read
  // on one clock mean nothing on another.
  let bound: SchedulerLike | undefined = scheduler;
  const clock = (): SchedulerLike => (bound ??= injectScheduler(unrefScheduler));
  const lazy: SchedulerLike = {
    now: () => clock().now(),
    schedule: (...args: Parameters<SchedulerLike['schedule']>) => clock().schedule(...args),
  };
  const breaker = shared ? options : new CircuitBreaker(options, scheduler ?? lazy);
  // A call belongs to the state it was let through in. Once the breaker has moved on while the
  // call was out (opened on other calls' failures, or reopened while the probe was out), its
  // outcome is old news, whatever the state when it comes: half-open, it would throw away the
  // probe's answer or close on a resource the probe may yet find down; closed again, a slow call
  // from before the outage failing after the probe found the resource back would reopen it (a
  // burst of them, with failureThreshold, at once); a success would reset the count of failures
  // that came after it. Polly and cockatiel count it in whatever state it ends; gobreaker, like
  // this, leaves out a call of an earlier generation. Nor may a stale probe give back the slot of a
  // later probe. `changes` counts the state changes seen while calls are out, through one state$
  // subscription for all of them, not one per call (each call's unsubscribe would search a list
  // as long as the calls out: 10 000 calls in flight took 14 times as long to settle).
  let changes = 0;
  let out = 0;
  let watch: Subscription | undefined;
  const enter = (): number => {
    if (out++ === 0) {
      let last = breaker.state;
      watch = breaker.state$.subscribe((state) => {
        if (state === last) return;
        last = state;
        changes++;
      });
    }
    return changes;
  };
  const leave = (): void => {
    if (--out > 0) return;
    watch?.unsubscribe();
    watch = undefined;
  };
  const operator = <T>(source: Observable<T>): Observable<T> =>
    new Observable<T>((subscriber) => {
      clock();
      if (breaker.tryAcquire() === 'reject') {
        subscriber.error(new BrokenCircuitError(breaker.name, breaker.retryAfterMs, breaker.lastFailure));
        return undefined;
      }
      // Only the call that moved the breaker to half-open is the probe; a call acquired while it
      // was closed and cancelled later must not give back a probe that another call holds.
      const call: 'primary' | 'probe' = breaker.state === 'half-open' ? 'probe' : 'primary';
      const since = enter();
      const stale = (): boolean => changes !== since;
      let settled = false;
      let answered = false;
      subscribeUpstream(source, subscriber, {
        next: (value) => {
          answered = true;
          subscriber.next(value);
        },
        error: (error: unknown) => {
          settled = true;
          // As in the delivery stage: a permanent error is the call's fault; the resource answered.
          // But one of the resource as a whole ('sink': a 401, a 404) counts as its failure.
          // A Retry-After holds the breaker open, up to 5 s (retryWithBackoff's default maxDelayMs).
          if (!stale()) {
            const hint = retryHint(error);
            if (hint.permanent === true) breaker.recordSuccess(call);
            else breaker.recordFailure(hint.retryAfterMs, undefined, error, call);
          }
          subscriber.error(error);
        },
        complete: () => {
          settled = true;
          if (!stale()) breaker.recordSuccess(call);
          subscriber.complete();
        },
      });
      return () => {
        leave();
        if (settled || stale()) return;
        // The consumer took a value and stopped listening (take(1), firstValueFrom): the call worked.
        if (answered) breaker.recordSuccess(call);
        else if (call === 'probe') breaker.releaseProbe(call);
      };
    });
  return Object.assign(operator, { breaker });
}
