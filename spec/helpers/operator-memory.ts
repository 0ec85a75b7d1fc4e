import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { childStdout } from './child-stdout';

/** The stateful operators spec/operators/fixtures/operator-memory.ts can run. */
export type MemoryProbe = 'fingersCrossed' | 'throttleEvents' | 'sampleEvents' | 'boundedQueue' | 'circuitBreaker';

/**
 * How much the heap grew (MiB, after garbage collection) between a warm operator and the end of a
 * long stream of ever-new keys through it, measured in a child process with --expose-gc.
 */
export function heapGrowthMiB(kind: MemoryProbe): number {
  const fixture = path.join(__dirname, '..', 'operators', 'fixtures', 'operator-memory.ts');
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fixture, kind], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const { warmMiB, endMiB } = JSON.parse(childStdout(child)) as { warmMiB: number; endMiB: number };
  return endMiB - warmMiB;
}
