import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import fc from 'fast-check';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import { LogContext } from '../../../lib/context/log-context';
import type { LogEvent } from '../../../lib/core/log-event';
import { CompactJsonFormatter } from '../../../lib/formatting/compact-json-formatter';
import { NdjsonFormatter } from '../../../lib/formatting/ndjson-formatter';
import { readCompactJson } from '../../../lib/formatting/read-compact-json';
import { createIngestHandler, type IngestHandler } from '../../../lib/node/ingest/create-ingest-handler';
import { clientMessage, parseClientEvents } from '../../../lib/node/ingest/parse-client-events';
import { useAsyncLocalStorage } from '../../../lib/node/use-async-local-storage';
import type { Logger } from '../../../lib/pipeline/logger';
import { BEACON_MAX_BYTES } from '../../../lib/sinks/http/beacon-max-bytes';
import { HttpSink } from '../../../lib/sinks/http/http-sink';
import { MemorySink } from '../../../lib/sinks/memory-sink';
import { startNestApp } from '../../nest/fixtures/run-nest-app';
import { anyValue } from '../../helpers/arbitraries';
import { collectSelfLog } from '../../helpers/self-log';

// The contract between the two halves of browser log shipping: what a browser logs, written as CLEF
// by HttpSink, reaches the server's event as rxlog's own CLEF reader (readCompactJson) reads that
// line: the same property values (a bigint past 2^53 with its digits) and the same message (a
// formatted hole as the browser rendered it, the line's `@r`), not one rounded or rendered anew.

const formatter = new CompactJsonFormatter();
/** A line's values as readCompactJson reads them, without the trace ids it makes properties (the handler keeps them apart). */
const clientValues = (line: string): Record<string, unknown> => {
  const { TraceId: _traceId, SpanId: _spanId, ...values } = readCompactJson(line).properties;
  return values;
};
/** Lone surrogates as U+FFFD: rxlog's JSON writers send them so (docs/templates-and-capture.md), so the browser's own message has them, the server's has U+FFFD. */
const wellFormed = (text: string): string =>
  text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

const HOLE_FORMATS = ['', ':0.00', ':000', ':X', ':yyyy-MM-dd HH:mm', ':l', ':j'];

describe('parseClientEvents reads a line as readCompactJson does', () => {
  it('gives the values and the message of any event rxlog writes as CLEF, its bigints and @r renderings included', () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory).createLogger();
    const limits = {
      maxEvents: 10,
      maxEventBytes: 16 * 1024 * 1024,
      maxProperties: 1_000_000,
      maxDepth: 100,
      maxLevel: 'fatal',
    } as const;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...HOLE_FORMATS), anyValue({ maxDepth: 3 })), { maxLength: 5 }), (holes) => {
        memory.clear();
        const template = holes.map(([format], n) => `{P${n}${format}}`).join(' / ');
        log.information(template, ...holes.map(([, value]) => value));
        const line = formatter.format(memory.events[0]);
        const { events, rejected } = parseClientEvents(Buffer.from(line), limits);
        expect(rejected).toBe(0);
        const [event] = events;
        expect({ ...event.properties }).toEqual(clientValues(line));
        expect(clientMessage(event, event.properties)).toBe(readCompactJson(line).renderMessage());
      }),
      { numRuns: 300 },
    );
  });
});

/** A server on 127.0.0.1 with the handler mounted, whose logger enriches from a request context that holds the server's UserId. */
interface Mounted {
  url: string;
  events: LogEvent[];
  ingest: IngestHandler;
  close(): Promise<void>;
}

function serverLogger(): { log: Logger; events: LogEvent[] } {
  const memory = new MemorySink();
  const log = new LoggerConfiguration().minimumLevel.verbose().enrich.fromLogContext().writeTo.sink(memory).createLogger();
  return { log, events: memory.events };
}

async function express5(): Promise<Mounted> {
  const { log, events } = serverLogger();
  const ingest = createIngestHandler(log);
  const app = express();
  // The app's own authentication: what it vouches for is in the request context.
  app.use((_req, _res, next) => LogContext.run({ UserId: 'u-server', RequestId: 'req-server' }, next));
  app.post('/api/logs', ingest);
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/logs`,
    events,
    ingest,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    },
  };
}

async function fastify5(): Promise<Mounted> {
  const { log, events } = serverLogger();
  const ingest = createIngestHandler(log);
  const app = Fastify();
  app.addHook('onRequest', (_request, _reply, done) => LogContext.run({ UserId: 'u-server', RequestId: 'req-server' }, done));
  await app.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, parsed) => parsed(null));
    scope.post('/api/logs', (request, reply) => ingest(request, reply));
    done();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/logs`,
    events,
    ingest,
    close: async () => {
      await app.close();
      await log.close({ strategy: 'immediate', timeoutMs: 0 });
    },
  };
}

