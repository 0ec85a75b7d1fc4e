import type { Enricher, EnricherProperties } from '../core/enricher';
import type { LogEvent } from '../core/log-event';
import { SelfLog } from '../core/self-log';
import { callbackName, strayPromise } from '../core/stray-promise';
import { holdThrows, read, tellHeld } from '../core/read-property';
import { type CaptureLimits, captureSharing, DEFAULT_CAPTURE_LIMITS, keptAsIs } from '../templates/capture';
import { eventTimeMs, LogEventRecord } from '../templates/log-event-record';
import { copyOwnProperties, setOwnProperty } from '../templates/own-property';
import type { RedactionPolicy } from '../templates/redaction-policy';
import { describeOption } from './operator-options';
import { isBlankName } from '../core/blank-name';

/** An enricher of any object type of properties, as `enrich.with` and the `enrich` operator take it. */
type AnyEnricher = Enricher<EnricherProperties>;

/**
 * The enrichers already reported for returning what adds nothing (not properties, or the event),
 * by the list (a logger's or an `enrich` operator's) that runs them: one SelfLog line each, not
 * one per event.
 */
const refused = new WeakMap<readonly AnyEnricher[], Set<AnyEnricher>>();

/** Reports `enricher` to SelfLog the first time `enrichers` runs it and it returns what adds nothing. */
function refuseOnce(enrichers: readonly AnyEnricher[], enricher: AnyEnricher, template: string, ...args: unknown[]): void {
  let reported = refused.get(enrichers);
  if (reported === undefined) refused.set(enrichers, (reported = new Set()));
  if (reported.has(enricher)) return;
  reported.add(enricher);
  SelfLog.write(template, callbackName(enricher), ...args);
}

/**
 * What one enricher returns for `event`, or undefined when it returns nothing, throws, returns a
 * Promise or returns the event itself or a copy of it (reported to SelfLog).
 */
function callEnricher(
  enricher: AnyEnricher,
  event: LogEvent,
  enrichers: readonly AnyEnricher[],
): Readonly<Record<string, unknown>> | undefined {
  try {
    // JavaScript enrichers can return null.
    const extra: unknown = enricher(event) ?? undefined;
    if (strayPromise(extra, 'Enricher', enricher)) return undefined;
    // The event (Serilog's habit: enrich it, then hand it on) or a spread copy of it: taken as
    // properties, its level, template and properties would become properties of itself.
    if (extra === event || (extra as { messageTemplate?: unknown } | undefined)?.messageTemplate === event.messageTemplate) {
      refuseOnce(enrichers, enricher, 'Enricher {Name} returned the event; an enricher returns only the properties to add');
      return undefined;
    }
    // Read by key like a record: an interface or class instance has no index signature, but its keys are its properties.
    return extra as Readonly<Record<string, unknown>> | undefined;
  } catch (error) {
    SelfLog.write('Enricher {Name} failed; event passed on unenriched', callbackName(enricher), error);
    return undefined;
  }
}

const MAX_STRING = DEFAULT_CAPTURE_LIMITS.maxStringLength;
/** Most properties one enricher adds to an event: the capture limit on a collection's length. */
const MAX_KEYS = DEFAULT_CAPTURE_LIMITS.maxCollectionLength;

/**
 * Adds the captured values of `extra`'s keys that neither `target` nor `existing` has to `target`.
 * Captured like a call's arguments: mutating the enricher's (or LogContext's) value later cannot
 * change the event. What is not an object of properties (a string or an array would add its
 * indexes as names, a Map or a Date nothing) adds nothing, reported to SelfLog once per enricher,
 * and so does a name that is empty or only white space;
 * keys past the first {@link MAX_KEYS} are left out, reported too. Values are captured within `limits`
 * (default `DEFAULT_CAPTURE_LIMITS`), all of them within one call's budget.
 */
