import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { LogLevelName } from '../../lib/core/log-level';
import { RxlogLoggerService } from '../../lib/nest/rxlog-logger-service';
import { MemorySink } from '../../lib/sinks/memory-sink';

function setup(minimum: LogLevelName = 'verbose'): {
  service: RxlogLoggerService;
  sink: MemorySink;
  log: ReturnType<LoggerConfiguration['createLogger']>;
} {
  const sink = new MemorySink();
  const log = new LoggerConfiguration().minimumLevel.is(minimum).writeTo.sink(sink).createLogger();
  return { service: new RxlogLoggerService(log), sink, log };
}

describe('RxlogLoggerService, at a level that is off', () => {
  it('reads nothing of an Error given as the message: its message getter is not called', () => {
    const { service, sink } = setup('error');
    let reads = 0;
    const error = new Error('x');
    Object.defineProperty(error, 'message', { get: () => (reads++, 'Connection refused') });

    service.warn(error, 'Orders');
    service.log(error);
    expect([reads, sink.events]).toEqual([0, []]);
    // At a level that is on, it is read.
    service.error(error, undefined, 'Orders');
    expect([reads > 0, sink.events.map((e) => e.renderMessage())]).toEqual([true, ['Connection refused']]);
  });

  it('counts every call made to a closed logger in rejectedAfterClose, one with fields or a lazy message too', async () => {
    const { service, log } = setup();
    await log.close();
    let calls = 0;

    service.log('Plain', 'Orders');
    service.log('With fields', { orderId: 7 }, 'Orders');
    service.warn(() => (calls++, 'Lazy'), 'Orders');
    service.debug('With a DTO', new Map([['a', 1]]), 'Orders');
    expect([log.metrics().rejectedAfterClose, calls]).toEqual([4, 0]);
  });
});
