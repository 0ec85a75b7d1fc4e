import { ConfigurationError } from '../../../lib/core/errors/configuration-error';
import { HttpSink, type HttpSinkOptions } from '../../../lib/sinks/http/http-sink';
import { LokiSink, type LokiSinkOptions } from '../../../lib/sinks/http/loki-sink';
import { SeqSink, type SeqSinkOptions } from '../../../lib/sinks/http/seq-sink';
import { makeEvents } from '../../helpers/events';
import { startTestServer, type TestServer } from '../../helpers/http-test-server';

/** What `make` throws when it builds a sink, or undefined. */
function thrownBy(make: () => unknown): unknown {
  try {
    make();
  } catch (error) {
    return error;
  }
  return undefined;
}

const boom = (): never => {
  throw new Error('boom');
};

/**
 * A plain object whose `key` is a getter that throws `new Error('boom')`, over `base` when given (its
 * prototype: spread, the getter would be called here).
 */
function throwingAt<T>(key: string, base?: object): T {
  const target = base === undefined ? {} : (Object.setPrototypeOf({}, base) as object);
  return Object.defineProperty(target, key, { enumerable: true, get: boom }) as T;
}

// Found by review: OtlpSink read its options once (readOptions), but HttpSink, SeqSink and LokiSink read
// each where they checked it, so a getter or Proxy trap that threw (a hostile or half-built options
// object) escaped the constructor as its own error, naming no option; and a getter that answered
// differently could pass a check with one value and be sent with another.
describe('HttpSink, SeqSink and LokiSink options', () => {
  let server: TestServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const sinks: [name: string, build: (options: object) => unknown, base: object, option: string][] = [
    ['HttpSink', (options) => new HttpSink(options as HttpSinkOptions), { url: 'http://h/logs' }, 'timeoutMs'],
    ['SeqSink', (options) => new SeqSink(options as SeqSinkOptions), { serverUrl: 'http://h:5341' }, 'apiKey'],
    ['LokiSink', (options) => new LokiSink(options as LokiSinkOptions), { url: 'http://h:3100' }, 'tenantId'],
  ];

  it.each(sinks)(
    '%s throws a ConfigurationError naming the option whose getter threw, the error as its cause',
    (name, build, base, option) => {
      for (const key of [option, 'headers', 'fetch']) {
        const error = thrownBy(() => build(throwingAt(key, base)));
        expect(error).toBeInstanceOf(ConfigurationError);
        expect((error as Error).message).toBe(`${name}: reading option "${key}" threw Error: boom`);
        expect((error as Error).cause).toEqual(new Error('boom'));
      }
      // Options whose names cannot be listed.
      const error = thrownBy(() => build(new Proxy(base, { ownKeys: boom })));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toBe(`${name}: reading the options threw Error: boom`);
    },
  );

  it.each(sinks)('%s throws a ConfigurationError naming the headers when a header getter throws', (name, build, base) => {
    const error = thrownBy(() => build({ ...base, headers: throwingAt('X-Team') }));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe(`${name}.headers: reading the headers threw Error: boom`);
    expect((error as Error).cause).toEqual(new Error('boom'));
  });

  it('LokiSink throws a ConfigurationError naming the labels when a label getter throws', () => {
    const error = thrownBy(() => new LokiSink({ url: 'http://h:3100', labels: throwingAt('app') }));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe('LokiSink.labels: reading the labels threw Error: boom');
    // A bad label is still named as before, not as a read that threw.
    expect(() => new LokiSink({ url: 'http://h:3100', labels: { __name__: 'x' } })).toThrow(
      'LokiSink.labels: "__name__" is not a valid Loki label name',
    );
  });

  // A real server on 127.0.0.1 (a mock receiver answering 201 as Seq does, 204 as Loki does): what
  // was checked is what is sent, each option read once.
  it('reads each option once, so the value checked is the value sent', async () => {
    server = await startTestServer((request) => ({ status: request.url.startsWith('/api/events/raw') ? 201 : 204 }));
    const url = server.url;
    const reads = new Map<string, number>();
    // A getter counted per read, whose first answer is `first` and every later one `later`.
    const shifting = <T>(values: Record<string, [first: unknown, later: unknown]>): T => {
      const out = {};
      for (const [key, [first, later]] of Object.entries(values))
        Object.defineProperty(out, key, {
          enumerable: true,
          get: () => {
            const count = (reads.get(key) ?? 0) + 1;
            reads.set(key, count);
            return count === 1 ? first : later;
          },
        });
      return out as T;
    };
    // A key fetch can send when checked, a tenant Loki takes: read again they would be a line break and '..'.
    const seq = new SeqSink(shifting<SeqSinkOptions>({ serverUrl: [url, url], apiKey: ['key-1', 'key\n2'] }));
    await seq.emit(makeEvents(1));
    expect(Object.fromEntries(reads)).toEqual({ serverUrl: 1, apiKey: 1 });
    reads.clear();
    const loki = new LokiSink(shifting<LokiSinkOptions>({ url: [url, url], tenantId: ['team-a', '..'] }));
    await loki.emit(makeEvents(1));
    expect(Object.fromEntries(reads)).toEqual({ url: 1, tenantId: 1 });
    reads.clear();
    const http = new HttpSink(shifting<HttpSinkOptions>({ url: [`${url}/logs`, `${url}/logs`], method: ['PUT', ''] }));
    await http.emit(makeEvents(1));
    expect(Object.fromEntries(reads)).toEqual({ url: 1, method: 1 });
    expect(
      server.requests.map((request) => [request.method, request.headers['x-seq-apikey'], request.headers['x-scope-orgid']]),
    ).toEqual([
      ['POST', 'key-1', undefined],
      ['POST', undefined, 'team-a'],
      ['PUT', undefined, undefined],
    ]);
  });
});