/** A browser's logger: HttpSink to `url` in batches of 10, and every event it logged in `sent`, to compare with what the server wrote. */
function browserLogger(url: string): { browser: Logger; sent: LogEvent[] } {
  const sent: LogEvent[] = [];
  const browser = new LoggerConfiguration().writeTo
    .sink({ emit: (events) => void sent.push(...events) })
    .writeTo.sink(new HttpSink({ url }), { batch: { size: 10, maxDelayMs: 10 } })
    .createLogger();
  return { browser, sent };
}

describe('HttpSink to createIngestHandler, one round trip', () => {
  beforeAll(() => useAsyncLocalStorage());

  const clefSink = (url: string): HttpSink => new HttpSink({ url });
  const ndjsonSink = (url: string): HttpSink =>
    new HttpSink({ url, formatter: new NdjsonFormatter(), contentType: 'application/x-ndjson' });

  it.each([
    ['Express 5', 'CLEF', express5, clefSink],
    ['Fastify 5', 'CLEF', fastify5, clefSink],
    ['Express 5', 'NDJSON', express5, ndjsonSink],
  ])(
    'brings every kind of value a browser logs to the server (%s, %s) as rxlog reads its CLEF line, with the message the browser rendered',
    async (_name, _format, mount, makeSink) => {
      const server = await mount();
      const sent: LogEvent[] = [];
      const browser = new LoggerConfiguration().minimumLevel
        .verbose()
        .enrich.withProperty('TraceId', '4bf92f3577b34da6a3ce929d0e0e4736')
        .enrich.withProperty('SpanId', '00f067aa0ba902b7')
        .writeTo.sink({ emit: (events) => void sent.push(...events) })
        .writeTo.sink(makeSink(server.url), { batch: { size: 50, maxDelayMs: 10 } })
        .createLogger();
      const when = new Date('2026-11-30T10:07:09.123Z');
      try {
        browser.information(
          'Text {Lone} {Control} numbers {NegativeZero} {NotANumber} {Up} {Down} {Amount:0.00} {Hex:X}',
          'a\ud800b\udc00c',
          'tab\tnul\u0000bell\u0007line\nend',
          -0,
          NaN,
          Infinity,
          -Infinity,
          3.14159,
          255,
        );
        browser.debug(
          'Big {Small} {Id} {Huge} {IdHex:X} at {When} on {Day:yyyy-MM-dd} {Clock:HH:mm:ss.fff}',
          42n,
          12345678901234567890n,
          -(10n ** 40n) - 7n,
          18446744073709551615n,
          when,
          when,
          when,
        );
        browser.warning(
          'Shapes {@Cart} {Items} {Tags} {Counts} {Nothing} {Missing} {UserId} {RequestId} {Origin}',
          { id: 'c-1', lines: [{ sku: 'a', qty: 2, price: 1.5 }], meta: { nested: { deep: [null, true] } } },
          [1, 'two', [3, [4]]],
          new Set(['x', 'y']),
          new Map([
            ['a', 1],
            ['b', 2],
          ]),
          null,
          undefined,
          'admin',
          'req-forged',
          'server',
        );
        browser.error(new Error('Payment failed', { cause: new TypeError('card declined') }), 'Checkout {Step} failed', 'pay');
        browser.verbose('Plain verbose');
        browser.fatal('Fatal {Code}', 7);
        await browser.close({ strategy: 'flush', timeoutMs: 5_000 });
        // The browser's counts: everything delivered, nothing lost or failed.
        expect(browser.metrics().sinks.http).toMatchObject({ received: 6, delivered: 6, failed: 0, dropped: 0 });
        expect(server.ingest.metrics()).toMatchObject({ accepted: 6, rejected: 0, responses: { 200: 1 } });

        const received = server.events;
        expect(received).toHaveLength(6);
        for (const [n, event] of received.entries()) {
          const origin = sent[n];
          const line = formatter.format(origin);
          // The values as rxlog's CLEF reader reads the line the browser sent: bigints with all
          // their digits, Dates as ISO strings, NaN and ±Infinity as strings, Map and Set as data.
          // (NDJSON's TraceId and SpanId are properties, and stay in Client too: docs/browser.md.)
          const { TraceId: _traceId, SpanId: _spanId, ...values } = event.properties.Client as Record<string, unknown>;
          expect(values).toEqual(clientValues(line));
          // The message the browser rendered, formatted holes too ({Day:yyyy-MM-dd}, not the ISO
          // string), but for what the line cannot carry: lone surrogates (U+FFFD) and undefined.
          expect(event.properties.ClientMessage).toBe(wellFormed(origin.renderMessage()).replace('undefined', '{Missing}'));
          expect(event.properties.ClientMessage).toBe(readCompactJson(line).renderMessage());
          expect(event.properties.ClientTemplate).toBe(origin.messageTemplate.text);
          // The browser's time to the millisecond, as it wrote it; the event's own time is the server's.
          expect(event.properties.ClientTimestamp).toBe(origin.timestamp.toISOString());
          expect(event.properties).toMatchObject({ TraceId: '4bf92f3577b34da6a3ce929d0e0e4736', SpanId: '00f067aa0ba902b7' });
          // What the server vouches for stays the server's; the browser's claims are kept as its own.
          expect(event.properties).toMatchObject({ UserId: 'u-server', RequestId: 'req-server', Origin: 'browser' });
        }
        expect(received.map((e) => [e.level, e.properties.ClientLevel])).toEqual([
          ['information', undefined],
          ['debug', undefined],
          ['warning', undefined],
          ['error', undefined],
          ['verbose', undefined],
          ['error', 'fatal'], // maxLevel: 'error' by default
        ]);
        // Every digit of the bigints; the Dates as the browser formatted them (in its local time).
        expect(received[1].properties.ClientMessage).toMatch(
          /^Big 42 12345678901234567890 -10{39}7 0F{16} at 2026-11-30T10:07:09\.123Z on \d{4}-\d\d-\d\d \d\d:\d\d:09\.123$/,
        );
        expect(received[2].properties.Client).toMatchObject({ UserId: 'admin', RequestId: 'req-forged', Origin: 'server' });
        // The browser's text, each line indented so that none passes for a server event in text output.
        const stack = readCompactJson(formatter.format(sent[3])).exception?.stack ?? '';
        expect(received[3].exception?.stack).toBe(stack.replace(/^/gm, '  '));
        expect(received[3].exception?.stack).toMatch(
          /^ {2}Error: Payment failed\n[\s\S]*\n {2}caused by: TypeError: card declined/,
        );
      } finally {
        await browser.close({ strategy: 'immediate', timeoutMs: 0 });
        await server.close();
      }
    },
  );
});

