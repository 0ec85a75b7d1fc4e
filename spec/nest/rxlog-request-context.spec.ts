import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import type { LogLevelName } from '../../lib/core/log-level';
import { requestLoggingSettings } from '../../lib/nest/request-logging-settings';
import { RxlogRequestContext } from '../../lib/nest/rxlog-request-context';
import { diagnosticContext } from '../../lib/node/http/diagnostic-context';
import { memoryLogger } from '../helpers/node-http';

describe('RxlogRequestContext', () => {
  it('writes the completion event at the default level when the level option returns no level name', async () => {
    const { log, events } = memoryLogger();
    const requests = new RxlogRequestContext(
      log,
      requestLoggingSettings({ requestLogging: { level: (status) => (status === 404 ? ('loud' as LogLevelName) : 'debug') } }),
    );
    for (const statusCode of [404, 200]) {
      requests.run({ method: 'GET', url: `/s${statusCode}`, headers: {} }, undefined, (state) =>
        requests.complete(state, { statusCode }),
      );
    }
    await log.flush();
    expect(events.map((e) => [e.properties.RequestPath, e.level])).toEqual([
      ['/s404', 'warning'],
      ['/s200', 'debug'],
    ]);
  });

  it('writes an aborted request with the aborted template, at warning, without the status it never sent', async () => {
    const { log, events } = memoryLogger();
    const requests = new RxlogRequestContext(log, requestLoggingSettings({}));
    requests.run({ method: 'GET', url: '/download?x=1', headers: { 'x-request-id': 'r-1' } }, undefined, (state) =>
      requests.complete(state, { statusCode: 200, aborted: true, route: '/download' }),
    );
    await log.flush();
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event.level).toBe('warning');
    expect(event.renderMessage()).toMatch(/^HTTP GET \/download aborted by the client after \d+\.\d{4} ms$/);
    expect(event.properties).toMatchObject({ RequestPath: '/download', Route: '/download', Aborted: true, RequestId: 'r-1' });
    expect(event.properties).not.toHaveProperty('StatusCode');
  });

  it('takes the abortedTemplate option, and throws a ConfigurationError naming a bad one', async () => {
    const { log, events } = memoryLogger();
    const requests = new RxlogRequestContext(
      log,
      requestLoggingSettings({ requestLogging: { abortedTemplate: 'Gone {RequestPath}' } }),
    );
    requests.run({ method: 'GET', url: '/slow', headers: {} }, undefined, (state) =>
      requests.complete(state, { statusCode: 200, aborted: true }),
    );
    await log.flush();
    expect(events.map((e) => e.renderMessage())).toEqual(['Gone /slow']);
    expect(() => requestLoggingSettings({ requestLogging: { abortedTemplate: '' } })).toThrow(ConfigurationError);
    expect(() => requestLoggingSettings({ requestLogging: { abortedTemplate: 42 as never } })).toThrow(
      'RxlogModule requestLogging.abortedTemplate: expected a template, got number 42',
    );
  });
});

describe('RxlogRequestContext with ignorePaths', () => {
  it('writes the completion event of an ignored path when the request failed (5xx or an error), as requestLogging does', async () => {
    const { log, events } = memoryLogger();
    const failure = Object.assign(new Error('Database unreachable'), { getStatus: () => 503 });
    for (const enabled of [true, false]) {
      const requests = new RxlogRequestContext(
        log,
        requestLoggingSettings({ requestLogging: enabled ? { ignorePaths: ['/health'] } : false }),
      );
      const outcomes = [
        { statusCode: 200 },
        { statusCode: 404 },
        { statusCode: 200, aborted: true },
        { statusCode: 503, error: failure, failed: true },
        { statusCode: 500 },
      ];
      for (const outcome of outcomes)
        requests.run({ method: 'GET', url: '/health', headers: {} }, undefined, (state) => requests.complete(state, outcome));
    }
    await log.flush();
    expect(events.map((e) => [e.level, e.properties.StatusCode, e.exception?.message])).toEqual([
      ['error', 503, 'Database unreachable'],
      ['error', 500, undefined],
    ]);
  });
});

describe('RxlogRequestContext and diagnosticContext', () => {
  it('puts every property set on the completion event, those named like Object members too, and never its own over the diagnostics', async () => {
    const { log, events } = memoryLogger();
    const requests = new RxlogRequestContext(log, requestLoggingSettings({}));
    requests.run({ method: 'GET', url: '/orders', headers: { 'x-request-id': 'r-d' } }, undefined, (state) => {
      diagnosticContext.set('constructor', 'Orders');
      diagnosticContext.set('toString', 1);
      diagnosticContext.set('__proto__', { Polluted: true });
      diagnosticContext.set('RequestId', 'forged');
      requests.complete(state, { statusCode: 200 });
    });
    await log.flush();
    const [event] = events;
    expect(Object.getPrototypeOf(event.properties)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(event.properties, '__proto__')?.value).toEqual({ Polluted: true });
    expect([event.properties.constructor, event.properties.toString, event.properties.RequestId]).toEqual(['Orders', 1, 'r-d']);
  });
});
