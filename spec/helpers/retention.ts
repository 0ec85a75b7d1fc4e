import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { childStdout } from './child-stdout';

/**
 * Runs scenarios of spec/memory/fixtures/retention.ts in a child process with --expose-gc and
 * returns each one's result by name (what stays alive, listeners, handles, heap growth).
 */
export function runRetention(...scenarios: string[]): Record<string, unknown> {
  const fixture = path.join(__dirname, '..', 'memory', 'fixtures', 'retention.ts');
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fixture, ...scenarios], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return JSON.parse(childStdout(child)) as Record<string, unknown>;
}