function addCaptured(
  target: Record<string, unknown>,
  existing: Readonly<Record<string, unknown>> | undefined,
  extra: Readonly<Record<string, unknown>>,
  enricher: AnyEnricher,
  enrichers: readonly AnyEnricher[],
  limits?: CaptureLimits,
): void {
  const maxString = limits?.maxStringLength ?? MAX_STRING;
  try {
    // An object of properties: a plain one (Object.create(null), another realm's) or a class
    // instance's own fields, as pino's mixin takes them; not an array, a Map, a Date, a boxed value.
    if (typeof extra !== 'object' || Object.prototype.toString.call(extra) !== '[object Object]') {
      const what =
        typeof extra === 'object' && !Array.isArray(extra) ? Object.prototype.toString.call(extra) : describeOption(extra);
      refuseOnce(enrichers, enricher, 'Enricher {Name} returned not properties: {Value}', what);
      return;
    }
    // Own names in Object.keys order, listed with for-in: V8 walks the enum cache of the object's
    // shape instead of copying it into a new array for every enricher of every event.
    let count = 0;
    // Made for the first value that needs a walk: a context of 1000 large values would otherwise cost 1000 budgets.
    let capture: ((value: unknown) => unknown) | undefined;
    for (const key in extra) {
      if (!Object.hasOwn(extra, key) || count++ >= MAX_KEYS) continue;
      if (Object.hasOwn(target, key) || (existing !== undefined && Object.hasOwn(existing, key))) continue;
      // A name that is empty or white space names no property (as child, forContext and Serilog's LogEventProperty).
      if (isBlankName(key)) {
        refuseOnce(enrichers, enricher, 'Enricher {Name} returned a property whose name is empty or white space; left out');
        continue;
      }
      // A getter that throws gives its marker ('[Throws: message]'), as a call's argument does, and the names after it are kept.
      const value = read(extra, key);
      // Hot path: a number, boolean or short string is its own capture; no walk.
      setOwnProperty(target, key, keptAsIs(value, maxString) ? value : (capture ??= captureSharing(limits))(value));
    }
    if (count > MAX_KEYS)
      SelfLog.write(
        'Enricher {Name}: {Count} properties past {Limit} left out',
        callbackName(enricher),
        count - MAX_KEYS,
        MAX_KEYS,
      );
  } catch (error) {
    SelfLog.write('Enricher {Name} returned unreadable properties; ignored', callbackName(enricher), error);
  }
}

/**
 * The enrichment of one event by the `enrich` operator: a new event when something is added, the
 * same event otherwise. As in the logger (and Serilog), a later enricher sees what earlier ones added.
 */
export function enrichEvent(event: LogEvent, enrichers: readonly AnyEnricher[]): LogEvent {
  let enriched = event;
  let properties: Record<string, unknown> | undefined;
  for (const enricher of enrichers) {
    const extra = callEnricher(enricher, enriched, enrichers);
    if (extra === undefined) continue;
    if (properties !== undefined) {
      addCaptured(properties, undefined, extra, enricher, enrichers);
      continue;
    }
    // The first enricher that adds something makes the new event the later ones see.
    const added: Record<string, unknown> = {};
    addCaptured(added, event.properties, extra, enricher, enrichers);
    if (Object.keys(added).length === 0) continue;
    // Copied name by name, not spread: later enrichers add names to it (see copyOwnProperties).
    properties = {};
    copyOwnProperties(properties, event.properties);
    copyOwnProperties(properties, added);
    enriched = new LogEventRecord(eventTimeMs(event), event.level, event.messageTemplate, properties, event.exception);
  }
  return enriched;
}

/**
 * The logger's enrichment of an event it has just made and not yet sent: `properties` (the
 * event's own properties object) gains the enrichers' properties in place, so no second event
 * and no copy of the properties is made. Like Serilog's, a later enricher sees what earlier ones
 * added; the result is the same as {@link enrichEvent}'s. With `redaction` (the logger's
 * policies), what each enricher adds is captured apart and redacted, in order, before the event
 * holds it. `limits` are the logger's capture limits (`.destructure.toMaximum…`).
 */
export function enrichOwnEvent(
  event: LogEvent,
  properties: Record<string, unknown>,
  enrichers: readonly AnyEnricher[],
  redaction: readonly RedactionPolicy[] = [],
  limits?: CaptureLimits,
): void {
  for (let i = 0; i < enrichers.length; i++) {
    const extra = callEnricher(enrichers[i], event, enrichers);
    if (extra === undefined) continue;
    if (redaction.length === 0) {
      addCaptured(properties, undefined, extra, enrichers[i], enrichers, limits);
      continue;
    }
    // Captured once, as without a policy, then redacted: no secret ever reaches the event, nor
    // SelfLog (a getter that threw on a value a policy censors is told without its message).
    // Held around the code itself, not in a closure, which would make each call allocate a context.
    const outer = holdThrows();
    let added: Record<string, unknown> | undefined;
    try {
      const captured: Record<string, unknown> = {};
      addCaptured(captured, properties, extra, enrichers[i], enrichers, limits);
      for (const policy of redaction) policy.redactProperties(captured, true);
      added = captured;
    } finally {
      tellHeld(outer, added);
    }
    for (const key of Object.keys(added)) setOwnProperty(properties, key, added[key]);
  }
}
