import * as fs from 'node:fs';
import * as path from 'node:path';

/** Whether an error is the "try again later" of a non-blocking descriptor. */
export function isWouldBlock(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EAGAIN' || code === 'EWOULDBLOCK';
}

/**
 * What an errno of a write or fsync means where Node's words mislead: `EFBIG` ("file too large")
 * reads as the sink's own `fileSizeLimitBytes`, `EIO` ("i/o error") says nothing of what was lost.
 * Node's `ENOSPC` ("no space left on device") and `EDQUOT` ("disk quota exceeded") say it already.
 */
const HINTS: Readonly<Record<string, string>> = {
  EFBIG: 'the file size limit of the process, ulimit -f, or of the file system is reached; not fileSizeLimitBytes',
  EIO: 'the disk or network file system failed; what was written since the last fsync may be lost',
};

/**
 * Names `filePath` in an error of a call on its descriptor, as Node names the path of a failed
 * `open` (`ENOSPC: no space left on device, write '/var/log/app.log'`): Node's `write`, `fsync` and
 * `ftruncate` errors name none, so the failure in metrics and SelfLog would not say which file.
 * An errno whose words mislead gets a hint after it (see HINTS). Returns the error.
 */
function naming(error: unknown, filePath: string): unknown {
  // Not `instanceof Error`: an error of Node's fs is of another realm's Error in a vm context (jest).
  const failure = error as Partial<NodeJS.ErrnoException> | null;
  if (typeof failure === 'object' && failure !== null && typeof failure.message === 'string' && failure.path === undefined) {
    try {
      failure.path = filePath;
      const hint = typeof failure.code === 'string' && Object.hasOwn(HINTS, failure.code) ? HINTS[failure.code] : undefined;
      failure.message += hint === undefined ? ` '${filePath}'` : ` '${filePath}' (${hint})`;
    } catch {
      // A frozen error stays as it is.
    }
  }
  return error;
}

/** Runs `call`, a call on `filePath`'s descriptor, naming the file in what it throws. */
function onFile<T>(filePath: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw naming(error, filePath);
  }
}

/**
 * Creates `folder` and its missing parents, one `mkdir` each from the deepest existing ancestor
 * down, throwing the first error. Not `fs.mkdirSync(folder, { recursive: true })`: for a missing
 * folder under `/proc` (where `mkdir` fails with ENOENT) Node's recursive loop retries the parent
 * forever, spinning the process inside a batch.
 */
