import { isObject } from '../core/is-object';
import { type MonoTypeOperatorFunction, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import type { LogEvent } from '../core/log-event';
import { MAX_TIMER_MS } from '../core/max-timer-ms';
import { unrefScheduler } from '../core/unref-scheduler';
import type { LogLevelName } from '../core/log-level';
import { LogEventRecord } from '../templates/log-event-record';
import { setOwnProperty } from '../templates/own-property';
import { parseTemplateCached } from '../templates/template-cache';
import { injectEventAccounting, injectScheduler } from './event-accounting';
import { type EventKey, eventKeySelector } from './event-key';
import { checkScheduler, numberOption, optionsObject, snapshotOptions } from './operator-options';
import { checkOptionKeys } from '../core/check-option-keys';
import { subscribeUpstream } from './subscribe-upstream';
import { estimateEventBytes } from './event-size';
import { levelRank } from './read-level';
import { writeJson } from '../templates/safe-json';

/** Options of {@link throttleEvents}. */
export interface ThrottleEventsOptions {
  /** What makes two events repeats of each other: a property name or a function. Default: the template text and the level, which also keys an event the option gives no key (the property is missing, the function returns `undefined` or `null`, or throws). */
  key?: EventKey | undefined;
  /** Length of a key's window, from its first event, in milliseconds, from 1 to 2^31 - 1. Default `1000`. */
  windowMs?: number | undefined;
  /** Most events let through per key per window, a whole number from 1 (finite). Default `1`. */
  max?: number | undefined;
  /** Most keys with an open window, a finite count; beyond it the oldest window closes early (its summary is sent), as beyond 16 MiB of keys and suppressed events held. Default `10000`. */
  maxKeys?: number | undefined;
}

/**
 * Most estimated bytes the open windows hold in all: their keys, and for each window with
 * suppressed events, the first one's template and properties (what its summary carries). Beyond
 * it the oldest windows close early, as beyond `maxKeys`: 10 000 keys made of 20 000-character
 * templates held 390 MB against a count bound alone.
 */
const MAX_HELD_BYTES = 16 * 1024 * 1024;

/** The template of the summary event that stands for suppressed repeats. */
export const SUPPRESSED_TEMPLATE = 'Suppressed {Count} repeats of "{Template}"';

/** Why throttleEvents dropped events, as the sink's `droppedBy` names it. */
export const THROTTLE_REASON = 'throttleEvents.suppressed';

/** Why throttleEvents dropped an event that arrived as the subscriber unsubscribed: on the summary of the oldest window its arrival closed (`maxKeys`), or on what its `key` selector logged. */
export const THROTTLE_DISCARDED_REASON = 'throttleEvents.discarded';

interface Window {
  passed: number;
  suppressed: number;
  /** The template text of the first suppressed event, for the summary. */
  template: string;
  /** The most severe level among the suppressed events. */
  level: LogLevelName;
  /** The properties every suppressed event had, with the same value (App, Host, SourceContext): the summary carries them. */
  common: Map<string, unknown>;
  /** The JSON text of structured values in `common`, written once a later event's copy is compared with one. */
  texts: Map<string, string> | null;
  timer: Subscription | null;
  /** What the window holds, in estimated bytes: its key, and once it suppresses, the first suppressed event. */
  weight: number;
}

/**
 * Keeps in the window's `common` the properties `event` has with the same value: all of its own
 * when `first`. A structured value (an enriched or LogContext structure, a `{@Request}`) is the
 * same when its JSON text is, since each event captures its own copy, never the same object.
 * Properties that cannot be read (an app operator's Proxy) leave none in common.
 *
 * @returns The bytes of the JSON texts the window now keeps besides (added to its `weight`).
 */
function shareProperties(window: Window, event: LogEvent, first: boolean): number {
  const common = window.common;
  if (!first && common.size === 0) return 0;
  let grown = 0;
  try {
    const properties = event.properties;
    if (first) for (const name of Object.keys(properties)) common.set(name, properties[name]);
    else
      for (const [name, value] of common) {
        if (Object.hasOwn(properties, name)) {
          const other = properties[name];
          if (Object.is(other, value)) continue;
          if (isObject(value) && isObject(other)) {
            let text = (window.texts ??= new Map<string, string>()).get(name);
            if (text === undefined) {
              window.texts.set(name, (text = writeJson(value)));
              grown += text.length;
            }
            if (writeJson(other) === text) continue;
          }
        }
        common.delete(name);
      }
  } catch {
    common.clear();
  }
  window.weight += grown;
  return grown;
}

/**
 * Whether `value` is an event the default key can be made of: a template text, and a level that
 * can be read and made text (a Symbol cannot). Never throws: a Proxy whose trap throws is no event.
 */
function hasTemplateText(value: unknown): boolean {
  try {
    const event = value as Partial<LogEvent> | undefined;
    return typeof event?.messageTemplate?.text === 'string' && typeof (event.level as unknown) !== 'symbol';
  } catch {
    return false;
  }
}

function defaultKey(event: LogEvent): string {
  return `${event.level}\u0000${event.messageTemplate.text}`;
}

/**
 * Lets at most `max` events per key through in each `windowMs` window (a window opens with a
 * key's first event); the rest are suppressed, and when the window ends one summary event
 * `Suppressed {Count} repeats of "{Template}"` stands for them, at the level of the most severe
 * one (a level that is not one of the six names counts as fatal), with the properties every suppressed event had with the same value (an enriched `App` or
 * `Host`, a `SourceContext`, a structure equal by its JSON text; `Count` and `Template` are the
 * summary's own). Nothing is silently lost: in a sink's `pipe`, suppressed events count in `dropped` (under
 * {@link THROTTLE_REASON}) and summaries in `received`; an event that arrived as the subscriber
 * unsubscribed (on the summary of the oldest window its arrival closed, `maxKeys`, or on what its
 * `key` selector logged) counts under {@link THROTTLE_DISCARDED_REASON}. When the stream ends, open windows send their summaries first. A value that is not an event (no template) passes unthrottled.
 *
 * ```text
 * source:                        -a-a-a-a------|     (windowMs: 5, max: 1)
 * throttleEvents():              -a----sa------|     s = Suppressed 2 repeats of "a"
 *                                                    (the window opened at frame 1 ends at 6;
 *                                                    the a at frame 7 opens a new one)
 * ```
 *
 * @param scheduler Runs the window timers and stamps summaries. Default: given none, the scheduler of the logger whose pipeline subscribes it (`useScheduler`), read at subscribe; outside a logger, `unrefScheduler` (its timers never keep a Node process alive; a window still open when the process ends sends no summary unless the logger is closed).
 * @throws ConfigurationError when an option is invalid.
 * @example
 * .writeTo.sink(console, { pipe: [throttleEvents({ windowMs: 10_000, max: 5 })] })
 */
export function throttleEvents(
  options: ThrottleEventsOptions = {},
  scheduler?: SchedulerLike,
): MonoTypeOperatorFunction<LogEvent> {
  const names = ['key', 'windowMs', 'max', 'maxKeys'];
  const given = snapshotOptions(optionsObject(options, 'throttleEvents'), 'throttleEvents', names);
  checkOptionKeys('throttleEvents', given, names);
  const { key, ...bounds } = given;
  // A window is a timer: past 2^31 - 1 ms (or Infinity) Node's and browsers' timers fire at once.
  const windowMs = numberOption(bounds.windowMs, 1000, 'throttleEvents: windowMs', { min: 1, max: MAX_TIMER_MS });
  // Counts: finite (an unbounded max would throttle nothing, while every key still holds a window and a timer).
  const count = { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true };
  const max = numberOption(bounds.max, 1, 'throttleEvents: max', count);
  // The bound on memory.
  const maxKeys = numberOption(bounds.maxKeys, 10_000, 'throttleEvents: maxKeys', count);
  const selected = key === undefined ? undefined : eventKeySelector(key, 'throttleEvents: key');
  // An event the option gives no key (no such property, a selector that returns undefined or
  // throws) is keyed as by default: as one key, every such event would be a repeat of the first.
  const keyOf = selected === undefined ? defaultKey : (event: LogEvent): unknown => selected(event) ?? defaultKey(event);
  if (scheduler !== undefined) checkScheduler('throttleEvents', scheduler);
  const summaryTemplate = parseTemplateCached(SUPPRESSED_TEMPLATE);

  return (source) =>
    new Observable<LogEvent>((subscriber) => {
      const accounting = injectEventAccounting();
      // Given none: the logger's scheduler when a logger's pipeline subscribes it (useScheduler), else the default.
      const clock = scheduler ?? injectScheduler(unrefScheduler);
      const windows = new Map<unknown, Window>();
      // The estimated bytes the open windows hold (their weights), bounded by MAX_HELD_BYTES.
      let held = 0;

      const close = (key: unknown, window: Window): void => {
        if (windows.get(key) === window) {
          windows.delete(key);
          held -= window.weight;
        }
        window.timer?.unsubscribe();
        if (window.suppressed === 0) return;
        const properties: Record<string, unknown> = {};
        for (const [name, value] of window.common) setOwnProperty(properties, name, value);
        properties.Count = window.suppressed;
        properties.Template = window.template;
        accounting.created(1);
        subscriber.next(new LogEventRecord(clock.now(), window.level, summaryTemplate, properties));
      };

      // A call, not a read TypeScript would narrow: the subscriber may go away during any call.
      const downstreamGone = (): boolean => subscriber.closed;

      /**
       * Closes the oldest windows but `keep` (sending their summaries) until one more window (when
       * opening one for the key `opening`) fits `maxKeys` and `weight` more bytes fit MAX_HELD_BYTES. False when
       * the subscriber unsubscribed while taking a summary: the event, neither passed on nor
       * suppressed, is then counted as discarded.
       */
      const makeRoom = (weight: number, keep: Window | undefined, opening?: unknown): boolean => {
        for (const [oldestKey, oldest] of windows) {
          // A summary's subscriber that logs may have opened the window wanted on its turn: it is kept.
          if (keep === undefined && windows.has(opening)) break;
          if ((keep !== undefined || windows.size < maxKeys) && held + weight <= MAX_HELD_BYTES) break;
          if (oldest === keep) continue;
          close(oldestKey, oldest);
          // No window (and no timer) after the teardown.
          if (downstreamGone()) {
            accounting.dropped(1, THROTTLE_DISCARDED_REASON);
            return false;
          }
        }
        return true;
      };

      subscribeUpstream(source, subscriber, {
        next: (event) => {
          // A value that is not an event (an app operator's `undefined`, a Proxy whose reads throw)
          // repeats nothing: it is passed on as the pipeline passes it, instead of failing on its
          // template and losing every window.
          if (!hasTemplateText(event)) {
            subscriber.next(event);
            return;
          }
          const key = keyOf(event);
          // A key selector that logs may have made the subscriber unsubscribe: after the teardown,
          // this event is counted, not passed on to no one in a window of its own.
          if (downstreamGone()) {
            accounting.dropped(1, THROTTLE_DISCARDED_REASON);
            return;
          }
          let window = windows.get(key);
          if (window === undefined) {
            // A key made from data (a template with ids in it, a structure's JSON text) weighs its length.
            const weight = typeof key === 'string' ? key.length : 0;
            if (!makeRoom(weight, undefined, key)) return;
            // The summary just sent may have brought this key in on its turn (a subscriber that logs).
            window = windows.get(key);
            if (window === undefined) {
              const opened: Window = {
                passed: 0,
                suppressed: 0,
                template: '',
                level: event.level,
                common: new Map(),
                texts: null,
                timer: null,
                weight,
              };
              windows.set(key, opened);
              held += weight;
              opened.timer = clock.schedule(() => {
                opened.timer = null;
                close(key, opened);
              }, windowMs);
              window = opened;
            }
          }
          if (window.passed < max) {
            window.passed++;
            subscriber.next(event);
            return;
          }
          if (window.suppressed === 0) {
            // The summary will carry this event's template and the properties it shares with the rest.
            const weight = estimateEventBytes(event);
            if (!makeRoom(weight, window)) return;
            // Closed while older ones made room (by what their summaries' subscriber logged): it takes no more.
            if (windows.get(key) !== window) {
              accounting.dropped(1, THROTTLE_DISCARDED_REASON);
              return;
            }
            window.weight += weight;
            held += weight;
            window.template = event.messageTemplate.text;
            window.level = event.level;
            shareProperties(window, event, true);
          } else {
            // levelRank reads the window's `level` as an event's: a level not one of the six names ranks as fatal.
            if (levelRank(event) > levelRank(window)) window.level = event.level;
            held += shareProperties(window, event, false);
          }
          window.suppressed++;
          accounting.dropped(1, THROTTLE_REASON);
        },
        error: (error: unknown) => {
          for (const [key, window] of windows) close(key, window);
          subscriber.error(error);
        },
        complete: () => {
          for (const [key, window] of windows) close(key, window);
          subscriber.complete();
        },
      });
      return () => {
        for (const window of windows.values()) window.timer?.unsubscribe();
        windows.clear();
        held = 0;
      };
    });
}
