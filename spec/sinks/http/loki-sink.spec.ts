import { ConfigurationError } from '../../../lib/core/errors/configuration-error';
import { CompactJsonFormatter } from '../../../lib/formatting/compact-json-formatter';
import { LokiSink } from '../../../lib/sinks/http/loki-sink';
import { lokiPushBody } from '../../../lib/sinks/http/loki-push-body';
import { makeEvents } from '../../helpers/events';
import { startTestServer, type TestServer } from '../../helpers/http-test-server';

describe('LokiSink', () => {
  let server: TestServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('posts a push request to /loki/api/v1/push with the labels and the tenant header', async () => {
    server = await startTestServer(() => ({ status: 204 }));
    const events = makeEvents(3);
    await new LokiSink({ url: `${server.url}/`, labels: { app: 'shop', env: 'test' }, tenantId: 'team-a' }).emit(events);
    const [request] = server.requests;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/loki/api/v1/push');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-scope-orgid']).toBe('team-a');
    expect(request.body).toBe(lokiPushBody(events, { app: 'shop', env: 'test' }, new CompactJsonFormatter()));
  });

  it('rejects when Loki answers with an error status', async () => {
    server = await startTestServer(() => ({ status: 429, headers: { 'Retry-After': '1' } }));
    await expect(new LokiSink({ url: server.url }).emit(makeEvents(1))).rejects.toMatchObject({
      status: 429,
      retryAfterMs: 1_000,
    });
  });

  it('throws ConfigurationError naming a bad option', () => {
    expect(() => new LokiSink({ url: '' })).toThrow('LokiSink.url');
    expect(() => new LokiSink(undefined as never)).toThrow(ConfigurationError);
    expect(() => new LokiSink({ url: 'http://h', labels: { 'bad-name': 'x' } })).toThrow(
      '"bad-name" is not a valid Loki label name',
    );
    expect(() => new LokiSink({ url: 'http://h', labels: { level: 'x' } })).toThrow('"level" is set from each event');
    expect(() => new LokiSink({ url: 'http://h', labels: { app: 1 as never } })).toThrow('LokiSink.labels["app"]');
    expect(() => new LokiSink({ url: 'http://h', tenantId: '' })).toThrow('LokiSink.tenantId');
  });
});
