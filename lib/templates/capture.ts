import { expectOption } from '../core/expect-option';
import { hasErrorBrand } from '../core/has-error-brand';
import { hasNoHoles, type Capturing, type MessageTemplate, type PropertyToken } from '../core/message-template';
import { ownText } from '../core/own-text';
import { truncatedText } from '../core/truncated-text';
import { read, throwsMarker } from '../core/read-property';
import { callbackName } from '../core/stray-promise';
import { markJsonSafe, WRITE_JSON_MAX_DEPTH } from './json-safe-captures';
import { setOwnProperty } from './own-property';
import { memoOf } from './template-memo';
import { SelfLog } from '../core/self-log';
import { isObject } from '../core/is-object';

/** Bounds on what one captured value may hold. */
export interface CaptureLimits {
  /**
   * Levels of nested arrays and objects kept, from 0 to 63 (the levels rxlog's writers follow); a
   * structure deeper than this is captured as `'[MaxDepth]'`, a scalar there is kept (a boxed one
   * as what it holds, a class instance captured without `@` as its `String()`). Default `10`.
   */
  maxDepth?: number | undefined;
  /**
   * Items kept per array, Set, Map or object, in items. Beyond it, an array gets one last item
   * `'…N more'` and an object one last key `'…'` with that value. Default `1000`.
   */
  maxCollectionLength?: number | undefined;
  /** Longest string kept, in UTF-16 code units; a longer one is cut and `'…[truncated N chars]'` appended. Default `65536`. */
  maxStringLength?: number | undefined;
}

/**
 * A transform `.destructure.byTransforming(…)` or `.byTransformingWhere(…)` registered: capture
 * meets an object `matches` accepts and captures `transform(value)` in its place.
 *
 * @internal
 */
export interface CaptureTransform {
  readonly matches: (value: object) => boolean;
  readonly transform: (value: object) => unknown;
}

/**
 * The limits a configuration passes to capture, with its transforms (undefined when it has none:
 * capture then pays nothing for them).
 *
 * @internal
 */
export interface CaptureSettings extends CaptureLimits {
  readonly transforms?: readonly CaptureTransform[] | undefined;
}

/** The capture limits used when none are given. */
export const DEFAULT_CAPTURE_LIMITS: Readonly<Required<CaptureLimits>> = Object.freeze({
  maxDepth: 10,
  maxCollectionLength: 1000,
  maxStringLength: 64 * 1024,
});

/** The marker that replaces a reference to an object that contains it. */
export const CIRCULAR_MARKER = '[Circular]';
/**
 * The deepest `maxDepth` capture takes: 63, the levels rxlog's JSON and text writers follow
 * (`WRITE_JSON_MAX_DEPTH`), which write deeper structure as `'[MaxDepth]'` whatever was captured.
 */
export const MAX_CAPTURE_DEPTH = WRITE_JSON_MAX_DEPTH;
/** The marker that replaces a structure nested deeper than `maxDepth`. */
export const MAX_DEPTH_MARKER = '[MaxDepth]';
/** The `'…'` member of an object reached once a call's item budget is spent, whose keys are not read. */
const SPENT_MARKER = '…more';

/** One capture call's state; the arguments of one log call share it, and so its budget. */
interface Walk {
  structure: boolean;
  readonly maxDepth: number;
  readonly maxItems: number;
  readonly maxString: number;
  /** The objects being captured, outermost first: a reference to one of them is circular. */
  readonly ancestors: object[];
  /** Still true when everything captured so far writes the same through JSON.stringify as through writeJson. */
  safe: boolean;
  /**
   * What the call may still keep in all, whatever the limits allow each part: items of its
   * collections (100 × `maxCollectionLength`) and code units of its strings (16 × `maxStringLength`),
   * each at least what the defaults give (100 000 items, 1 MiB).
   * It bounds a value that holds the same object or string many times over, whose copy would
   * otherwise grow with the product of the collections' lengths (10⁹ items from three arrays of
   * 1000 references each).
   */
  items: number;
  chars: number;
  /** The keys of objects larger than `maxItems` met so far: see `ownKeys`. */
  keys?: Map<object, string[]>;
  /** The configuration's transforms; undefined when there are none. */
  readonly transforms: readonly CaptureTransform[] | undefined;
}

/**
 * Checks one capture limit given at `where`: a whole number from `min` (at most 2^53 - 1), and a
 * `maxDepth` at most 63 ({@link MAX_CAPTURE_DEPTH}). Each is compared and multiplied as the
 * capture walks: NaN (a limit read from an unset environment variable) kept strings and depth
 * without bound, and items not at all. The walk recurses, one level at a time: a deeper `maxDepth`
 * ran out of stack some thousand levels down (fewer the deeper the logging call) and kept
 * `'[Throws: Maximum call stack size exceeded]'` there, where rxlog's writers cut at 63 anyway.
 * The one check for `captureValue`, tapLog's `captureLimits` and `destructure.toMaximum…`.
 *
 * @throws ConfigurationError naming `where` and the value.
 * @internal
 */
