import { createReadStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { assertNever } from '../core/assert-never';
import { escapeControlCharacters } from '../core/escape-control-characters';
import { levelValue } from '../core/log-level';
import { boundedEvent } from './bounded-event';
import { BufferedOutput } from './buffered-output';
import { CLI_USAGE } from './cli-usage';
import { createEventRenderer } from './create-event-renderer';
import { eventMatches } from './event-matches';
import { type CliOptions, parseCliArgs } from './parse-cli-args';
import { readCappedLines } from './read-capped-lines';
import { utf16AsUtf8 } from './utf16-as-utf8';
import { readLogLine } from './read-log-line';
import { writtenWhole } from './written-whole';

/** Where the `rxlog` command reads and writes: the process's streams, or in-memory ones in tests. */
export interface CliIo {
  /** Read when no file is given or a file is `-` (once, however often `-` is named). */
  readonly stdin: Readable;
  /** Where events, passed-through lines, help and version go. */
  readonly stdout: Writable;
  /** Where usage mistakes, unreadable files and (under `--strict`) bad lines are reported. */
  readonly stderr: Writable;
  /** Opens a file named on the command line. Default `fs.createReadStream`. */
  readonly openFile?: ((path: string) => Readable) | undefined;
  /** Colour without `--color` / `--no-color`. Default `false`. */
  readonly colorByDefault?: boolean | undefined;
  /**
   * Whether a file named on the command line (`-`: stdin) is the regular file stdout or stderr writes to
   * (`rxlog logs/*.log > logs/all.txt`, `rxlog --strict logs/* 2> logs/errors.txt`): it is refused, as `cat` refuses
   * its output file ("input file is output file"), since reading it would read back what rxlog writes (under
   * `--strict`, a report for each line that is not an event), without end. Default: never.
   */
  readonly isOutputFile?: ((file: string) => boolean) | undefined;
  /** What `--version` prints. Default `'unknown'`. */
  readonly version?: string | undefined;
  /**
   * Longest input line read, in bytes; a longer one is skipped and reported on stderr (exit code 1). Also the
   * longest message rendered, in characters: an event whose message would be longer is passed through as its line
   * (see `boundedEvent`). Default `16 * 1024 * 1024` (16 MiB).
   */
  readonly maxLineBytes?: number | undefined;
}

/** The default cap on an input line, in bytes: a line is held whole while it is read. */
const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

/** Exit code: every line was read and written. */
const OK = 0;
/** Exit code: lines that are not events were found under `--strict`. */
const BAD_LINES = 1;
/** Exit code: bad usage, or a file or the output could not be used. */
const USAGE_OR_IO = 2;

/**
 * A line without the byte order mark a file may start with: at the start of any line, as readLogLine reads it, since
 * `cat a.log b.log | rxlog` puts b.log's mid-stream.
 */
function withoutBom(line: string): string {
  return line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
}

/** Characters of a passed-through line escaped at a time. */
const ESCAPE_SLICE = 64 * 1024;

/**
 * Writes a line that is not an event, its control characters but tabs shown as escapes, and its newline, a slice at a
 * time: escaped whole, a line of 16 Mi control characters (a log file's run of NUL bytes, as a crash or a preallocated
 * file leaves) made as many escapes at once and took 1.3 GB and 23 s, where a line of text takes under 200 MB.
 */
function writeEscaped(out: BufferedOutput, line: string): void {
  // A line holds no \n, so no CRLF (one line break to escapeControlCharacters) is cut between two slices; a slice
  // ends before a surrogate pair's second half, not between the two, which a write of its own would make two U+FFFD.
  for (let start = 0; start < line.length;) {
    let end = Math.min(start + ESCAPE_SLICE, line.length);
    if (end < line.length && (line.charCodeAt(end - 1) & 0xfc00) === 0xd800) end--;
    out.write(escapeControlCharacters(line.slice(start, end), true));
    start = end;
  }
  out.write('\n');
}

function message(error: unknown): string {
  // Duck-typed, not `instanceof Error`: errors from another realm (vm contexts, test runners) are errors too.
  const text = (error as { message?: unknown } | null | undefined)?.message;
  return typeof text === 'string' ? text : String(error);
}

/** Whether an output has failed: its reader has gone (EPIPE) or it cannot be written. */
function failed(outputs: readonly BufferedOutput[]): boolean {
  return outputs.some((output) => output.failure !== undefined);
}

/**
 * Reads one input line by line into `onLine` (an oversized line into `onOversized`), waiting whenever an output
 * asks for it, until an output fails; resolves with the input's error, if any.
 */
async function readLines(
  input: Readable,
  outputs: readonly BufferedOutput[],
  maxLineBytes: number,
  onLine: (line: string, lineNumber: number) => void,
  onOversized: (bytes: number, lineNumber: number) => void,
): Promise<Error | undefined> {
  let failure: Error | undefined;
  // Once an output has failed, the input is destroyed for it: what reading says then is not a read error.
  // The listener stays after reading, so a late error cannot crash the process.
  input.on('error', (error: Error) => {
    if (!failed(outputs)) failure ??= error;
  });
  // The reader of our output or our reports has gone (`| head`, `2>&1 | head`): stop reading now, even while the
  // input is idle (`tail -f app.log | rxlog | head -1`), rather than at its next line or its end, as a C tool
  // killed by SIGPIPE on either would (Node ignores SIGPIPE).
  const stop = (): void => {
    input.destroy();
  };
  const unsubscribe = outputs.map((output) => output.onFailure(stop));
  let lineNumber = 0;
  try {
    for await (const line of readCappedLines(utf16AsUtf8(input as AsyncIterable<Buffer | string>), maxLineBytes)) {
      if (line.kind === 'line') onLine(line.text, ++lineNumber);
      else onOversized(line.bytes, ++lineNumber);
      for (const output of outputs) {
        const ready = output.ready();
        if (ready !== undefined) await ready;
      }
      if (failed(outputs)) break;
    }
  } catch (error) {
    if (!failed(outputs)) failure ??= error instanceof Error ? error : new Error(message(error));
  }
  for (const off of unsubscribe) off();
  return failure;
}

async function run(options: CliOptions, io: CliIo): Promise<number> {
  const out = new BufferedOutput(io.stdout);
  const err = new BufferedOutput(io.stderr);
  const render = createEventRenderer({
    json: options.json,
    template: options.template,
    color: options.color ?? io.colorByDefault ?? false,
  });
  const open = io.openFile ?? ((path: string): Readable => createReadStream(path));
  let code = OK;
  let leftOut = 0;
  let stdinRead = false;
  let source = '';
  // File names, read errors and lines are data: their control characters are shown as escapes, never sent to the terminal.
  const report = (text: string): void => err.write(`rxlog: ${escapeControlCharacters(text)}\n`);

  const maxLineBytes = io.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const onOversized = (bytes: number, lineNumber: number): void => {
    report(`${source}:${lineNumber}: line of ${bytes} bytes skipped (longer than ${maxLineBytes} bytes)`);
    code = Math.max(code, BAD_LINES);
  };

  // The level is compared before the message is rendered: a file of debug events read with `--level warning` renders
  // none of them, and one whose message would render past the cap is left out as the event it is, not passed through.
  const least = options.minimumLevel === undefined ? undefined : levelValue(options.minimumLevel);
  const onLine = (line: string, lineNumber: number): void => {
    const read = readLogLine(line);
    if (least !== undefined && read.kind === 'event' && levelValue(read.event.level) < least) return;
    // A message may render far longer than its line (`{A,9999}`, `{A}{A}…`): up to the line cap, or the line is not shown as an event.
    const event = read.kind === 'event' ? boundedEvent(read.event, maxLineBytes, read.subMillisecond) : undefined;
    if (event !== undefined) {
      // An event the CLEF writer would cut (a value nested past 63 levels or past 2^20 items) is written with its
      // structured values whole, as CLEF still: the line may be NDJSON, or hold a local time or a level such as `CRITICAL`.
      if (eventMatches(event, options, read.kind === 'event' ? read.eventId : undefined))
        out.write(
          render(
            event,
            read.kind === 'event' ? read.eventId : undefined,
            read.kind === 'event' ? read.atFields : undefined,
            options.json && !writtenWhole(line, event),
          ),
        );
    } else if (options.json && !options.strict) {
      // stdout carries CLEF only, so `rxlog --json mixed.log > out.clef` reads back under --strict;
      // what is left out is counted and said once at the end. Blank lines are nothing, as under --strict.
      if (line.trim() !== '') leftOut++;
    } else if (!options.strict) {
      // Input is data: its control characters are shown as escapes, never sent to the terminal raw;
      // but for tabs, which move nothing but the cursor to the next stop (stack traces, TSV).
      // A byte order mark is no part of the text, as it is none of an event's.
      writeEscaped(out, withoutBom(line));
    } else if (line.trim() !== '') {
      const reason = read.kind === 'event' ? `its message renders to more than ${maxLineBytes} characters` : read.reason;
      report(`${source}:${lineNumber}: not a log event (${reason})`);
      code = Math.max(code, BAD_LINES);
    }
  };

  for (const file of options.files) {
    if (failed([out, err])) break;
    const fromStdin = file === '-';
    if (fromStdin && stdinRead) continue;
    stdinRead ||= fromStdin;
    source = fromStdin ? '<stdin>' : file;
    if (io.isOutputFile?.(file) === true) {
      report(`cannot read ${source}: input file is output file`);
      code = USAGE_OR_IO;
      continue;
    }
    let input: Readable;
    try {
      input = fromStdin ? io.stdin : open(file);
    } catch (error) {
      report(`cannot read ${source}: ${message(error)}`);
      code = USAGE_OR_IO;
      continue;
    }
    const failure = await readLines(input, [out, err], maxLineBytes, onLine, onOversized);
    if (failure !== undefined) {
      report(`cannot read ${source}: ${message(failure)}`);
      code = USAGE_OR_IO;
    }
  }

  await out.end();
  const failure = writeFailure(out);
  if (failure !== undefined) {
    report(`cannot write the output: ${failure.message}`);
    code = USAGE_OR_IO;
  }
  if (leftOut > 0)
    report(
      `${leftOut} ${leftOut === 1 ? 'line that is not a log event' : 'lines that are not log events'} left out of the CLEF output`,
    );
  await err.end();
  return code;
}

/** How an ended output failed, but for EPIPE: the reader has seen all it wanted (`rxlog big.log | head`), not an error. */
function writeFailure(output: BufferedOutput): Error | undefined {
  const failure: NodeJS.ErrnoException | undefined = output.failure;
  return failure?.code === 'EPIPE' ? undefined : failure;
}

/**
 * Writes `text` and resolves with `code`; when `stream` fails (`rxlog --help > /dev/full`) and there is a `reportTo`,
 * reports it there and resolves with 2, as `ls --help > /dev/full` fails.
 */
async function print(stream: Writable, text: string, code: number, reportTo?: Writable): Promise<number> {
  const output = new BufferedOutput(stream);
  output.write(text);
  await output.end();
  const failure = writeFailure(output);
  if (failure === undefined || reportTo === undefined) return code;
  const report = new BufferedOutput(reportTo);
  report.write(`rxlog: cannot write the output: ${escapeControlCharacters(failure.message)}\n`);
  await report.end();
  return USAGE_OR_IO;
}

/**
 * Runs the `rxlog` command: reads CLEF and NDJSON lines from the files (or stdin), writes the
 * events that pass `--level`, `--grep` and `--where` as text or CLEF, passes other lines through
 * unchanged (with `--json`, leaves them out and counts them; under `--strict`, reports them on stderr with
 * their line number; an event whose
 * message would render longer than `maxLineBytes` characters counts as such a line), and resolves
 * with the exit code: 0 ok, 1 lines that are not events under `--strict` or a line longer than `maxLineBytes`
 * (skipped and reported), 2 a usage mistake, an unreadable file (the other files are still read) or an output
 * that failed other than by EPIPE. With `--json`, an event the CLEF writer would cut is written with its structured
 * values whole, and
 * stdout carries CLEF only: a line that is not an event is left out, and their count said on stderr at the end.
 * Streams line by line in constant memory, honouring back-pressure on the output.
 *
 * @example const code = await runCli(['--level', 'warn', 'app.log'], { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCliArgs(args);
  switch (parsed.kind) {
    case 'help':
      return print(io.stdout, CLI_USAGE, OK, io.stderr);
    case 'version':
      return print(io.stdout, `${io.version ?? 'unknown'}\n`, OK, io.stderr);
    case 'error':
      // An argument may hold what JSON.stringify leaves raw in the message: C1 controls, U+2028.
      return print(
        io.stderr,
        `rxlog: ${escapeControlCharacters(parsed.message)}\nTry 'rxlog --help' for the options.\n`,
        USAGE_OR_IO,
      );
    case 'ok':
      return run(parsed.options, io);
    default:
      return assertNever(parsed);
  }
}
