/**
 * Deepest nesting `writeJson` follows; a structure deeper than this is written as `"[MaxDepth]"`.
 * 63: a CLEF or NDJSON line is one object around its properties, so it nests at most 64 deep, the
 * most Serilog's CLEF reader takes (Newtonsoft.Json's default `MaxDepth`, 64 containers).
 */
export const WRITE_JSON_MAX_DEPTH = 63;

/** A base whose constructor returns the object it is given, so a subclass's private field lands on that object. */
class Stamp {
  constructor(target: object) {
    return target;
  }
}

/**
 * The mark on a captured tree known to hold JSON-safe data only. Speed: a private field, not a
 * WeakSet (whose add cost about as much as the native write saves): it is invisible to
 * `Object.keys`, `Reflect.ownKeys`, spread, JSON and structuredClone, a copy of the tree is not
 * marked, and testing it never runs a Proxy trap.
 */
class JsonSafeStamp extends Stamp {
  readonly #jsonSafe = true;

  static has(value: object): boolean {
    return #jsonSafe in value;
  }
}

/**
 * Marks a tree that capture has just made and found JSON-safe: plain objects and arrays of its
 * own making, holding only strings, finite numbers, booleans, null, undefined and valid Dates,
 * no deeper than `writeJson` follows. Only capture calls it, on a fresh unfrozen object.
 */
export function markJsonSafe(root: object): void {
  new JsonSafeStamp(root);
}

/** Whether capture marked this tree as JSON-safe (see {@link markJsonSafe}). */
export function isJsonSafe(value: object): boolean {
  return JsonSafeStamp.has(value);
}
