/** Longest pause between two attempts, in milliseconds. */
const MAX_DELAY_MS = 50;

/**
 * Waits that retry a synchronous attempt with growing pauses (1, 2, 4 … 50 ms) until it succeeds:
 * how a sink waits for a stalled pipe reader, which Node offers no event for on a raw descriptor.
 * The timers are ref'd on purpose: a write still waiting should keep the process alive, as
 * Node's own streams do. `settleAll` ends every wait at once, for a closing sink.
 */
export class PollingWaits {
  private readonly settlers = new Set<() => void>();

  /**
   * Resolves once `attempt` returns true, rejects when it throws; on `settleAll`, one last
   * attempt decides, and a false one rejects with `closedError()`.
   */
  wait(attempt: () => boolean, closedError: () => Error): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let delay = 1;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const schedule = (): void => {
        timer = setTimeout(() => run(false), delay);
        delay = Math.min(delay * 2, MAX_DELAY_MS);
      };
      const run = (final: boolean): void => {
        let done: boolean;
        try {
          done = attempt();
        } catch (error) {
          this.settlers.delete(settle);
          reject(error);
          return;
        }
        if (done || final) {
          this.settlers.delete(settle);
          if (done) resolve();
          else reject(closedError());
          return;
        }
        schedule();
      };
      const settle = (): void => {
        clearTimeout(timer);
        run(true);
      };
      this.settlers.add(settle);
      schedule();
    });
  }

  /** How many waits are pending. */
  get size(): number {
    return this.settlers.size;
  }

  /** Gives every pending wait one last attempt, then ends it. */
  settleAll(): void {
    for (const settle of [...this.settlers]) settle();
  }
}
