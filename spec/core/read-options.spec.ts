import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { readOptions } from '../../lib/core/read-options';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { MemorySink } from '../../lib/sinks/memory-sink';

/** An options object whose own names cannot be listed: a Proxy over a closed resource, say. */
const unlistable = (): object =>
  new Proxy(
    {},
    {
      ownKeys() {
        throw new Error('vault sealed');
      },
    },
  );

describe('readOptions', () => {
  it('throws a ConfigurationError, not the Proxy’s error, when the names cannot be listed', () => {
    const read = (): unknown => readOptions('batch', unlistable(), ['size']);
    expect(read).toThrow(ConfigurationError);
    expect(read).toThrow('batch: reading the options threw Error: vault sealed');
  });

  it('refuses an array, which would otherwise read as every default', () => {
    const read = (): unknown => readOptions('batch', [], ['size']);
    expect(read).toThrow(ConfigurationError);
    expect(read).toThrow('batch: expected options, got Array');
  });

  it('reads each own key and each name once, leaving undefined out', () => {
    let reads = 0;
    const options = {
      get size() {
        reads++;
        return 5;
      },
      maxDelayMs: undefined,
    };
    expect({ ...readOptions('batch', options, ['size', 'maxDelayMs']) }).toEqual({ size: 5 });
    expect(reads).toBe(1);
  });
});

describe('LoggerConfiguration options objects', () => {
  const configure = new LoggerConfiguration();

  it.each([
    ['writeTo.sink options', () => configure.writeTo.sink(new MemorySink(), [] as never)],
    ['writeTo.sink batch', () => configure.writeTo.sink(new MemorySink(), { batch: [] as never })],
    ['writeTo.sink queue', () => configure.writeTo.sink(new MemorySink(), { queue: [] as never })],
    ['writeTo.sink retry', () => configure.writeTo.sink(new MemorySink(), { retry: [] as never })],
    ['writeTo.console options', () => configure.writeTo.console([] as never)],
  ])('%s: an empty array is a ConfigurationError, not "all defaults"', (_, call) => {
    expect(call).toThrow(ConfigurationError);
    expect(call).toThrow('expected options, got Array');
  });

  it('destructure.redact: options whose names cannot be listed are a ConfigurationError', () => {
    const call = (): unknown => configure.destructure.redact(unlistable());
    expect(call).toThrow(ConfigurationError);
    expect(call).toThrow('destructure.redact: reading the options threw Error: vault sealed');
  });
});