export function expectCaptureLimit(name: keyof CaptureLimits, value: unknown, where: string, min = 0): asserts value is number {
  const max = name === 'maxDepth' ? MAX_CAPTURE_DEPTH : Number.MAX_SAFE_INTEGER;
  const ok = Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max;
  expectOption(ok, where, name === 'maxDepth' ? `a whole number from ${min} to ${max}` : `a whole number ≥ ${min}`, value);
}

/** Checks the limits a caller gave (see {@link expectCaptureLimit}), as tapLog's `captureLimits` are. */
function checkLimits(limits: CaptureLimits | null | undefined): void {
  if (limits == null) return;
  for (const name of Object.keys(DEFAULT_CAPTURE_LIMITS) as (keyof CaptureLimits)[]) {
    const value = limits[name];
    if (value !== undefined) expectCaptureLimit(name, value, `CaptureLimits.${name}`);
  }
}

function walkOf(limits: CaptureSettings | undefined): Walk {
  const maxItems = limits?.maxCollectionLength ?? DEFAULT_CAPTURE_LIMITS.maxCollectionLength;
  const maxString = limits?.maxStringLength ?? DEFAULT_CAPTURE_LIMITS.maxStringLength;
  return {
    structure: false,
    maxDepth: limits?.maxDepth ?? DEFAULT_CAPTURE_LIMITS.maxDepth,
    maxItems,
    maxString,
    ancestors: [],
    safe: false,
    // The defaults' budget at least: a lower limit cuts each collection or string (Serilog's limits
    // apply to each value separately), not every call's total, which would cut the fields of an
    // ordinary object once a few of them had been kept.
    items: 100 * Math.max(maxItems, DEFAULT_CAPTURE_LIMITS.maxCollectionLength),
    chars: 16 * Math.max(maxString, DEFAULT_CAPTURE_LIMITS.maxStringLength),
    // A configuration's limits carry its transforms (see CaptureSettings).
    transforms: limits?.transforms,
  };
}

/** `'[Function name]'`, or `'[Function]'` when the function has no name or reading it throws. */
function functionMarker(fn: unknown): string {
  const name = callbackName(fn, '');
  return name === '' ? '[Function]' : `[Function ${name}]`;
}

/**
 * A string as kept: cut to `maxString` and to what the call's budget has left, which it spends;
 * `unread` items of the value it was made of were never read (see `textOf`), and are counted in its marker.
 */
function keepString(text: string, w: Walk, unread = 0): string {
  const max = w.maxString < w.chars ? w.maxString : w.chars;
  // A copy of its own: a slice kept as given would keep the whole string it was cut from (see ownText).
  const kept = text.length > max || unread > 0 ? truncatedText(text, max, unread) : ownText(text);
  w.chars -= text.length > max ? max : text.length;
  return kept;
}

/** The items of its value the last `textOf` left unread; 0 when it read them all. */
let unreadItems = 0;

/**
 * `String(value)`, for at most `room` characters of it. A typed array whose `toString` is its own
 * (a Node Buffer's decodes every byte as UTF-8: 2 s and a 200 MB string for 100 MB of binary data,
 * to keep 64 KiB) is made text of its first `3 × room + 3` items only when it has more: enough for
 * `room` characters, as UTF-8 makes at least one of every three bytes (a character split at the
 * end of that front lies past them). `unreadItems` counts the items left unread.
 */
function textOf(value: unknown, room: number): string {
  const front = 3 * room + 3;
  // A DataView has no length (NaN here), and so is read whole: its String() is '[object DataView]'.
  const unread = ArrayBuffer.isView(value) ? (value as Uint8Array).length - front : 0;
  const text = String(unread > 0 ? (value as Uint8Array).subarray(0, front) : value);
  // Set after String(), which may log (and so capture) itself.
  unreadItems = unread > 0 ? unread : 0;
  return text;
}

function stringOf(value: unknown, w: Walk): string {
  try {
    if (!joinsItems(value)) {
      const text = textOf(value, w.maxString < w.chars ? w.maxString : w.chars);
      return keepString(text, w, unreadItems);
    }
    const cut: Cut = { text: '', room: w.maxString < w.chars ? w.maxString : w.chars, dropped: 0 };
    join(value, 0, w, cut);
    w.chars -= cut.text.length;
    return cut.dropped > 0 ? truncatedText(cut.text, cut.text.length, cut.dropped) : cut.text;
  } catch (error) {
    const bare = bareText(value);
    return bare === undefined ? throwsMarker('toString', error) : keepString(bare, w);
  }
}

/**
 * What String() would say of an object without a prototype, where it throws for want of a
 * `toString`: an Error by brand (one whose prototype was taken away) as `Error.prototype.toString`
 * writes it (`Error: message`), any other as `Object.prototype.toString` does (`[object Object]`).
 * Undefined for a value that has a way to become text of its own (which threw), or on a trap that throws.
 */
function bareText(value: unknown): string | undefined {
  try {
    if (!isObject(value) || Object.getPrototypeOf(value) !== null) return undefined;
    if ('toString' in value || 'valueOf' in value || Symbol.toPrimitive in value) return undefined;
    const tag = Object.prototype.toString.call(value);
    return tag === '[object Error]' ? Error.prototype.toString.call(value) : tag;
  } catch {
    return undefined;
  }
}

