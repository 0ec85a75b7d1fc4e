import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { LogContext } from '../../lib/context/log-context';
import { mergeContext } from '../../lib/context/merge-context';
import type { ContextProperties } from '../../lib/context/context-store';
import { useAsyncLocalStorage } from '../../lib/node/use-async-local-storage';
import { collectSelfLog } from '../helpers/self-log';

const stores: [string, () => () => void][] = [
  ['the default store', () => () => undefined],
  ['useAsyncLocalStorage()', useAsyncLocalStorage],
];

/** The stack frames between two levels of a recursion that opens a run per level. */
function framesBetweenLevels(): string[] {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  try {
    const level = (n: number): string =>
      n === 3 ? String(new Error('here').stack) : LogContext.run({ Level: n }, () => level(n + 1));
    const frames = level(0)
      .split('\n')
      .filter((line) => line.trimStart().startsWith('at '));
    const levels = frames.flatMap((line, i) => (/ at level /.test(line) ? [i] : []));
    return frames.slice(levels[0] + 1, levels[1]);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * Calls `attempt(i)` at each of the `levels` deepest depths a recursion reaches before the stack
 * runs out (`i` from 0, with almost no stack left, a little more stack each time), after a call
 * `attempt(-1)` with plenty: code run for the first time is compiled then, which needs far more
 * stack than running it. Bounded by the stack itself.
 */
function nearTheStackLimit(levels: number, attempt: (i: number) => void): void {
  attempt(-1);
  let left = levels;
  const dive = (): void => {
    try {
      dive();
    } catch {
      // The stack ran out below this level.
    }
    if (left > 0) attempt(levels - left--);
  };
  dive();
}

/** Where an error was thrown: the file of its stack's first frame. */
const thrownIn = (error: unknown): string =>
  /\(?([^\s()]+?)(?::\d+){1,2}\)?$/.exec(
    String((error as Error).stack)
      .split('\n')[1]
      ?.trim() ?? '',
  )?.[1] ?? '?';

describe.each(stores)('LogContext.run nested deeply, with %s', (_name, install) => {
  let restore: () => void;
  beforeEach(() => {
    restore = install();
  });
  afterEach(() => restore());

  // Before, the default store called the callback through a helper of its own: three frames of
  // rxlog's a level, and a nesting overflowed at about 1 800 levels where the same recursion
  // without rxlog reached 6 000.
  it('calls the callback from the store’s run: a level costs LogContext.run and the store’s frames (and Node’s AsyncLocalStorage.run)', () => {
    const between = framesBetweenLevels();
    // The callback, the store's run (with AsyncLocalStorage, Node's run too), LogContext.run.
    expect(between).toHaveLength(_name === 'the default store' ? 3 : 4);
    expect(between.at(-1)).toMatch(/ at (Object\.)?run /);
  });

  // Before, a run with too little stack left to merge its properties threw the RangeError from
  // rxlog's own code (the merge's report of it ran out too), and the callback never ran.
  it.each([
    ['outside any run', (fn: () => void) => fn()],
    ['inside another run', (fn: () => void) => LogContext.run({ Outer: 1 }, fn)],
  ])(
    'never throws from its own work where the stack runs out, %s: the callback runs or the call itself could not be made',
    (_where, around) => {
      const LEVELS = 300;
      const errors: unknown[] = new Array<unknown>(LEVELS).fill(undefined);
      const ran: boolean[] = new Array<boolean>(LEVELS).fill(false);
      const returned: unknown[] = new Array<unknown>(LEVELS).fill(undefined);
      const { diagnostics, stop } = collectSelfLog();
      const outer = around(() => {
        nearTheStackLimit(LEVELS, (i) => {
          try {
            const result = LogContext.run({ RequestId: 'r-1', Step: i }, () => {
              if (i >= 0) ran[i] = true;
              return 'done';
            });
            if (i >= 0) returned[i] = result;
          } catch (error) {
            if (i >= 0) errors[i] = error;
          }
        });
        return LogContext.current();
      });
      stop();
      expect(outer).toEqual(around(() => LogContext.current()));
      expect(LogContext.current()).toBeUndefined();
      const thrown = errors.flatMap((error, i) => (error === undefined ? [] : [{ i, error }]));
      // Each attempt either returned what the callback returned or threw a RangeError before it
      // started, where the stack ran out on a call: into LogContext.run or the store's run, into
      // the callback, or inside Node's AsyncLocalStorage.run, never inside rxlog's merge or SelfLog.
      for (const { i, error } of thrown) {
        // Of this realm or, thrown inside Node's AsyncLocalStorage.run, of Node's own.
        expect((error as Error).name).toBe('RangeError');
        expect(ran[i]).toBe(false);
        const file = thrownIn(error);
        expect(file.startsWith('node:') ? 'Node' : path.basename(file)).toMatch(
          /^(log-context-depth\.spec\.ts|log-context\.ts|stack-context-store\.ts|async-local-storage-store\.ts|Node)$/,
        );
      }
      ran.forEach((didRun, i) => expect(didRun ? returned[i] : 'done').toBe('done'));
      // With more stack, every attempt ran: the failures are the deepest levels only.
      expect(ran.slice(-100)).toEqual(new Array<boolean>(100).fill(true));
      expect(diagnostics.filter((d) => !d.template.startsWith('LogContext.run: unreadable'))).toEqual([]);
    },
  );

  // Before, each level kept a frozen copy of every name in force: 1000 levels each adding a name
  // held 500 000 names (26 MiB). Now a level holds its own names, merged when an event reads them.
  it('holds a name a level for a nesting that adds a name a level, merging only what an event reads', () => {
    const fixture = path.join(__dirname, 'fixtures', 'nested-context-heap.ts');
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', fixture, _name === 'the default store' ? 'default' : 'asyncLocalStorage', '1000'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (child.stdout === '') throw new Error(child.stderr);
    const { growthMiB, names } = JSON.parse(child.stdout) as { growthMiB: number; names: number };
    expect(names).toBe(1000);
    expect(growthMiB).toBeLessThan(4);
  });

  it('puts in force, at every level of a deep nesting, what merging run by run would', () => {
    // Levels that add names, replace outer ones, add none, pass the 1000-name limit, and whose
    // context is read at some levels only (a read at one level is reused by the levels under it).
    const layer = (k: number): ContextProperties => {
      if (k % 50 === 7) return {};
      if (k % 10 === 3) return { Name0: `replaced at ${k}`, [`Name${k - 1}`]: k };
      if (k === 60) return Object.fromEntries(Array.from({ length: 1200 }, (_, i) => [`Bulk${i}`, i]));
      return { [`Name${k}`]: k, Shared: k };
    };
    const { stop } = collectSelfLog();
    const mismatches: number[] = [];
    let expected: ContextProperties | undefined;
    const level = (k: number): void => {
      if (k === 400) return;
      const outerExpected = expected;
      expected = mergeContext(expected, layer(k));
      LogContext.run(layer(k), () => {
        if (k % 3 !== 0 || k > 350) {
          const current = LogContext.current();
          if (JSON.stringify(Object.entries(current ?? {})) !== JSON.stringify(Object.entries(expected ?? {})))
            mismatches.push(k);
          expect(Object.isFrozen(current)).toBe(true);
          expect(LogContext.current()).toBe(current);
        }
        level(k + 1);
      });
      expected = outerExpected;
    };
    try {
      level(0);
    } finally {
      stop();
    }
    expect(mismatches).toEqual([]);
  });
});
