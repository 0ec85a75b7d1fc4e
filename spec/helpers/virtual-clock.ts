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

/** Flushes started on a virtual clock, each to settle, never reject, by its timeout plus `slackMs`. */
export class FlushWatch {
  readonly #flushes: { bound: number; settled: boolean; failure: unknown }[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly slackMs: number,
  ) {}

  /** Follows `flushed`, a flush given `timeoutMs` started now. */
  follow(flushed: Promise<unknown>, timeoutMs: number): void {
    const flush = { bound: this.clock.now() + timeoutMs + this.slackMs, settled: false, failure: undefined as unknown };
    flushed.then(
      () => {
        flush.settled = true;
      },
      (error: unknown) => {
        flush.failure = error ?? 'undefined';
      },
    );
    this.#flushes.push(flush);
  }

  /** Throws, naming `where`, when a flush rejected or is still pending past its bound. */
  check(where: string): void {
    const now = this.clock.now();
    for (const flush of this.#flushes) {
      if (flush.failure !== undefined) throw new Error(`${where}: flush() rejected`);
      if (!flush.settled && now > flush.bound)
        throw new Error(`${where}: a flush() still pending at ${now}, past ${flush.bound}`);
    }
  }
}
