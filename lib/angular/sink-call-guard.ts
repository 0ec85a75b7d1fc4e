import type { Sink } from '../core/sink';

/** The sink methods whose synchronous part counts as "inside a sink". */
const SINK_METHODS: ReadonlySet<PropertyKey> = new Set(['emit', 'emitSync', 'flush', 'flushSync', 'close']);

let depth = 0;

/**
 * Whether a sink method is running now, on this turn. The HTTP interceptor leaves alone the
 * requests made there: a sink that posts its batches with the app's HttpClient would otherwise
 * log its own request, whose event the sink posts again, for ever.
 */
export function isInsideSinkCall(): boolean {
  return depth > 0;
}

/**
 * The sink as it is (same kind, options, prototype and `instanceof`), except that each call of
 * `emit`, `emitSync`, `flush`, `flushSync` and `close` marks the time it runs synchronously as
 * inside a sink (see {@link isInsideSinkCall}). The methods run on the sink itself, so private
 * fields and getters work as before.
 */
export function guardSinkCalls<T extends Sink>(sink: T): T {
  return new Proxy(sink, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (!SINK_METHODS.has(key) || typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        depth++;
        try {
          return Reflect.apply(value, target, args) as unknown;
        } finally {
          depth--;
        }
      };
    },
  });
}
