import { isObject as isAnObject } from '../core/is-object';
import { hasMethods } from '../core/has-methods';
import { checkOptionKeys } from '../core/check-option-keys';
import { expectReadableOption, readOptions } from '../core/read-options';
import { ConfigurationError } from '../core/errors/configuration-error';
import { expectOption } from '../core/expect-option';
import type { LogEvent } from '../core/log-event';
import { isLevelName, LOG_LEVELS, type LogLevelName, levelValue, parseLevel } from '../core/log-level';
import { PartialDeliveryError } from '../core/errors/partial-delivery-error';
import { retryHint } from '../core/retry-hint';
import { SelfLog } from '../core/self-log';
import type { EmitResult, Formatter, Sink } from '../core/sink';
import { formatLine } from '../formatting/format-line';
import { TextFormatter } from '../formatting/text-formatter';
import { trimNewline } from '../formatting/trim-newline';
import { ANSI_RESET, type ConsoleTheme, defaultConsoleTheme } from './console-theme';
import { type ColorStream, colorsFromEnvironment, terminalHasColors } from '../core/colors-from-environment';
import { escapeControlsPastC0 } from '../core/escape-control-characters';

/** Something text can be written to, such as `process.stdout`. */
export interface TextStream {
  /** Writes the text as is (it carries its own newline). */
  write(text: string): unknown;
  /** True for a terminal: colours are used only then, unless forced. */
  readonly isTTY?: boolean | undefined;
}

/**
 * What ConsoleSink reads of a Node stream where it has it: a write that failed (EPIPE from a
 * reader that left) leaves the stream errored or destroyed, and its callback runs before the
 * stream's `'error'` event.
 */
interface NodeTextStream extends TextStream, ColorStream {
  write(text: string, done?: (error?: unknown) => void): unknown;
  readonly errored?: unknown;
  readonly destroyed?: unknown;
  /** True once a `write()` returned false: the stream holds more than its `highWaterMark` until `'drain'`. */
  readonly writableNeedDrain?: unknown;
  on?(event: string, listener: () => void): unknown;
  off?(event: string, listener: () => void): unknown;
}

/** The wait for each stream that needs draining, shared by every ConsoleSink waiting on it. */
const drains = new WeakMap<NodeTextStream, Promise<void>>();

/**
 * Resolves once the stream drains, fails, finishes or closes (the write that follows says which),
 * its listeners taken off again. An ended stream never drains, and one without `autoDestroy` (a
 * half-open socket, `fs.createWriteStream` with `autoClose: false`) never closes either: its
 * `'finish'` ends the wait, so the batch fails at once instead of holding the sink forever. Every
 * sink waiting on one stream shares one wait and one set of listeners: 20 sinks on stdout would
 * otherwise add 20 of each, and Node warns from the 11th (`MaxListenersExceededWarning`).
 */
function drained(stream: NodeTextStream): Promise<void> {
  let wait = drains.get(stream);
  if (wait === undefined) {
    wait = new Promise((resolve) => {
      const events = ['drain', 'error', 'close', 'finish'];
      const done = (): void => {
        for (const event of events) stream.off?.(event, done);
        drains.delete(stream);
        resolve();
      };
      for (const event of events) stream.on?.(event, done);
    });
    drains.set(stream, wait);
  }
  return wait;
}

/** Streams given their one `'error'` listener, by any ConsoleSink. */
const guardedStreams = new WeakSet<NodeTextStream>();

/**
 * The state of writes to one stream: `done` is each write's callback. As with Node's console, a
 * failed write is this sink's failure, never an `'error'` event nobody handles, which would end
 * the process. The listener stays: `process.stdout` cannot be destroyed, so after its `'error'` it
 * takes writes again, and one more (this sink's before it knew, or the app's own) fails and emits
 * again. It is added even when the stream has others: a `pipe()` into stdout (tsx has one) listens
 * for errors only to emit them again once it is the last listener.
 */
interface WriteGuard {
  readonly done: (error?: unknown) => void;
  /** Set by the first failed write: the stream is never written to again. */
  failed: boolean;
  /** The error writes to the failed stream fail with (see streamFailed). */
  error?: Error & { permanent: 'sink' | true };
}

