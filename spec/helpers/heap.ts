/** The heap in use, in MiB, after two full garbage collections: for child-process fixtures run with --expose-gc. */
export function heapMiB(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}
