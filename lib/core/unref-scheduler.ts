import { type SchedulerAction, type SchedulerLike, Subscription } from 'rxjs';

interface TimerHandle {
  unref?: () => unknown;
}

class UnrefAction<T> extends Subscription implements SchedulerAction<T> {
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #work: (this: SchedulerAction<T>, state?: T) => void;

  constructor(work: (this: SchedulerAction<T>, state?: T) => void) {
    // Clearing no timer (undefined) does nothing; a fired one is forgotten (below), since a browser
    // may hand its id to a later timer.
    super(() => clearTimeout(this.#timer));
    this.#work = work;
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    clearTimeout(this.#timer);
    const timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.closed) return;
      try {
        this.#work.call(this, state);
      } catch (error) {
        this.unsubscribe();
        throw error;
      }
    }, delay);
    (timer as unknown as TimerHandle).unref?.();
    this.#timer = timer;
    return this;
  }
}

/**
 * The pipeline's default scheduler: RxJS's asyncScheduler semantics, but every timer is unref'd
 * in Node, so an idle logger (a batch age timer, a breaker reset, a metrics interval) never keeps
 * a process alive. In browsers `unref` does not exist and timers behave as usual.
 */
export const unrefScheduler: SchedulerLike = {
  now: () => Date.now(),
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    return new UnrefAction<T>(work).schedule(state, delay);
  },
};
