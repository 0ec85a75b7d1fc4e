/** One measurement of a scenario child: metric name → value (numbers, or a note). */
export type ScenarioResult = Readonly<Record<string, number | string | boolean>>;

/** The prefix that marks the result line among whatever else a child prints. */
export const RESULT_PREFIX = 'BENCH_RESULT ';

/**
 * Prints the child's result as one JSON line and ends the process, so a leftover timer, worker
 * or handle of a logger under test cannot stretch the run.
 */
export function reportResult(result: ScenarioResult): never {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`, () => process.exit(0));
  // If stdout never drains (a closed pipe), leave anyway after a moment.
  setTimeout(() => process.exit(0), 1_000).unref();
  return undefined as never;
}

/** Runs a scenario's main function; a thrown error is printed and the child exits non-zero. */
export function runScenario(main: () => Promise<void> | void): void {
  Promise.resolve()
    .then(main)
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    });
}
