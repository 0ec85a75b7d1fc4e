let cell: Int32Array | undefined;

/**
 * Blocks the thread for `ms` milliseconds without spinning the CPU. Only for synchronous flushes
 * at process exit, where waiting for a pipe reader is the lesser evil.
 */
export function sleepSync(ms: number): void {
  cell ??= new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(cell, 0, 0, ms);
}
