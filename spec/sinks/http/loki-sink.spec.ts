import { asapScheduler } from 'rxjs';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import { ConfigurationError } from '../../../lib/core/errors/configuration-error';
import { CompactJsonFormatter } from '../../../lib/formatting/compact-json-formatter';
import { TextFormatter } from '../../../lib/formatting/text-formatter';
import { SelfLog } from '../../../lib/core/self-log';
import { LokiSink } from '../../../lib/sinks/http/loki-sink';
import { lokiPushBody } from '../../../lib/sinks/http/loki-push-body';
import { makeEvent, makeEvents } from '../../helpers/events';
import { installFakePage } from '../../helpers/fake-page';
import { startTestServer, type TestServer } from '../../helpers/http-test-server';

describe('LokiSink', () => {
  let server: TestServer | undefined;

  // A sink's random offset at 0: the timestamps below are the events' milliseconds, plus their counts.
  beforeEach(() => jest.spyOn(Math, 'random').mockReturnValue(0));

  afterEach(async () => {
    jest.restoreAllMocks();
    await server?.close();
    server = undefined;
  });

  // Loki drops an entry whose stream, timestamp and line equal one it holds (pkg/chunkenc/unordered.go,
  // unorderedHeadBlock.Append; pkg/ingester/stream.go keeps the last line for the same check). Two
  // browsers (two processes, two loggers) with the same labels logging the same line in the same
  // millisecond: before, both sent it at that millisecond's nanosecond, Loki kept one, and both
  // counted it delivered.
  it('sends identical events two sinks log in one millisecond with distinct timestamps, so Loki keeps both', async () => {
    // A stand-in for Loki's de-duplication (no Loki binary here): it stores an entry unless its
    // stream already holds one of the same timestamp and line.
    const stored = new Set<string>();
    server = await startTestServer((request) => {
      for (const { stream, values } of (JSON.parse(request.body) as { streams: { stream: object; values: [string, string][] }[] })
        .streams)
        for (const value of values) stored.add(JSON.stringify([stream, ...value]));
      return { status: 204 };
    });
    const at = new Date(1_700_000_000_123);
    const browser = (random: number): LokiSink => {
      jest.spyOn(Math, 'random').mockReturnValue(random);
      return new LokiSink({ url: server?.url ?? '', labels: { app: 'shop' } });
    };
    const [first, second] = [browser(0.1), browser(0.7)];
    await first.emit([makeEvent({ text: 'Page loaded', timestamp: at })]);
    await second.emit([makeEvent({ text: 'Page loaded', timestamp: at })]);
    expect(server.requests).toHaveLength(2);
    expect(stored.size).toBe(2);
    // Both within the event's millisecond.
    expect([...stored].map((entry) => (JSON.parse(entry) as [object, string])[1].slice(0, 13))).toEqual([
      '1700000000123',
      '1700000000123',
    ]);
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

  it('takes the push URL itself, as Promtail, Alloy and Grafana Cloud give it, without adding the path again', async () => {
    // Before, the path was appended to it: every batch went to /loki/api/v1/push/loki/api/v1/push, a 404, and failed.
    server = await startTestServer(() => ({ status: 204 }));
    await new LokiSink({ url: `${server.url}/loki/api/v1/push` }).emit(makeEvents(1));
    await new LokiSink({ url: `${server.url}/loki/api/v1/push/` }).emit(makeEvents(1));
    await new LokiSink({ url: `${server.url}/eu/loki/api/v1/push` }).emit(makeEvents(1));
    expect(server.requests.map((request) => request.url)).toEqual([
      '/loki/api/v1/push',
      '/loki/api/v1/push',
      '/eu/loki/api/v1/push',
    ]);
  });

  // Loki routes Promtail's legacy /api/prom/push still, but reads a JSON push there in the legacy shape
  // (labels, entries; pkg/loghttp/push ParseRequest, GetVersion): this sink's streams have no entries
  // there, so Loki would answer 204 and store nothing. Before, the path was appended to it: every
  // batch went to /api/prom/push/loki/api/v1/push, a 404, seen only in lastError.
  it("refuses Promtail's legacy push URL, naming it without its credentials, and asks for the base URL", async () => {
    server = await startTestServer(() => ({ status: 204 }));
    const secret = server.url.replace('http://', 'http://123456:glc_token@');
    for (const url of [
      `${server.url}/api/prom/push`,
      `${server.url}/api/prom/push/`,
      `${server.url}/api/prom/push?token=t`,
      `${secret}/eu/api/prom/push`,
      '/api/prom/push',
    ]) {
      const build = (): LokiSink => new LokiSink({ url });
      expect(build).toThrow(ConfigurationError);
      expect(build).toThrow(/^LokiSink\.url: ".*\/api\/prom\/push" is Loki's legacy push path.*give Loki's base URL/);
      expect(build).not.toThrow(/glc_token|token=t/);
    }
    // A path that only starts so, or holds it before the push path, is no legacy push URL.
    await new LokiSink({ url: `${server.url}/api/prom/push-gateway` }).emit(makeEvents(1));
    await new LokiSink({ url: `${server.url}/api/prom/push/loki/api/v1/push` }).emit(makeEvents(1));
    expect(server.requests.map((request) => request.url)).toEqual([
      '/api/prom/push-gateway/loki/api/v1/push',
      '/api/prom/push/loki/api/v1/push',
    ]);
  });

  // Loki's OTLP endpoint (/otlp/v1/logs) takes OTLP bodies, and its other API paths (tail, query,
  // labels) take no push at all: given as url, each had the push path appended, so every batch went
  // to /otlp/v1/logs/loki/api/v1/push or /loki/api/v1/tail/loki/api/v1/push, a 404 seen only in
  // lastError. They are refused, naming the URL and what to use instead.
  it("refuses Loki's OTLP endpoint, naming OtlpSink, and Loki's other API paths, asking for the base or push URL", async () => {
    server = await startTestServer(() => ({ status: 204 }));
    const secret = server.url.replace('http://', 'http://123456:glc_token@');
    for (const url of [
      `${server.url}/otlp/v1/logs`,
      `${server.url}/otlp/v1/logs/`,
      `${server.url}/otlp`,
      `${secret}/eu/otlp/v1/logs?token=t`,
    ]) {
      const build = (): LokiSink => new LokiSink({ url });
      expect(build).toThrow(ConfigurationError);
      expect(build).toThrow(/^LokiSink\.url: ".*\/otlp(\/v1\/logs)?" is an OTLP endpoint.*use OtlpSink.*give Loki's base URL/);
      expect(build).not.toThrow(/glc_token|token=t/);
    }
    for (const url of [
      `${server.url}/loki/api/v1/tail`,
      `${server.url}/loki/api/v1/query`,
      `${server.url}/loki/api/v1/query_range?query={app="shop"}`,
      `${server.url}/eu/loki/api/v1/labels/`,
      `${server.url}/loki/api/v1`,
      `${secret}/loki/api/v1/tail`,
    ]) {
      const build = (): LokiSink => new LokiSink({ url });
      expect(build).toThrow(ConfigurationError);
      expect(build).toThrow(
        /^LokiSink\.url: ".*\/loki\/api\/v1[^"]*" is a Loki API path.*give Loki's base URL or its \/loki\/api\/v1\/push URL/,
      );
      expect(build).not.toThrow(/glc_token/);
    }
    // Paths that only look alike are a base URL still.
    await new LokiSink({ url: `${server.url}/otlp-gateway` }).emit(makeEvents(1));
    await new LokiSink({ url: `${server.url}/loki/api/v10` }).emit(makeEvents(1));
    expect(server.requests.map((request) => request.url)).toEqual([
      '/otlp-gateway/loki/api/v1/push',
      '/loki/api/v10/loki/api/v1/push',
    ]);
  });

  // Found by a review: the path was appended after a query (a gateway's `?token=`), so batches went
  // to `/` (a 404, failing every batch) or to the push path with the path inside the query's value.
  it('keeps a query of url (a gateway’s) after the push path, and drops a fragment', async () => {
    server = await startTestServer(() => ({ status: 204 }));
    await new LokiSink({ url: `${server.url}/?token=t#/explore` }).emit(makeEvents(1));
    await new LokiSink({ url: `${server.url}/loki/api/v1/push/?token=t&org=a` }).emit(makeEvents(1));
    await new LokiSink({ url: `${server.url}#/explore` }).emit(makeEvents(1));
    expect(server.requests.map((request) => request.url)).toEqual([
      '/loki/api/v1/push?token=t',
      '/loki/api/v1/push?token=t&org=a',
      '/loki/api/v1/push',
    ]);
  });

  it("sends a URL's user and password (Grafana Cloud's https://<user>:<token>@logs-….grafana.net) as basic auth", async () => {
    // fetch refuses a URL with credentials ("Request cannot be constructed from a URL that includes
    // credentials"): every batch failed, where Promtail and Alloy (Go's http.Client) send them as basic auth.
    server = await startTestServer(() => ({ status: 204 }));
    const base = server.url.replace('http://', 'http://123456:glc_s%C3%A9cret%40x@');
    const events = makeEvents(1);
    await new LokiSink({ url: base, tenantId: 'team-a' }).emit(events);
    await new LokiSink({ url: server.url.replace('http://', 'http://ann@') }).emit(events);
    // An Authorization header given in `headers` wins, as in Go's http.Client.
    await new LokiSink({ url: base, headers: { authorization: 'Bearer t' } }).emit(events);
    expect(server.requests.map((request) => [request.url, request.headers.authorization])).toEqual([
      ['/loki/api/v1/push', `Basic ${Buffer.from('123456:glc_sécret@x').toString('base64')}`],
      ['/loki/api/v1/push', `Basic ${Buffer.from('ann:').toString('base64')}`],
      ['/loki/api/v1/push', 'Bearer t'],
    ]);
    expect(server.requests[0].headers['x-scope-orgid']).toBe('team-a');
    expect(() => new LokiSink({ url: 'https://a:%E0%A4%A@h' })).toThrow('LokiSink.url');
  });

  it('sends no beacons with credentials in the URL or any headers, which a beacon cannot carry, unless to a beaconUrl or asked to', () => {
    const page = installFakePage();
    const never = () => new Promise<Response>(() => undefined);
    try {
      const sinks = [
        new LokiSink({ url: 'https://u:p@loki.example.com', fetch: never }),
        // Before, with the credentials in `headers` (Grafana Cloud's basic auth), the page's last
        // batches went by beacon without them: answered 401, counted delivered, lost.
        new LokiSink({ url: 'https://loki.example.com', headers: { Authorization: 'Basic dTpw' }, fetch: never }),
        new LokiSink({ url: 'https://loki.example.com', headers: () => ({}), fetch: never }),
        new LokiSink({ url: 'https://u:p@loki.example.com', beaconUrl: 'https://proxy.example.com/push', fetch: never }),
        new LokiSink({ url: 'https://loki.example.com', headers: { Authorization: 'Basic dTpw' }, beacon: true, fetch: never }),
      ];
      page.hide();
      expect(sinks.map((sink) => sink.emitSync?.(makeEvents(1)) ?? false)).toEqual([false, false, false, true, true]);
      for (const sink of sinks) sink.close();
    } finally {
      page.restore();
    }
  });

  it('sends identical events of one millisecond as distinct entries, in every batch, and a retried batch unchanged', async () => {
    // Loki stores one of two entries with the same timestamp and line: the logger would count both delivered.
    server = await startTestServer((_, index) => ({ status: index === 1 ? 503 : 204 }));
    const log = new LoggerConfiguration()
      .useScheduler(asapScheduler)
      .writeTo.sink(new LokiSink({ url: server.url }), {
        batch: { size: 2, maxDelayMs: 0 },
        retry: { attempts: 2, initialDelayMs: 0 },
      })
      .createLogger();
    const at = new Date(1_700_000_000_123);
    const spy = jest.spyOn(Date, 'now').mockReturnValue(at.getTime());
    try {
      for (let i = 0; i < 5; i++) log.information('Cache miss');
      const report = await log.close({ strategy: 'flush' });
      expect(report.sinks.loki).toMatchObject({ delivered: 5, failed: 0 });
    } finally {
      spy.mockRestore();
    }
    const entries = server.requests.map((r) =>
      (JSON.parse(r.body) as { streams: { values: [string, string][] }[] }).streams[0].values.map(([nanos]) => nanos),
    );
    // The second request was answered 503 and sent again as it was.
    expect(entries).toEqual([
      ['1700000000123000000', '1700000000123000001'],
      ['1700000000123000002', '1700000000123000003'],
      ['1700000000123000002', '1700000000123000003'],
      ['1700000000123000004'],
    ]);
  });

  it("cuts a line over Loki's default max_line_size (256 000 bytes), which it would refuse, failing the batch", async () => {
    // Loki's distributor refuses the line (400, "Max entry size … exceeded") and stores the others:
    // the whole batch counted failed. A default capture keeps strings of 64 Ki characters, two of
    // them (the property and the rendered message) past 256 000 bytes of CJK text.
    server = await startTestServer(() => ({ status: 204 }));
    const long = makeEvent({ text: '日'.repeat(90_000) });
    await new LokiSink({ url: server.url, formatter: new TextFormatter('{Message}') }).emit([long, ...makeEvents(1)]);
    await new LokiSink({ url: server.url, formatter: new TextFormatter('{Message}'), maxLineBytes: Infinity }).emit([long]);
    const lines = server.requests.map((request) =>
      (JSON.parse(request.body) as { streams: { values: [string, string][] }[] }).streams[0].values.map(([, line]) => line),
    );
    expect(lines[0][0]).toBe('日'.repeat(85_333));
    expect(lines[0][1]).toBe('event 0');
    expect(lines[1][0]).toHaveLength(90_000);
    for (const maxLineBytes of [0, 1.5, -1, Number.NaN, '1' as never])
      expect(() => new LokiSink({ url: 'http://h', maxLineBytes })).toThrow(
        'LokiSink.maxLineBytes: expected an integer > 0 or Infinity',
      );
  });

  it('says a line was cut once when its batch is sent again (a retry)', async () => {
    const said: string[] = [];
    SelfLog.enable((message) => said.push(message));
    try {
      server = await startTestServer((_, index) => ({ status: index === 0 ? 503 : 204 }));
      const log = new LoggerConfiguration()
        .useScheduler(asapScheduler)
        .writeTo.sink(new LokiSink({ url: server.url, formatter: new TextFormatter('{Message}'), maxLineBytes: 10 }), {
          batch: { size: 2, maxDelayMs: 0 },
          retry: { attempts: 2, initialDelayMs: 0 },
        })
        .createLogger();
      log.information('a long line, cut');
      log.information('short');
      await log.flush();
      expect(server.requests).toHaveLength(2);
      expect(server.requests[1].body).toBe(server.requests[0].body);
      expect(log.metrics().sinks.loki).toMatchObject({ delivered: 2, retried: 1, failed: 0 });
      expect(said.filter((message) => message.includes('is cut to maxLineBytes'))).toEqual([
        expect.stringContaining('LokiSink: a line of 16 bytes is cut to maxLineBytes (10)'),
      ]);
      await log.close();
    } finally {
      SelfLog.disable();
    }
  });

  // Found by review: an app's formatter that threw on one event threw out of the push body, so the
  // whole batch failed on every try and went to the fallback, where HttpSink and SeqSink send that
  // event's placeholder (Serilog's Seq sink's) and the rest of the batch.
  it('sends a placeholder for an event the formatter throws on, and the rest of the batch; one it cannot place counts failed', async () => {
    // A mock receiver on 127.0.0.1 answering as Loki does (204), no Loki binary here.
    server = await startTestServer(() => ({ status: 204 }));
    const said: string[] = [];
    SelfLog.enable((message) => said.push(message));
    try {
      const clef = new CompactJsonFormatter();
      // Throws on the event 'bad'; on its placeholder too when `always`.
      const picky = (always: boolean) => ({
        format: (event: Parameters<CompactJsonFormatter['format']>[0]) => {
          if (event.messageTemplate.text === 'bad' || (always && event.level === 'error')) throw new Error('cannot write it');
          return clef.format(event);
        },
      });
      const events = [makeEvent({ text: 'ok 1' }), makeEvent({ text: 'bad' }), makeEvent({ text: 'ok 2' })];
      await expect(new LokiSink({ url: server.url, formatter: picky(false) }).emit(events)).resolves.toBeUndefined();
      await expect(new LokiSink({ url: server.url, formatter: picky(true) }).emit(events)).resolves.toEqual({ rejected: 1 });
      const lines = server.requests.map((request) =>
        (JSON.parse(request.body) as { streams: { values: [string, string][] }[] }).streams.flatMap((stream) =>
          stream.values.map(([, line]) => (JSON.parse(line) as Record<string, unknown>)['@mt']),
        ),
      );
      expect(lines).toEqual([
        // In the event's place and stream (info): one push.
        ['ok 1', 'Event with message template {OriginalMessageTemplate} could not be formatted as JSON', 'ok 2'],
        ['ok 1', 'ok 2'],
      ]);
      expect(said).toEqual([
        expect.stringContaining('LokiSink: an event with message template bad could not be formatted; a placeholder is sent'),
        expect.stringContaining('LokiSink: an event with message template bad could not be formatted, nor its placeholder'),
      ]);
    } finally {
      SelfLog.disable();
    }
  });

  it('rejects when Loki answers with an error status', async () => {
    server = await startTestServer(() => ({ status: 429, headers: { 'Retry-After': '1' } }));
    await expect(new LokiSink({ url: server.url }).emit(makeEvents(1))).rejects.toMatchObject({
      status: 429,
      retryAfterMs: 1_000,
    });
  });

  it('sends no beacons with a tenantId, unless to a beaconUrl or asked to', async () => {
    // A beacon carries no custom header (W3C Beacon, sendBeacon: only Content-Type), and a
    // multi-tenant Loki answers a push without X-Scope-OrgID 401 (dskit middleware.AuthenticateUser):
    // the events were counted delivered and lost, also when a tab was merely hidden.
    const page = installFakePage();
    const never = () => new Promise<Response>(() => undefined);
    const url = 'https://loki.example.com';
    try {
      const withTenant = new LokiSink({ url, tenantId: 'team-a', fetch: never });
      const viaProxy = new LokiSink({ url, tenantId: 'team-a', beaconUrl: 'https://proxy.example.com/push', fetch: never });
      const asked = new LokiSink({ url, tenantId: 'team-a', beacon: true, fetch: never });
      const noTenant = new LokiSink({ url, fetch: never });
      page.hide();
      expect(withTenant.emitSync?.(makeEvents(1)) ?? false).toBe(false);
      expect(page.beacons).toHaveLength(0);
      for (const sink of [viaProxy, asked, noTenant]) expect(sink.emitSync?.(makeEvents(1))).toBe(true);
      await page.settled();
      expect(page.beacons.map((beacon) => beacon.url)).toEqual([
        'https://proxy.example.com/push',
        `${url}/loki/api/v1/push`,
        `${url}/loki/api/v1/push`,
      ]);
      for (const sink of [withTenant, viaProxy, asked, noTenant]) sink.close();
    } finally {
      page.restore();
    }
  });

  // Found by a review: in a page, HttpSink sends a keepalive request the browser refused (its 64 KiB
  // quota, a network error) again at once without keepalive. Loki's blocked answer, which LokiSink
  // turns into an error, was taken for such a refusal: every blocked batch went twice, and Loki
  // dropped it twice.
  it('sends a batch Loki answers blocked (260) once in a page, not again without keepalive', async () => {
    const page = installFakePage();
    const keepalive: (boolean | undefined)[] = [];
    const fetch = (_: unknown, init?: RequestInit): Promise<Response> => {
      keepalive.push(init?.keepalive);
      return Promise.resolve(
        new Response("ingestion blocked for user fake until '2026-12-05T00:00:00Z' with status code '260'\n", { status: 260 }),
      );
    };
    try {
      const sink = new LokiSink({ url: 'https://loki.example.com', fetch });
      await expect(sink.emit(makeEvents(2))).rejects.toMatchObject({ status: 260, permanent: true });
      expect(keepalive).toEqual([true]);
      sink.close();
    } finally {
      page.restore();
    }
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

  // Found by a review: a Map (or an array) has no own keys of its labels, so it was taken as no labels at
  // all: every stream was labelled only with its level, mixed with any other app's in Loki.
  it('refuses labels that are not a plain object (a Map, an array, a string), naming them', () => {
    for (const labels of [new Map([['app', 'shop']]), [], ['shop'], 'app=shop', 7] as never[])
      expect(() => new LokiSink({ url: 'http://h', labels })).toThrow(
        'LokiSink.labels: expected an object of label names to values',
      );
    expect(new LokiSink({ url: 'http://h', labels: Object.assign(Object.create(null) as object, { app: 'x' }) })).toBeInstanceOf(
      LokiSink,
    );
    expect(new LokiSink({ url: 'http://h', labels: Object.freeze({ app: 'x' }) })).toBeInstanceOf(LokiSink);
  });

  it('refuses a formatter without format(event), naming it', () => {
    for (const formatter of [{} as never, null as never, 'json' as never])
      expect(() => new LokiSink({ url: 'http://h', formatter })).toThrow(
        'LokiSink.formatter: expected an object with format(event)',
      );
  });

  // dskit's tenant.ValidTenantID, which Loki's X-Scope-OrgID goes through: a-z A-Z 0-9 and ! - _ . * ' ( ),
  // at most 150 of them (MaxTenantIDLength), not '.' or '..'; any other is answered 400 on every push.
  it('refuses a tenantId Loki would refuse on every push, naming it, and takes every valid one', () => {
    for (const tenantId of ['', 'team a', 'a/b', 'team|b', 'é', '.', '..', 'x'.repeat(151), 7 as never])
      expect(() => new LokiSink({ url: 'http://h', tenantId })).toThrow('LokiSink.tenantId: expected a tenant id');
    for (const tenantId of ['team-a', "A_z.9!*'()", 'x'.repeat(150), '...'])
      expect(() => new LokiSink({ url: 'http://h', tenantId })).not.toThrow();
  });

  it('refuses label names Loki reserves (starting with "__") and values with a lone UTF-16 surrogate', () => {
    // Loki's docs (operations/request-validation-rate-limits.md, invalid_labels): "Label names
    // beginning with __ are reserved for internal use"; its distributor skips validation for a
    // stream labelled __aggregated_metric__ or __pattern__ (pkg/distributor/validator.go,
    // IsInternalStream), its queries leave such streams out unless asked (pkg/querier/http.go,
    // filterAggregatedMetrics), it answers 400 to __backfill__ (pkg/loghttp/push/push.go) and
    // sets __stream_shard__ itself.
    for (const name of ['__pattern__', '__aggregated_metric__', '__backfill__', '__stream_shard__', '__name__', '__x'])
      expect(() => new LokiSink({ url: 'http://h', labels: { [name]: 'x' } })).toThrow(
        `"${name}" is not a valid Loki label name`,
      );
    expect(new LokiSink({ url: 'http://h', labels: { _app: 'x', a__b: 'y' } })).toBeInstanceOf(LokiSink);
    // Loki reads label values with grafana/jsonparser, which refuses a lone surrogate's escape: every push would be a 400.
    expect(() => new LokiSink({ url: 'http://h', labels: { app: 'shop\uD800' } })).toThrow(ConfigurationError);
    expect(() => new LokiSink({ url: 'http://h', labels: { app: 'shop\uD800' } })).toThrow('LokiSink.labels["app"]');
    expect(new LokiSink({ url: 'http://h', labels: { app: 'shop 😀 "x"\n' } })).toBeInstanceOf(LokiSink);
  });

  // Found by a review: the label name went into the message whole and unquoted, so a name read
  // from a file or an environment variable (a megabyte, a line break) made a megabyte message or
  // one that read as two lines; every other ConfigurationError cuts and quotes a name.
  it('cuts a label name past 120 characters in its ConfigurationError, and quotes it, as other configuration errors do', () => {
    const messageOf = (labels: Record<string, unknown>): string => {
      try {
        new LokiSink({ url: 'http://h', labels: labels as Record<string, string> });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigurationError);
        return (error as Error).message;
      }
      throw new Error('no ConfigurationError');
    };
    const long = `app.${'x'.repeat(1_000_000)}`;
    expect(messageOf({ [long]: 'x' })).toBe(
      `LokiSink.labels: "app.${'x'.repeat(96)}"… (1000004 characters) is not a valid Loki label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __, which is Loki's own)`,
    );
    expect(messageOf({ 'app\nname': 'x' })).toContain('LokiSink.labels: "app\\nname" is not a valid Loki label name');
    expect(messageOf({ ['a'.repeat(1_000_000)]: 42 }).length).toBeLessThan(300);
    expect(messageOf(Object.fromEntries(Array.from({ length: 100_000 }, (_, n) => [`l${n}`, 'x']))).length).toBeLessThan(400);
  });

  // Loki's distributor checks every stream's labels against the tenant's limits, by default 15
  // names, names of 1 024 and values of 2 048 bytes (pkg/validation/limits.go; validator.go,
  // ValidateLabels, counts with Go's len, in bytes), and answers a stream past one with a 400 that
  // failed every push of the sink: all its events, for good.
  it("refuses labels past Loki's default limits on names per stream, name length and value bytes, naming them", () => {
    const labels = (count: number): Record<string, string> =>
      Object.fromEntries(Array.from({ length: count }, (_, n) => [`l${n}`, 'x']));
    expect(new LokiSink({ url: 'http://h', labels: labels(14) })).toBeInstanceOf(LokiSink);
    // Loki drops a label whose value is empty before it counts them.
    expect(new LokiSink({ url: 'http://h', labels: { ...labels(14), empty: '' } })).toBeInstanceOf(LokiSink);
    expect(() => new LokiSink({ url: 'http://h', labels: labels(15) })).toThrow(ConfigurationError);
    expect(() => new LokiSink({ url: 'http://h', labels: labels(15) })).toThrow(
      'LokiSink.labels: 16 names with "level" (l0, l1, l2, l3, l4, l5, l6, l7, l8, l9, l10, l11, l12, l13, l14, level); Loki takes at most 15 (max_label_names_per_series, see maxLabelNames)',
    );
    // A Loki whose limit is raised: the sink follows maxLabelNames.
    expect(new LokiSink({ url: 'http://h', labels: labels(29), maxLabelNames: 30 })).toBeInstanceOf(LokiSink);
    expect(() => new LokiSink({ url: 'http://h', labels: labels(2), maxLabelNames: 2 })).toThrow(
      'Loki takes at most 2 (max_label_names_per_series',
    );
    for (const maxLabelNames of [0, 1.5, -1, Number.NaN, Infinity, '15' as never])
      expect(() => new LokiSink({ url: 'http://h', maxLabelNames })).toThrow('LokiSink.maxLabelNames: expected an integer ≥ 1');

    expect(new LokiSink({ url: 'http://h', labels: { ['a'.repeat(1024)]: 'x' } })).toBeInstanceOf(LokiSink);
    expect(() => new LokiSink({ url: 'http://h', labels: { ['a'.repeat(1025)]: 'x' } })).toThrow(
      'LokiSink.labels: a name of 1025 characters ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…"); Loki takes at most 1024 (max_label_name_length)',
    );
    expect(new LokiSink({ url: 'http://h', labels: { app: 'é'.repeat(1024) } })).toBeInstanceOf(LokiSink);
    // 1 025 characters of 2 bytes each: within 2 048 characters, past 2 048 bytes.
    expect(() => new LokiSink({ url: 'http://h', labels: { app: 'é'.repeat(1025) } })).toThrow(
      'LokiSink.labels: "app": a value of 2050 UTF-8 bytes; Loki takes at most 2048 (max_label_value_length)',
    );
  });
});
