import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { LogLevelName } from '../../lib/core/log-level';
import { RxlogLoggerService } from '../../lib/nest/rxlog-logger-service';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { collectSelfLog } from '../helpers/self-log';

function setup(minimum: LogLevelName = 'verbose'): {
  service: RxlogLoggerService;
  sink: MemorySink;
  log: ReturnType<LoggerConfiguration['createLogger']>;
} {
  const sink = new MemorySink();
  const log = new LoggerConfiguration().minimumLevel.is(minimum).writeTo.sink(sink).createLogger();
  return { service: new RxlogLoggerService(log), sink, log };
}

/** What each Nest level of the service writes: the messages, one call per level. */
function writtenLevels(service: RxlogLoggerService, sink: MemorySink): string[] {
  const before = sink.events.length;
  service.verbose('verbose');
  service.debug('debug');
  service.log('log');
  service.warn('warn');
  service.error('error');
  service.fatal('fatal');
  return sink.events.slice(before).map((e) => e.renderMessage());
}

const EVERY_LEVEL = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];

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

describe('RxlogLoggerService.setLogLevels, given what is no list of Nest levels', () => {
  it('writes every level for undefined or null, as ConsoleLogger does (its default levels), and tells SelfLog of anything else', () => {
    const { service, sink } = setup();
    const selfLog = collectSelfLog();
    try {
      service.setLogLevels(['error']);
      service.setLogLevels(undefined as never);
      expect(writtenLevels(service, sink)).toEqual(EVERY_LEVEL);
      service.setLogLevels(['error']);
      service.setLogLevels(null as never);
      expect(writtenLevels(service, sink)).toEqual(EVERY_LEVEL);
      expect(selfLog.diagnostics).toEqual([]);
      // A string (`app.useLogger(process.env.LOG_LEVEL)`) is no list either.
      service.setLogLevels(['error']);
      service.setLogLevels('warn' as never);
      expect(writtenLevels(service, sink)).toEqual(EVERY_LEVEL);
    } finally {
      selfLog.stop();
    }
    expect(selfLog.diagnostics.map((d) => [d.template, d.args])).toEqual([
      [
        'RxlogLoggerService.setLogLevels: {Levels} is no list of Nest levels; every level is written, as by ConsoleLogger',
        ['warn'],
      ],
    ]);
  });

  it('never throws: a list whose reading throws leaves the levels as they were, told to SelfLog', () => {
    const { service, sink } = setup();
    const hostile = ['log'];
    Object.defineProperty(hostile, 0, {
      get(): never {
        throw new Error('locked');
      },
    });
    const refusing = new Proxy(['log'], {
      get(): never {
        throw new Error('trap');
      },
    });
    const selfLog = collectSelfLog();
    try {
      service.setLogLevels(['warn']);
      expect(() => service.setLogLevels(hostile as never)).not.toThrow();
      expect(() => service.setLogLevels(refusing as never)).not.toThrow();
    } finally {
      selfLog.stop();
    }
    expect(writtenLevels(service, sink)).toEqual(['warn', 'error', 'fatal']);
    expect(selfLog.diagnostics.map((d) => d.template)).toEqual([
      'RxlogLoggerService.setLogLevels: the levels could not be read; the levels stay as they were',
      'RxlogLoggerService.setLogLevels: the levels could not be read; the levels stay as they were',
    ]);
  });
});
