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
  readonly timestamp: Date;
  readonly level: LogLevelName;
  readonly messageTemplate: MessageTemplate;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly exception?: Error;
  #rendered: string | undefined;

  constructor(
    timestamp: Date,
    level: LogLevelName,
    messageTemplate: MessageTemplate,
    properties: Readonly<Record<string, unknown>>,
    exception?: Error,
  ) {
    // Every field assigned here, always in this order, so all records share one hidden class.
    this.timestamp = timestamp;
    this.level = level;
    this.messageTemplate = messageTemplate;
    this.properties = properties;
    this.exception = exception;
    this.#rendered = undefined;
  }

  /** The template rendered with the properties; rendered once, on the first call. */
  renderMessage(): string {
    if (this.#rendered === undefined) this.#rendered = renderTemplate(this.messageTemplate, this.properties);
    return this.#rendered;
  }
}

/** Optional parts of an event built by {@link createLogEvent}. */
export interface CreateLogEventOptions {
  /** When the event happened. Default: now. */
  timestamp?: Date;
  /** The event's exception. Default: none. */
  exception?: Error;
  /** Capture limits for the arguments. Default: `DEFAULT_CAPTURE_LIMITS`. */
  limits?: CaptureLimits;
}

/**
 * Builds an event the way the logger does: the template from the shared cache, the arguments
 * captured into properties.
 *
 * @example createLogEvent('warning', 'Slow {Ms} ms', [812]).renderMessage() // 'Slow 812 ms'
 */
export function createLogEvent(level: LogLevelName, template: string, args: readonly unknown[] = [], options: CreateLogEventOptions = {}): LogEventRecord {
  const parsed = parseTemplateCached(template);
  return new LogEventRecord(options.timestamp ?? new Date(), level, parsed, captureProperties(parsed, args, options.limits), options.exception);
}
