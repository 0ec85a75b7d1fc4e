import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import { RxlogLoggerService } from '../../lib/nest/rxlog-logger-service';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { childStdout } from '../helpers/child-stdout';
import { plainEnv } from '../helpers/plain-env';

// What a careless or hostile caller hands Nest's LoggerService methods: the call never throws into
// it, and its event is written with everything that could be read, a marker for the rest.

function setup(): { service: RxlogLoggerService; sink: MemorySink } {
  const sink = new MemorySink();
  const log = new LoggerConfiguration().minimumLevel.verbose().writeTo.sink(sink).createLogger();
  return { service: new RxlogLoggerService(log), sink };
}

function selfLogDuring(run: () => void): string[] {
  const reports: SelfLogEvent[] = [];
  const subscription = SelfLog.events$.subscribe((event) => reports.push(event));
  try {
    run();
  } finally {
    subscription.unsubscribe();
  }
  return reports.map((report) => report.template);
}

describe('RxlogLoggerService, given what a hostile caller passes', () => {
  it('keeps the other fields of a plain-object param whose getter throws, that field a [Throws: …] marker', () => {
    const { service, sink } = setup();
    const fields = {
      orderId: 7,
      get secret(): string {
        throw new Error('locked');
      },
    };
    const reports = selfLogDuring(() => expect(() => service.log('Imported', fields, 'Orders')).not.toThrow());

    expect(sink.events.map((e) => [e.level, e.renderMessage(), e.properties])).toEqual([
      ['information', 'Imported', { SourceContext: 'Orders', orderId: 7, secret: '[Throws: locked]' }],
    ]);
    expect(reports).toEqual(['Capturing {What} threw {Message}; captured as a marker']);
  });
});

describe('RxlogLoggerService, given a class as the message', () => {
  it('writes the name of a class whose source has no space after `class` (a minified or esbuild-compiled bundle), not a [Throws: …] marker', () => {
    const { service, sink } = setup();
    // What a minifier makes of `const Orders = class {}`: Function.prototype.toString gives 'class{}'.
    const compact = runInNewContext('const Orders = class{}; Orders') as unknown;
    const reports = selfLogDuring(() => service.log(compact, 'Registry'));

    expect(sink.events.map((e) => [e.renderMessage(), e.properties])).toEqual([['Orders', { SourceContext: 'Registry' }]]);
    expect(reports).toEqual([]);
  });
});

describe('RxlogLoggerService, given long text where Nest takes the context', () => {
  it('keeps no long context alive after its call: logger.log(message, body) with 256 bodies of 200 000 characters', () => {
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', join(__dirname, 'fixtures', 'nest-context-retention.ts')],
      {
        cwd: join(__dirname, '..', '..'),
        encoding: 'utf8',
        env: plainEnv(),
        timeout: 60_000,
      },
    );
    const { written, growthMiB } = JSON.parse(childStdout(child)) as { written: number; growthMiB: number };

    expect(written).toBe(256);
    // The bodies weigh about 50 MiB: kept for reuse, they stayed alive (81 MiB with their child loggers).
    expect(growthMiB).toBeLessThan(10);
  }, 90_000);
});