describe('HttpSink to createIngestHandler in a NestJS controller, re-logged as CLEF', () => {
  // spec/nest/fixtures/nest-ingest-app.ts writes the server's events to stdout as CLEF lines, which
  // are read back here: the browser's values survive two CLEF hops (page to server, server to file).
  it("brings the browser's bigints, formatted holes and nested data through the server's own CLEF output", async () => {
    const app = await startNestApp('nest-ingest-app.ts', ['express']);
    const { browser, sent } = browserLogger(`${app.url}/controller/logs`);
    let run: Awaited<ReturnType<typeof app.stop>> | undefined;
    try {
      browser.information(
        'Order {Id} of {Total:0.00} at {When:HH:mm} {@Lines} {Flags}',
        12345678901234567890n,
        12.5,
        new Date('2026-11-30T10:07:09.123Z'),
        [{ sku: 'a', qty: 2 }],
        new Set(['gift']),
      );
      await browser.close({ strategy: 'flush', timeoutMs: 10_000 });
      expect(browser.metrics().sinks.http).toMatchObject({ delivered: 1, failed: 0 });
    } finally {
      run = await app.stop();
    }
    const received = run.events.filter((e) => e.properties.Origin === 'browser');
    expect(received).toHaveLength(1);
    const line = formatter.format(sent[0]);
    expect(received[0].properties.Client).toEqual(clientValues(line));
    expect(received[0].properties.ClientMessage).toBe(sent[0].renderMessage());
    expect(received[0].renderMessage()).toBe(sent[0].renderMessage());
    // The controller runs in Nest's request context: the server's RequestId, not the browser's.
    expect(typeof received[0].properties.RequestId).toBe('string');
  }, 120_000);
});

