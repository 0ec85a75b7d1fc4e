/**
 * Runs tasks one at a time, each once the one before has settled, in the order given: a transport's
 * batches, which must not share the connection at once. A SyslogSink is called by more than one
 * delivery lane when two loggers share it (docs/sinks.md, "One logger owns its sinks") or it is the
 * fallback of several sinks; over a stream, two batches written at once interleave their 64 KiB
 * pieces once the kernel's buffer is full, which splits frames and leaves the receiver garbage;
 * over UDP, a refusal fails only the batch that checks for it first.
 */
export class SyslogInTurn {
  private last: Promise<unknown> = Promise.resolve();

  /** `task`'s outcome, once every task given before it has settled. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const outcome = this.last.then(task);
    this.last = outcome.catch(() => undefined);
    return outcome;
  }
}
