import { isObject } from '../core/is-object';
import { expectOption } from '../core/expect-option';
import { MAX_TIMER_MS } from '../core/max-timer-ms';
import { checkCount } from './operator-options';

/** Most events in one batch, and the longest a partial batch waits. */
export interface BatchOptions {
  /** Most events in one batch, a count. Default `512`. */
  size?: number | undefined;
  /** Longest a batch's first event waits before the partial batch is sent, in milliseconds, at most 2^31 - 1 (`Infinity`: only size and completion send). Default `100`. */
  maxDelayMs?: number | undefined;
}

/** BatchOptions with defaults applied and values checked. */
export interface ResolvedBatchOptions {
  readonly size: number;
  readonly maxDelayMs: number;
}

/**
 * Applies BatchOptions' defaults and checks them.
 *
 * @param where What the options were given to, naming them in an error: `batch` (the sink option, the default) or `batchEvents`.
 * @throws ConfigurationError naming the bad value.
 */
export function resolveBatchOptions(options: BatchOptions = {}, where = 'batch'): ResolvedBatchOptions {
  expectOption(isObject(options), where, 'options like { size, maxDelayMs }', options);
  // Defaults by destructuring, which only a missing option takes: a JavaScript caller's null is refused below.
  const { size = 512, maxDelayMs = 100 } = options;
  checkCount(`${where}.size`, size, 'events');
  // A string would be added to the clock as text, and a finite delay past 2^31 - 1 ms fires at once
  // in Node's timers: both must be refused here, not found out as a batch sent at the wrong time.
  expectOption(
    typeof maxDelayMs === 'number' && maxDelayMs >= 0 && (maxDelayMs <= MAX_TIMER_MS || maxDelayMs === Infinity),
    `${where}.maxDelayMs`,
    `milliseconds from 0 to ${MAX_TIMER_MS} or Infinity`,
    maxDelayMs,
  );
  return { size, maxDelayMs };
}