/**
 * Whether String() of `value` joins its items as an array's does: an array, or a typed array
 * whose toString is the built-in one (%TypedArray%.prototype.toString is Array.prototype.toString,
 * told by its native source, as typed arrays may come from another realm: Jest's are Node's). A
 * Buffer's toString, in JavaScript, writes its bytes as text, and is left to it.
 */
export function joinsItems(value: unknown): value is readonly unknown[] {
  if (Array.isArray(value)) return true;
  if (!ArrayBuffer.isView(value) || value instanceof DataView) return false;
  const toString = (value as { toString?: unknown }).toString;
  return (
    toString === Array.prototype.toString ||
    (typeof toString === 'function' &&
      /^function toString\(\) \{\s*\[native code\]\s*\}$/.test(Function.prototype.toString.call(toString)))
  );
}

/**
 * The text of a join as kept: up to `room` code units, and the count of those left out past it.
 * The items are cut with no marker of their own: one marker at the end counts all that was left
 * out (an item cut with its own `…[truncated N chars]` and the joined text cut again counted only
 * the second cut).
 */
interface Cut {
  text: string;
  room: number;
  dropped: number;
}

function append(part: string, cut: Cut): void {
  if (part.length <= cut.room) cut.text += part;
  else {
    cut.text += part.slice(0, cut.room);
    cut.dropped += part.length - cut.room;
  }
  cut.room -= part.length < cut.room ? part.length : cut.room;
}

/**
 * `String(array)` (or a typed array's) within the limits and the call's budget, into `cut`. String() joins every item, nested
 * arrays too, with no bound: the same array held many times over would take seconds and
 * gigabytes. Items are written as String() writes them (an Error as `Error: message`, null and
 * undefined as nothing); past the limits, a `'…N more'` item, and nothing deeper than `maxDepth`.
 */
function join(array: readonly unknown[], depth: number, w: Walk, cut: Cut, outer: readonly unknown[] = [array]): void {
  const kept = keep(array.length, w);
  for (let i = 0; i < kept; i++) {
    if (i > 0) append(',', cut);
    const item = read(array, i);
    // An array that contains itself is joined as nothing there, as String() does.
    if (joinsItems(item)) {
      if (depth < w.maxDepth && !outer.includes(item)) join(item, depth + 1, w, cut, [...outer, item]);
    } else if (item != null) {
      append(textOf(item, cut.room), cut);
      cut.dropped += unreadItems;
    }
  }
  if (array.length > kept) append(`${kept > 0 ? ',' : ''}${more(array.length - kept)}`, cut);
}

/** Most entries of a Headers, URLSearchParams or FormData counted for its `…N more` marker. */
const MAX_COUNTED_ENTRIES = 100_000;

export function more(count: number): string {
  return `…${count} more`;
}

/** A value that is not an object as an event stores it: a string cut to `maxString`, a symbol as text, a function as a marker. */
function captureScalar(value: unknown, w: Walk): unknown {
  switch (typeof value) {
    case 'string':
      return keepString(value, w);
    case 'symbol':
      return stringOf(value, w);
    case 'function':
      // A name is any string (defineProperty), so the marker is cut and counted as one.
      return keepString(functionMarker(value), w);
    default:
      return value;
  }
}

/** The boxes a boxed primitive (`new Number(5)`, `Object(10n)`) is an instance of. */
const BOXES = [Number, String, Boolean, BigInt, Symbol];

/** `Object.prototype.toString` of `value` (`[object Date]`): a built-in's kind whatever its realm. May throw (a Proxy's trap). */
export function tagOf(value: unknown): string {
  return Object.prototype.toString.call(value);
}

/**
 * The primitive a box holds (as JSON.stringify writes `new Number(5)` as `5`), else `value`. The
 * prototype's own valueOf reads the internal slot, so no override runs (a subclass's throwing
 * valueOf); a Proxy or `Object.create(Number.prototype)` has no slot, its valueOf throws: no box.
 * A box of another realm (Node's own inside Jest) is told by its tag, and its slot read the same way.
 * Capture and `writeJson` share it, so both write a box alike.
 */
export function unbox(value: unknown): unknown {
  try {
    // Speed: a class instance inherits Object's valueOf, and one read of it spares five instanceof walks.
    if ((value as { valueOf?: unknown } | null | undefined)?.valueOf === Object.prototype.valueOf) return value;
    const tag = tagOf(value);
    for (const box of BOXES)
      if (value instanceof box || tag === `[object ${box.name}]`)
        return (box.prototype as { valueOf(): unknown }).valueOf.call(value);
  } catch {
    // Not a box (see above), or a Proxy trap or valueOf getter that throws: captured as the object it is.
  }
  return value;
}

/**
 * `key` is the name JSON.stringify would give `value`'s toJSON: its member's name, its index in an
 * array (a number, made a string only for a toJSON), or `''` at the root.
 */
function walk(value: unknown, depth: number, w: Walk, key?: string | number, json?: boolean): unknown {
  if (isObject(value)) return walkObject(value, depth, w, key, json);
  // bigint, NaN and ±Infinity: writeJson writes them where JSON.stringify throws or writes null.
  if (typeof value === 'bigint' || (typeof value === 'number' && !Number.isFinite(value))) w.safe = false;
  return captureScalar(value, w);
}

