import fc from 'fast-check';
import { map } from 'rxjs';
import { Writable } from 'node:stream';
import { LOG_LEVELS } from '../../lib/core/log-level';
import type { LogEvent } from '../../lib/core/log-event';
import type { Formatter } from '../../lib/core/sink';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { NdjsonFormatter } from '../../lib/formatting/ndjson-formatter';
import { TextFormatter } from '../../lib/formatting/text-formatter';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { metricsToPrometheus } from '../../lib/metrics/metrics-to-prometheus';
import { StreamSink } from '../../lib/node/stream-sink';
import type { SyslogMessageSettings } from '../../lib/node/syslog/syslog-message-settings';
import { syslogRfc3164 } from '../../lib/node/syslog/syslog-rfc3164';
import { syslogRfc5424 } from '../../lib/node/syslog/syslog-rfc5424';
import { SyslogSink } from '../../lib/node/syslog/syslog-sink';
import { HttpSink } from '../../lib/sinks/http/http-sink';
import { LokiSink } from '../../lib/sinks/http/loki-sink';
import { OtlpSink } from '../../lib/sinks/http/otlp-sink';
import { SeqSink } from '../../lib/sinks/http/seq-sink';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { parseTemplate } from '../../lib/templates/parse-template';
import { startUdpServer } from '../node/syslog/syslog-test-servers';

// Events built in JavaScript, as an app's own operator in `.pipe()` lets them out or as a sink's
// `emit` is handed them directly: the type says a LogEvent, the values say otherwise.

/** A level that is one of the six, or not: other text (`__proto__`, `Warning`), a number, nothing, a Symbol. */
const level = fc.oneof(
  fc.constantFrom(...LOG_LEVELS),
  fc.constantFrom('nope', 'Warning', 'INFO', '__proto__', 'constructor', 'toString', '', ' '),
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.constantFrom(undefined, null, Symbol('level')),
);

/** A time that is a valid Date, an invalid or out-of-range one, a number, a string, or nothing. */
const timestamp = fc.oneof(
  fc.date({ noInvalidDate: false }).map((date) => () => date),
  fc.constantFrom(
    () => new Date(Number.NaN),
    () => new Date(8.64e15),
    () => new Date(-8.64e15),
    () => 1_700_000_000_000,
    () => '2023-11-14T22:13:20Z',
    () => 'yesterday',
    () => undefined,
  ),
);

/** Property names past the usual: empty, `__proto__`, Object.prototype's, CLEF's and NDJSON's own. */
const key = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '@t', '@l', 'level', 'A'),
);
const value = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined));

type PropertiesKind = 'plain' | 'null-prototype' | 'throwing-getter' | 'symbol-key' | 'null' | 'revoked-proxy';

/** Makes the properties afresh each call (a getter that throws throws every time it is read). */
const properties = fc
  .tuple(
    fc.constantFrom<PropertiesKind>('plain', 'null-prototype', 'throwing-getter', 'symbol-key', 'null', 'revoked-proxy'),
    fc.array(fc.tuple(key, value), { maxLength: 4 }),
  )
  .map(([kind, entries]) => (): unknown => {
    if (kind === 'null') return null;
    if (kind === 'revoked-proxy') {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    }
    const record: Record<PropertyKey, unknown> = kind === 'null-prototype' ? Object.create(null) : {};
    for (const [name, v] of entries)
      Object.defineProperty(record, name, { value: v, enumerable: true, writable: true, configurable: true });
    if (kind === 'throwing-getter')
      Object.defineProperty(record, 'Secret', {
        enumerable: true,
        get() {
          throw new Error('getter failed');
        },
      });
    if (kind === 'symbol-key') record[Symbol('hidden')] = 'by symbol';
    return record;
  });

/** A hand-built event: a fresh object (and fresh properties) each call. */
const hostileEvent = fc
  .tuple(level, timestamp, properties, fc.boolean())
  .map(([lvl, time, props, withRenderMessage]) => (): LogEvent => {
    const event: Record<string, unknown> = {
      timestamp: time(),
      level: lvl,
      messageTemplate: parseTemplate('Order {A} paid'),
      properties: props(),
    };
    // An app operator's spread copy has no renderMessage (it lives on the class): rendered from the template.
    if (withRenderMessage) event.renderMessage = () => 'Order paid';
    return event as unknown as LogEvent;
  });

const PLACEHOLDER = '[unformattable event';

