/** How a poller waits for a real process (a daemon started by a test) to reach a state. */
export interface PollSettings {
  /** Longest wait, in milliseconds. */
  readonly waitMs: number;
  /** Pause between checks, in milliseconds. */
  readonly pollMs: number;
  /** A check that throws or rejects counts as "not yet" (a server not listening yet). Default false: it fails the wait. */
  readonly retryOnError?: boolean;
}

/**
 * A `pollUntil(check, describe)` for a test of a real external process: it calls `check` every
 * `pollMs` until it gives a value, or fails after `waitMs` with `describe()`. For daemons only
 * (rsyslogd, Prometheus), whose timing no fake clock can drive; rxlog's own timing is tested in
 * virtual time.
 */
export function poller(
  settings: PollSettings,
): <T>(check: () => T | undefined | Promise<T | undefined>, describe: () => string) => Promise<T> {
  return async (check, describe) => {
    const deadline = Date.now() + settings.waitMs;
    for (;;) {
      const value = await (settings.retryOnError === true
        ? Promise.resolve()
            .then(check)
            .catch(() => undefined)
        : check());
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`gave up after ${settings.waitMs} ms: ${describe()}`);
      await new Promise((resolve) => setTimeout(resolve, settings.pollMs));
    }
  };
}
