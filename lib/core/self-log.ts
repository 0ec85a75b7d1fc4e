import { defer, Subject } from 'rxjs';
import { sharedState } from './shared-state';
import { guardSubscribers } from './guard-subscribers';
import { escapeControlCharacters } from './escape-control-characters';
import { exceptionText } from './exception-text';

/** One internal diagnostic: what went wrong inside the logging pipeline. */
export interface SelfLogEvent {
  readonly timestamp: Date;
  /** The diagnostic's template, e.g. `'Sink {Name} failed'`. */
  readonly template: string;
  readonly args: readonly unknown[];
  /** The template with its holes filled, left to right. */
  readonly message: string;
}

/** Where SelfLog diagnostics go when enabled. */
export type SelfLogOutput = (message: string) => void;

/** SelfLog's state, one for every copy of rxlog in the process (see sharedState). */
interface SelfLogState {
  readonly subject: Subject<SelfLogEvent>;
  output: SelfLogOutput | undefined;
  /** Set while a subscriber's fault is being reported, so a subscriber that throws on every diagnostic cannot recurse. */
  reportingFault: boolean;
  /** Diagnostics being delivered now, one inside another (an output or subscriber that logs, and that logging writes a diagnostic). */
  delivering: number;
  /** The last diagnostic `writeUnlessRepeated` wrote, as its template and arguments; cleared by any other. */
  repeated: string | undefined;
  /**
   * Every diagnostic `writeUnlessRepeated` wrote since any other (at most {@link MAX_TOLD}), so
   * reads that throw by turns are told once each; cleared with `repeated`. Optional: state made by
   * an earlier copy of rxlog has none.
   */
  told?: Set<string> | undefined;
}
let state: SelfLogState | undefined;
const shared = (): SelfLogState =>
  (state ??= sharedState('SelfLog.v1', () => ({
    subject: new Subject<SelfLogEvent>(),
    output: undefined,
    reportingFault: false,
    delivering: 0,
    repeated: undefined,
  })));
/** Most diagnostics delivered one inside another; a deeper one is dropped, so an output that logs cannot recurse without end. */
const MAX_NESTED_DIAGNOSTICS = 8;
/** Most repeated diagnostics remembered at once (see writeUnlessRepeated); past it, the memory starts again. */
const MAX_TOLD = 16;

function onSubscriberFault(error: unknown): void {
  const self = shared();
  if (self.reportingFault) return;
  self.reportingFault = true;
  try {
    SelfLog.write('A subscriber of SelfLog.events$ failed; it stays subscribed', error);
  } finally {
    self.reportingFault = false;
  }
}

/**
 * A quoted value as the diagnostic shows it: an Error as formatters write it (its stack, then its
 * `cause` chain and an AggregateError's errors, bounded: see exceptionText), anything else as String(), its
 * control characters escaped as text output escapes data (a receiver's answer or an event's value
 * could otherwise clear the console, retitle the terminal or forge a line), line breaks kept.
 */
function describe(value: unknown): string {
  try {
    return escapeControlCharacters(value instanceof Error ? exceptionText(value) : String(value), true);
  } catch {
    return '[unprintable]';
  }
}

/** Fills `{Hole}`s left to right; arguments beyond the holes are appended. */
function fill(template: string, args: readonly unknown[]): string {
  let next = 0;
  const text = template.replace(/\{[^{}]*\}/g, (hole) => (next < args.length ? describe(args[next++]) : hole));
  return [text, ...args.slice(next).map(describe)].join(' ');
}

/**
 * The logging pipeline's own diagnostics: failing sinks, enrichers and getters, back-pressure
 * warnings, breaker state changes. Nothing inside the pipeline ever throws into the caller; it
 * writes here instead. Off by default.
 *
 * @example
 * SelfLog.enable();                       // to console.error
 * SelfLog.enable((m) => myFile.write(m)); // anywhere
 * SelfLog.events$.subscribe((d) => …);    // as an Observable
 */
export const SelfLog = {
  /** Every diagnostic, whether or not an output is enabled. A subscriber that throws is reported here and stays subscribed; it never crashes the process. */
  events$: guardSubscribers(
    defer(() => {
      // A new subscriber hears a repeated diagnostic (see writeUnlessRepeated) once more.
      const self = shared();
      self.repeated = undefined;
      return self.subject;
    }),
    onSubscriberFault,
  ),

  /** Sends diagnostics to `fn` (default `console.error`). */
  enable(fn: SelfLogOutput = (message) => console.error(message)): void {
    const self = shared();
    self.output = fn;
    self.repeated = undefined;
  },

  /** Stops sending diagnostics to the output; `events$` subscribers still receive them. */
  disable(): void {
    const self = shared();
    self.output = undefined;
    self.repeated = undefined;
  },

  /** Whether an output is enabled. */
  get enabled(): boolean {
    return shared().output !== undefined;
  },

  /** Records a diagnostic; never throws, whatever the arguments or the output do. */
  write(template: string, ...args: unknown[]): void {
    const self = shared();
    const { subject, output } = self;
    if ((output === undefined && !subject.observed) || self.delivering >= MAX_NESTED_DIAGNOSTICS) return;
    self.repeated = undefined;
    const timestamp = new Date();
    let stamp = '';
    let message: string;
    try {
      stamp = `${timestamp.toISOString()} rxlog: `;
      message = stamp + fill(template, args);
    } catch {
      // Out of stack (a diagnostic from deep inside a capture): the timestamp and the template, then
      // its values as text if that fits, in fewer frames than fill.
      message = stamp + template;
      try {
        message += ` ${escapeControlCharacters(args.join(' '), true)}`;
      } catch {
        // The template it is.
      }
    }
    const event: SelfLogEvent = { timestamp, template, args, message };
    self.delivering++;
    try {
      subject.next(event);
    } catch {
      // A subscriber's fault must not reach the code that wrote the diagnostic.
    }
    try {
      output?.(message);
    } catch {
      // The diagnostic channel itself failed; there is nowhere left to report it.
    } finally {
      self.delivering--;
    }
  },
};

/**
 * Writes a diagnostic unless it was written already (the same template and arguments) with no
 * other diagnostic since: a value read for every event that throws the same way each time (a
 * LogContext value's getter, read for every event of its run; several such values by turns) is
 * told once, not once per event, until another diagnostic is written, an output is enabled or
 * disabled, or `events$` gains a subscriber.
 */
export function writeUnlessRepeated(template: string, ...args: string[]): void {
  const key = [template, ...args].join('\u0000');
  const self = shared();
  // Nobody listens: nothing to write, and no state to keep (a new listener resets it anyway).
  if (self.repeated === undefined) self.told = undefined;
  if (self.repeated === key || self.told?.has(key) === true || (self.output === undefined && !self.subject.observed)) return;
  const told = self.told;
  SelfLog.write(template, ...args);
  self.repeated = key;
  // Reads that throw by turns (two context values whose getters fail on every event) are each told once.
  self.told = told !== undefined && told.size < MAX_TOLD ? told.add(key) : new Set([key]);
}
