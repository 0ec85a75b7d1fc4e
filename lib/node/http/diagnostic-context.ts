import { AsyncLocalStorage } from 'node:async_hooks';
import { SelfLog } from '../../core/self-log';
import { sharedState } from '../../core/shared-state';
import { MAX_BOUND_PROPERTIES } from '../../pipeline/bound-properties';
import { captureValue } from '../../templates/capture';
import { setOwnProperty } from '../../templates/own-property';

/**
 * Properties collected for one request's completion event: at most `MAX_BOUND_PROPERTIES` (1000)
 * names, the most its event can carry, so a long-lived request (a stream, a long poll) that sets a
 * new name for every message keeps no more than that however long it lives.
 */
export class DiagnosticCollector {
  private readonly collected: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  private count = 0;
  private completed = false;

  /**
   * Adds (or replaces) one property; the value is captured now, so later mutation cannot change it.
   * After `complete` (the completion event is written) it is ignored, which SelfLog says once. A new
   * name past the first 1000 is ignored, which SelfLog says once for the request; a name already
   * set still takes its new value.
   */
  set(name: string, value: unknown, destructure = true): void {
    if (this.completed) {
      warnLate();
      return;
    }
    if (!(name in this.collected)) {
      if (this.count === MAX_BOUND_PROPERTIES) {
        this.count++;
        SelfLog.write(
          'diagnosticContext.set: a request has {Limit} properties, the most its completion event carries; new names are ignored',
          MAX_BOUND_PROPERTIES,
        );
      }
      if (this.count >= MAX_BOUND_PROPERTIES) return;
      this.count++;
    }
    this.collected[name] = captureValue(value, destructure ? 'structure' : 'default');
  }

  /** What was collected so far, as a fresh plain object. */
  properties(): Record<string, unknown> {
    return { ...this.collected };
  }

  /** Ends collection: later `set` calls are ignored. Returns what was collected. */
  complete(): Record<string, unknown> {
    this.completed = true;
    return this.properties();
  }
}

/** The current request's collector, one storage for every copy of rxlog in the process (see sharedState). */
let shared: AsyncLocalStorage<DiagnosticCollector> | undefined;
const storage = (): AsyncLocalStorage<DiagnosticCollector> =>
  (shared ??= sharedState('diagnosticContext.v1', () => new AsyncLocalStorage<DiagnosticCollector>()));

/**
 * Wide events for requests, as Serilog.AspNetCore's `IDiagnosticContext`: code anywhere inside a
 * request calls `diagnosticContext.set('UserId', 42)`, and the property lands on that request's one
 * completion event (not on every event). `requestLogging` and the Nest interceptor open a collection
 * per request with `run`; outside one, `set` is a no-op reported once to SelfLog.
 *
 * @example
 * ```ts fragment
 * diagnosticContext.set('CartItems', cart.items.length);
 * ```
 */
export const diagnosticContext = {
  /** Adds a property to the current request's completion event; the value is captured as `{@Name}` would be. */
  set(name: string, value: unknown, destructure = true): void {
    const collector = storage().getStore();
    if (collector === undefined) {
      warnOutside();
      return;
    }
    try {
      collector.set(String(name), value, destructure);
    } catch (error) {
      SelfLog.write('diagnosticContext.set failed for a property; it is left out', error);
    }
  },

  /** Runs `fn` with a fresh collector that every `set` inside it (and its async continuations) writes to. */
  run<T>(fn: (collector: DiagnosticCollector) => T): T {
    const collector = new DiagnosticCollector();
    return storage().run(collector, () => fn(collector));
  },

  /** Runs `fn` with `collector` as the current one: for request middleware that enters the same request more than once (hooks of one request). */
  runWith<T>(collector: DiagnosticCollector, fn: () => T): T {
    return storage().run(collector, fn);
  },

  /** The collector of the current request, if any. */
  current(): DiagnosticCollector | undefined {
    return storage().getStore();
  },
};

/**
 * Runs `fn` with no current collection: `set` inside it, and in async work it starts, is ignored.
 * `LogContext.suspend` (with the AsyncLocalStorage store) runs its callback so.
 */
export function outsideDiagnosticCollection<T>(fn: () => T): T {
  // run, not exit (experimental), as the LogContext store's suspend.
  return storage().run(undefined as unknown as DiagnosticCollector, fn);
}

let warnedLate = false;
function warnLate(): void {
  if (warnedLate) return;
  warnedLate = true;
  SelfLog.write(
    "diagnosticContext.set was called after its request's completion event was written (from a timer or callback the request left running); the property is ignored",
  );
}

let warned = false;
function warnOutside(): void {
  if (warned) return;
  warned = true;
  SelfLog.write('diagnosticContext.set was called outside a request collection; the property is ignored');
}

/**
 * Adds a request's diagnostic properties to its completion event's `properties`, after the event's
 * own: a name the event already has keeps the event's value (as in Serilog, "last-in wins"), and
 * since the event's own come first, a thousand diagnostic ones (a handler copying a hostile query
 * string) cannot push them past the logger's bound. `'__proto__'` is a name like any other.
 */
export function addDiagnostics(properties: Record<string, unknown>, diagnostics: Readonly<Record<string, unknown>>): void {
  for (const name of Object.keys(diagnostics))
    if (!Object.hasOwn(properties, name)) setOwnProperty(properties, name, diagnostics[name]);
}
