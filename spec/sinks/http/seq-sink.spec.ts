import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import { ConfigurationError } from '../../../lib/core/errors/configuration-error';
import { LevelSwitch } from '../../../lib/core/level-switch';
import { CompactJsonFormatter } from '../../../lib/formatting/compact-json-formatter';
import { SeqSink } from '../../../lib/sinks/http/seq-sink';
import { makeEvents } from '../../helpers/events';
import { installFakePage } from '../../helpers/fake-page';
import { startTestServer, type TestServer } from '../../helpers/http-test-server';

describe('SeqSink', () => {
  let server: TestServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('posts CLEF lines to /api/events/raw?clef with the API key header', async () => {
    server = await startTestServer(() => ({ status: 201 }));
    const events = makeEvents(2);
    await new SeqSink({ serverUrl: `${server.url}/`, apiKey: 'k-1' }).emit(events);
    const [request] = server.requests;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/api/events/raw?clef');
    expect(request.headers['content-type']).toBe('application/vnd.serilog.clef');
    expect(request.headers['x-seq-apikey']).toBe('k-1');
    const clef = new CompactJsonFormatter();
    expect(request.body).toBe(events.map((e) => clef.format(e)).join('\n'));
  });

  it('keeps other headers, from an object or a function, and sends no key when none is given', async () => {
    server = await startTestServer();
    await new SeqSink({ serverUrl: server.url, apiKey: 'k', headers: () => ({ 'X-Trace': 't' }) }).emit(makeEvents(1));
    await new SeqSink({ serverUrl: server.url }).emit(makeEvents(1));
    expect(server.requests[0].headers).toMatchObject({ 'x-trace': 't', 'x-seq-apikey': 'k' });
    expect(server.requests[1].headers['x-seq-apikey']).toBeUndefined();
  });

  // Without a controlLevelSwitch, Seq's MinimumLevelAccepted changes nothing: Seq itself discards
  // what is below it, and every batch it answered 201 counts as delivered.
  it('counts a batch Seq answers 201 with MinimumLevelAccepted as delivered, and keeps sending every level', async () => {
    server = await startTestServer(() => ({
      status: 201,
      headers: { 'Content-Type': 'application/json' },
      body: '{"MinimumLevelAccepted":"Warning"}',
    }));
    const log = new LoggerConfiguration().minimumLevel
      .debug()
      .writeTo.sink(new SeqSink({ serverUrl: server.url }), { batch: { size: 1, maxDelayMs: 0 } })
      .createLogger();
    log.debug('first');
    log.debug('second');
    const report = await log.close({ strategy: 'flush' });
    expect(report.sinks.seq).toMatchObject({ delivered: 2, failed: 0 });
    expect(server.requests).toHaveLength(2);
  });

  // Serilog.Sinks.Seq's controlLevelSwitch (its ControlledLevelSwitch): Seq's answer sets the
  // switch to the API key's minimum level; an answer without one puts back the level it had.
  it('sets controlLevelSwitch to the MinimumLevelAccepted Seq answers, and back to its own level when Seq stops sending one', async () => {
    const answers = [
      '{"MinimumLevelAccepted":"Warning"}',
      '{"MinimumLevelAccepted":"Error"}',
      '{"MinimumLevelAccepted":null}',
      '{"MinimumLevelAccepted":"Nonsense"}',
    ];
    server = await startTestServer((_request, index) => ({ status: 201, body: answers[index] ?? '{}' }));
    const control = new LevelSwitch('debug');
    const seen: string[] = [];
    const subscription = control.level$.subscribe((level) => seen.push(level));
    const sink = new SeqSink({ serverUrl: server.url, controlLevelSwitch: control });
    const log = new LoggerConfiguration().minimumLevel.controlledBy(control).writeTo.sink(sink).createLogger();
    log.information('sent: the switch is at debug');
    await log.flush();
    expect(control.level).toBe('warning');
    log.information('not sent: below warning');
    log.warning('sent at warning');
    await log.flush();
    expect(control.level).toBe('error');
    log.error('sent at error');
    await log.flush();
    expect(control.level).toBe('debug');
    await sink.emit(makeEvents(1));
    expect(control.level).toBe('debug');
    await log.close();
    subscription.unsubscribe();
    expect(seen).toEqual(['debug', 'warning', 'error', 'debug']);
    expect(server.requests).toHaveLength(4);
  });

  it('refuses a controlLevelSwitch that is not a LevelSwitch', () => {
    expect(
      () => new SeqSink({ serverUrl: 'http://127.0.0.1:5341', controlLevelSwitch: 'debug' as unknown as LevelSwitch }),
    ).toThrow(/SeqSink\.controlLevelSwitch: expected a LevelSwitch/);
  });

  it('is named seq in metrics', async () => {
    server = await startTestServer();
    const log = new LoggerConfiguration().writeTo.sink(new SeqSink({ serverUrl: server.url })).createLogger();
    log.information('hi');
    const report = await log.close({ strategy: 'flush' });
    expect(report.sinks.seq).toMatchObject({ delivered: 1 });
  });

  it('sends beacons as text/plain with the API key in the query string', async () => {
    const page = installFakePage();
    try {
      const sink = new SeqSink({
        serverUrl: 'https://seq.example.com',
        apiKey: 'a b',
        fetch: () => new Promise(() => undefined),
      });
      page.hide();
      expect(sink.emitSync?.(makeEvents(1))).toBe(true);
      await page.settled();
      expect(page.beacons[0].url).toBe('https://seq.example.com/api/events/raw?clef&apiKey=a%20b');
      expect(page.beacons[0].type).toBe('text/plain;charset=utf-8');
      sink.close();
    } finally {
      page.restore();
    }
  });

  it('throws ConfigurationError naming a bad serverUrl or apiKey', () => {
    expect(() => new SeqSink({ serverUrl: '' })).toThrow('SeqSink.serverUrl');
    expect(() => new SeqSink(undefined as never)).toThrow(ConfigurationError);
    expect(() => new SeqSink({ serverUrl: 'http://h', apiKey: '' })).toThrow('SeqSink.apiKey');
  });
  it('never follows a redirect: the API key and the body stay with the configured server, and the batch fails', async () => {
    const elsewhere = await startTestServer();
    try {
      server = await startTestServer(() => ({ status: 307, headers: { Location: `${elsewhere.url}/steal` } }));
      const log = new LoggerConfiguration().writeTo
        .sink(new SeqSink({ serverUrl: server.url, apiKey: 'secret-key' }), { retry: { attempts: 1 } })
        .createLogger();
      log.information('hello');
      const report = await log.close({ strategy: 'flush' });
      expect(elsewhere.requests).toHaveLength(0);
      expect(report.sinks.seq).toEqual({ delivered: 0, dropped: 0, failed: 1, undelivered: 0 });
      expect(log.metrics().sinks.seq.lastError).toContain('307');
      expect(log.metrics().sinks.seq.lastError).toContain('redirect');
    } finally {
      await elsewhere.close();
    }
  });
});