/**
 * `json`: `value` is what a toJSON returned, whose own toJSON JSON.stringify does not call.
 * `transformed`: `value` is what the transforms made of the value at this place, not to be transformed again.
 */
function walkObject(
  value: object,
  depth: number,
  w: Walk,
  key?: string | number,
  json?: boolean,
  transformed?: boolean,
): unknown {
  if (w.transforms !== undefined && !transformed) return walkTransformed(value, depth, w, key, json, w.transforms);
  try {
    // A Date of another realm (Node's own inside Jest: an `fs.Stats` time, what `structuredClone`
    // returns) by its slot, or its toJSON made it a string that no date format applies to.
    if (isDate(value)) {
      const time = Date.prototype.getTime.call(value);
      // An invalid Date: writeJson writes "Invalid Date" where JSON.stringify writes null.
      if (time !== time) w.safe = false;
      return new Date(time);
    }
    if (w.ancestors.includes(value)) return CIRCULAR_MARKER;
    // The depth is checked in walkStructure, once a toJSON has said what the value stands for.
    w.ancestors.push(value);
    try {
      return walkStructure(value, depth, w, key, json);
    } finally {
      w.ancestors.pop();
    }
  } catch (error) {
    // A Proxy whose traps throw, or an exotic object that refuses inspection.
    return throwsMarker('an object', error);
  }
}

/**
 * `value` through the transforms: the first that matches it captures what it returns in its place,
 * in structure (as Serilog's `ByTransforming` destructures its result), and so on while another
 * matches that; each applies at most once at a place, so one that returns a value of its own type
 * (or a chain that comes back to it) ends there, and what it returned is captured as it is. The
 * members of what they return meet the transforms again, deeper, as far as `maxDepth`. A
 * transform or predicate that throws is captured as `'[Throws: message]'` (told to SelfLog).
 */
function walkTransformed(
  value: object,
  depth: number,
  w: Walk,
  key: string | number | undefined,
  json: boolean | undefined,
  transforms: readonly CaptureTransform[],
): unknown {
  const used: CaptureTransform[] = [];
  let result: unknown = value;
  try {
    // After each transform, from the first again: another (an earlier one too) may take what it returned.
    for (let i = 0; i < transforms.length && isObject(result); i++)
      if (!used.includes(transforms[i]) && transforms[i].matches(result)) {
        used.push(transforms[i]);
        result = transforms[i].transform(result);
        i = -1;
      }
  } catch (error) {
    return throwsMarker('a transform', error);
  }
  if (used.length === 0) return walkObject(value, depth, w, key, json, true);
  const structure = w.structure;
  w.structure = true;
  try {
    return isObject(result) ? walkObject(result, depth, w, key, false, true) : walk(result, depth, w, key);
  } finally {
    w.structure = structure;
  }
}

/** Whether `value` is a typed array (or a Buffer) of more than `max` items; a DataView has no length. */
export function longView(value: object, max: number): boolean {
  return ArrayBuffer.isView(value) && (value as unknown as ArrayLike<unknown>).length > max;
}

