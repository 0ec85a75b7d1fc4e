import { sleepSync } from './sleep-sync';

/** Longest pause between two tries, in milliseconds. */
const MAX_DELAY_MS = 50;

/**
 * Whether the process is exiting: Node sets `process._exiting` before it runs the `exit`
 * listeners, after which nothing asynchronous ever runs. A write Node still holds for a full pipe
 * is then lost, and waiting for the reader synchronously (bounded) is the only way left to write.
 */
export function processExiting(): boolean {
  return (process as { _exiting?: unknown })._exiting === true;
}

/** What one try of a synchronous write got: all of it, some of it, or nothing (the reader is stalled). */
export type WriteTry = 'done' | 'progress' | 'stalled';

/**
 * Tries `attempt` until it is done or `deadline` (a `performance.now()` time) has passed, pausing
 * the thread between tries: 1 ms after a try that wrote something (a reader that reads takes a full
 * pipe within that), else 2, 4 … 50 ms, never past the deadline. How a sink waits for a stalled
 * pipe reader where nothing asynchronous can run (process `exit`). True when it got done. Elapsed
 * time, not the wall clock: a clock stepped back during the wait (NTP) would hold the exiting
 * process that much longer.
 */
export function retryUntil(attempt: () => WriteTry, deadline: number): boolean {
  let delay = 1;
  for (;;) {
    const outcome = attempt();
    if (outcome === 'done') return true;
    const left = deadline - performance.now();
    if (left <= 0) return false;
    if (outcome === 'progress') delay = 1;
    sleepSync(Math.min(delay, left));
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  }
}

/**
 * How many leading `events` are among `written`, in the same order: events a sink wrote out of
 * the pipeline's sight (at exit, or the rest of a batch a stream wrote later), which it must not
 * write again when they are offered.
 */
export function writtenOverlap<T>(written: readonly T[], events: readonly T[]): number {
  if (written.length === 0 || events.length === 0) return 0;
  const start = written.indexOf(events[0]);
  if (start < 0) return 0;
  let count = 0;
  while (start + count < written.length && count < events.length && written[start + count] === events[count]) count++;
  return count;
}
