import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import type { LogEvent } from '../../lib/core/log-event';
import { redact } from '../../lib/operators/redact';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { createLogEvent } from '../../lib/templates/log-event-record';
import { createTestScheduler } from '../helpers/test-scheduler';

describe('redact', () => {
  it('replaces events holding what the policy names, and passes the others as they are', () => {
    const testScheduler = createTestScheduler();
    const secret = createLogEvent('information', 'Login {@User}', [{ name: 'ann', password: 'x' }]);
    const plain = createLogEvent('information', 'Hello {Name}', ['ann']);
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a-b-|', { a: secret, b: plain });
      expectObservable(source.pipe(redact({ paths: ['User.password'] }))).toBe('-c-b-|', {
        b: plain,
        c: expect.objectContaining({
          level: 'information',
          messageTemplate: secret.messageTemplate,
          properties: { User: { name: 'ann', password: '[Redacted]' } },
        }) as LogEvent,
      });
    });
    expect(secret.properties).toEqual({ User: { name: 'ann', password: 'x' } });
  });

  it('keeps the timestamp and renders the redacted value', () => {
    const secret = createLogEvent('warning', 'Token {Token}', ['abc'], { timestamp: new Date(Date.UTC(2026, 0, 1)) });
    const seen: LogEvent[] = [];
    const testScheduler = createTestScheduler();
    testScheduler.run(({ cold }) => {
      cold('a|', { a: secret })
        .pipe(redact({ keys: /token/i, censor: '***' }))
        .subscribe((e) => seen.push(e));
    });
    expect(seen[0].renderMessage()).toBe('Token ***');
    expect(seen[0].timestamp).toEqual(new Date(Date.UTC(2026, 0, 1)));
  });

  it('redacts an exception’s own properties', () => {
    const failure = Object.assign(new Error('bad'), { apiKey: 'k' });
    const event = createLogEvent('error', 'failed', [], { exception: failure });
    const seen: LogEvent[] = [];
    const testScheduler = createTestScheduler();
    testScheduler.run(({ cold }) => {
      cold('a|', { a: event })
        .pipe(redact({ keys: /api[-_]?key/i }))
        .subscribe((e) => seen.push(e));
    });
    expect((seen[0].exception as Error & { apiKey: string }).apiKey).toBe('[Redacted]');
    expect(failure.apiKey).toBe('k');
  });

  it('works in a sink pipe, so one sink sees less than another', async () => {
    const full = new MemorySink();
    const shared = new MemorySink();
    const log = new LoggerConfiguration().writeTo
      .sink(full, { name: 'full' })
      .writeTo.sink(shared, { name: 'shared', pipe: [redact({ paths: ['Email'], remove: true })] })
      .createLogger();
    log.information('Signed up {Email}', 'ann@example.com');
    expect(full.events[0].properties).toEqual({ Email: 'ann@example.com' });
    expect(shared.events[0].properties).toEqual({});
    expect(log.metrics().sinks.shared).toMatchObject({ received: 1, delivered: 1, dropped: 0, pending: 0 });
    await log.close();
  });

  it('rejects bad options at once', () => {
    expect(() => redact({})).toThrow(ConfigurationError);
    expect(() => redact({ paths: ['.x'] })).toThrow(/redact: paths\[0\]/);
  });
});
