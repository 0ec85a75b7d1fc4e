interface Waiter {
  /** How many of the events pending when the waiter was made are still pending. */
  remaining: number;
  /** True: the events settled; false: they were given up on. */
  readonly resolve: (settled: boolean) => void;
  /** Whoever made the waiter, so that it can give up on it (see `cancel`). */
  readonly owner: object | undefined;
}

/**
 * Who is waiting for which pending events of a sink's stage to settle. The stage's pending
 * events are ordered: the batch in flight first, then the queue, then the open batch; a waiter
 * made when `n` events were pending waits for the first `n` positions. Every settlement
 * (delivery, failure, drop) names the positions it removes, so a waiter resolves exactly when
 * its events are gone, whatever arrives after it.
 */
export class SinkDeliveryWaiters {
  #waiters: Waiter[] = [];

  /** Whether anyone is waiting: the stage then sends partial batches without waiting for their age. */
  get active(): boolean {
    return this.#waiters.length !== 0;
  }

  /**
   * Resolves `true` once the first `pending` positions have settled (at once when `pending` is 0),
   * or `false` when `owner` cancels or the stage gives up on them (`releaseAll`).
   */
  wait(pending: number, owner?: object): Promise<boolean> {
    if (pending <= 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => this.#waiters.push({ remaining: pending, resolve, owner }));
  }

  /**
   * Resolves and forgets the waiters `owner` made: a flush that timed out stops waiting, so a
   * sink that never settles does not collect one waiter per flush, nor keep batching off.
   */
  cancel(owner: object): void {
    // Resolved as they are dropped: resolve() returns nothing (falsy) and runs nothing now (its reactions are microtasks).
    this.#waiters = this.#waiters.filter((waiter) => waiter.owner !== owner || waiter.resolve(false));
  }

  /** Records that `count` events at positions `[start, start + count)` settled. */
  settle(start: number, count: number): void {
    if (this.#waiters.length === 0 || count <= 0) return;
    let kept = 0;
    for (const waiter of this.#waiters) {
      if (waiter.remaining > start) waiter.remaining -= Math.min(count, waiter.remaining - start);
      if (waiter.remaining === 0) waiter.resolve(true);
      else this.#waiters[kept++] = waiter;
    }
    this.#waiters.length = kept;
  }

  /** Resolves every waiter now, `false`: the stage gave up on what was pending. */
  releaseAll(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.resolve(false);
  }
}