function writeGuard(stream: NodeTextStream): WriteGuard {
  const guard: WriteGuard = {
    failed: false,
    done: (error) => {
      if (!error) return;
      guard.failed = true;
      if (guardedStreams.has(stream)) return;
      guardedStreams.add(stream);
      stream.on?.('error', () => undefined);
    },
  };
  return guard;
}

/** Whether a stream failed: it is never written to again. */
function broken(stream: NodeTextStream, guard: WriteGuard): boolean {
  return guard.failed || Boolean(stream.errored) || Boolean(stream.destroyed);
}

/**
 * The error of a write to a stream that failed, as a retry cannot help: `permanent: 'sink'` when
 * every stream the sink writes to failed (stdout as a pipe whose reader left, with stderr the same
 * stream or failed too), so no batch gets through and it counts toward opening the circuit
 * breaker; `true` while the other stream still takes its levels (only stderr failed: batches
 * without a warning get through). Made once per `guard` and kind (its first cause kept): a new
 * Error's stack cost each batch on a dead stdout (`node app.js | head`) about 8 µs, half its time.
 */
function streamFailed(guard: WriteGuard, stream: NodeTextStream, whole: boolean): Error {
  const permanent: 'sink' | true = whole ? 'sink' : true;
  if (guard.error?.permanent === permanent) return guard.error;
  return (guard.error = Object.assign(new Error('ConsoleSink: the stream failed or was destroyed', { cause: stream.errored }), {
    permanent,
  }));
}

/**
 * The console methods the browser mode uses: declared here rather than picked from the DOM's or
 * Node's `Console`, so the root entry's types need no host lib (`lib: ["es2022"]` alone); the real
 * `console` of either fits.
 */
export interface ConsoleLike {
  /** Writes verbose and debug events: `'%s'` (or `'%c%s'` and the level's CSS) and the text. */
  debug(...data: unknown[]): void;
  /** Writes information events, called as `debug` is. */
  info(...data: unknown[]): void;
  /** Writes warning events, called as `debug` is. */
  warn(...data: unknown[]): void;
  /** Writes error and fatal events, called as `debug` is. */
  error(...data: unknown[]): void;
}

/** Options of ConsoleSink. */
export interface ConsoleSinkOptions {
  /** Output template of the text formatter. Default `'[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}'`. */
  outputTemplate?: string | undefined;
  /** A formatter to use instead of the output template (e.g. `new CompactJsonFormatter()`); in Node each event's text ends with a newline (added when it has none); its DEL, C1 and bidirectional controls and U+2028 / U+2029, which JSON leaves raw, are written as `\u` escapes. An event it throws on or gives no string for is skipped, reported to SelfLog and counted failed. */
  formatter?: Formatter | undefined;
  /** Colours per level (`ansi`: SGR codes only, such as `'\u001b[31m'`, or `''`); `false` turns colours off. Default: `defaultConsoleTheme` when colours are on. Not applied to a `formatter`'s text. */
  theme?: ConsoleTheme | false | undefined;
  /** Lowest level written to stderr instead of stdout (Node); `null` sends everything to stdout. Default `'warning'`. */
  standardErrorFromLevel?: LogLevelName | null | undefined;
  /** `'node'` writes to streams, `'browser'` to console methods. Default: `'node'` when `process.stdout` exists. `'node'` where it does not needs `stdout`. */
  mode?: 'node' | 'browser' | undefined;
  /** Node mode: where lines go. Default `process.stdout`. */
  stdout?: TextStream | undefined;
  /** Node mode: where lines at `standardErrorFromLevel` and above go. Default `process.stderr`. */
  stderr?: TextStream | undefined;
  /**
   * Node mode: force colours on or off. Default, as Node's `console` decides: `FORCE_COLOR` when set
   * (on for `''`, `1`, `2`, `3` or `true`, off for any other value), else off when `NODE_DISABLE_COLORS`
   * is set (empty too, as Node reads it), `NO_COLOR` is set and not empty (no-color.org) or `TERM` is `dumb`, else on for each
   * stream that is a TTY of more than 2 colours (stdout and stderr each by its own).
   */
  colors?: boolean | undefined;
  /** Browser mode: the console to call. Default `globalThis.console` when the sink is built; where there is none, each event fails. */
  console?: ConsoleLike | undefined;
}

