import * as fs from 'node:fs';

/** Counts the newline-terminated lines of a file by scanning its bytes (no string decoding). */
export function countLines(path: string): number {
  if (!fs.existsSync(path)) return 0;
  const buffer = fs.readFileSync(path);
  let lines = 0;
  let at = buffer.indexOf(10);
  while (at !== -1) {
    lines++;
    at = buffer.indexOf(10, at + 1);
  }
  return lines;
}

/**
 * Flushes a closed file's data to the disk: every library's run ends with this same call, so
 * "end to end" means the same thing for all of them (written, closed and on the disk).
 */
export function fsyncPath(path: string): void {
  if (!fs.existsSync(path)) return;
  const fd = fs.openSync(path, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
