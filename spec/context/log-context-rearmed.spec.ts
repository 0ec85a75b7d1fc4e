import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { LogContext } from '../../lib/context/log-context';
import { mergeContext } from '../../lib/context/merge-context';
import type { ContextProperties } from '../../lib/context/context-store';
import { useAsyncLocalStorage } from '../../lib/node/use-async-local-storage';

/** Runs the fixture: `runs` runs, each opened inside the one before, reading its context or not. */
function rearmed(runs: number, reads: boolean): { growthMiB: number; runs: number; last: unknown } {
  const fixture = path.join(__dirname, 'fixtures', 'rearmed-context-heap.ts');
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fixture, String(runs), reads ? 'read' : 'unread'],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (child.stdout === '') throw new Error(child.stderr);
  return JSON.parse(child.stdout) as { growthMiB: number; runs: number; last: unknown };
}

// With useAsyncLocalStorage(), a timer set inside a run keeps the run's context, so a job that
// re-arms itself from inside its run (a poller, a queue drained one job at a time) opens each run
// inside the one before. Each run's frame held its parent for good: 200 000 runs held about 20 MiB
// (30 MiB when each read its context), growing for as long as the job ran.
describe('LogContext.run opened inside the run before it, run after run, with useAsyncLocalStorage()', () => {
  it.each([
    ['reading its context (an event logged in each)', true],
    ['never reading it', false],
  ])('holds no more memory however many runs there have been, %s', (_how, reads) => {
    const { growthMiB, runs, last } = rearmed(200_000, reads);
    expect(runs).toBe(200_000);
    expect(last).toEqual({ Job: 'sync', Run: 199_999 });
    expect(growthMiB).toBeLessThan(2);
  });
});

// A nesting whose context is read at a few levels only: past a chain of unmerged levels, a run
// merges the one it opens over, which must change nothing any level reads.
describe.each<[string, () => () => void]>([
  ['the default store', () => () => undefined],
  ['useAsyncLocalStorage()', useAsyncLocalStorage],
])('LogContext.run nested far past the levels read, with %s', (_name, install) => {
  it('puts in force at each level read what merging run by run would', () => {
    const restore = install();
    const layer = (k: number): ContextProperties =>
      k % 7 === 3 ? { Name0: `replaced at ${k}` } : { [`Name${k}`]: k, Shared: k };
    const readAt = new Set([1, 5, 300, 301, 700, 1199]);
    const mismatches: number[] = [];
    let expected: ContextProperties | undefined;
    const level = (k: number): void => {
      if (k === 1200) return;
      const outer = expected;
      expected = mergeContext(expected, layer(k));
      LogContext.run(layer(k), () => {
        if (
          readAt.has(k) &&
          JSON.stringify(Object.entries(LogContext.current() ?? {})) !== JSON.stringify(Object.entries(expected ?? {}))
        )
          mismatches.push(k);
        level(k + 1);
      });
      expected = outer;
    };
    try {
      level(0);
    } finally {
      restore();
    }
    expect(mismatches).toEqual([]);
  });
});