function walkStructure(value: object, depth: number, w: Walk, key?: string | number, json?: boolean): unknown {
  const array = Array.isArray(value);
  const anError = value instanceof Error;
  const toJSON = json || array || anError ? undefined : (value as { toJSON?: unknown }).toJSON;
  // As JSON.stringify: toJSON once per position, and what it returns is written as it is (a toJSON
  // returning `this`, its own enumerable properties; not '[Circular]'), in the value's place and at
  // its depth, as writeJson does: so a shallow toJSON (Immutable.js) costs no level, and one that
  // returns a string (a URL, an ObjectId) is kept at the last level, as a string is. But a typed
  // array longer than the bound is cut as its items (below), not given to its toJSON: Node's
  // Buffer.toJSON copies every byte into an array first (600 ms in the caller for 20 MB).
  if (typeof toJSON === 'function' && !longView(value, w.maxItems)) {
    let result: unknown;
    try {
      result = toJSON.call(value, `${key}`);
    } catch (error) {
      return throwsMarker('toJSON', error);
    }
    if (result !== value) return walk(result, depth, w, key, true);
    json = true;
  }
  // Past maxDepth a structure is the marker, but a scalar is kept, as anywhere: what a box holds,
  // and a class instance's String() (captured without `@`), which are no structure.
  const deep = depth >= w.maxDepth ? MAX_DEPTH_MARKER : undefined;
  if (array) return deep ?? walkArray(value, depth, w);
  if (anError) return deep ?? walkError(value, depth, w);
  const proto = Object.getPrototypeOf(value) as object | null;
  // An Error whose prototype was taken away (Object.setPrototypeOf(error, null)) is still one by
  // brand, its message and stack own but not enumerable. Read only for objects without a prototype.
  if (proto === null && hasErrorBrand(value)) return deep ?? walkError(value as Error, depth, w);
  // A prototype whose own prototype is null is some realm's Object.prototype: a plain object.
  // Its keys (and a class instance's below) by Object.keys: own enumerable string keys only, so
  // symbol keys and inherited members are skipped.
  if (proto === null || Object.getPrototypeOf(proto) === null) return deep ?? walkOwnKeys(value, depth, w);
  // Of another realm too (Node's own inside Jest), by tag and slot: else String() made it `[object Map]`.
  const tag = tagOf(value);
  if (value instanceof Map || (tag === '[object Map]' && accepts(() => Map.prototype.has.call(value, 0))))
    return deep ?? walkMap(value as Map<unknown, unknown>, depth, w);
  if (value instanceof Set || (tag === '[object Set]' && accepts(() => Set.prototype.has.call(value, 0))))
    return deep ?? walkIterable(value as Set<unknown>, (value as Set<unknown>).size, depth, w);
  // Headers, URLSearchParams and FormData hold their entries in slots, no own property: their names
  // and values, as a Map of string keys (a repeated name, as Set-Cookie, gets `#i`).
  const entries = value as { keys?: () => Iterable<unknown>; entries?: () => Iterable<[unknown, unknown]> };
  if (
    /^\[object (?:Headers|URLSearchParams|FormData)\]$/.test(tag) &&
    typeof entries.keys === 'function' &&
    typeof entries.entries === 'function'
  ) {
    let size = 0;
    // Bounded: an object that only claims one of these tags may iterate for ever.
    for (const _name of entries.keys()) if (++size === MAX_COUNTED_ENTRIES) break;
    return deep ?? walkPairs(entries.entries(), size, depth, w);
  }
  if (ArrayBuffer.isView(value) && tag !== '[object DataView]') {
    return deep ?? walkIterable(value as unknown as Iterable<unknown>, (value as unknown as ArrayLike<unknown>).length, depth, w);
  }
  // An Error of another realm (a vm context, Node's own inside Jest) is no instance of this one's:
  // its brand tells, read only for class instances, so plain objects never pay for it.
  if (tag === '[object Error]') return deep ?? walkError(value as Error, depth, w);
  const scalar = unbox(value);
  if (scalar !== value) return walk(scalar, depth, w);
  if (w.structure || json) return deep ?? walkOwnKeys(value, depth, w);
  return stringOf(value, w);
}

/**
 * Whether `value` is a Date of any realm: this one's, or another's (Node's own inside Jest, a vm
 * context's, an event built in an iframe) told by its tag and by `Date.prototype.getTime` accepting
 * it (a Date's slot; a `Symbol.toStringTag` of `'Date'` alone is not one). Capture, `renderValue`
 * and `writeJson` share it, so a Date takes its format however it reached the event. May throw (a
 * Proxy's trap).
 */
export function isDate(value: unknown): value is Date {
  return value instanceof Date || (tagOf(value) === '[object Date]' && accepts(() => Date.prototype.getTime.call(value)));
}

/** Whether `read`, a built-in's method called on a value, accepts it: the value has the built-in's slot, whatever its realm or tag. */
function accepts(read: () => unknown): boolean {
  try {
    read();
    return true;
  } catch {
    return false;
  }
}

/** How many of `count` items a collection keeps: at most `maxItems` and what the budget has left, which it spends. */
function keep(count: number, w: Walk): number {
  // `|| 0`: a count that is not a number (a hostile size getter) keeps nothing rather than the bound.
  const kept = Math.min(count, w.maxItems, w.items) || 0;
  w.items -= kept;
  return kept;
}

function walkArray(value: readonly unknown[], depth: number, w: Walk): unknown[] {
  const length = value.length;
  const kept = keep(length, w);
  const result: unknown[] = [];
  for (let i = 0; i < kept; i++) result.push(walk(read(value, i), depth + 1, w, i));
  if (length > kept) result.push(more(length - kept));
  return result;
}

function walkIterable(value: Iterable<unknown>, size: number, depth: number, w: Walk): unknown[] {
  const kept = keep(size, w);
  const result: unknown[] = [];
  for (const item of value) {
    if (result.length === kept) {
      result.push(more(size - kept));
      break;
    }
    result.push(walk(item, depth + 1, w, result.length));
  }
  return result;
}

function walkMap(value: Map<unknown, unknown>, depth: number, w: Walk): unknown {
  let checked = 0;
  for (const key of value.keys()) {
    if (checked++ === w.maxItems) break;
    // As names, object keys would all be '[object Object]' and overwrite one another: such a Map
    // is its [key, value] pairs, as Serilog makes a dictionary whose keys are not scalars a sequence.
    if (Object(key) === key) return walkIterable(value, value.size, depth, w);
  }
  return walkPairs(value, value.size, depth, w);
}

/** `size` [key, value] pairs (a Map's, a Headers') as an object keyed by `String(key)`. */
function walkPairs(pairs: Iterable<[unknown, unknown]>, size: number, depth: number, w: Walk): Record<string, unknown> {
  const kept = keep(size, w);
  const result: Record<string, unknown> = {};
  let count = 0;
  for (const [key, item] of pairs) {
    if (count === kept) {
      result[freeKey(result, '…', count)] = more(size - count);
      break;
    }
    // Any two keys may meet here: cut to the same text, or 1 and '1'.
    const name = freeKey(result, typeof key === 'string' ? keepString(key, w) : stringOf(key, w), count);
    setOwnProperty(result, name, walk(item, depth + 1, w, name));
    count++;
  }
  return result;
}

