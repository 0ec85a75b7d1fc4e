#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './run-cli';

/** The package's version: package.json sits two folders up from both lib/cli and dist/cli. */
function packageVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

// The `rxlog` command's entry: the process's streams into runCli, its result into the exit code.
// process.exitCode, not process.exit(): a pending write to a piped stdout must not be cut off.
runCli(process.argv.slice(2), {
  // A getter, so a run that reads only files never opens stdin.
  get stdin() {
    return process.stdin;
  },
  stdout: process.stdout,
  stderr: process.stderr,
  // no-color.org: NO_COLOR set to anything but the empty string turns colour off.
  colorByDefault: process.stdout.isTTY === true && (process.env.NO_COLOR ?? '') === '',
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
