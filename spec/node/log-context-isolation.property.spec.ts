import fc from 'fast-check';
import { asyncScheduler, firstValueFrom, from, map, observeOn, of, switchMap } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { LogContext } from '../../lib/context/log-context';
import { useAsyncLocalStorage } from '../../lib/node/use-async-local-storage';
import { withLogContext } from '../../lib/operators/with-log-context';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { seqOf } from '../helpers/model-run';

// A model of concurrent requests under useAsyncLocalStorage(): fast-check makes a few request
// programs (nested runs over the same few names, suspends, forks not awaited at once, and waits
// of every kind AsyncLocalStorage follows) and runs them all at once, so their continuations
// interleave. Every event must carry exactly the context its own program put in force where it
// logged: the request's, its runs layered innermost last, nothing after a suspend but what runs
// inside it, streams' withLogContext names over them across asyncScheduler and promise hops,
// and never another request's. MODEL_RUNS explores further.

/** How a step yields to the event loop: each is a continuation AsyncLocalStorage follows. */
const WAITS = ['microtask', 'nextTick', 'immediate', 'queueMicrotask', 'then'] as const;
type Wait = (typeof WAITS)[number];

type Step =
  | { kind: 'wait'; how: Wait; times: number }
  | { kind: 'log' }
  | { kind: 'run'; name: string; body: Step[] }
  | { kind: 'suspend'; body: Step[] }
  /** Starts `body` in a nested run without awaiting it; the request awaits it at its end. */
  | { kind: 'fork'; name: string; body: Step[] }
  /**
   * Logs once from a stream: `withLogContext` sets a name, then `observeOn(asyncScheduler)` and a
   * `switchMap` into a promise hop to later turns before the event is logged.
   */
  | { kind: 'stream'; name: string };

const NAMES = ['A', 'B', 'C'];

const steps: fc.Memo<Step[]> = fc.memo((depth) =>
  fc.array(
    depth <= 1
      ? fc.oneof(
          fc.record({
            kind: fc.constant('wait' as const),
            how: fc.constantFrom(...WAITS),
            times: fc.integer({ min: 1, max: 3 }),
          }),
          fc.constant({ kind: 'log' as const }),
          fc.record({ kind: fc.constant('stream' as const), name: fc.constantFrom(...NAMES) }),
        )
      : fc.oneof(
          {
            weight: 3,
            arbitrary: fc.record({
              kind: fc.constant('wait' as const),
              how: fc.constantFrom(...WAITS),
              times: fc.integer({ min: 1, max: 3 }),
            }),
          },
          { weight: 3, arbitrary: fc.constant({ kind: 'log' as const }) },
          { weight: 1, arbitrary: fc.record({ kind: fc.constant('stream' as const), name: fc.constantFrom(...NAMES) }) },
          {
            weight: 2,
            arbitrary: fc.record({ kind: fc.constant('run' as const), name: fc.constantFrom(...NAMES), body: steps(depth - 1) }),
          },
          { weight: 1, arbitrary: fc.record({ kind: fc.constant('suspend' as const), body: steps(depth - 1) }) },
          {
            weight: 1,
            arbitrary: fc.record({ kind: fc.constant('fork' as const), name: fc.constantFrom(...NAMES), body: steps(depth - 1) }),
          },
        ),
    { maxLength: 5 },
  ),
);

function wait(how: Wait): Promise<void> {
  switch (how) {
    case 'microtask':
      return Promise.resolve();
    case 'nextTick':
      return new Promise((resolve) => process.nextTick(resolve));
    case 'immediate':
      return new Promise((resolve) => setImmediate(resolve));
    case 'queueMicrotask':
      return new Promise((resolve) => queueMicrotask(resolve));
    case 'then':
      return Promise.resolve().then(() => Promise.resolve());
  }
}

const runs = Number(process.env.MODEL_RUNS ?? 60);

describe('LogContext under useAsyncLocalStorage(), modelled', () => {
  it('gives every event of interleaved requests exactly its own context', async () => {
    const restore = useAsyncLocalStorage();
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(steps(3), { minLength: 2, maxLength: 5 }), async (programs) => {
          const memory = new MemorySink();
          const log = new LoggerConfiguration().enrich.fromLogContext().writeTo.sink(memory).createLogger();
          const expected = new Map<number, Record<string, unknown>>();
          let seq = 0;
          let label = 0;

          const play = async (body: Step[], model: Record<string, unknown>, forks: Promise<void>[]): Promise<void> => {
            for (const step of body) {
              switch (step.kind) {
                case 'wait':
                  for (let i = 0; i < step.times; i++) await wait(step.how);
                  break;
                case 'log': {
                  const n = seq++;
                  expected.set(n, { ...model, Seq: n });
                  log.information('{Seq}', n);
                  break;
                }
                case 'run': {
                  const value = `v${label++}`;
                  await LogContext.run({ [step.name]: value }, () => play(step.body, { ...model, [step.name]: value }, forks));
                  break;
                }
                case 'suspend':
                  await LogContext.suspend(() => play(step.body, {}, forks));
                  break;
                case 'stream': {
                  const value = `v${label++}`;
                  const n = seq++;
                  expected.set(n, { ...model, [step.name]: value, Seq: n });
                  await firstValueFrom(
                    of(n).pipe(
                      withLogContext({ [step.name]: value }),
                      observeOn(asyncScheduler),
                      switchMap((m) => from(Promise.resolve(m))),
                      map((m) => log.information('{Seq}', m)),
                    ),
                  );
                  break;
                }
                case 'fork': {
                  const value = `v${label++}`;
                  forks.push(
                    LogContext.run({ [step.name]: value }, () => play(step.body, { ...model, [step.name]: value }, forks)),
                  );
                  break;
                }
              }
            }
          };

          await Promise.all(
            programs.map((program, i) =>
              LogContext.run({ RequestId: `r-${i}` }, async () => {
                const forks: Promise<void>[] = [];
                await play(program, { RequestId: `r-${i}` }, forks);
                // A fork can start further forks: wait until none is left.
                for (let done = 0; done < forks.length; done++) await forks[done];
              }),
            ),
          );
          await log.close();
          expect(LogContext.current()).toBeUndefined();
          expect(memory.events).toHaveLength(expected.size);
          for (const event of memory.events) expect(event.properties).toEqual(expected.get(seqOf(event)));
        }),
        { numRuns: runs },
      );
    } finally {
      restore();
    }
  });
});