/**
 * `key`, or when `result` holds it already (two long keys cut to the same text, or the `'…'`
 * marker of a cut collection that kept a key of that name), `key#i`, `i` being the key's index in
 * its object or Map, so that no value overwrites another.
 */
function freeKey(result: Record<string, unknown>, key: string, i: number): string {
  while (Object.hasOwn(result, key)) key += `#${i}`;
  return key;
}

/** What a captured Error holds first, own properties or inherited. */
const ERROR_FIELDS = ['name', 'message', 'stack'];
/** The errors a captured Error links to, kept after its own enumerable properties. */
const LINKED_ERRORS = ['cause', 'errors'];

/**
 * An Error's keys: name, message and stack, its own enumerable properties, then what it links to,
 * own but not enumerable (the cause, an AggregateError's errors: what Promise.any rejects with); each once.
 */
function errorKeys(value: object): string[] {
  return [...new Set([...ERROR_FIELDS, ...Object.keys(value), ...LINKED_ERRORS.filter((key) => Object.hasOwn(value, key))])];
}

function walkError(value: Error, depth: number, w: Walk): Record<string, unknown> {
  return w.items === 0 ? spent() : walkKeys(value, ownKeys(value, w, errorKeys), depth, w);
}

/**
 * `list(value)` (its own enumerable keys, or an Error's), listed once per call for an object of
 * more keys than a collection keeps: Object.keys lists every key, however few are kept, and 100
 * references to an object of 10⁶ keys (a lookup table logged in a list) took a minute. A smaller
 * one is listed each time it is met, which costs no more than its copy.
 */
function ownKeys(value: object, w: Walk, list: (value: object) => string[] = Object.keys): string[] {
  let keys = w.keys?.get(value);
  if (keys !== undefined) return keys;
  keys = list(value);
  if (keys.length > w.maxItems) (w.keys ??= new Map()).set(value, keys);
  return keys;
}

/** What an object reached once the call's item budget is spent is captured as: `{ '…': '…more' }`, its keys unread. */
function spent(): Record<string, unknown> {
  return { '…': SPENT_MARKER };
}

/**
 * `value`'s own enumerable string keys and their members (see `walkKeys`), unread once the call's
 * item budget is spent: nothing of them could be kept, and Object.keys reads every key (a Proxy's
 * getOwnPropertyDescriptor trap for each), in every object of a slot kept before the budget ran
 * out, 10⁸ trap calls for 100 000 slots of 1000 keys.
 */
function walkOwnKeys(value: object, depth: number, w: Walk): Record<string, unknown> {
  return w.items === 0 ? spent() : walkKeys(value, ownKeys(value, w), depth, w);
}

/**
 * The members `keys` names, each an item of the budget, as a record; what the budget leaves out
 * is counted in a `'…'` member (`'…1000 more'`), for an Error's keys as for an object's.
 */
function walkKeys(value: object, keys: readonly string[], depth: number, w: Walk): Record<string, unknown> {
  const kept = keep(keys.length, w);
  const result: Record<string, unknown> = {};
  for (let i = 0; i < kept; i++) {
    const key = keys[i];
    // A key is data as well (JSON.parse of a request, an error made from a parsed body): cut and counted as any string.
    const cut = keepString(key, w);
    // Own keys are distinct: only a cut one can meet another (and the check costs a key kept whole nothing).
    setOwnProperty(result, cut === key ? key : freeKey(result, cut, i), walk(read(value, key), depth + 1, w, key));
  }
  if (keys.length > kept) result[freeKey(result, '…', kept)] = more(keys.length - kept);
  return result;
}

