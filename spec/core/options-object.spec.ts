import { runInNewContext } from 'node:vm';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { batchEvents } from '../../lib/operators/batch-events';
import { retryWithBackoff } from '../../lib/operators/retry-with-backoff';
import { tapLog } from '../../lib/operators/tap-log';
import { ConsoleSink } from '../../lib/sinks/console-sink';
import { LokiSink } from '../../lib/sinks/http/loki-sink';
import { OtlpSink } from '../../lib/sinks/http/otlp-sink';
import { SeqSink } from '../../lib/sinks/http/seq-sink';
import { MemorySink } from '../../lib/sinks/memory-sink';

// Objects that are not options: each one's settings are not properties, so without the check every
// one of them read as "all defaults" and the settings were lost without a word.
const notOptions: [string, () => object][] = [
  ['Map', () => new Map([['minimumLevel', 'error']])],
  ['Set', () => new Set(['size'])],
  ['Date', () => new Date(0)],
  ['RegExp', () => /size/],
  ['Number', () => Object(5) as object],
  ['String', () => Object('size') as object],
  ['Boolean', () => Object(true) as object],
  ['Promise', () => Promise.resolve({ size: 5 })],
  ['WeakMap', () => new WeakMap()],
  ['Map', () => runInNewContext('new Map([["size", 5]])') as object], // another realm (an iframe's, say)
  // An Error (a caught value passed on by mistake), a DOMException, a typed array or a buffer.
  ['Error', () => new Error('size')],
  ['TypeError', () => new TypeError('size')],
  ['RangeError', () => runInNewContext('new RangeError("size")') as object],
  ['DOMException', () => new DOMException('aborted', 'AbortError')],
  ['Uint8Array', () => new TextEncoder().encode('{"size":5}')],
  ['Buffer', () => Buffer.from('{"size":5}')],
  ['Float64Array', () => new Float64Array(2)],
  ['ArrayBuffer', () => new ArrayBuffer(8)],
  ['DataView', () => new DataView(new ArrayBuffer(8))],
];

const log = new LoggerConfiguration().createLogger();
// Entry points that take an options bag: a LoggerConfiguration method, one of its nested bags, operators, sinks.
const entries: [string, (options: object) => unknown][] = [
  ['writeTo.sink', (o) => new LoggerConfiguration().writeTo.sink(new MemorySink(), o)],
  ['writeTo.sink(memory).queue', (o) => new LoggerConfiguration().writeTo.sink(new MemorySink(), { queue: o })],
  ['writeTo.console', (o) => new LoggerConfiguration().writeTo.console(o)],
  ['batchEvents', (o) => batchEvents(o)],
  ['retryWithBackoff', (o) => retryWithBackoff(o as never)],
  ['tapLog: captureLimits', (o) => tapLog(log, { name: 'orders', captureLimits: o })],
  ['ConsoleSink', (o) => new ConsoleSink(o)],
  ['SeqSink', (o) => new SeqSink(o as never)],
  ['OtlpSink', (o) => new OtlpSink(o)],
  ['LokiSink', (o) => new LokiSink(o as never)],
  ['SeqSink.offline', (o) => new SeqSink({ serverUrl: 'http://127.0.0.1:5341', offline: o })],
];

const table = entries.flatMap(([where, build]) => notOptions.map(([kind, value]) => [where, kind, build, value] as const));

describe('an options argument that is an object but not options', () => {
  it.each(table)('%s refuses a %s when it is built', (where, kind, build, value) => {
    const call = (): unknown => build(value());
    expect(call).toThrow(ConfigurationError);
    expect(call).toThrow(`${where}: expected options, got ${kind}`);
  });

  it('refuses a function where options are expected', () => {
    const call = (): unknown =>
      new LoggerConfiguration().writeTo.sink(new MemorySink(), { batch: function settings() {} as never });
    expect(call).toThrow('writeTo.sink(memory).batch: expected options, got function settings');
  });

  it('keeps reading an options class instance, its fields as options', () => {
    class BatchSettings {
      readonly size = 2;
      readonly maxDelayMs = Infinity;
    }
    const memory = new MemorySink();
    const logger = new LoggerConfiguration().writeTo.sink(memory, { batch: new BatchSettings() }).createLogger();
    logger.information('a');
    expect(memory.events).toHaveLength(0); // held for a batch of 2: the class's size was read
    logger.information('b');
    expect(memory.events).toHaveLength(2);
    expect(() => batchEvents(new BatchSettings())).not.toThrow();
  });
});
