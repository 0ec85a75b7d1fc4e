import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { PartialDeliveryError } from '../../lib/core/errors/partial-delivery-error';
import type { LogEvent } from '../../lib/core/log-event';
import { MemorySink } from '../../lib/sinks/memory-sink';

// A failed write may name events past those it wrote that it left out (SeqSink's below Seq's
// level): the stage counts them dropped and leaves them out of the retry and the fallback.
describe('a failed write that names events it left out (dropped.indexes)', () => {
  const run = async (dropped: unknown) => {
    const batches: string[][] = [];
    const sink = {
      emit(events: readonly LogEvent[]): never {
        batches.push(events.map((event) => event.messageTemplate.text));
        throw Object.assign(new PartialDeliveryError(1, new Error('busy')), { permanent: true, dropped });
      },
    };
    const fallback = new MemorySink();
    const log = new LoggerConfiguration().writeTo
      .sink(sink, { name: 'left', fallback, batch: { size: 4 }, retry: { attempts: 3, initialDelayMs: 1 } })
      .createLogger();
    for (const text of ['a', 'b', 'c', 'd']) log.information(text);
    await log.flush();
    const metrics = log.metrics().sinks.left;
    await log.close();
    return { batches, fallback: fallback.events.map((event) => event.messageTemplate.text), metrics };
  };

  it('counts them dropped under the reason given and hands only the rest to the fallback', async () => {
    const { batches, fallback, metrics } = await run({ count: 0, reason: 'test.leftOut', indexes: [2, 3] });
    expect(batches).toEqual([['a', 'b', 'c', 'd']]);
    expect(fallback).toEqual(['b']);
    expect(metrics).toMatchObject({ received: 4, delivered: 2, dropped: 2, failed: 0, fallback: 1 });
    expect(metrics.droppedBy).toEqual({ 'test.leftOut': 2 });
  });

  it.each([
    ['no indexes', { count: 0, reason: 'r' }],
    ['indexes that are no array', { count: 0, reason: 'r', indexes: 2 }],
    ['positions before the rest, past the batch or not whole', { count: 0, reason: 'r', indexes: [-1, 0, 1.5, 9] }],
    [
      'a getter that throws',
      Object.defineProperty({ count: 0, reason: 'r' }, 'indexes', {
        get: () => {
          throw new Error('unreadable');
        },
      }),
    ],
  ])('leaves the batch whole for %s', async (_, dropped) => {
    const { fallback, metrics } = await run(dropped);
    expect(fallback).toEqual(['b', 'c', 'd']);
    expect(metrics).toMatchObject({ received: 4, delivered: 4, dropped: 0, failed: 0, fallback: 3 });
  });
});

// Found by a review: the fallback's failed write was read for what it wrote, not for what it named
// left out, so those events counted failed with the rest (SeqSink as a fallback, below Seq's level).
describe('a failed write of the fallback that names events it left out (dropped.indexes)', () => {
  it('counts them dropped under the reason given, and only the rest failed', async () => {
    const batches: string[][] = [];
    const primary = {
      emit(): never {
        throw Object.assign(new Error('down'), { permanent: true });
      },
    };
    const fallback = {
      emit(events: readonly LogEvent[]): never {
        batches.push(events.map((event) => event.messageTemplate.text));
        throw Object.assign(new PartialDeliveryError(1, new Error('busy')), {
          dropped: { count: 0, reason: 'test.leftOut', indexes: [2, 4] },
        });
      },
    };
    const log = new LoggerConfiguration().writeTo
      .sink(primary, { name: 'left', fallback, batch: { size: 5 }, retry: { attempts: 1 } })
      .createLogger();
    for (const text of ['a', 'b', 'c', 'd', 'e']) log.information(text);
    await log.flush();
    const metrics = log.metrics().sinks.left;
    const report = await log.close();
    expect(batches).toEqual([['a', 'b', 'c', 'd', 'e']]);
    expect(metrics).toMatchObject({ received: 5, delivered: 1, dropped: 2, failed: 2, fallback: 1, pending: 0 });
    expect(metrics.droppedBy).toEqual({ 'test.leftOut': 2 });
    expect(report.sinks.left).toEqual({ delivered: 1, dropped: 2, failed: 2, undelivered: 0 });
  });

  it('settles the batch without a failure when it names every event it did not write', async () => {
    const primary = {
      emit(): never {
        throw Object.assign(new Error('down'), { permanent: true });
      },
    };
    const fallback = {
      emit(): never {
        throw Object.assign(new PartialDeliveryError(1, new Error('busy')), {
          dropped: { count: 0, reason: 'test.leftOut', indexes: [1, 2] },
        });
      },
    };
    const log = new LoggerConfiguration().writeTo
      .sink(primary, { name: 'left', fallback, batch: { size: 3 }, retry: { attempts: 1 } })
      .createLogger();
    for (const text of ['a', 'b', 'c']) log.information(text);
    await log.flush();
    expect(log.metrics().sinks.left).toMatchObject({ received: 3, delivered: 1, dropped: 2, failed: 0, fallback: 1 });
    await log.close();
  });
});
