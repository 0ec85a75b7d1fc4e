import type { Writable } from 'node:stream';

/** Characters gathered before a write is forced, whatever the input is doing. */
const FLUSH_AT_CHARS = 64 * 1024;

/**
 * Gathers output text and hands it to a stream in large writes: at 64 Ki characters, or once the
 * lines read so far are handled (a `setImmediate` after the first pending text), so `tail -f`
 * still shows each line promptly while a big file costs one write per 64 KiB rather than one
 * per line. It honours back-pressure through `ready()`, and a stream error (EPIPE when the reader
 * of a pipe has gone, as in `rxlog big.log | head`) is kept in `failure` instead of crashing.
 */
export class BufferedOutput {
  /** The stream's first error; once set, writes are dropped. */
  failure: Error | undefined;
  private readonly failureListeners = new Set<() => void>();
  private pending = '';
  private scheduled = false;
  private waiting: Promise<void> | undefined;
  private readonly scheduledFlush = (): void => {
    this.scheduled = false;
    this.flush();
  };

  constructor(private readonly stream: Writable) {
    stream.on('error', (error: Error) => this.fail(error));
  }

  /**
   * Calls `listener` once, when the stream fails (at once if it has), so a reader waiting for input can stop as
   * soon as its output is gone (`tail -f app.log | rxlog | head -1`); returns what takes the listener back.
   */
  onFailure(listener: () => void): () => void {
    if (this.failure !== undefined) {
      listener();
      return () => {};
    }
    this.failureListeners.add(listener);
    return () => this.failureListeners.delete(listener);
  }

  /** Adds text to the next write. */
  write(text: string): void {
    if (this.failure !== undefined) return;
    this.pending += text;
    if (this.pending.length >= FLUSH_AT_CHARS) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.scheduledFlush);
    }
  }

  /** Writes what is pending now. */
  flush(): void {
    if (this.pending === '' || this.failure !== undefined) return;
    const text = this.pending;
    this.pending = '';
    let accepted: boolean;
    try {
      accepted = this.stream.write(text);
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    // A destroyed stream refuses writes but emits neither 'drain' nor (again) 'close': nothing to wait for.
    if (!accepted && !this.stream.destroyed) this.waiting ??= this.drained();
  }

  /** A promise while the stream wants no more (wait for it before reading on), else undefined. */
  ready(): Promise<void> | undefined {
    return this.waiting;
  }

  /** Writes what is pending and resolves once the stream has taken it (or failed). */
  async end(): Promise<void> {
    this.flush();
    await this.waiting;
  }

  private fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    const listeners = [...this.failureListeners];
    this.failureListeners.clear();
    for (const listener of listeners) listener();
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        this.stream.off('close', done);
        this.waiting = undefined;
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
      this.stream.on('close', done);
    });
  }
}
