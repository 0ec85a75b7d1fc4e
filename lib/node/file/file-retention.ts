import * as fs from 'node:fs';
import { SelfLog } from '../../core/self-log';
import type { RollingFilePath } from './rolling-file-path';

/**
 * Deletes the files of a rolling set that its limits no longer keep: the oldest beyond
 * `retainedFileCountLimit` (counting the file in use), and those whose whole period ended at least
 * `retainedFileTimeLimitMs` before `nowMs`, so no event younger than the limit is deleted. It lists
 * the folder each time (so files from earlier runs count) and never deletes `currentPath`. Only
 * regular files count and are deleted (by `lstat`, so not what a symlink names): a FIFO, socket,
 * device or symlink at a name of the set is no file the sink wrote, and is neither counted nor
 * deleted. A file that cannot be deleted is reported to SelfLog and skipped.
 *
 * `lastWrites` holds when (`performance.now()`) the sink last wrote each file it left: one written
 * less than the time limit ago is kept by it whatever its name says, as after a clock corrected
 * forward (booted at 1970, then NTP) the name of a file written minutes ago is decades old (its
 * mtime too: the kernel stamped it with the same clock). Entries the limit no longer keeps, or of
 * files deleted, are removed. Without a step, a file's last write is inside its period, so its
 * name ages it first and this changes nothing.
 *
 * @returns the paths it deleted.
 */
export function applyFileRetention(
  files: RollingFilePath,
  retainedFileCountLimit: number | null,
  currentPath: string,
  retainedFileTimeLimitMs: number | null = null,
  nowMs: number = Date.now(),
  lastWrites: Map<string, number> = new Map(),
): string[] {
  if (retainedFileCountLimit === null && retainedFileTimeLimitMs === null) return [];
  // A FIFO at a name of the set is rolled past (see FileSink), not written: counted, it pushed out
  // a log file, and past the limits it was deleted, taking a reader's pipe away.
  const onDisk = files.list().filter((file) => file.path !== currentPath && isRegularFile(file.path));
  const excess = retainedFileCountLimit === null ? 0 : onDisk.length + 1 - retainedFileCountLimit;
  const monotonicMs = performance.now();
  const limit = retainedFileTimeLimitMs ?? Infinity;
  for (const [written, at] of lastWrites) if (monotonicMs - at >= limit) lastWrites.delete(written);
  const deleted: string[] = [];
  for (let i = 0; i < onDisk.length; i++) {
    const file = onDisk[i];
    const expired = file.endMs <= nowMs - limit && !lastWrites.has(file.path);
    if (i >= excess && !expired) continue;
    try {
      fs.unlinkSync(file.path);
      deleted.push(file.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      SelfLog.write('FileSink could not delete the old log file {Path}', file.path, error);
    }
    lastWrites.delete(file.path);
  }
  return deleted;
}

/** Whether `filePath` is a regular file itself (`lstat`: a symlink is not, whatever it names). */
function isRegularFile(filePath: string): boolean {
  try {
    return fs.lstatSync(filePath, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    return false;
  }
}
