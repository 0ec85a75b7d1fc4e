import { AsyncLocalStorage } from 'node:async_hooks';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { LogContext } from '../../lib/context/log-context';
import type { ContextProperties, ContextStore } from '../../lib/context/context-store';
import type { LogEvent } from '../../lib/core/log-event';
import type { Sink } from '../../lib/core/sink';
import { AsyncLocalStorageContextStore } from '../../lib/node/async-local-storage-store';
import { secondCopy } from '../helpers/second-copy';

// Sink delivery runs in the async context where `rxlog/node` was first loaded (docs/node.md). A
// file of its own: that place is fixed by the first delivery of the process (here, of this file).
// Loaded lazily inside a request (a route module a framework loads on the first request), the copy
// that delivers first made its place there: the request's LogContext properties and diagnostic
// collection are still left out, other AsyncLocalStorages are not, which is why docs/node.md says
// to import `rxlog/node` with the app's other imports.

/** A sink that records, at each `emit`, the LogContext and the app's own request it sees. */
class SeeingSink implements Sink {
  readonly seen: { context: ContextProperties | undefined; request: string | undefined }[] = [];
  #written: (() => void) | undefined;

  constructor(private readonly request: AsyncLocalStorage<string>) {}

  emit(_events: readonly LogEvent[]): void {
    this.seen.push({ context: LogContext.current(), request: this.request.getStore() });
    this.#written?.();
  }

  /** Resolves at the next call of `emit`. */
  next(): Promise<void> {
    return new Promise((resolve) => (this.#written = resolve));
  }
}

describe('sink delivery with rxlog/node first loaded inside a request', () => {
  let previous: ContextStore;
  beforeAll(() => {
    previous = LogContext.useStore(new AsyncLocalStorageContextStore());
  });
  afterAll(() => LogContext.useStore(previous));

  it('leaves out that request’s LogContext properties, not the app’s own AsyncLocalStorage (import it at startup)', async () => {
    const request = new AsyncLocalStorage<string>();
    // The second copy's module is evaluated inside request A, with its RequestId in force.
    const late = await request.run('A', () =>
      LogContext.run({ RequestId: 'A' }, () => secondCopy(() => import('../../lib/node/async-local-storage-store'))),
    );
    LogContext.useStore(new late.AsyncLocalStorageContextStore());
    const sink = new SeeingSink(request);
    const log = new LoggerConfiguration().enrich
      .fromLogContext()
      .writeTo.sink(sink, { batch: { size: 100, maxDelayMs: 5 } })
      .createLogger();
    const written = sink.next();
    request.run('B', () => LogContext.run({ RequestId: 'B' }, () => log.information('in request B')));
    await written;
    // No request's LogContext (neither A's, where the module loaded, nor B's, which armed the
    // batch); the app's own AsyncLocalStorage reads as where the module loaded: the documented limit.
    expect(sink.seen).toEqual([{ context: undefined, request: 'A' }]);
    await log.close();
  });
});