function makeFolders(folder: string): void {
  const missing: string[] = [];
  for (let at = folder; fs.statSync(at, { throwIfNoEntry: false }) === undefined; at = path.dirname(at)) {
    if (path.dirname(at) === at) break;
    missing.push(at);
  }
  for (const dir of missing.reverse()) {
    try {
      fs.mkdirSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/**
 * One open log file: a descriptor kept open for appending, its size, and the identity of the file
 * it was opened on (to notice when it is deleted or moved away). Opened with
 * `O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK`, so for a FIFO a stalled reader makes writes fail
 * with EAGAIN instead of freezing the process (and opening a FIFO that has no reader fails with
 * ENXIO); a regular file's writes never block whatever the flag.
 */
export class LogFile {
  /** Bytes in the file: its size when opened plus what this descriptor appended since (0 for non-regular files). */
  size: number;
  /**
   * Whether it is a regular file, its size then tracked: also `/dev/stdout` redirected to a file
   * (`node app.js > app.log`). FileSink applies its size limit only to a regular file it names
   * itself: never to a FIFO or device, nor to a descriptor of the process (`/dev/stdout`).
   */
  readonly regular: boolean;

  private constructor(
    readonly path: string,
    private fd: number,
    private readonly ino: number,
    private readonly dev: number,
    size: number,
    regular: boolean,
  ) {
    this.size = size;
    this.regular = regular;
  }

  /**
   * Opens `filePath` for appending, creating it and its missing folders. Throws on I/O errors.
   * Always non-blocking, which changes nothing for a regular file: a FIFO made at the path between
   * a check and the open (another process), or a device whose open waits, would otherwise block
   * the process in `open` until a reader came.
   */
  static open(filePath: string): LogFile {
    if (fs.statSync(filePath, { throwIfNoEntry: false }) === undefined) makeFolders(path.dirname(filePath));
    const { O_WRONLY, O_NONBLOCK, O_APPEND, O_CREAT } = fs.constants;
    // O_NONBLOCK is undefined on Windows (no FIFOs at a path there), which `|` reads as 0.
    const fd = fs.openSync(filePath, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK);
    try {
      const stat = fs.fstatSync(fd);
      return new LogFile(filePath, fd, stat.ino, stat.dev, stat.isFile() ? stat.size : 0, stat.isFile());
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
  }

  /**
   * Writes `buffer` from `offset` on, looping only on partial writes; returns the offset reached,
   * which is short of `buffer.length` only when the descriptor would block. Other errors throw,
   * with the offset reached so far in the error's `written` field.
   */
  write(buffer: Buffer, offset: number): number {
    let at = offset;
    while (at < buffer.length) {
      try {
        at += fs.writeSync(this.fd, buffer, at, buffer.length - at);
      } catch (error) {
        if (isWouldBlock(error)) break;
        if (this.regular) this.size += at - offset;
        (error as { written?: number }).written = at;
        throw naming(error, this.path);
      }
    }
    if (this.regular) this.size += at - offset;
    return at;
  }

  /**
   * Writes text to a regular file with one call, letting Node encode it once (no Buffer is made
   * in JavaScript); returns the bytes written, short of the text's length only on a short write.
   */
  writeText(text: string): number {
    const written = onFile(this.path, () => fs.writeSync(this.fd, text));
    this.size += written;
    return written;
  }

  /**
   * Whether the path no longer names this file (deleted, or moved and maybe replaced): one `stat`
   * of the path, about 2 µs, done once per batch rather than per event. When it still does, the
   * size of a regular file is taken from that `stat`, so a file truncated in place (logrotate's
   * `copytruncate`) or appended to by another writer is measured as it is on disk. A path that
   * cannot be checked (EACCES on a folder, ESTALE) is not stale: the open descriptor may still take
   * writes, where reopening could only fail the same way. One that names no file any more (a
   * folder replaced by a file: ENOTDIR; a symlink loop: ELOOP) is, so nothing is written to a
   * file no path reaches.
   */
  isStale(): boolean {
    let now: fs.Stats | undefined;
    try {
      now = fs.statSync(this.path, { throwIfNoEntry: false });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'ENOTDIR' || code === 'ELOOP';
    }
    if (now === undefined || now.ino !== this.ino || now.dev !== this.dev) return true;
    if (this.regular) this.size = now.size;
    return false;
  }

  /**
   * Whether the file has no name left (`fstat`'s link count is 0): deleted, so what was written to
   * it reaches no reader. False when it cannot be checked.
   */
  isUnlinked(): boolean {
    try {
      return fs.fstatSync(this.fd).nlink === 0;
    } catch {
      return false;
    }
  }

  /**
   * Cuts the last `bytes` bytes off a regular file (undoing the torn tail of a short write),
   * measured from its end on disk, where an append just put them: not from `size`, which another
   * writer appending meanwhile (a second logger or process on the file) has left behind.
   */
  truncateTail(bytes: number): void {
    this.size = onFile(this.path, () => {
      const size = fs.fstatSync(this.fd).size - bytes;
      fs.ftruncateSync(this.fd, size);
      return size;
    });
  }

  /** Flushes a regular file's data to the disk (`fsync`); pipes and devices have nothing to sync. */
  sync(): void {
    if (this.regular) onFile(this.path, () => fs.fsyncSync(this.fd));
  }

  /** Closes the descriptor; a second call does nothing. */
  close(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    onFile(this.path, () => fs.closeSync(fd));
  }
}
