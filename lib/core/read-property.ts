import { writeUnlessRepeated } from './self-log';
import { cutWithEllipsis } from './truncated-text';

/** An Error's message, or any other thrown value, as a string; never throws. */
export function errorMessage(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : String(error);
  } catch {
    return 'unprintable error';
  }
}

/** What a read threw, as a marker's message: its `errorMessage`, cut to 200 characters; never throws. */
export function thrownMessage(error: unknown): string {
  const full = errorMessage(error);
  return cutWithEllipsis(full, 200);
}

/** The kind of a thrown value, never its message: an Error's name (`TypeError`), else its type; never throws. */
export function errorKind(error: unknown): string {
  try {
    if (error instanceof Error) return String(error.name);
  } catch {
    // A Proxy or a name getter that throws: the type is all that is said.
  }
  return typeof error;
}

/** A read that threw: what was read, the error, the marker. */
type Held = [string, unknown, string];

/** The reads that threw while `heldThrows` runs. */
let held: Held[] | undefined;

/**
 * A `'[Throws: message]'` marker for a read of `what` that threw, told to SelfLog unless the
 * diagnostic just before was the same read throwing the same way (a context value's getter, read
 * for every event of its run, is told once); while `heldThrows` runs, told when it ends.
 */
export function throwsMarker(what: string, error: unknown): string {
  const message = thrownMessage(error);
  const marker = `[Throws: ${message}]`;
  if (held !== undefined) held.push([what, error, marker]);
  else writeUnlessRepeated('Capturing {What} threw {Message}; captured as a marker', what, message);
  return marker;
}

/** Whether captured data holds `marker` as a value (its JSON, the marker's with it); false when it has none. */
function holds(data: unknown, marker: string): boolean {
  try {
    return JSON.stringify(data).includes(JSON.stringify(marker));
  } catch {
    // A bigint, or no captured data after all: taken for redacted.
    return false;
  }
}

/**
 * Starts holding the diagnostics of reads that threw (a getter's `invalid token abc123`) while a
 * capture and the redaction of what it captured run; `tellHeld` ends it. Returns the reads held
 * before, for `tellHeld`. The logger's hot path calls the two around its own code rather than
 * giving `heldThrows` a closure, which would make every log call allocate a context.
 */
export function holdThrows(): Held[] | undefined {
  const outer = held;
  held = [];
  return outer;
}

/**
 * Ends what `holdThrows` began and tells what it held: a marker still in `result` (what was
 * captured and redacted) is told with its message, as always; one a policy censored or removed is
 * told by the error's kind only (`TypeError`), since its message may quote the redacted value.
 * With no `result` (the capture threw), or with `later` (what it gives is redacted later, by a
 * censor function), every held read is told by its kind.
 */
export function tellHeld(outer: Held[] | undefined, result?: unknown, later = false): void {
  const mine = held ?? [];
  held = outer;
  for (const read of mine) tell(read, !later && result !== undefined && holds(result, read[2]));
}

/** Tells a read that threw: with its message, or by the error's kind only. */
function tell([what, error, marker]: Held, withMessage: boolean): void {
  if (withMessage) writeUnlessRepeated('Capturing {What} threw {Message}; captured as a marker', what, marker.slice(9, -1));
  else
    writeUnlessRepeated(
      'Capturing {What} threw {Type} (its message not told: the value is redacted); captured as a marker',
      what,
      errorKind(error),
    );
}

/** Runs `run` (which gives something other than undefined) between `holdThrows` and `tellHeld`. */
export function heldThrows<T>(run: () => T, later = false): T {
  const outer = holdThrows();
  let result: T | undefined;
  try {
    return (result = run());
  } finally {
    tellHeld(outer, result, later);
  }
}

/** What `keepThrows` held while a value was made, by that value, until `releaseThrows` tells it. */
const kept = new WeakMap<object, Held[]>();

/**
 * Runs `make` (which never throws, and gives an object: a thrown value's data made an exception)
 * holding the reads that threw, and keeps them with what it gives, untold: where that value is
 * logged, under the logger's redaction policies or none, `releaseThrows` tells them, so a policy
 * that censors the data decides as it does for a call's arguments. A value made and never logged
 * (its level off) tells nothing.
 */
export function keepThrows<T extends object>(make: () => T): T {
  const outer = holdThrows();
  try {
    const made = make();
    kept.set(made, held as Held[]);
    return made;
  } finally {
    held = outer;
  }
}

/**
 * Tells the reads `keepThrows` kept with `value`, once: held, while a hold runs (a logger with
 * policies, see `tellHeld`), else at once with their messages.
 */
export function releaseThrows(value: unknown): void {
  // A WeakMap answers undefined for a value that is no object.
  for (const read of kept.get(value as object) ?? [])
    if (held === undefined) tell(read, true);
    else held.push(read);
  kept.delete(value as object);
}

/** `source[key]`, or when reading it throws, a `'[Throws: message]'` marker (told to SelfLog); never throws. */
export function read(source: object, key: string | number): unknown {
  try {
    return (source as Record<string | number, unknown>)[key];
  } catch (error) {
    return throwsMarker(`property ${String(key)}`, error);
  }
}
