import { SelfLog } from '../core/self-log';
import { writeUnfinishedRequests } from '../node/http/in-flight-requests';
import type { Logger } from '../pipeline/logger';

/** The loggers of the apps still running, and the one `exit` listener that writes them out. */
interface Running {
  readonly loggers: Set<WeakRef<Logger>>;
  readonly flush: () => void;
}

/**
 * Shared by every copy of this module in the process: a test runner that loads the modules afresh
 * for each spec file (Vitest) would otherwise add one `exit` listener per file whose apps were
 * never closed, and Node warns past ten. Loggers are held weakly: an app never closed (a unit
 * test's module) does not keep its logger alive.
 */
const RUNNING = Symbol.for('rxlog.nest.runningLoggers');

/** The process's shared state, made at the first app's start: importing the module adds no global (sideEffects: false). */
function running(): Running {
  const shared = globalThis as { [RUNNING]?: Running };
  return (shared[RUNNING] ??= { loggers: new Set(), flush: flushRunning });
}

function flushRunning(): void {
  for (const ref of running().loggers) {
    const log = ref.deref();
    if (log === undefined) continue;
    // No shutdown comes now: the requests in flight are written as unfinished, as the logger's close would.
    writeUnfinishedRequests(log);
    try {
      log.flushSync();
    } catch (error) {
      SelfLog.write('RxlogModule: the logger could not be flushed at process exit', error);
    }
  }
}

/**
 * Writes what `log` still holds (a FileSink's partial batch, a queue) synchronously at the
 * process's `exit`, for as long as the app runs: a process that ends without Nest's shutdown (a
 * crash at boot, an unhandled rejection, `process.exit()` in the bootstrap's catch) would
 * otherwise lose the events that say why. The requests still in flight are written first, as
 * unfinished (see RxlogRequestContext). One `exit` listener serves every app. Returns the call
 * that stops it, made once the app's shutdown has closed the logger.
 */
export function flushAtExit(log: Logger): () => void {
  const { loggers, flush } = running();
  for (const ref of loggers) if (ref.deref() === undefined) loggers.delete(ref);
  if (loggers.size === 0) process.on('exit', flush);
  const ref = new WeakRef(log);
  loggers.add(ref);
  return () => {
    if (loggers.delete(ref) && loggers.size === 0) process.off('exit', flush);
  };
}
