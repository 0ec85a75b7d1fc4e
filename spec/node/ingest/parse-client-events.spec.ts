import fc from 'fast-check';
import { cpuMs } from '../../helpers/cpu-time';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import { CompactJsonFormatter } from '../../../lib/formatting/compact-json-formatter';
import { NdjsonFormatter } from '../../../lib/formatting/ndjson-formatter';
import { readCompactJson } from '../../../lib/formatting/read-compact-json';
import { MemorySink } from '../../../lib/sinks/memory-sink';
import {
  type ClientEvent,
  clientMessage,
  parseClientEvents,
  type ClientEventLimits,
} from '../../../lib/node/ingest/parse-client-events';

const limits: ClientEventLimits = { maxEvents: 100, maxEventBytes: 4096, maxProperties: 50, maxDepth: 4, maxLevel: 'error' };
const parse = (text: string | Buffer, over: Partial<ClientEventLimits> = {}) =>
  parseClientEvents(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, { ...limits, ...over });
const line = (value: unknown): string => JSON.stringify(value);
/** The message an event renders with its own values (the handler gives it those the server's policy left). */
const messageOf = (event: ClientEvent): string => clientMessage(event, event.properties);

describe('parseClientEvents', () => {
  it('reads CLEF lines: template rendered with the properties, level, timestamp, exception, @@ names', () => {
    const { events, rejected } = parse(
      [
        line({ '@t': '2026-11-30T10:00:00.000Z', '@mt': 'Clicked {Button}', Button: 'buy' }),
        line({ '@t': '2026-11-30T10:00:01.000Z', '@m': 'plain text', '@l': 'Warning', '@x': 'TypeError: x\n  at f', '@@at': 1 }),
      ].join('\r\n'),
    );
    expect(rejected).toBe(0);
    expect(events[0]).toMatchObject({
      level: 'information',
      template: 'Clicked {Button}',
      timestamp: '2026-11-30T10:00:00.000Z',
    });
    expect(messageOf(events[0])).toBe('Clicked buy');
    expect({ ...events[0].properties }).toEqual({ Button: 'buy' });
    expect(events[1]).toMatchObject({ level: 'warning', message: 'plain text', exception: 'TypeError: x\n  at f' });
    expect(events[1].template).toBeUndefined();
    expect({ ...events[1].properties }).toEqual({ '@at': 1 });
  });

  it("reads CLEF's @tr and @sp as the trace, fields as @t is, never as the client's properties", () => {
    const trace = { '@tr': '4bf92f3577b34da6a3ce929d0e0e4736', '@sp': '00f067aa0ba902b7' };
    const [traced, malformed] = parse(
      [line({ '@mt': 'traced', ...trace, '@@tr': 'mine' }), line({ '@mt': 'malformed', '@tr': 'nope', '@sp': 7 })].join('\n'),
    ).events;
    expect(traced.trace).toEqual({ TraceId: trace['@tr'], SpanId: trace['@sp'] });
    expect({ ...traced.properties }).toEqual({ '@tr': 'mine' });
    expect(malformed.trace).toBeUndefined();
    expect({ ...malformed.properties }).toEqual({});
  });

  it("keeps CLEF's @tr or @sp ids that make no trace (one alone) as the browser's TraceId and SpanId, and drops all-zero ones, as readCompactJson reads them", () => {
    const id = '4bf92f3577b34da6a3ce929d0e0e4736';
    const lines = [
      { '@t': '2026-11-30T10:00:00.000Z', '@mt': 'alone', '@tr': id, N: 1 },
      { '@t': '2026-11-30T10:00:00.000Z', '@mt': 'span alone', '@sp': '00f067aa0ba902b7' },
      { '@t': '2026-11-30T10:00:00.000Z', '@mt': 'zeros', '@tr': '0'.repeat(32), '@sp': '0'.repeat(16) },
    ].map(line);
    const { events, rejected } = parse(lines.join('\n'));
    expect(rejected).toBe(0);
    expect(events.map((e) => e.trace)).toEqual([undefined, undefined, undefined]);
    for (const [n, event] of events.entries()) expect({ ...event.properties }).toEqual(readCompactJson(lines[n]).properties);
    expect({ ...events[0].properties }).toEqual({ TraceId: id, N: 1 });
    expect({ ...events[2].properties }).toEqual({});
  });

  it('reads an integer a number cannot hold as a bigint with its digits, and rejects one of more than 4 300 digits', () => {
    const at = (digits: string): string => `{"@t":"2026-11-30T10:00:00.000Z","@mt":"{N}","N":${digits}}`;
    const { events, rejected } = parse([at('12345678901234567890'), at('9'.repeat(4_300)), at('9'.repeat(4_301))].join('\n'), {
      maxEventBytes: 8_192,
    });
    expect(rejected).toBe(1);
    expect(events.map((e) => e.properties.N)).toEqual([12345678901234567890n, 10n ** 4300n - 1n]);
    expect(messageOf(events[0])).toBe('12345678901234567890');
  });

  it('reads NDJSON lines as NdjsonFormatter writes them', () => {
    const { events } = parse(
      line({ timestamp: '2026-11-30T10:00:00.000Z', level: 'debug', message: 'Hi Ann', template: 'Hi {Name}', Name: 'Ann' }),
    );
    expect(events[0]).toMatchObject({ level: 'debug', template: 'Hi {Name}' });
    expect(messageOf(events[0])).toBe('Hi Ann');
    const escaped = parse(line({ message: 'm', _level: 'prop', __message: 'x' })).events[0];
    expect({ ...escaped.properties }).toEqual({ level: 'prop', _message: 'x' });
  });

  it("reads an NDJSON line as NDJSON though its event has a property named like CLEF's @t, @m or @mt, as the CLI does", () => {
    const memory = new MemorySink();
    const browser = new LoggerConfiguration().minimumLevel.verbose().writeTo.sink(memory).createLogger();
    browser.forContext('@m', 'tag').error('Payment {Id} failed', 42);
    browser.forContext('@t', 'x').forContext('@mt', 'y').warning('Slow {Ms}', 900);
    const ndjson = new NdjsonFormatter();
    browser.forContext('timestamp', 't').error('Payment {Id} failed', 42);
    const [payment, slow, clef] = memory.events;
    const { events, rejected } = parse([payment, slow].map((event) => ndjson.format(event)).join('\n'));
    expect(rejected).toBe(0);
    expect(events.map((event) => [event.level, messageOf(event), event.template, { ...event.properties }])).toEqual([
      ['error', 'Payment 42 failed', 'Payment {Id} failed', { Id: 42, '@m': 'tag' }],
      ['warning', 'Slow 900', 'Slow {Ms}', { Ms: 900, '@t': 'x', '@mt': 'y' }],
    ]);
    // A CLEF line with a property named like NDJSON's field stays CLEF: CompactJsonFormatter writes @t first.
    const read = parse(new CompactJsonFormatter().format(clef)).events;
    expect(read.map((event) => [event.level, messageOf(event), { ...event.properties }])).toEqual([
      ['error', 'Payment 42 failed', { Id: 42, timestamp: 't' }],
    ]);
  });

  it('lowers levels above the maximum and remembers the sent one', () => {
    const { events } = parse(line({ '@mt': 'boom', '@l': 'Fatal' }), { maxLevel: 'warning' });
    expect(events[0]).toMatchObject({ level: 'warning', clientLevel: 'fatal' });
  });

  it('rejects each bad line and keeps the rest', () => {
    const good = line({ '@mt': 'ok' });
    const bad = [
      'not json',
      '[1,2]',
      '"text"',
      'null',
      line({ '@mt': 42 }),
      line({ '@m': { nested: true } }),
      line({ '@mt': 'x', '@l': 'Loud' }),
      line({ '@mt': 'x', '@t': 'yesterday' }),
      line({ '@mt': 'x', '@t': 1 }),
      line({ '@mt': 'x', '@x': ['stack'] }),
      line({ '@t': '2026-11-30T10:00:00.000Z' }),
      line({ Only: 'properties' }),
      line({ '@mt': 'x', '': 1 }),
    ];
    const { events, rejected } = parse([good, ...bad, good].join('\n'));
    expect(events).toHaveLength(2);
    expect(rejected).toBe(bad.length);
  });

  it('keeps property names of any length, at the top and nested, as readCompactJson reads them: only the line is bounded', () => {
    // A Map keyed by presigned URLs, as a browser captures it: 300-character keys, which rejected the whole event.
    const url = `https://bucket.example.com/a.png?X-Amz-Signature=${'f'.repeat(256)}`;
    const text = line({
      '@t': '2026-12-07T10:00:00.000Z',
      '@mt': 'Prefetched {@Sizes}',
      Sizes: { [url]: 1234 },
      ['k'.repeat(300)]: 1,
    });
    const { events, rejected } = parse(text);
    expect(rejected).toBe(0);
    expect({ ...events[0].properties }).toEqual(readCompactJson(text).properties);
    expect(parse(line({ '@mt': 'x', '': 1 })).reason).toBe('line 1: an empty property name');
  });

  it('rejects a timestamp on a day its month does not have, which Date.parse rolls into the next month, or with a year ISO 8601 does not write', () => {
    const at = (timestamp: string): string => line({ '@mt': 'x', '@t': timestamp });
    const impossible = ['2026-02-29', '2026-02-30T10:00:00Z', '2026-04-31T10:00Z', '2026-11-31 08:00:00+01:00', '1900-02-29'];
    // Years ISO 8601 (and toISOString) never write: five or six digits without a sign, a sign on
    // four, and -000000. Date.parse's fallback read them anyway (`-2026-01-01` as 2026,
    // `-000000-01-01` as 2001), so ClientTimestamp held text every ISO reader reads otherwise.
    impossible.push('12345-01-01', '123456-01-01T00:00:00Z', '+2026-01-01', '-2026-01-01', '-000000-01-01T00:00:00Z');
    const possible = [
      '2024-02-29T10:00:00Z',
      '2000-02-29',
      '2026-12-31T23:59:59.999Z',
      '2026-01-01T24:00:00Z',
      '+275760-09-13T00:00:00Z',
      '-000001-01-01T00:00:00.000Z',
      '+002026-01-01',
    ];
    const { events, rejected } = parse([...impossible, ...possible].map(at).join('\n'));
    expect(rejected).toBe(impossible.length);
    expect(events.map((event) => event.timestamp)).toEqual(possible);
  });

  it('rejects a line with invalid UTF-8 and keeps its neighbours', () => {
    const body = Buffer.concat([
      Buffer.from(`${line({ '@mt': 'a' })}\n{"@mt":"`),
      Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
      Buffer.from(`"}\n${line({ '@mt': 'b' })}`),
    ]);
    const { events, rejected } = parse(body);
    expect(events.map(messageOf)).toEqual(['a', 'b']);
    expect(rejected).toBe(1);
  });

  it('rejects deeply nested values, thousands of properties and long lines', () => {
    const deep = `{"@mt":"deep","D":${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
    const wide = line(Object.fromEntries([['@mt', 'wide'], ...Array.from({ length: 5_000 }, (_, i) => [`P${i}`, i])]));
    const wideNested = line({ '@mt': 'wide', P: Array.from({ length: 5_000 }, (_, i) => i) });
    const { events, rejected } = parse([deep, wide, wideNested, line({ '@mt': 'ok' })].join('\n'), { maxEventBytes: 200_000 });
    expect(events.map(messageOf)).toEqual(['ok']);
    expect(rejected).toBe(3);
    expect(parse(line({ '@mt': 'x'.repeat(5_000) })).rejected).toBe(1);
  });

  it('cuts a rendered message at maxEventBytes characters, so a short line cannot render into megabytes', () => {
    // 9 bytes of template, 10 000 characters of padding each: unbounded, this 4 KB line renders to 4.5 MB.
    const padded = line({ '@mt': '{A,10000}'.repeat(450), A: 1 });
    // One 2 000-character value repeated: 600 holes render 1.2 M characters.
    const repeated = line({ '@mt': '{A}'.repeat(600), A: 'y'.repeat(2_000) });
    // A cut never splits a surrogate pair: the third emoji straddles the limit.
    const emoji = `${'z'.repeat(2_046)}😀`;
    const { events, rejected } = parse([padded, repeated, line({ '@mt': 'x{A}{A}{A}', A: emoji })].join('\n'));
    expect(rejected).toBe(0);
    for (const event of events) expect(messageOf(event).length).toBeLessThanOrEqual(limits.maxEventBytes + 1);
    expect(messageOf(events[0])).toBe(`${' '.repeat(4_096)}…`);
    expect(messageOf(events[1])).toBe(`${'y'.repeat(4_096)}…`);
    expect(messageOf(events[2])).toBe(`x${emoji}${'z'.repeat(2_046)}…`);
    expect(messageOf(parse(line({ '@mt': 'Hi {Name}', Name: 'Ann' })).events[0])).toBe('Hi Ann');
  });

  // Within the message limit a 1 MiB body of `{A:0.00}` repeated formatted the number 128 000
  // times: half a second of CPU a request, the event loop blocked, five times a same-size body of
  // holes without a format. A hole written again now renders once per event.
  it('renders a hole written again once per event, so repeated formatted holes cost what holes without a format do', async () => {
    const wide = { maxEventBytes: 32_768, maxEvents: 1_000, maxProperties: 256 };
    const body = (hole: string): string =>
      Array<string>(32)
        .fill(line({ '@mt': hole.repeat(Math.floor(32_000 / hole.length)), A: 1.5 }))
        .join('\n');
    const render = (text: string): string[] => parse(text, wide).events.map(messageOf);
    const formatted = body('{A:0.00}');
    // As many holes, as long, without a format: a string renders as it is.
    const bare = body('{Bcdef}');
    expect(render(formatted)[0]).toBe('1.50'.repeat(4_000));
    // Warmed first: the bound compares the two, each measured at its best of three.
    const best = async (text: string): Promise<number> => {
      const times: number[] = [];
      for (let i = 0; i < 3; i++) times.push(await cpuMs(() => void render(text)));
      return Math.min(...times);
    };
    const bareMs = await best(bare);
    const formattedMs = await best(formatted);
    // About 1× with the fix; 2.5× without it.
    expect(formattedMs).toBeLessThan(1.5 * bareMs + 20);
    // A hole's own rendering (CLEF @r) still belongs to its position, not to its text.
    const own = parse(line({ '@mt': '{A:0.0} {A:0.0}', '@r': ['first', 'second'], A: 1.5 })).events[0];
    expect(messageOf(own)).toBe('first second');
  });

  it('counts lines past maxEvents as rejected and skips blank lines', () => {
    const body = Array.from({ length: 10 }, (_, i) => line({ '@mt': `e${i}` })).join('\n\n   \n');
    const { events, rejected } = parse(`${body}\n`, { maxEvents: 4 });
    expect(events).toHaveLength(4);
    expect(rejected).toBe(6);
  });

  it('skips a line that holds only a byte order mark (and blanks), as a blank line: a body of only a BOM is empty', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    expect(parse(bom)).toEqual({ events: [], rejected: 0 });
    const body = Buffer.concat([bom, Buffer.from(' \r\n'), bom, Buffer.from(`${line({ '@mt': 'kept' })}\n`), bom]);
    const { events, rejected } = parse(body);
    expect(rejected).toBe(0);
    expect(events.map(messageOf)).toEqual(['kept']);
  });

  it('keeps __proto__ and constructor as plain data, never as a prototype', () => {
    const { events } = parse('{"@mt":"{constructor}","__proto__":{"polluted":true},"constructor":"c","toString":"t"}');
    const properties = events[0].properties;
    expect(Object.getPrototypeOf(properties)).toBeNull();
    expect(Object.keys(properties)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(messageOf(events[0])).toBe('c');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2_000 }), (bytes) => {
        const { events, rejected } = parse(Buffer.from(bytes));
        expect(events.length + rejected).toBeLessThanOrEqual(limits.maxEvents);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 20 }), (values) => {
        const { events, rejected } = parse(values.map((v) => JSON.stringify(v)).join('\n'));
        expect(events.length + rejected).toBe(values.length);
      }),
      { numRuns: 300 },
    );
  });
});
