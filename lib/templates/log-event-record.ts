import { isObject } from '../core/is-object';
import type { LogEvent } from '../core/log-event';
import type { LogLevelName } from '../core/log-level';
import type { MessageTemplate } from '../core/message-template';
import { type CaptureLimits, captureProperties } from './capture';
import { renderTemplate } from './render-template';
import { parseTemplateCached } from './template-cache';

/**
 * The LogEvent the logger creates for every call: plain fields plus a rendered message computed
 * on first use and cached.
 */
export class LogEventRecord implements LogEvent {
  // Declared only: the constructor assigns them, so no class field definitions are emitted as well.
  declare readonly level: LogLevelName;
  declare readonly messageTemplate: MessageTemplate;
  declare readonly properties: Readonly<Record<string, unknown>>;
  declare readonly exception?: Error;
  /**
   * When the event happened, in milliseconds since the epoch: what formatters read, without making
   * a Date. An own field, so an app operator's copy (`{ ...event, properties }`) keeps the time.
   */
  declare readonly timeMs: number;
  // Private fields are defined on every record, in this order and as undefined, before the constructor body runs:
  // the constructor need not assign #date and #rendered for all records to share one hidden class.
  /** Made from timeMs on first read, never the caller's Date, which the caller may change later. */
  #date: Date | undefined;
  #rendered: string | undefined;

  /** @param timestamp When the event happened: a Date, or milliseconds since the epoch (the logger's hot path passes `Date.now()`, so no Date is made unless someone reads `timestamp`). */
  constructor(
    timestamp: Date | number,
    level: LogLevelName,
    messageTemplate: MessageTemplate,
    properties: Readonly<Record<string, unknown>>,
    exception?: Error,
  ) {
    // Every field assigned here, always in this order, so all records share one hidden class.
    this.level = level;
    this.messageTemplate = messageTemplate;
    this.properties = properties;
    this.exception = exception;
    this.timeMs = typeof timestamp === 'number' ? timestamp : timestamp.getTime();
  }

  /** When the event happened; the Date is made on first read (from the time the event was built with). */
  get timestamp(): Date {
    if (this.#date === undefined) this.#date = new Date(this.timeMs);
    return this.#date;
  }

  /**
   * The template rendered with the properties (see `renderTemplate`: past 2^28 code units, cut
   * and marked); rendered once, on the first call.
   */
  renderMessage(): string {
    if (this.#rendered === undefined) this.#rendered = renderTemplate(this.messageTemplate, this.properties);
    return this.#rendered;
  }
}

/**
 * An event's time in milliseconds since the epoch, read as the pipeline reads it (see `wholeEvent`):
 * a record's own `timeMs` (no Date made per event), else a `timestamp` Date, else the `timeMs` that
 * an app operator's spread copy of a record keeps (it has no `timestamp`: the getter lives on the class).
 *
 * @throws TypeError when there is no time to read (`Date.prototype.getTime` throws for anything but a Date).
 */
export function eventTimeMs(event: LogEvent): number {
  if (event instanceof LogEventRecord) return event.timeMs;
  const { timestamp, timeMs } = event as Partial<LogEventRecord>;
  if (timestamp === undefined && typeof timeMs === 'number') return timeMs;
  return Date.prototype.getTime.call(timestamp);
}

/**
 * An event's rendered message: its own `renderMessage()`, or for an app operator's spread copy of
 * a record (which has the record's fields but not its methods) the template rendered with the
 * copy's properties, as the record would render it.
 */
export function eventMessage(event: LogEvent): string {
  const { renderMessage } = event as Partial<LogEvent>;
  return typeof renderMessage === 'function'
    ? renderMessage.call(event)
    : renderTemplate(event.messageTemplate, event.properties);
}

/** Optional parts of an event built by {@link createLogEvent}. */
export interface CreateLogEventOptions {
  /** When the event happened. Default: now. */
  timestamp?: Date | undefined;
  /** The event's exception. Default: none. */
  exception?: Error | undefined;
  /** Capture limits for the arguments. Default: `DEFAULT_CAPTURE_LIMITS`. */
  limits?: CaptureLimits | undefined;
}

/**
 * Builds an event the way the logger does: the template from the shared cache, the arguments
 * captured into properties.
 *
 * @example createLogEvent('warning', 'Slow {Ms} ms', [812]).renderMessage() // 'Slow 812 ms'
 */
export function createLogEvent(
  level: LogLevelName,
  template: string,
  args: readonly unknown[] = [],
  options: CreateLogEventOptions = {},
): LogEventRecord {
  const parsed = parseTemplateCached(template);
  return new LogEventRecord(
    options.timestamp ?? new Date(),
    level,
    parsed,
    captureProperties(parsed, args, options.limits),
    options.exception,
  );
}

/**
 * An event an app operator let out, made whole for the sinks. A LogEventRecord, anything that is
 * not an object, and an object with its own `renderMessage()` and a Date `timestamp` pass as they
 * are. A copy made with spread syntax (`{ ...event, properties }`) has the record's own fields
 * (`timeMs` among them) but not `timestamp` and `renderMessage()`, which live on the class: it is
 * made a LogEventRecord again, with the time it carries (`timestamp`, else `timeMs`, else now) and
 * a template given as text parsed. An object without a parsed or text template, or one whose
 * fields throw when read (a hostile Proxy), passes as it is: sinks write it as unformattable.
 */
export function wholeEvent(event: LogEvent): LogEvent {
  // An operator may let out anything at all (a map branch returning undefined).
  const value: unknown = event;
  if (!isObject(value)) return event;
  try {
    // Inside the try: `instanceof` throws on a revoked Proxy, which the lane then counts as no event.
    if (event instanceof LogEventRecord) return event;
    const copy = event as Partial<Omit<LogEventRecord, 'messageTemplate'>> & { messageTemplate?: unknown };
    const timestamp = copy.timestamp;
    if (typeof copy.renderMessage === 'function' && timestamp instanceof Date) return event;
    const template = typeof copy.messageTemplate === 'string' ? parseTemplateCached(copy.messageTemplate) : copy.messageTemplate;
    if (!isObject(template)) return event;
    const time = timestamp instanceof Date ? timestamp : typeof copy.timeMs === 'number' ? copy.timeMs : Date.now();
    return new LogEventRecord(time, event.level, template as MessageTemplate, copy.properties ?? {}, copy.exception);
  } catch {
    return event;
  }
}
