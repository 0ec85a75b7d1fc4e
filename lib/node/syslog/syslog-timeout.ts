/**
 * `promise`, or a rejection once `timeoutMs` milliseconds pass first; the timer is unref'd, so it
 * never keeps the process alive on its own. The caller cleans up what the timeout abandons.
 */
export function syslogTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`SyslogSink: ${what} timed out after ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
