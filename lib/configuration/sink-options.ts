import type { OperatorFunction } from 'rxjs';
import type { LevelSwitch } from '../core/level-switch';
import type { LogEvent } from '../core/log-event';
import type { LogLevelText } from '../core/log-level';
import type { SinkDeliveryOptions } from '../pipeline/sink-delivery';

/**
 * How one sink is fed: its name in metrics, its own minimum level and operators, and its delivery
 * (queue, batch, retry, circuit breaker, fallback). Without `queue` and `batch`, a sink gets its
 * own `batchDefaults` and `queueDefaults` where it declares them (FileSink, StreamSink and SyslogSink batch
 * 512 events / 100 ms, the HTTP sinks their backend's figures), and keeps them for the fields a
 * given `queue` or `batch` leaves out; any other sink gets events one at
 * a time: a synchronous sink sees each on the caller's turn, a Promise-returning sink has one call
 * in flight with the default bounded queue behind it.
 */
export interface SinkOptions extends SinkDeliveryOptions {
  /** The key in `metrics().sinks` and the shutdown report: a string neither empty nor only white space, other than `__proto__`, with no lone UTF-16 surrogate, unique in the logger. Default: the sink's kind in lower case (`memory`, `console`, `file` …), `-2`, `-3` for repeats. */
  name?: string | undefined;
  /**
   * Lowest level this sink receives, by name or a LevelSwitch. Default: every event the logger lets
   * through. It only raises the logger's level, as Serilog's `restrictedToMinimumLevel`: no event
   * below the logger's minimum (or an override's) reaches any sink.
   */
  minimumLevel?: LogLevelText | LevelSwitch | undefined;
  /** Operators applied to this sink's events only, before delivery. A readonly array too: it is only read, once, when the sink is configured. */
  pipe?: readonly OperatorFunction<LogEvent, LogEvent>[] | undefined;
}