describe('HttpSink to createIngestHandler, nested structures', () => {
  beforeAll(() => useAsyncLocalStorage());

  it('takes every depth a browser logger writes with the default maxDepth, where 9 and 10 deep were rejected whole', async () => {
    const server = await express5();
    const { browser, sent } = browserLogger(server.url);
    const nested = (depth: number): unknown => {
      let value: unknown = 'bottom';
      for (let i = 0; i < depth; i++) value = { v: value };
      return value;
    };
    try {
      // A state object 8, 9, 10 and 12 deep (the browser's capture cuts the last at 10).
      for (const depth of [8, 9, 10, 12]) browser.information('State {@State}', nested(depth));
      await browser.close({ strategy: 'flush', timeoutMs: 5_000 });
      expect(browser.metrics().sinks.http).toMatchObject({ delivered: 4, failed: 0 });
      expect(server.ingest.metrics()).toMatchObject({ accepted: 4, rejected: 0 });
      // Whole as sent up to 9 deep; below that, the server's own capture (Client is one level
      // more) marks the deepest level '[MaxDepth]' rather than losing the event.
      for (const n of [0, 1]) expect(server.events[n].properties.Client).toEqual(clientValues(formatter.format(sent[n])));
      expect(JSON.stringify(server.events[2].properties.Client)).toContain('"[MaxDepth]"');
    } finally {
      await server.close();
    }
  });
});

describe('HttpSink to createIngestHandler, long property names', () => {
  beforeAll(() => useAsyncLocalStorage());

  it('takes a Map keyed by presigned URLs and a long property name, where names past 200 characters rejected the whole event', async () => {
    const server = await express5();
    const { browser, sent } = browserLogger(server.url);
    const presigned = `https://bucket.example.com/hero.png?X-Amz-Credential=${'A'.repeat(60)}&X-Amz-Signature=${'f'.repeat(64)}&X-Amz-Security-Token=${'t'.repeat(120)}`;
    try {
      browser.information('Prefetched {@Sizes}', new Map([[presigned, 48_213]]));
      browser.forContext(`Feature.${'Flag'.repeat(60)}`, true).information('Flag read');
      await browser.close({ strategy: 'flush', timeoutMs: 5_000 });
      expect(browser.metrics().sinks.http).toMatchObject({ delivered: 2, failed: 0 });
      expect(server.ingest.metrics()).toMatchObject({ accepted: 2, rejected: 0 });
      for (const n of [0, 1]) expect(server.events[n].properties.Client).toEqual(clientValues(formatter.format(sent[n])));
      expect(server.events[0].properties.Client).toEqual({ Sizes: { [presigned]: 48_213 } });
    } finally {
      await server.close();
    }
  });
});

describe('HttpSink to createIngestHandler, ids that make no trace', () => {
  beforeAll(() => useAsyncLocalStorage());

  it("keeps a browser's TraceId without a SpanId (a 32-hex correlation id) in Client, where it vanished", async () => {
    const server = await express5();
    const correlation = crypto.randomUUID().replaceAll('-', '');
    const browser = new LoggerConfiguration().enrich
      .withProperty('TraceId', correlation)
      .writeTo.sink(new HttpSink({ url: server.url }), { batch: { size: 10, maxDelayMs: 10 } })
      .createLogger();
    try {
      browser.information('Checkout opened');
      await browser.close({ strategy: 'flush', timeoutMs: 5_000 });
      const [event] = server.events;
      // Written as CLEF's @tr (32 hex digits), with no @sp: no trace, but still the browser's value.
      expect(event.properties.Client).toEqual({ TraceId: correlation });
      expect(event.properties.TraceId).toBeUndefined();
    } finally {
      await server.close();
    }
  });
});

describe('createIngestHandler and the beacon bodies of browser sinks', () => {
  it('tells SelfLog when maxBodyBytes is below a beacon body, which it would answer 413 unseen while the page counts its events delivered', () => {
    const { log } = serverLogger();
    const selfLog = collectSelfLog();
    try {
      createIngestHandler(log, { maxBodyBytes: 32_768 });
      createIngestHandler(log, { maxBodyBytes: BEACON_MAX_BYTES });
      createIngestHandler(log);
    } finally {
      selfLog.stop();
    }
    expect(selfLog.diagnostics.map((d) => [d.template, d.args])).toEqual([
      [
        'createIngestHandler: maxBodyBytes ({MaxBodyBytes}) is below the {BeaconBytes} bytes of body a browser sink puts in one beacon or offline-store entry: such a beacon is answered 413 unseen, its events counted delivered by the page, and such an entry is dropped on replay',
        [32_768, BEACON_MAX_BYTES],
      ],
    ]);
  });
});
