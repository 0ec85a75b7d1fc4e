import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/**
 * Runs spec/operators/fixtures/idle-operator-timers.ts for `operator` in a child process that
 * logs once through it and then has nothing left to do; expects it to end at once, on its own.
 * A timer of the operator that is not unref'd holds the child until the 30 s timeout kills it.
 */
export function expectProcessEndsWhenIdle(operator: 'fingersCrossed' | 'throttleEvents'): void {
  const fixture = path.join(__dirname, '..', 'operators', 'fixtures', 'idle-operator-timers.ts');
  const child = spawnSync(process.execPath, ['--import', 'tsx', fixture, operator], { encoding: 'utf8', timeout: 30_000 });
  expect(child.stderr).toBe('');
  expect(child.stdout).toBe('logged\n');
  expect(child.status).toBe(0); // null when killed at the timeout: the timer held the process
}
