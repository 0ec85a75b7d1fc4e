#!/usr/bin/env node
import { type Stats, createReadStream, fstatSync, readFileSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { join } from 'node:path';
import { parseCliArgs } from './parse-cli-args';
import { runCli } from './run-cli';
import { colorsFromEnvironment, terminalHasColors } from '../core/colors-from-environment';

/** The package's version, from the nearest rxlog package.json above this file (lib/cli, dist/cjs/cli). */
function packageVersion(): string {
  for (const up of [
    ['..', '..'],
    ['..', '..', '..'],
  ]) {
    try {
      const manifest = JSON.parse(readFileSync(join(__dirname, ...up, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (manifest.name === 'rxlog' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // Not here: try the next folder up.
    }
  }
  return 'unknown';
}

/** Whether stdin is a pipe or socket (`node app.js | rxlog`): not a terminal, not a file. */
function stdinIsPipe(): boolean {
  try {
    return process.stdin.isTTY !== true && !fstatSync(0).isFile();
  } catch {
    return false; // no stdin at all
  }
}

/**
 * The process's stdin; when it is a directory (`rxlog < logs/`), a stream of it that fails as reading a directory
 * fails (EISDIR), as `cat < logs/` does: Node gives such a stdin as an empty stream, which would read as no lines.
 */
function standardInput(): Readable {
  let directory = false;
  try {
    directory = fstatSync(0).isDirectory();
  } catch {
    // No stdin at all: Node's own stream says what there is to say.
  }
  return directory ? createReadStream('', { fd: 0, autoClose: false }) : process.stdin;
}

/** The regular file `fd` writes to (`rxlog … > all.txt`, `2>> errors.txt`), if it is one. */
function outputFile(fd: number): Stats | undefined {
  try {
    const stats = fstatSync(fd);
    return stats.isFile() ? stats : undefined;
  } catch {
    return undefined; // no such output at all
  }
}

/**
 * Whether `file` (`-`: stdin) is the regular file stdout or stderr writes to, as `cat` tells it for stdout: the same
 * device and inode. Stderr too, since `--strict` writes a report there for each line that is not an event, so
 * `rxlog --strict logs/* 2> logs/errors.txt` run twice would read back its reports, each making one more, without end.
 * A file that cannot be read is not: opening it reports why.
 */
function isOutputFile(file: string): boolean {
  const outputs = [outputFile(1), outputFile(2)].filter((stats) => stats !== undefined);
  if (outputs.length === 0) return false;
  try {
    const input = file === '-' ? fstatSync(0) : statSync(file);
    return input.isFile() && outputs.some((output) => input.dev === output.dev && input.ino === output.ino);
  } catch {
    return false;
  }
}

const args = process.argv.slice(2);
const parsed = parseCliArgs(args);
// Ctrl-C sends SIGINT to the whole pipeline `node app.js | rxlog`. As pino-pretty does (pinojs/pino#358),
// the first one leaves rxlog running to show what the app logs while it shuts down; rxlog ends with
// its input. A second Ctrl-C stops it, killed by SIGINT as `cat` is. Counted by a listener that stays, not
// `process.once`: Node hands a signal to JavaScript on a later turn of its loop, so two that come while rxlog is
// busy reach it together, and a listener gone with the first would leave the second unheard.
if (parsed.kind === 'ok' && parsed.options.files.includes('-') && stdinIsPipe()) {
  let interrupted = false;
  const onInterrupt = (): void => {
    if (!interrupted) {
      interrupted = true;
      return;
    }
    process.off('SIGINT', onInterrupt); // SIGINT's default action again: the next one ends the process
    process.kill(process.pid, 'SIGINT');
  };
  process.on('SIGINT', onInterrupt);
}

// The `rxlog` command's entry: the process's streams into runCli, its result into the exit code.
// process.exitCode, not process.exit(): a pending write to a piped stdout must not be cut off.
runCli(args, {
  // A getter, so a run that reads only files never opens stdin.
  get stdin() {
    return standardInput();
  },
  stdout: process.stdout,
  stderr: process.stderr,
  isOutputFile,
  // As ConsoleSink: FORCE_COLOR wins (on for '', 1, 2, 3 or true, off for any other value), then
  // NODE_DISABLE_COLORS (empty too), a non-empty NO_COLOR, or TERM=dumb, turn colour off, else colour when
  // stdout is a terminal of more than 2 colours.
  colorByDefault: colorsFromEnvironment(process.env) ?? terminalHasColors(process.stdout, process.env),
  version: packageVersion(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`rxlog: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  },
);
