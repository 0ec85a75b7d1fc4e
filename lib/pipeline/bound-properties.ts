import { describeValue } from '../core/describe-value';
import { SelfLog } from '../core/self-log';
import { heldThrows, read } from '../core/read-property';
import { type CaptureLimits, captureValue, DEFAULT_CAPTURE_LIMITS, unbox } from '../templates/capture';
import { setOwnProperty } from '../templates/own-property';
import type { RedactionPolicy } from '../templates/redaction-policy';
import { isProperties } from '../core/is-properties';
import { isBlankName } from '../core/blank-name';
import type { MessageTemplate } from '../core/message-template';

/**
 * The properties a child logger adds to its events, captured and redacted once, when the child
 * is made. Kept as two parallel arrays so that each event copies them in one counted loop, with no
 * `Object.keys` call and no redaction walk per event.
 */
export interface BoundProperties {
  /** The property names, in the order they were bound (a name bound again keeps its first place). */
  readonly keys: readonly string[];
  /** The captured value of each name, at the same index. */
  readonly values: readonly unknown[];
  /**
   * Whether the values are redacted already: true when there is no redaction or every policy is
   * fixed; a censor function runs once per event, so then the values are redacted with each event.
   */
  readonly redacted: boolean;
  /**
   * The string this child was given as its `SourceContext`, as given: before capture and
   * redaction, which decide what events carry, not the level a `minimumLevel.override` puts the
   * logger at (Serilog looks the override up with the value given to ForContext). A boxed String
   * counts as its text, which is what the events carry. Undefined when the child was given no
   * string `SourceContext` (a number or an object picks no override, as Serilog's ForContext looks
   * up only a string).
   */
  readonly sourceContext: string | undefined;
  /** What {@link joinBound} keeps per template; made on the child's first event. */
  layouts?: Map<MessageTemplate, BoundLayout> | undefined;
}

/**
 * The properties object an event of one template gets from its child logger: its own names (the
 * template's, as captured, with `undefined` standing for their values) then the bound names it
 * does not have, with their values. Each event's object is a copy of it.
 */
interface BoundLayout {
  readonly own: readonly string[];
  readonly object: Readonly<Record<string, unknown>>;
}

/** Most templates whose layout one child logger keeps; past them, its events take the slow path. */
const MAX_LAYOUTS = 32;

/**
 * Most properties a logger binds, its parents' included: the capture limit on a collection's
 * length, so a child made from an object with a million keys costs what a thousand do.
 */
export const MAX_BOUND_PROPERTIES = DEFAULT_CAPTURE_LIMITS.maxCollectionLength;

/**
 * The bound properties of a child of `parent` that adds `properties`: each new value captured as
 * a call's argument is (so later mutation cannot reach an event) and, when every policy of
 * `redaction` is fixed, redacted, then layered over the parent's (a name bound again takes the
 * new value). Never throws, and tells SelfLog what it leaves out: properties that are not an
 * object of properties (`null`, a string, an array, a Map, a Set, a Date) or whose names cannot be
 * listed (a revoked Proxy) bind nothing, a getter that throws binds its marker
 * (`'[Throws: message]'`, as a call's argument would), a name that is empty or only white space
 * (`{ '': 2 }`) is not bound, as `forContext` and Serilog's `ForContext` add no property under it,
 * and names past {@link MAX_BOUND_PROPERTIES} in all are not bound; the parent's are kept either way.
 */
