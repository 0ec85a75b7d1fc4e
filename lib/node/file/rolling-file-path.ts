import * as fs from 'node:fs';
import * as path from 'node:path';
import { periodDigits, rollingPeriod, type RollingInterval, type RollingPeriod } from './rolling-interval';

/** One file of a rolling set, as found on disk. */
export interface RollingFile {
  /** The file's full path. */
  readonly path: string;
  /** The period text in its name (`''` for `infinite`). */
  readonly period: string;
  /** 0 for the first file of a period, then 1, 2 … for `_001`, `_002` … */
  readonly sequence: number;
  /** The end of its period in epoch milliseconds (exclusive, UTC): no event in it is later. `Infinity` for `infinite`. */
  readonly endMs: number;
}

/**
 * The period of `interval` that `text` names, as `rollingPeriod` writes it, or undefined: `20261399`
 * has the digits of a day but is none (month 13), so a file named with it is not one the sink wrote.
 * The year is what comes before the interval's other fields: four digits, or a sign and six.
 */
function periodOf(text: string, interval: RollingInterval): RollingPeriod | undefined {
  if (text === '') return interval === 'infinite' ? rollingPeriod(interval, 0) : undefined;
  const yearEnd = text.length - (periodDigits(interval) - 4);
  const field = (from: number, otherwise: number): number =>
    text.length >= yearEnd + from + 2 ? Number(text.slice(yearEnd + from, yearEnd + from + 2)) : otherwise;
  const time = new Date(0);
  // setUTCFullYear, not Date.UTC: that reads the years 0-99 as 1900-1999.
  time.setUTCFullYear(Number(text.slice(0, yearEnd)), field(0, 1) - 1, field(2, 1));
  time.setUTCHours(field(4, 0), field(6, 0));
  // Fields out of range roll over (month 13 is next January), so the text comes back different.
  const period = rollingPeriod(interval, time.getTime());
  return period.text === text ? period : undefined;
}

/**
 * Whether `filePath` can be no file of a set: a folder (through symlinks) or a symlink loop at that
 * name. The sink never opens one, nor lists, counts or deletes it. Never throws: a loop threw from
 * the listing, which stopped retention for good (and the search for the newest file), and one at
 * the next `_NNN` name failed every batch until the period ended. A loop in the folder above (every
 * name fails alike) is not one at the name: its `lstat` fails too.
 */
export function isNoFile(filePath: string): boolean {
  try {
    return fs.statSync(filePath, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOOP') return false;
    try {
      return fs.lstatSync(filePath).isSymbolicLink();
    } catch {
      return false;
    }
  }
}

/**
 * `filePath` as the file system stores it: a lone surrogate, which UTF-8 cannot encode, becomes
 * U+FFFD, as Node encodes a path, and as the folder's listing reads the name back. Names made from
 * the path as written (`app\uD800-.log`) never matched that listing, so the set was never found:
 * retention deleted nothing, and a restart did not continue the newest file.
 */
export function asStored(filePath: string): string {
  return Buffer.from(filePath, 'utf8').toString('utf8');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The names of a rolling file set, as Serilog spells them: `logs/app-.log` rolling by day is
 * `logs/app-20261122.log`, then `logs/app-20261122_001.log`, `_002` … when the size limit rolls;
 * with `infinite`, `logs/app-.log` then `logs/app-_001.log`. The period sits between the file's
 * name and its extension. A name ending in a dot (`logs/app.`) has no extension, as .NET's
 * `Path.GetExtension` reads it, and its files have none (`logs/app20261122`, as Serilog names them;
 * Windows drops a trailing dot from a file name anyway); a sink that does not roll (`rolling`
 * false) writes its path as given.
 */
export class RollingFilePath {
  /** The folder holding the set. */
  readonly directory: string;
  private readonly prefix: string;
  private readonly extension: string;
  private readonly pattern: RegExp;

  constructor(
    basePath: string,
    private readonly interval: RollingInterval,
    rolling = true,
  ) {
    const parsed = path.parse(path.resolve(asStored(basePath)));
    this.directory = parsed.dir;
    // `.log` is an extension alone to .NET's Path.GetExtension (Serilog: `20261122.log`), a name
    // without one to Node's path.parse (`.log20261122`, a hidden file).
    const extensionOnly = parsed.ext === '' && parsed.name.lastIndexOf('.') === 0;
    this.prefix = extensionOnly ? '' : parsed.name;
    this.extension = extensionOnly ? parsed.name : rolling && parsed.ext === '.' ? '' : parsed.ext;
    const digits = periodDigits(interval);
    // A year of four digits, or outside 0000-9999 a sign and six (`+010000`), then the other fields.
    const period = digits === 0 ? '()' : `((?:\\d{4}|[+-]\\d{6})\\d{${digits - 4}})`;
    this.pattern = new RegExp(`^${escapeRegExp(this.prefix)}${period}(?:_(\\d{3,}))?${escapeRegExp(this.extension)}$`);
  }

  /** The full path of the file for `period` and `sequence` (0 = no `_NNN` suffix). */
  pathFor(period: string, sequence: number): string {
    const suffix = sequence === 0 ? '' : `_${String(sequence).padStart(3, '0')}`;
    return path.join(this.directory, `${this.prefix}${period}${suffix}${this.extension}`);
  }

  /**
   * The period and sequence of a file name of this set, or undefined for any other name: one whose
   * period digits are no time of the interval (`app-99999999.log`), or whose sequence is spelt
   * otherwise than the sink spells it (`_000`, `_0001`), is not the set's, as the sink never writes
   * it, so it is never appended to, counted or deleted.
   */
  parse(fileName: string): { period: string; sequence: number; endMs: number } | undefined {
    const match = this.pattern.exec(fileName);
    const period = match === null ? undefined : periodOf(match[1], this.interval);
    if (match === null || period === undefined) return undefined;
    const digits = match[2] as string | undefined; // the sequence group is optional
    if (digits === undefined) return { period: period.text, sequence: 0, endMs: period.endMs };
    // Only as pathFor spells it: `_000` and `_0001` (a copy someone made) are no file of the set.
    const sequence = Number(digits);
    return sequence >= 1 && digits === String(sequence).padStart(3, '0')
      ? { period: period.text, sequence, endMs: period.endMs }
      : undefined;
  }

  /**
   * The files of this set on disk, oldest first (by period, then sequence). Reads the folder, so
   * it survives restarts; a missing folder is an empty set. A folder whose name matches is not
   * part of the set (Serilog lists files only), nor is a symlink to a folder (opening it would
   * pass it over) or a symlink loop: the sink never picks it to append to, nor counts or deletes
   * it for retention.
   */
  list(): RollingFile[] {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(this.directory, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const files: RollingFile[] = [];
    for (const entry of entries) {
      if (entry.isDirectory()) continue;
      const name = entry.name;
      const parsed = this.parse(name);
      if (parsed === undefined) continue;
      const filePath = path.join(this.directory, name);
      // One stat, for links only: the directory entry of a link does not say what it points to.
      if (entry.isSymbolicLink() && isNoFile(filePath)) continue;
      files.push({ path: filePath, ...parsed });
    }
    // By time, not by text: `+010000…` (a year past 9999) sorts before `2026…` as text. Comparisons,
    // not a difference: every end of an infinite set is Infinity. Sequences compare as numbers.
    return files.sort((a, b) => (a.endMs < b.endMs ? -1 : a.endMs > b.endMs ? 1 : a.sequence - b.sequence));
  }
}