/**
 * Captures one argument as an event stores it, so later mutation of the argument cannot change
 * the event; never throws for any value (see below for limits).
 *
 * - Scalars (string, number, boolean, bigint, null, undefined) are kept; a Date is copied.
 * - A boxed primitive (`new Number(5)`, `new String('x')`, `Object(10n)`, a Symbol object) is
 *   captured as the primitive it holds, read from the box without running its own `valueOf` or
 *   `toString` (with `'stringify'`, `String()` of that primitive); a Proxy is never a box.
 * - `'stringify'` (`{$Name}`) stores `String(value)`, but null and undefined as they are, as Serilog keeps
 *   a null whatever the hint (an array or typed array joined item by
 *   item as String() joins it, an array inside itself as nothing, within the limits; a typed array
 *   whose toString is its own, a Buffer, made text of its first `3 × maxStringLength + 3` items only,
 *   each one left unread counted as a character in the marker).
 * - Arrays, plain objects (also `Object.create(null)` ones), Sets and typed arrays become plain
 *   arrays and objects, deeply; a Map becomes an object keyed by `String(key)`, or when a key is an
 *   object or a function, an array of `[key, value]` pairs; so do the entries of a `Headers`,
 *   `URLSearchParams` or `FormData` (a repeated name gets `#i`).
 * - An object with a `toJSON` method is captured as what `toJSON(key)` returns, with the key
 *   JSON.stringify would pass: its member's name, its index as a string, `''` at the root.
 *   Once per position, as JSON.stringify: the result's own toJSON is not called, and an object
 *   result (the object itself too) is captured as its own enumerable properties. A typed array
 *   (a Buffer) longer than `maxCollectionLength` is not given to its toJSON: it is cut as its items
 *   (Node's `Buffer.toJSON` would copy every byte first).
 * - An Error becomes `{ name, message, stack }` plus its own enumerable properties, `cause` and
 *   an AggregateError's `errors`; so does one whose prototype was taken away, an Error by brand.
 *   With `'stringify'`, an object without a prototype or `toString` (where String() throws) is
 *   `'[object Object]'`, such an Error `'Error: message'`.
 * - Other class instances become `String(value)`, or with `'structure'` (`{@Name}`) their own
 *   enumerable properties; the same mode applies to everything nested inside.
 * - A function becomes `'[Function name]'`, a symbol `String(symbol)`; symbol keys are skipped.
 * - Limits (see {@link CaptureLimits}) bound depth, items and string length (keys of objects and
 *   Maps too: a cut key that meets a key already captured gets `#i`, its index, so both values
 *   are kept; so does a Map key whose `String()` meets another's); a reference to an enclosing
 *   object is `'[Circular]'` (the same object twice side by side is not circular).
 * - In all, one call keeps at most 100 × `maxCollectionLength` items (100 000) and
 *   16 × `maxStringLength` code units of strings (1 MiB), never less than those defaults' figures
 *   (a lower limit bounds each collection and string, as Serilog's), the arguments of one log call together
 *   (a number, boolean or string up to `maxStringLength` given as an argument is kept as it is);
 *   past that, collections end early with their `'…N more'` and strings are cut, and an object
 *   reached in a place kept before is `{ '…': '…more' }`, its keys not read. So a value that
 *   holds the same object many times over (three arrays of 1000 references each, 10⁹ items when
 *   copied) costs what 100 000 items do.
 * - A getter, `toString`, `toJSON` or Proxy trap that throws becomes `'[Throws: <message>]'` and
 *   a SelfLog diagnostic.
 *
 * @throws ConfigurationError when a limit is not a whole number ≥ 0, or `maxDepth` is above 63 (whatever the value).
 *
 * A captured tree belongs to its event: treat it as read-only. One that holds plain JSON data
 * only (no NaN, ±Infinity, bigint or invalid Date) carries an invisible mark, and `writeJson`
 * writes it with the native JSON.stringify, to the same bytes.
 */
export function captureValue(value: unknown, capturing: Capturing = 'default', limits?: CaptureLimits): unknown {
  checkLimits(limits);
  return capture(value, capturing, walkOf(limits));
}

/**
 * `captureValue` for the values of one object of properties (an enricher's, LogContext's): they
 * share one budget, as the arguments of one call do, so a context of many large values costs
 * what one call's arguments can, not that much for each value.
 *
 * @internal
 */
export function captureSharing(limits?: CaptureLimits): (value: unknown) => unknown {
  checkLimits(limits);
  const w = walkOf(limits);
  return (value) => capture(value, 'default', w);
}

/** `captureValue` with the state `w`, whose budget it spends. */
function capture(value: unknown, capturing: Capturing, w: Walk): unknown {
  // As Serilog's converter, which keeps a null as null before any hint: `{$Name}` of null is no text `'null'`.
  if (capturing === 'stringify')
    return typeof value === 'function' || value == null ? captureScalar(value, w) : stringOf(unbox(value), w);
  if (!isObject(value)) return captureScalar(value, w);
  w.structure = capturing === 'structure';
  // A tree deeper than writeJson follows would be cut by it (and not by JSON.stringify).
  w.safe = w.maxDepth <= WRITE_JSON_MAX_DEPTH;
  const captured = walkObject(value, 0, w, '');
  // Speed: a tree of plain data is marked so that formatting writes it with one native JSON.stringify.
  if (w.safe && isObject(captured)) markJsonSafe(captured);
  return captured;
}

/**
 * Whether capture keeps `value` as it is: a number, a boolean, or a string of at most `maxString`
 * code units. Callers check it first: such a value needs no walk and allocates nothing.
 */
export function keptAsIs(value: unknown, maxString: number): boolean {
  const type = typeof value;
  return type === 'number' || type === 'boolean' || (type === 'string' && (value as string).length <= maxString);
}

interface BindingPlan {
  /** The holes that bind, in order: every hole, but the last of each index when all are positional. */
  readonly holes: readonly PropertyToken[];
  /**
   * The argument index each hole binds: its position when every hole is positional, else its own
   * index (named binding, left to right).
   */
  readonly positions: readonly number[];
  /**
   * When every hole is positional, the same indexes, each to its hole: a lookup per argument, not a
   * scan of every hole. Undefined when binding by name, where the holes take indexes 0 to `holes.length - 1`.
   */
  readonly taken: ReadonlyMap<number, PropertyToken> | undefined;
}

const NO_HOLES: BindingPlan = { holes: [], positions: [], taken: undefined };