export function bindProperties(
  parent: BoundProperties | undefined,
  properties: Readonly<Record<string, unknown>>,
  redaction: readonly RedactionPolicy[] | undefined,
  limits?: CaptureLimits,
): BoundProperties {
  const keys = [...(parent?.keys ?? [])];
  const values = [...(parent?.values ?? [])];
  const redacted = redaction === undefined || redaction.every((policy) => policy.fixed);
  if (!isProperties(properties)) {
    SelfLog.write('child: not properties: {Value}', describeValue(properties));
    return { keys, values, redacted, sourceContext: undefined };
  }
  const index = new Map<string, number>();
  for (let i = 0; i < keys.length; i++) index.set(keys[i], i);
  let room = MAX_BOUND_PROPERTIES - keys.length;
  let leftOut = 0;
  let blank = 0;
  let sourceContext: string | undefined;
  const capture = (): Record<string, unknown> => {
    let added = {} as Record<string, unknown>;
    try {
      for (const key of Object.keys(properties)) {
        // As forContext, and Serilog's ForContext: a name that is empty or white space names no property.
        if (isBlankName(key)) {
          blank++;
          continue;
        }
        if (!index.has(key)) {
          if (room <= 0) {
            leftOut++;
            continue;
          }
          room--;
        }
        const value = read(properties, key);
        if (key === 'SourceContext') {
          // A boxed String (`new String('Orders')`) is its text, as capture and every writer take it.
          const text = unbox(value);
          if (typeof text === 'string') sourceContext = text;
        }
        setOwnProperty(added, key, captureValue(value, 'default', limits));
      }
    } catch (error) {
      SelfLog.write('child: unreadable properties ignored', error);
    }
    // Only the new values are redacted: the parent's already were.
    if (redacted && redaction !== undefined) for (const policy of redaction) added = policy.redactProperties(added, true);
    return added;
  };
  // Under a policy, a getter that threw on a value it censors is told without its message; with
  // a censor function the values are redacted later, with each event, so none is told with it.
  const added = redaction === undefined || redaction.length === 0 ? capture() : heldThrows(capture, !redacted);
  if (leftOut > 0) SelfLog.write('child: {Count} properties past {Limit} left out', leftOut, MAX_BOUND_PROPERTIES);
  if (blank > 0) SelfLog.write('child: {Count} properties whose name is empty or white space left out', blank);
  // The names of `added` are distinct: each is either the parent's, replaced in its place, or new, added last.
  for (const key of Object.keys(added)) {
    const at = index.get(key);
    if (at === undefined) {
      keys.push(key);
      values.push(added[key]);
    } else {
      values[at] = added[key];
    }
  }
  return { keys, values, redacted, sourceContext };
}

/**
 * Adds the bound properties an event does not have itself, after its own, in their bound order.
 * The values were captured when the child was made: copied as they are, in a counted loop over the
 * parallel arrays (no Object.keys per event).
 */
export function addBound(properties: Record<string, unknown>, bound: BoundProperties): void {
  const keys = bound.keys;
  const values = bound.values;
  for (let i = 0; i < keys.length; i++) {
    if (!Object.hasOwn(properties, keys[i])) setOwnProperty(properties, keys[i], values[i]);
  }
}

/**
 * `properties` (an event's own, as `captureProperties` made them: string names, data values) with
 * the bound properties added as {@link addBound} adds them: the same names in the same order, the
 * same values. When the event has the names its template's events had before, the result is a
 * copy of that template's {@link BoundLayout} with the event's own values set: one object copy
 * instead of one property added by name for each bound property. Otherwise `properties`, added to.
 */
export function joinBound(
  properties: Record<string, unknown>,
  bound: BoundProperties,
  template: MessageTemplate,
): Record<string, unknown> {
  let layouts = bound.layouts;
  let layout = layouts?.get(template);
  if (layout === undefined) {
    if (layouts === undefined) bound.layouts = layouts = new Map();
    if (layouts.size >= MAX_LAYOUTS || Object.hasOwn(properties, '__proto__') || bound.keys.includes('__proto__')) {
      addBound(properties, bound);
      return properties;
    }
    const own = Object.keys(properties);
    const object: Record<string, unknown> = {};
    for (const key of own) setOwnProperty(object, key, undefined);
    addBound(object, bound);
    layouts.set(template, (layout = { own, object }));
  }
  // Object.assign sets each name in the layout's order (not a spread: V8 adds the enrichers'
  // names to a spread copy on a slow path, about 50 times slower). It would set a `__proto__`
  // name as the prototype, so no layout is made when a `__proto__` name is own or bound (above).
  const joined: Record<string, unknown> = Object.assign({}, layout.object);
  // The event's own names, compared with the layout's as they are copied: for-in lists them in
  // Object.keys order from the enum cache of the object's shape, with no array made per event.
  const names = layout.own;
  let count = 0;
  for (const key in properties) {
    if (!Object.hasOwn(properties, key)) continue;
    if (names[count] !== key) {
      // A call with fewer values than holes, or extra ones: this event's own names differ.
      addBound(properties, bound);
      return properties;
    }
    joined[key] = properties[key];
    count++;
  }
  if (count !== names.length) {
    addBound(properties, bound);
    return properties;
  }
  return joined;
}
