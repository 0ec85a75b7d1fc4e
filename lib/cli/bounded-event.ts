import type { LogEvent } from '../core/log-event';
import { LINE_RENDERINGS, type MaybeRenderedEvent } from '../formatting/line-renderings';
import type { FineDate } from '../templates/format-date';
import { eventTimeMs, LogEventRecord } from '../templates/log-event-record';
import { alignText, renderPropertyToken } from '../templates/render-template';

/**
 * An event shown with its message rendered beforehand, the renderings of its formatted holes
 * (what `CompactJsonFormatter` writes as `@r`), and the digits of its line's time past the
 * millisecond: the rest is the event's own.
 */
export class DisplayedEvent extends LogEventRecord {
  readonly #message: string;
  readonly #renderings: readonly (string | undefined)[] | undefined;
  /** The digits of the line's time past the millisecond (`'4567'` of `.1234567`), or `''`. */
  readonly subMillisecond: string;
  #fineDate: FineDate | undefined;

  /**
   * @param renderings One per formatted hole of the template, in hole order; undefined: the event's own.
   * @param subMillisecond The digits of the line's time past the millisecond. Default: the event's own, if a DisplayedEvent, else none.
   */
  constructor(
    event: LogEvent,
    message: string,
    renderings?: readonly (string | undefined)[],
    subMillisecond = event instanceof DisplayedEvent ? event.subMillisecond : '',
  ) {
    // The time as a number: a record's `timestamp` would make a Date just to be read back.
    super(eventTimeMs(event), event.level, event.messageTemplate, event.properties, event.exception);
    this.#message = message;
    this.#renderings = renderings ?? (event as MaybeRenderedEvent)[LINE_RENDERINGS];
    this.subMillisecond = subMillisecond;
  }

  /** When the event happened, with the digits past the millisecond its line had, which `formatDate` shows (`fffffff`). */
  override get timestamp(): FineDate {
    if (this.subMillisecond === '') return super.timestamp;
    return (this.#fineDate ??= Object.assign(new Date(this.timeMs), { subMillisecond: this.subMillisecond }));
  }

  /** The renderings of the formatted holes, for `CompactJsonFormatter` (see `LINE_RENDERINGS`). */
  get [LINE_RENDERINGS](): readonly (string | undefined)[] | undefined {
    return this.#renderings;
  }

  override renderMessage(): string {
    return this.#message;
  }
}

/**
 * The event with its message rendered, or undefined when the message would be longer than
 * `maxLength` characters. A short template can render without end: `{A,9999}` is 10 000
 * characters, `{A}` the whole of a long `A` each time, so a 16 MiB line renders gigabytes (and V8
 * throws past its longest string, 2^29 characters). Rendering stops once past `maxLength`, and a
 * hole repeated with the same text is rendered once, so the work is bounded by `maxLength` and
 * the line's length. The message is as `renderMessage()` gives it: a formatted hole keeps the
 * line's `@r` rendering (see `RenderedEvent`), and the returned event carries each formatted
 * hole's rendering, so `CompactJsonFormatter` does not render them again, and the digits of
 * its line's time past the millisecond, `subMillisecond` (see `DisplayedEvent`).
 *
 * @param maxLength Longest message kept, in UTF-16 code units.
 * @example boundedEvent(readCompactJson(line), 16 * 1024 * 1024)?.renderMessage()
 */
export function boundedEvent(event: LogEvent, maxLength: number, subMillisecond = ''): LogEvent | undefined {
  const kept = (event as MaybeRenderedEvent)[LINE_RENDERINGS];
  // The first hole rendered is kept aside, the others in a map made for them: most templates have one or two holes.
  let firstRaw: string | undefined;
  let firstText = '';
  let rendered: Map<string, string> | undefined;
  const renderings: (string | undefined)[] = [];
  let message = '';
  for (const token of event.messageTemplate.tokens) {
    let text: string;
    if (token.kind === 'text') text = token.text;
    else {
      const line = token.format === undefined ? undefined : kept?.[renderings.length];
      if (line !== undefined) text = alignText(line, token.alignment);
      else {
        // The same hole text (name, alignment, format) renders the same: once per event.
        const known = token.raw === firstRaw ? firstText : rendered?.get(token.raw);
        if (known !== undefined) text = known;
        else {
          text = renderPropertyToken(token, event.properties);
          if (firstRaw === undefined) {
            firstRaw = token.raw;
            firstText = text;
          } else (rendered ??= new Map()).set(token.raw, text);
        }
      }
      if (token.format !== undefined) renderings.push(line ?? text);
    }
    if (message.length + text.length > maxLength) return undefined;
    message += text;
  }
  return new DisplayedEvent(event, message, renderings, subMillisecond);
}