describe('hostile events', () => {
  const text: Formatter[] = [
    new TextFormatter(),
    new TextFormatter(
      '{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} {UtcTimestamp} [{Level:u3}] {Level:w} {Message:lj} {A} {Properties:j}{NewLine}',
    ),
  ];
  const json: Formatter[] = [
    new CompactJsonFormatter(),
    new CompactJsonFormatter({ renderMessage: true }),
    new NdjsonFormatter(),
  ];

  it('every formatter writes them, never throws; the text formatters write time, level, message and properties, not a placeholder', () => {
    fc.assert(
      fc.property(hostileEvent, (make) => {
        for (const formatter of json) {
          const line = formatter.format(make());
          expect(line).not.toMatch(/[\n\r]/);
          expect(() => JSON.parse(line) as unknown).not.toThrow();
        }
        for (const formatter of text) expect(formatter.format(make())).not.toContain(PLACEHOLDER);
      }),
      { numRuns: 500 },
    );
  });

  it('the text formatters write a time that cannot be read as Invalid Date, as an invalid one', () => {
    const formatter = new TextFormatter('{Timestamp:yyyy-MM-dd} {Message}');
    for (const time of [new Date(Number.NaN), 1_700_000_000_000, '2023-11-14', undefined]) {
      const event = { timestamp: time, level: 'warning', messageTemplate: parseTemplate('Paid'), properties: {} };
      expect(formatter.format(event as unknown as LogEvent)).toBe('Invalid Date Paid');
    }
  });

  it('the text formatters write a property whose read throws as its marker, and properties that cannot be listed as one entry', () => {
    const formatter = new TextFormatter('{Message} {Properties}');
    const getter = { A: 1 };
    Object.defineProperty(getter, 'B', {
      enumerable: true,
      get() {
        throw new Error('no B');
      },
    });
    const event = (props: unknown): LogEvent =>
      ({
        timestamp: new Date(0),
        level: 'information',
        messageTemplate: parseTemplate('Paid'),
        properties: props,
      }) as unknown as LogEvent;
    expect(formatter.format(event(getter))).toBe('Paid {"A":1,"B":"[Throws: no B]"}');
    expect(formatter.format(event(null))).toBe(
      'Paid {"rxlog.unreadable":"[Throws: Cannot convert undefined or null to object]"}',
    );
  });

  const settings: SyslogMessageSettings = {
    facility: 1,
    hostname: 'web-1',
    appName: 'shop',
    procId: '4242',
    messageIdProperty: 'SourceContext',
    structuredDataId: 'rxlog@32473',
    formatter: undefined,
    maxMessageBytes: 2048,
    singleLine: true,
  };

  it('syslog writes them in both formats, never throws: a time that cannot be read is the NILVALUE (RFC 5424) or the time of sending (RFC 3164)', () => {
    fc.assert(
      fc.property(hostileEvent, (make) => {
        expect(syslogRfc5424(make(), settings)).toMatch(/^<\d+>1 (-|\d{4}-\d\d-\d\dT[\d:.]+Z) web-1 shop 4242 /);
        expect(syslogRfc3164(make(), settings)).toMatch(/^<\d+>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d web-1 shop\[4242\]:/);
      }),
      { numRuns: 500 },
    );
    const event = { timestamp: 1_700_000_000_000, level: 'warning', messageTemplate: parseTemplate('Paid'), properties: null };
    expect(syslogRfc5424(event as unknown as LogEvent, settings)).toBe('<12>1 - web-1 shop 4242 - - Paid');
  });

  it('pass through an app operator into every built-in sink: each is delivered, none fails, and the caller never sees a throw', async () => {
    const events = fc.sample(hostileEvent, { numRuns: 300, seed: 39 });
    const udp = await startUdpServer();
    const bodies: string[] = [];
    // The HTTP sinks' network is a function here; what they post is what the test reads.
    const fetch = (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
      bodies.push(init?.body as string);
      return Promise.resolve(new Response(null, { status: 204 }));
    };
    const lines: string[] = [];
    const stream = (): Writable =>
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString('utf8'));
          done();
        },
      });
    const memory = new MemorySink();
    let next = 0;
    const batch = { batch: { size: 50, maxDelayMs: 1 } };
    const log = new LoggerConfiguration().minimumLevel
      .verbose()
      .pipe(map(() => events[next++]()))
      .writeTo.sink(memory, { name: 'memory' })
      .writeTo.sink(
        new StreamSink({
          stream: stream(),
          formatter: new TextFormatter('{Timestamp} {Level:u3} {Message} {Properties}{NewLine}'),
        }),
        { name: 'text' },
      )
      .writeTo.sink(new StreamSink({ stream: stream() }), { name: 'clef' })
      .writeTo.sink(new StreamSink({ stream: stream(), formatter: new NdjsonFormatter() }), { name: 'ndjson' })
      .writeTo.sink(new SyslogSink({ host: '127.0.0.1', port: udp.port }), { name: 'syslog', ...batch })
      .writeTo.sink(new SyslogSink({ host: '127.0.0.1', port: udp.port, format: 'rfc3164' }), { name: 'bsd', ...batch })
      .writeTo.sink(new HttpSink({ url: 'http://127.0.0.1:9/ingest', fetch }), { name: 'http', ...batch })
      .writeTo.sink(new SeqSink({ serverUrl: 'http://127.0.0.1:9', fetch }), { name: 'seq', ...batch })
      .writeTo.sink(new OtlpSink({ endpoint: 'http://127.0.0.1:9/v1/logs', fetch }), { name: 'otlp', ...batch })
      .writeTo.sink(new LokiSink({ url: 'http://127.0.0.1:9', fetch }), { name: 'loki', ...batch })
      .createLogger();
    try {
      for (let i = 0; i < events.length; i++) expect(() => log.information('Order {A} paid', i)).not.toThrow();
      await log.flush({ timeoutMs: 10_000 });
      const { sinks } = log.metrics();
      for (const name of ['memory', 'text', 'clef', 'ndjson', 'syslog', 'bsd', 'http', 'seq', 'otlp', 'loki'])
        expect([name, sinks[name]]).toMatchObject([name, { received: 300, delivered: 300, failed: 0, dropped: 0, pending: 0 }]);
      expect(lines.filter((line) => line.includes(PLACEHOLDER))).toEqual([]);
      for (const line of bodies[0].split('\n')) expect(() => JSON.parse(line) as unknown).not.toThrow();
      // UDP may lose datagrams under a burst: what arrived is checked, not how many.
      for (const message of udp.messages) expect(message).toMatch(/^<\d+>(1 |[A-Z][a-z]{2} )/);
      expect(metricsToPrometheus(log.metrics())).toContain('rxlog_events_delivered_total{sink="syslog"} 300');
    } finally {
      await log.close();
      await udp.close();
    }
  });
});
