/** Returns the object it is given from its constructor, so that a subclass's private field is added to that object. */
class Carrier {
  constructor(target: object) {
    // The point of the class: see eventCounts.
    return target;
  }
}

/** A count kept per event object, as a WeakMap keyed by the event would keep it (see {@link eventCounts}). */
export interface EventCounts {
  /** The count of `event`, or undefined when none was set. */
  get(event: unknown): number | undefined;
  /**
   * Sets the count of `event`. Throws a TypeError for what a WeakMap cannot key (a string, a
   * number, null), as `WeakMap.prototype.set` does.
   */
  set(event: unknown, count: number): void;
}

/**
 * A count per event object: read and written like a `WeakMap<object, number>`, kept in a private
 * field of a class of its own that is stamped on the event itself. A lane with operators counts
 * every event that passes; a WeakMap entry per event cost about 0.5 µs and made garbage collection
 * trace an ephemeron table that holds every event in flight, where a private field is one more
 * slot of the event (invisible to `Object.keys`, `Reflect.ownKeys`, spread and JSON, not carried
 * by a copy, and each call's class has a field of its own, so two lanes never share a count).
 * What cannot take the field (not an object, or an object that refuses new fields) is kept in a
 * WeakMap instead, with the same answers.
 */
export function eventCounts(): EventCounts {
  const others = new WeakMap<object, number>();
  class Counted extends Carrier {
    #count = 0;

    static get(event: unknown): number | undefined {
      if (typeof event === 'object' && event !== null && #count in event) return event.#count;
      return others.get(event as object);
    }

    static set(event: unknown, count: number): void {
      if (typeof event === 'object' && event !== null) {
        if (#count in event) {
          event.#count = count;
          return;
        }
        try {
          new Counted(event).#count = count;
          return;
        } catch {
          // An object that takes no new private field (an engine that applies Object.freeze or
          // preventExtensions to them): the WeakMap below keeps its count.
        }
      }
      others.set(event as object, count);
    }
  }
  return { get: (event) => Counted.get(event), set: (event, count) => Counted.set(event, count) };
}
