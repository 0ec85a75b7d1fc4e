import { SelfLog } from '../core/self-log';
import type { Logger } from '../pipeline/logger';

/**
 * The loggers of the apps still running, written out synchronously if the process ends first.
 * Held weakly: an app never closed (a unit test's module) does not keep its logger alive.
 */
const running = new Set<WeakRef<Logger>>();

function flushRunning(): void {
  for (const ref of running) {
    try {
      ref.deref()?.flushSync();
    } catch (error) {
      SelfLog.write('RxlogModule: the logger could not be flushed at process exit', error);
    }
  }
}

/**
 * Writes what `log` still holds (a FileSink's partial batch, a queue) synchronously at the
 * process's `exit`, for as long as the app runs: a process that ends without Nest's shutdown (a
 * crash at boot, an unhandled rejection, `process.exit()` in the bootstrap's catch) would
 * otherwise lose the events that say why. One `exit` listener serves every app. Returns the call
 * that stops it, made once the app's shutdown has closed the logger.
 */
export function flushAtExit(log: Logger): () => void {
  if (running.size === 0) process.on('exit', flushRunning);
  const ref = new WeakRef(log);
  running.add(ref);
  return () => {
    if (running.delete(ref) && running.size === 0) process.off('exit', flushRunning);
  };
}
