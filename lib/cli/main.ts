#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './run-cli';

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
