import { VirtualTimeScheduler } from 'rxjs';

/** A VirtualTimeScheduler stepped action by action, letting promises settle between actions. */
export class Clock {
  readonly scheduler = new VirtualTimeScheduler();

  now(): number {
    return this.scheduler.now();
  }

  /** Runs every action due up to `ms` from now, in time order, with microtasks and I/O turns in between. */
  async advance(ms: number): Promise<void> {
    const target = this.scheduler.frame + ms;
    for (;;) {
      await turn();
      const next = this.scheduler.actions[0];
      if (next === undefined || next.delay > target) break;
      this.scheduler.maxFrames = next.delay;
      this.scheduler.flush();
    }
    this.scheduler.frame = Math.max(this.scheduler.frame, target);
    await turn();
  }

  /** A promise settled by the clock `ms` from now. */
  after<T>(ms: number, settle: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) =>
      this.scheduler.schedule(() => {
        try {
          resolve(settle());
        } catch (error) {
          reject(error);
        }
      }, ms),
    );
  }
}

/** Lets every queued microtask (and the promise chains they start) run. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
