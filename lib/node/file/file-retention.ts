import * as fs from 'node:fs';
import { SelfLog } from '../../core/self-log';
import type { RollingFilePath } from './rolling-file-path';

/**
 * Deletes the oldest files of a rolling set beyond `retainedFileCountLimit`, counting the file in
 * use. It lists the folder each time (so files from earlier runs count) and never deletes
 * `currentPath`. A file that cannot be deleted is reported to SelfLog and skipped.
 *
 * @returns the paths it deleted.
 */
export function applyFileRetention(files: RollingFilePath, retainedFileCountLimit: number | null, currentPath: string): string[] {
  if (retainedFileCountLimit === null) return [];
  const onDisk = files.list().filter((file) => file.path !== currentPath);
  const excess = onDisk.length + 1 - retainedFileCountLimit;
  const deleted: string[] = [];
  for (let i = 0; i < excess; i++) {
    const file = onDisk[i];
    try {
      fs.unlinkSync(file.path);
      deleted.push(file.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      SelfLog.write('FileSink could not delete the old log file {Path}', file.path, error);
    }
  }
  return deleted;
}