interface NodeProcessLike {
  stdout?: TextStream;
  stderr?: TextStream;
  env?: Record<string, string | undefined>;
}

function nodeProcess(): NodeProcessLike | undefined {
  const candidate = (globalThis as { process?: NodeProcessLike }).process;
  return candidate?.stdout !== undefined && typeof candidate.stdout.write === 'function' ? candidate : undefined;
}

/** The console method of each level, by its numeric value (verbose to fatal). */
const BROWSER_METHOD: readonly (keyof ConsoleLike)[] = ['debug', 'debug', 'info', 'warn', 'error', 'error'];

/**
 * The level an event is written at: its own, or information for one outside the six that an app
 * operator let out (`level: 'warn'`, even `'constructor'`), as syslog's severity reads it, so it
 * is neither sent to a missing console method nor given an Object.prototype member as its colour.
 */
function writtenLevel(event: LogEvent): LogLevelName {
  return isLevelName(event.level) ? event.level : 'information';
}

const isObject = isAnObject as (value: unknown) => value is Record<string, unknown>;

/** Every option ConsoleSink takes; any other key is a mistake (`outputTemplat`), refused when the sink is built. */
export const CONSOLE_OPTION_KEYS: readonly (keyof ConsoleSinkOptions)[] = [
  'outputTemplate',
  'formatter',
  'theme',
  'standardErrorFromLevel',
  'mode',
  'stdout',
  'stderr',
  'colors',
  'console',
];

/** The options whose value must be an object with these methods. */
const WITH_METHODS: readonly (readonly [keyof ConsoleSinkOptions, string])[] = [
  ['formatter', 'format'],
  ['stdout', 'write'],
  ['stderr', 'write'],
  ['console', 'debug info warn error'],
];

/**
 * Checks ConsoleSink's options when the sink is built, so a value of the wrong kind throws there
 * instead of failing every write later. Gives the options read once (see readOptions), which the
 * sink uses: what is checked is what is used (a getter could answer otherwise).
 *
 * @throws ConfigurationError naming the option and the value.
 */
function checkConsoleOptions(given: ConsoleSinkOptions): ConsoleSinkOptions {
  expectOption(isObject(given), 'ConsoleSink', 'options', given);
  const options: ConsoleSinkOptions = readOptions('ConsoleSink', given, CONSOLE_OPTION_KEYS);
  checkOptionKeys('ConsoleSink', options, CONSOLE_OPTION_KEYS);
  // An option left out (undefined) takes its default; one given must pass `ok`, and one whose reads
  // throw (a Proxy's trap, a revoked Proxy) is refused naming it (see expectReadableOption).
  const check = (option: keyof ConsoleSinkOptions, expected: string, ok: (value: unknown) => boolean): void =>
    expectReadableOption(`ConsoleSink.${option}`, `the ${option}`, expected, options[option], ok);
  check('outputTemplate', 'a string', (value) => typeof value === 'string');
  for (const [option, methods] of WITH_METHODS) {
    const names = methods.split(' ');
    check(option, `an object with ${names.join('(), ')}()`, (value) => hasMethods(value, names));
  }
  check('mode', '"node" or "browser"', (mode) => mode === 'node' || mode === 'browser');
  check('colors', 'true or false', (colors) => typeof colors === 'boolean');
  return options;
}

/**
 * ANSI SGR sequences only (`\u001b[31m`, `\u001b[1;38;5;245m`, several in a row) or nothing: a
 * colour name would be written before every line, and another escape (`\u001b[2J`) would drive
 * the terminal.
 */