/** The template's binding plan, found once and kept in its memo. */
function planOf(template: MessageTemplate): BindingPlan {
  const memo = memoOf(template);
  let plan = memo.plan as BindingPlan | undefined;
  if (plan !== undefined) return plan;
  if (hasNoHoles(template)) return (memo.plan = NO_HOLES);
  // Plain loops, not filter/every/Map: a template text new on every call builds a plan on every call.
  const holes: PropertyToken[] = [];
  let positional = true;
  for (const token of template.tokens) {
    if (token.kind !== 'property') continue;
    holes.push(token);
    if (token.position === undefined) positional = false;
  }
  if (!positional) {
    const positions: number[] = [];
    for (let i = 0; i < holes.length; i++) positions.push(i);
    return (memo.plan = { holes, positions, taken: undefined });
  }
  // Each argument index and its hole. As Serilog's PropertyBinder, which fills an array by index:
  // of positional holes of one index (`{01} {1}`), the last binds, under its own name, and the
  // others render as their text.
  const bound = new Map<number, PropertyToken>();
  for (const hole of holes) bound.set(hole.position as number, hole);
  plan = { holes: [...bound.values()], positions: [...bound.keys()], taken: bound };
  memo.plan = plan;
  return plan;
}

function bind(
  result: Record<string, unknown>,
  name: string,
  arg: unknown,
  capturing: Capturing,
  limits: CaptureLimits | undefined,
  maxString: number,
  w: Walk | undefined,
): Walk | undefined {
  // Hot path: a number, boolean or string up to maxString needs no walk (no state either); a number, boolean or
  // string under 13 code units allocates nothing. A longer string is copied: it may be a view into a far larger one.
  if (capturing !== 'stringify' && keptAsIs(arg, maxString)) {
    setOwnProperty(result, name, typeof arg === 'string' ? ownText(arg) : arg);
    return w;
  }
  w ??= walkOf(limits);
  setOwnProperty(result, name, capture(arg, capturing, w));
  return w;
}

/**
 * Binds a call's arguments to the template's holes and captures them (see {@link captureValue}).
 *
 * Named holes bind left to right, one argument each (a repeated name keeps the later value).
 * When every hole is positional (`{0}`, `{1}`) each binds the argument at its index, and of holes
 * of one index the last (`'{01} {1}', 'a', 'b'` gives `{ 1: 'b' }` and renders `{01} b`); a template
 * that mixes both binds by name, as Serilog does. An argument no hole takes is kept as `__i`,
 * `i` being its 0-based index (Serilog's naming: `'{A}', 1, 2` gives `{ A: 1, __1: 2 }`), or `__i#i`
 * when a hole has that name (`'{__2} {A}', 1, 2, 3` gives `{ __2: 1, A: 2, '__2#2': 3 }`). A hole
 * with no argument is left out, so it renders as its own text. Extras are bounded like a
 * collection: past `maxCollectionLength` of them (default 1000), the rest are left out and a `'…'`
 * property says how many (`'…99000 more'`). As in Serilog, an argument no hole takes is told to
 * SelfLog; a hole no argument fills is not, since a child logger's or an enricher's property may fill it.
 *
 * @throws ConfigurationError when a limit is not a whole number ≥ 0, or `maxDepth` is above 63 (whatever the arguments).
 *
 * @example captureProperties(parseTemplate('{User} {@Cart}'), ['ann', cart]) // { User: 'ann', Cart: {…} }
 */
export function captureProperties(
  template: MessageTemplate,
  args: readonly unknown[],
  limits?: CaptureLimits,
): Record<string, unknown> {
  checkLimits(limits);
  const result: Record<string, unknown> = {};
  const plan = planOf(template);
  const maxString = limits?.maxStringLength ?? DEFAULT_CAPTURE_LIMITS.maxStringLength;
  const holes = plan.holes;
  const count = args.length;
  const positions = plan.positions;
  // Extras are a collection like any other: at most maxCollectionLength of them, then a marker.
  const maxExtras = limits?.maxCollectionLength ?? DEFAULT_CAPTURE_LIMITS.maxCollectionLength;
  // One state, and so one budget, for all the arguments, made when the first one needs a walk.
  let w: Walk | undefined;
  for (let i = 0; i < holes.length; i++) {
    const at = positions[i];
    if (at < count) w = bind(result, holes[i].name, args[at], holes[i].capturing, limits, maxString, w);
  }
  let extras = 0;
  const taken = plan.taken;
  for (let i = 0; i < count; i++) {
    // A hole may be named `__i` itself ('{__2} {A}'): it keeps its argument, and the extra is `__i#i`.
    if (!(taken === undefined ? i < holes.length : taken.has(i)) && extras++ < maxExtras)
      w = bind(result, freeKey(result, `__${i}`, i), args[i], 'default', limits, maxString, w);
  }
  // The extra arguments past the limit are counted under a `'…'` key, as a cut collection's are
  // (no property name of a template is `…`, so it meets none).
  if (extras > maxExtras) result['…'] = more(extras - maxExtras);
  // As Serilog's PropertyBinder, an argument no hole takes is told to SelfLog. A hole no argument fills is not: a
  // child logger's, the context's or an enricher's property of that name fills it (request logging's templates).
  if (extras > 0) SelfLog.write('Message template "{Template}": {Extras} extra argument(s) kept as __i', template.text, extras);
  return result;
}
