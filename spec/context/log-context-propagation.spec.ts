import { EventEmitter } from 'node:events';
import {
  asapScheduler,
  asyncScheduler,
  firstValueFrom,
  interval,
  map,
  type Observable,
  observeOn,
  of,
  queueScheduler,
  type SchedulerLike,
  take,
  toArray,
} from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { LogContext } from '../../lib/context/log-context';
import type { ContextProperties } from '../../lib/context/context-store';
import { useAsyncLocalStorage } from '../../lib/node/use-async-local-storage';
import { withLogContext } from '../../lib/operators/with-log-context';
import { MemorySink } from '../../lib/sinks/memory-sink';

// What an app's code does between setting a context and logging, in each store: whose context an
// event logged there reads. The default store follows the call stack (browsers), the
// AsyncLocalStorage one async continuations too (docs/configuration.md, docs/node.md).
const stores: [string, () => () => void][] = [
  ['the default store', () => () => undefined],
  ['useAsyncLocalStorage()', useAsyncLocalStorage],
];

const requestId = (): unknown => LogContext.current()?.RequestId;
const turn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe.each(stores)('LogContext across what apps do, with %s', (name, install) => {
  const follows = name !== 'the default store';
  let restore: () => void;
  beforeEach(() => {
    restore = install();
  });
  afterEach(() => restore());

  it('follows an await chain and a timer set inside the run only with AsyncLocalStorage, and leaves nothing after', async () => {
    const inner = async (): Promise<unknown> => {
      await Promise.resolve();
      return requestId();
    };
    const seen = await LogContext.run({ RequestId: 'r-1' }, async () => {
      const before = requestId();
      const afterChain = await inner();
      const fromTimer = await new Promise((resolve) => setTimeout(() => resolve(requestId()), 0));
      return [before, afterChain, fromTimer];
    });
    expect(seen).toEqual(follows ? ['r-1', 'r-1', 'r-1'] : ['r-1', undefined, undefined]);
    expect(LogContext.current()).toBeUndefined();
  });

  it('runs an EventEmitter listener in the context of the emit, not of where it was registered', () => {
    const emitter = new EventEmitter();
    const heard: unknown[] = [];
    LogContext.run({ RequestId: 'registered' }, () => emitter.on('order', () => heard.push(requestId())));
    LogContext.run({ RequestId: 'emitted' }, () => emitter.emit('order'));
    emitter.emit('order');
    expect(heard).toEqual(['emitted', undefined]);
  });

  it('runs a log.events$ subscriber in the log call’s context; what it logs from a microtask keeps it only with AsyncLocalStorage', async () => {
    // A subscriber that reports each event it sees through the same logger, handed on a microtask
    // so it is not a nested call: with AsyncLocalStorage the report is in the request it is about.
    const memory = new MemorySink();
    const log = new LoggerConfiguration().enrich.fromLogContext().writeTo.sink(memory).createLogger();
    const seenIn: unknown[] = [];
    log.events$.subscribe((event) => {
      seenIn.push(requestId());
      if (event.messageTemplate.text === 'Order placed')
        queueMicrotask(() => log.information('Saw {Message}', event.messageTemplate.text));
    });
    LogContext.run({ RequestId: 'r-1' }, () => log.information('Order placed'));
    LogContext.run({ RequestId: 'r-2' }, () => log.information('Order placed'));
    await turn();
    expect(seenIn.slice(0, 2)).toEqual(['r-1', 'r-2']);
    expect(memory.events.map((e) => [e.messageTemplate.text, e.properties.RequestId])).toEqual([
      ['Order placed', 'r-1'],
      ['Order placed', 'r-2'],
      ['Saw {Message}', follows ? 'r-1' : undefined],
      ['Saw {Message}', follows ? 'r-2' : undefined],
    ]);
    await log.close();
  });

  it('keeps two runs awaited together by Promise.all apart, each with its own, and none around them after', async () => {
    const request = (id: string, turns: number): Promise<unknown> =>
      LogContext.run({ RequestId: id }, async () => {
        for (let i = 0; i < turns; i++) await turn();
        return requestId();
      });
    const seen = await LogContext.run({ Around: 1 }, async () => {
      const both = await Promise.all([request('r-1', 2), request('r-2', 1)]);
      return { both, around: LogContext.current() };
    });
    expect(seen).toEqual(
      follows ? { both: ['r-1', 'r-2'], around: { Around: 1 } } : { both: [undefined, undefined], around: undefined },
    );
    expect(LogContext.current()).toBeUndefined();
  });

  // A stream subscribed inside a run whose values come on later turns, after the run has ended.
  it('gives a stream subscribed inside a run the run’s context on later turns with AsyncLocalStorage, and with withLogContext in both', async () => {
    const later = (stream: Observable<number>): Promise<unknown[]> =>
      firstValueFrom(stream.pipe(take(3), map(requestId), toArray()));
    const [bare, carried] = LogContext.run({ RequestId: 'r-1' }, () => [
      later(interval(1)),
      later(interval(1).pipe(withLogContext(() => LogContext.current() ?? {}))),
    ]);
    expect(LogContext.current()).toBeUndefined();
    expect(await bare).toEqual(Array(3).fill(follows ? 'r-1' : undefined));
    expect(await carried).toEqual(['r-1', 'r-1', 'r-1']);
  });

  // queueScheduler runs an action at once, unless one of its actions is running: then it queues it
  // and runs it when that one returns, after the run that scheduled it has ended. Two requests'
  // values delivered inside one action (an `expand` or a `subscribeOn(queueScheduler)` upstream).
  it('delivers what observeOn(queueScheduler) queued inside a queue action in that action’s context; withLogContext after it puts it back', () => {
    const deliver = (place: 'before' | 'after'): unknown[] => {
      const seen: unknown[] = [];
      const stream = (id: string): Observable<string> =>
        place === 'before'
          ? of(id).pipe(withLogContext({ RequestId: id }), observeOn(queueScheduler))
          : of(id).pipe(observeOn(queueScheduler), withLogContext({ RequestId: id }));
      // At the top level (no action running) the value is delivered at once, inside the context.
      stream('top').subscribe(() => seen.push(requestId()));
      LogContext.run({ RequestId: 'action' }, () =>
        queueScheduler.schedule(() => {
          for (const id of ['r-1', 'r-2']) stream(id).subscribe(() => seen.push(requestId()));
        }),
      );
      return seen;
    };
    expect(deliver('before')).toEqual(['top', 'action', 'action']);
    expect(deliver('after')).toEqual(['top', 'r-1', 'r-2']);
  });

  // Two streams in flight together, each moved to a later turn by a scheduler, with withLogContext
  // before the observeOn or after it (docs/operators.md, docs/node.md): what their values arrive in.
  it.each<[string, SchedulerLike]>([
    ['asyncScheduler', asyncScheduler],
    ['asapScheduler', asapScheduler],
  ])(
    'delivers what observeOn(%s) moved to a later turn in the context the store carries there; withLogContext after it puts back each its own',
    async (scheduler, on) => {
      const both = (place: 'before' | 'after'): Promise<unknown[]> =>
        Promise.all(
          ['r-1', 'r-2'].map((id) =>
            firstValueFrom(
              place === 'before'
                ? of(id).pipe(withLogContext({ RequestId: id }), observeOn(on), map(requestId))
                : of(id).pipe(observeOn(on), withLogContext({ RequestId: id }), map(requestId)),
            ),
          ),
        );
      // A timer (asyncScheduler) keeps the context it was set in; asapScheduler runs every action
      // queued on one turn in the first one's. The default store carries nothing to a later turn.
      const carried = !follows ? [undefined, undefined] : scheduler === 'asyncScheduler' ? ['r-1', 'r-2'] : ['r-1', 'r-1'];
      expect(await both('before')).toEqual(carried);
      expect(await both('after')).toEqual(['r-1', 'r-2']);
      expect(LogContext.current()).toBeUndefined();
    },
  );

  // A thenable that starts its work only when its `then` is called (a query builder: Prisma's,
  // knex's, Mongoose's), and reports from a timer it sets there, as a query's callback does.
  it('runs a lazy thenable’s work in the context where it is awaited: the run’s with AsyncLocalStorage, none once the run has returned it', async () => {
    const lazy = (): PromiseLike<unknown[]> => ({
      then(onFulfilled, onRejected) {
        const called = requestId();
        return new Promise<unknown[]>((resolve) => setTimeout(() => resolve([called, requestId()]), 0)).then(
          onFulfilled,
          onRejected,
        );
      },
    });
    // Awaited inside an async run (Node calls `then` on a later microtask), or what an async callback returns.
    const awaited = await LogContext.run({ RequestId: 'r-1' }, async () => [...(await lazy()), requestId()]);
    const returnedAsync = await LogContext.run({ RequestId: 'r-2' }, async () => lazy());
    // Returned by a synchronous callback: nothing is called until the caller awaits it, after the run.
    const query = LogContext.run({ RequestId: 'r-3' }, () => lazy());
    const returnedSync = await query;
    expect({ awaited, returnedAsync, returnedSync }).toEqual(
      follows
        ? { awaited: ['r-1', 'r-1', 'r-1'], returnedAsync: ['r-2', 'r-2'], returnedSync: [undefined, undefined] }
        : {
            awaited: [undefined, undefined, undefined],
            returnedAsync: [undefined, undefined],
            returnedSync: [undefined, undefined],
          },
    );
    expect(LogContext.current()).toBeUndefined();
  });

  it('reads a context saved with current() and put back with run on a later turn, as Serilog’s Clone()', async () => {
    const saved: ContextProperties | undefined = LogContext.run({ RequestId: 'r-1' }, () =>
      LogContext.run({ Step: 'pay' }, () => LogContext.current()),
    );
    await turn();
    expect(LogContext.run(saved ?? {}, () => LogContext.current())).toEqual({ RequestId: 'r-1', Step: 'pay' });
  });
});