// eslint-disable-next-line no-control-regex
const SGR_CODES = /^(?:\u001b\[[0-9;:]*m)*$/;

/**
 * The theme option read once, level by level, into plain tables (a getter is not called again per
 * event), so a wrong one throws when the sink is built and the error names the table and the level
 * (`ConsoleSink.theme.ansi.error: … got "red"`).
 *
 * @throws ConfigurationError naming the bad part of the theme and its value.
 */
function readTheme(theme: unknown): ConsoleTheme | false {
  if (theme === undefined) return defaultConsoleTheme;
  if (theme === false) return false;
  const expected = 'false or { ansi, css } with a string per level';
  expectOption(isObject(theme), 'ConsoleSink.theme', expected, theme);
  const read = (from: Record<string, unknown>, key: string, where: string): unknown => {
    try {
      return from[key];
    } catch {
      throw new ConfigurationError(`${where}: expected ${expected}, got an unreadable object`);
    }
  };
  const table = (name: 'ansi' | 'css', what: string, ok: (code: unknown) => boolean): Record<LogLevelName, string> => {
    const from = read(theme, name, 'ConsoleSink.theme');
    expectOption(isObject(from), `ConsoleSink.theme.${name}`, `an object with ${what} per level`, from);
    const codes = {} as Record<LogLevelName, string>;
    for (const level of LOG_LEVELS) {
      const code = read(from, level, `ConsoleSink.theme.${name}`);
      expectOption(ok(code), `ConsoleSink.theme.${name}.${level}`, what, code);
      codes[level] = code as string;
    }
    return codes;
  };
  return {
    ansi: table(
      'ansi',
      'ANSI SGR codes such as "\\u001b[31m", or ""',
      (code) => typeof code === 'string' && SGR_CODES.test(code),
    ),
    css: table('css', 'a string of CSS, or ""', (code) => typeof code === 'string'),
  };
}

/**
 * Writes events as text to the terminal or the browser console. In Node, lines at warning and
 * above go to stderr, and colours are used on a stream that is a TTY unless the environment says
 * otherwise (`FORCE_COLOR`, `NO_COLOR`, `NODE_DISABLE_COLORS`, `TERM=dumb`; see `colors`), never on a `formatter`'s text. In
 * browsers each level uses the matching console method (`debug`, `info`, `warn`, `error`) with
 * `%c` styling, the text passed as a `%s` argument so that `%` sequences in it are shown as
 * written. Writes are synchronous: the sink sees each event on the caller's turn, but in Node, once
 * a stream needs draining (a pipe whose reader is slower than the app), events wait in the sink's
 * bounded queue for its `'drain'` rather than in the stream's unbounded buffer. In Node a
 * `formatter` (`CompactJsonFormatter`, `NdjsonFormatter`, one of the app's) gets one event per line,
 * so the output pipes into `rxlog`; the `outputTemplate` decides its own newlines (`{NewLine}`).
 */
export class ConsoleSink implements Sink {
  /** The default name of this sink in metrics and the shutdown report. */
  readonly kind = 'console';

  /** An event's text; undefined for one a `formatter` threw on or gave no string for (reported to SelfLog). */
  readonly #text: (event: LogEvent) => string | undefined;
  /** Writes an event; false when it was skipped. */
  readonly #write: (event: LogEvent) => boolean;
  /** In Node, a stream one of the events goes to that must drain before the sink writes them (see emit). */
  #full?: (events: readonly LogEvent[]) => NodeTextStream | undefined;
  /** How many times close() was called: a batch whose wait for `'drain'` saw one is not written. */
  #closes = 0;

  /**
   * Queue bound when `writeTo.sink` gives none: 1 000 000 events, so the 16 MiB byte bound is what
   * binds. A burst into a slow reader waits whole, as it did in Node's own buffer, but bounded.
   */
  readonly queueDefaults = { limit: 1_000_000 } as const;

  /** @throws ConfigurationError when an option has the wrong kind of value or names an unknown level, or `mode` is `'node'` with no stream to write to. */
  constructor(given: ConsoleSinkOptions = {}) {
    const options = checkConsoleOptions(given);
    const theme = readTheme(options.theme);
    const formatter = options.formatter;
    if (formatter === undefined) {
      // Never throws, and always gives a string.
      const text = new TextFormatter(options.outputTemplate);
      this.#text = (event) => text.format(event);
    } else {
      // In Node, terminals and pipes (`node app.js | rxlog`) need one event per line: a formatter's
      // text (CLEF, NDJSON, the app's own) gets a newline unless it ends with one, as in FileSink and
      // StreamSink. An event the app's formatter fails on is skipped, not its batch.
      // JSON escapes C0 controls only: a C1 control (U+009B is a one-byte CSI, which xterm and VTE
      // act on as UTF-8) or a bidirectional override from data would reach the terminal raw.
      this.#text = (event) => {
        const line = formatLine(formatter, event, 'ConsoleSink');
        return line === undefined ? line : escapeControlsPastC0(line);
      };
    }
    const proc = nodeProcess();
    const mode = options.mode ?? (proc !== undefined || options.stdout !== undefined ? 'node' : 'browser');
    this.#write = mode === 'node' ? this.#nodeWriter(options, theme, proc) : this.#browserWriter(options, theme);
  }

  /**
   * Writes the batch, one event at a time. When a write fails (in Node, a stream that failed, such
   * as stdout after its reader left, EPIPE), the events before it count as delivered (a
   * `PartialDeliveryError`) and the rest fail; a failed stream is never written to again, and
   * once every stream the events go to failed, the failure is the sink's (`permanent: 'sink'`),
   * so the circuit breaker opens (see streamFailed). An event
   * a `formatter` throws on (or gives no string for) is skipped, reported to SelfLog and counted
   * failed (`{ rejected }`), as in FileSink and StreamSink; the rest of the batch is written. So is
   * one, in a browser, whose console method throws or is missing. In Node, while a stream one of
   * the events goes to holds more than its `highWaterMark` (a `write()` returned false), waits for its
   * `'drain'` (or its failure) first, and `emitSync` refuses the batch, so the pipeline's bounded
   * queue holds what the reader has not taken, its drops counted.
   */
  emit(events: readonly LogEvent[]): EmitResult | undefined | Promise<EmitResult | undefined> {
    const full = this.#full?.(events);
    if (full === undefined) return this.#emitNow(events);
    const closes = this.#closes;
    return drained(full).then(() => {
      if (this.#closes !== closes) throw new Error('ConsoleSink: closed');
      return this.emit(events);
    });
  }

  /**
   * Fails the batches waiting for `'drain'` (those the logger's close gave up on, counted
   * undelivered): they are never written, where they came out once the reader read on, after the
   * app's later lines. The stream is never ended, and later batches are written as before (a sink
   * shared by two loggers writes on for the other).
   */
  close(): void {
    this.#closes++;
  }

  emitSync(events: readonly LogEvent[]): boolean | EmitResult {
    return this.#full?.(events) === undefined && (this.#emitNow(events) ?? true);
  }

  #emitNow(events: readonly LogEvent[]): EmitResult | undefined {
    let skipped = 0;
    for (let index = 0; index < events.length; index++) {
      try {
        if (!this.#write(events[index])) skipped++;
      } catch (error) {
        if (index === 0) throw error;
        throw Object.assign(new PartialDeliveryError(index, error, skipped), { permanent: retryHint(error).permanent });
      }
    }
    return skipped > 0 ? { rejected: skipped } : undefined;
  }

  #nodeWriter(
    options: ConsoleSinkOptions,
    theme: ConsoleTheme | false,
    proc: NodeProcessLike | undefined,
  ): (event: LogEvent) => boolean {
    const stdout: NodeTextStream | undefined = options.stdout ?? proc?.stdout;
    // Else every event would be written nowhere and counted delivered.
    if (stdout === undefined)
      throw new ConfigurationError('ConsoleSink.mode: "node" needs a stdout option where there is no process.stdout');
    const stderr: NodeTextStream = options.stderr ?? proc?.stderr ?? stdout;
    const outGuard = writeGuard(stdout);
    const errGuard = stderr === stdout ? outGuard : writeGuard(stderr);
    const errorFrom =
      options.standardErrorFromLevel === null
        ? Infinity
        : levelValue(parseLevel(options.standardErrorFromLevel ?? 'warning', 'ConsoleSink.standardErrorFromLevel'));
    // Whether any level goes to each stream.
    const toStdout = errorFrom > 0; // verbose's value
    const toStderr = errorFrom !== Infinity;
    // A stream that failed is left to the write, which fails the batch at once.
    const full = (stream: NodeTextStream, guard: WriteGuard): NodeTextStream | undefined =>
      stream.writableNeedDrain === true && !broken(stream, guard) ? stream : undefined;
    // Only a stream one of the batch's events goes to is waited for: a stderr the app's own lines
    // (or Node's warnings) backed up, which a parent never reads, held every information line bound
    // for stdout, the default `standardErrorFromLevel` as much as `null`.
    this.#full = (events) => {
      const out = full(stdout, outGuard);
      const err = full(stderr, errGuard);
      if (out === undefined && err === undefined) return undefined;
      for (const event of events) {
        const stream = levelValue(writtenLevel(event)) >= errorFrom ? err : out;
        if (stream !== undefined) return stream;
      }
      return undefined;
    };
    // Broken as a whole once each stream an event can go to failed (see streamFailed).
    const whole = (): boolean => (!toStderr || broken(stderr, errGuard)) && (!toStdout || broken(stdout, outGuard));
    // A formatter's text (CLEF, NDJSON) is written as it is, as Serilog's console sink does with an
    // ITextFormatter: escape codes would break `node app.js | rxlog` under FORCE_COLOR.
    const themed = theme !== false && options.formatter === undefined;
    const forced = options.colors ?? colorsFromEnvironment(proc?.env);
    // Each stream by its own TTY: `node app.js 2> errors.log` in a terminal keeps the file plain.
    const outColors = themed && (forced ?? terminalHasColors(stdout, proc?.env));
    const errColors = themed && (forced ?? terminalHasColors(stderr, proc?.env));
    // The sink's own output template writes its own {NewLine}; a formatter's text ends with one.
    return (event) => {
      const level = writtenLevel(event);
      const toStderr = levelValue(level) >= errorFrom;
      const target = toStderr ? stderr : stdout;
      const guard = toStderr ? errGuard : outGuard;
      // A stream that failed earlier is not written to again (stdout takes writes again after its
      // error), and its events are not formatted for nothing.
      if (guard.failed) throw streamFailed(guard, target, whole());
      const text = this.#text(event);
      if (text === undefined) return false;
      const code = theme !== false && (toStderr ? errColors : outColors) ? theme.ansi[level] : '';
      target.write(code === '' ? text : colorLines(text, code), guard.done);
      // A pipe whose reader left fails the write before write() returns (the stream is errored at
      // once, its callback runs later), and a write to an errored stream is held, never written.
      // A stream of the app's own may call back at once: write() can have set guard.failed.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
      if (guard.failed || target.errored || target.destroyed) throw streamFailed(guard, target, whole());
      return true;
    };
  }

  #browserWriter(options: ConsoleSinkOptions, theme: ConsoleTheme | false): (event: LogEvent) => boolean {
    // Where there is none (an engine without one, or one an app removed), each event fails
    // (see consoleMethod) instead of counting delivered, written nowhere.
    const target = options.console ?? (globalThis as { console?: ConsoleLike }).console;
    return (event) => {
      const line = this.#text(event);
      if (line === undefined) return false;
      const text = trimNewline(line);
      const level = writtenLevel(event);
      const css = theme === false ? '' : theme.css[level];
      try {
        const method = consoleMethod(target, BROWSER_METHOD[levelValue(level)]);
        // The text is an argument, never the format string: a `%%`, `%c` or `%o` in a message is shown as written.
        if (css === '') method.call(target, '%s', text);
        else method.call(target, '%c%s', css, text);
        return true;
      } catch (error) {
        // A method that throws (a hook on console.warn, a harness failing on warnings) or is missing
        // fails its own event, as a formatter that throws does, not the rest of the batch; never
        // retried, which would call a hook that wrote before it threw again, the line shown twice.
        SelfLog.write('ConsoleSink: the console failed; event not written', error);
        return false;
      }
    };
  }
}

/**
 * The console's method of that name, read at each write (an app or a test may replace it), else
 * its `log()`: the default console of a small engine, or one an app trimmed, may lack one.
 *
 * @throws Error when there is no console, or it has neither.
 */
function consoleMethod(target: ConsoleLike | undefined, name: keyof ConsoleLike): (...args: unknown[]) => void {
  // Read as data, called with the console as `this` by the caller.
  const own: unknown = (target as Partial<Record<keyof ConsoleLike, unknown>> | undefined)?.[name];
  const method = typeof own === 'function' ? own : (target as { log?: unknown } | undefined)?.log;
  if (typeof method !== 'function') throw new Error(`ConsoleSink: no console with ${name}() or log()`);
  return method as (...args: unknown[]) => void;
}

/** Colours each line separately, so a multi-line stack trace keeps its colour and the newline stays plain. */
function colorLines(text: string, code: string): string {
  return text.replace(/[^\n]+/g, (line) => `${code}${line}${ANSI_RESET}`);
}
