import { SelfLog, type SelfLogEvent } from '../../../lib/core/self-log';
import { processEnvironment, readOtlpEnvironment } from '../../../lib/sinks/http/otlp-environment';
import { collectSelfLog } from '../../helpers/self-log';

describe('readOtlpEnvironment', () => {
  it('uses the logs endpoint as it is, over the generic one', () => {
    expect(
      readOtlpEnvironment({
        OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://logs:4318/custom',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      }).endpoint,
    ).toBe('http://logs:4318/custom');
  });

  it('appends v1/logs to the generic endpoint, with or without its trailing slash or a path', () => {
    const endpoint = (base: string): string | undefined => readOtlpEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: base }).endpoint;
    expect(endpoint('http://collector:4318')).toBe('http://collector:4318/v1/logs');
    expect(endpoint('http://collector:4318/')).toBe('http://collector:4318/v1/logs');
    expect(endpoint('https://gw.example/otlp')).toBe('https://gw.example/otlp/v1/logs');
  });

  it('ignores an endpoint variable that is no absolute URL, as the OpenTelemetry JS exporter does, and says so on SelfLog without its value', () => {
    const seen: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((event) => seen.push(event));
    const endpoint = (env: Record<string, string>): string | undefined => readOtlpEnvironment(env).endpoint;
    try {
      // The logs variable unusable: the generic one's, else none (the sink's default).
      expect(endpoint({ OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'collector 4318', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe(
        'http://c:4318/v1/logs',
      );
      expect(endpoint({ OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: '/v1/logs' })).toBeUndefined();
      expect(endpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://[::1' })).toBeUndefined();
    } finally {
      subscription.unsubscribe();
    }
    expect(seen.map((e) => e.message.replace(/^\S+ rxlog: /, ''))).toEqual([
      'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT is not an absolute http or https URL; it is ignored',
      'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT is not an absolute http or https URL; it is ignored',
      'OTEL_EXPORTER_OTLP_ENDPOINT is not an absolute http or https URL; it is ignored',
    ]);
  });

  // The exporter specification: an OTLP/HTTP endpoint's scheme is http or https. `collector:4318`
  // (a gRPC-style host:port) parses as a URL whose scheme is `collector:`, which fetch cannot send to:
  // taken, every batch would fail with "fetch failed" and be retried for ever.
  it('ignores an endpoint variable whose scheme is not http or https (a host:port without one), and says so on SelfLog without its value', () => {
    const seen: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((event) => seen.push(event));
    const endpoint = (env: Record<string, string>): string | undefined => readOtlpEnvironment(env).endpoint;
    try {
      expect(
        endpoint({
          OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'otel-collector:4318/v1/logs',
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
        }),
      ).toBe('http://c:4318/v1/logs');
      expect(endpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' })).toBeUndefined();
      expect(endpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://c:4317' })).toBeUndefined();
      // Any case of the two schemes is one.
      expect(endpoint({ OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'HTTPS://c/v1/logs' })).toBe('HTTPS://c/v1/logs');
    } finally {
      subscription.unsubscribe();
    }
    expect(seen.map((e) => e.message.replace(/^\S+ rxlog: /, ''))).toEqual([
      'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT is not an absolute http or https URL; it is ignored',
      'OTEL_EXPORTER_OTLP_ENDPOINT is not an absolute http or https URL; it is ignored',
      'OTEL_EXPORTER_OTLP_ENDPOINT is not an absolute http or https URL; it is ignored',
    ]);
  });

  it('appends v1/logs to the path of a generic endpoint with a query or fragment, not to the query', () => {
    const endpoint = (base: string): string | undefined => readOtlpEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: base }).endpoint;
    expect(endpoint('https://gw.example/otlp?tenant=a')).toBe('https://gw.example/otlp/v1/logs?tenant=a');
    expect(endpoint('https://gw.example/?tenant=a/b')).toBe('https://gw.example/v1/logs?tenant=a/b');
    expect(endpoint('https://gw.example?tenant=a')).toBe('https://gw.example/v1/logs?tenant=a');
    expect(endpoint('https://gw.example/otlp#x')).toBe('https://gw.example/otlp/v1/logs#x');
  });

  it('takes a relative endpoint variable on a page, as the endpoint option is resolved against it there', () => {
    const global = globalThis as { location?: unknown };
    global.location = { href: 'https://shop.example/app/' };
    try {
      expect(readOtlpEnvironment({ OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: '/v1/logs' }).endpoint).toBe('/v1/logs');
    } finally {
      delete global.location;
    }
  });

  it('treats empty and blank variables as unset', () => {
    expect(
      readOtlpEnvironment({ OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: ' ', OTEL_SERVICE_NAME: '', OTEL_EXPORTER_OTLP_HEADERS: '' }),
    ).toEqual({
      resource: {},
    });
  });

  it('reads headers as percent-encoded key=value lists, the logs-specific ones over the generic ones', () => {
    expect(
      readOtlpEnvironment({
        OTEL_EXPORTER_OTLP_HEADERS: 'api-key=secret, tenant=a%20b ,x=1',
        OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'x=2,auth=Basic%20dTpw%3D%3D',
      }).headers,
    ).toEqual({ 'api-key': 'secret', tenant: 'a b', x: '2', auth: 'Basic dTpw==' });
  });

  it('skips a header entry that is not key=value, and says so on SelfLog', () => {
    const seen: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((event) => seen.push(event));
    const { headers } = readOtlpEnvironment({ OTEL_EXPORTER_OTLP_HEADERS: 'broken,=nokey,bad=%E0%A4%A,ok=1' });
    subscription.unsubscribe();
    expect(headers).toEqual({ ok: '1' });
    expect(seen).toHaveLength(3);
  });

  it('reads service name and resource attributes; a resource list that does not decode is discarded whole', () => {
    expect(
      readOtlpEnvironment({
        OTEL_SERVICE_NAME: 'checkout',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,team=pay%2Cments,__proto__=x',
      }),
    ).toEqual({
      serviceName: 'checkout',
      resource: { 'deployment.environment': 'prod', team: 'pay,ments', ['__proto__']: 'x' },
    });
    expect(readOtlpEnvironment({ OTEL_RESOURCE_ATTRIBUTES: 'a=1,b=%ZZ' }).resource).toEqual({});
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  // OTLP exporter specification, "Configuration Options": OTEL_EXPORTER_OTLP_TIMEOUT and
  // OTEL_EXPORTER_OTLP_LOGS_TIMEOUT, "Maximum time the OTLP exporter will wait for each batch export",
  // in milliseconds, default 10s. As @opentelemetry/otlp-exporter-base's shared-env-configuration.js
  // reads them: the logs one if it is a number > 0, else the generic one if it is.
  it('reads the export timeout in milliseconds, the logs one over the generic one; one that is not a delay is ignored, on SelfLog', () => {
    const timeout = (env: Record<string, string>): number | undefined => readOtlpEnvironment(env).timeoutMs;
    expect(timeout({ OTEL_EXPORTER_OTLP_TIMEOUT: '30000' })).toBe(30_000);
    expect(timeout({ OTEL_EXPORTER_OTLP_TIMEOUT: ' 30000 ', OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: '5000' })).toBe(5_000);
    expect(timeout({ OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: '2.5e3' })).toBe(2_500);
    expect(timeout({})).toBeUndefined();
    const seen: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((event) => seen.push(event));
    try {
      // Past 2^31 - 1 ms a timer fires at once: no delay either.
      for (const bad of ['10s', '-5', 'Infinity', 'NaN', '2147483648'])
        expect(timeout({ OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: bad, OTEL_EXPORTER_OTLP_TIMEOUT: '7000' })).toBe(7_000);
      expect(seen).toHaveLength(5);
      expect(seen[0].message).toContain('OTEL_EXPORTER_OTLP_LOGS_TIMEOUT');
      expect(timeout({ OTEL_EXPORTER_OTLP_TIMEOUT: 'soon' })).toBeUndefined();
      expect(timeout({ OTEL_EXPORTER_OTLP_TIMEOUT: '' })).toBeUndefined();
      expect(seen).toHaveLength(6);
    } finally {
      subscription.unsubscribe();
    }
  });

  // The environment variable specification (configuration/common.md, "Timeout"): "Any value that
  // represents a timeout MUST be an integer representing a number of milliseconds". Before, a
  // fraction was taken as it was: 2.5 (seconds, as an SDK that reads the variable in seconds has it)
  // cut every request after 2.5 ms, so every batch timed out. A whole number in another form (2.5e3)
  // is still read, as the OpenTelemetry JS exporter reads it.
  it('ignores a timeout that is not a whole number of milliseconds, on SelfLog, and keeps the generic one or the default', () => {
    const seen = collectSelfLog();
    try {
      for (const fraction of ['2.5', '0.5', '1e-3', '10000.5'])
        expect(
          readOtlpEnvironment({ OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: fraction, OTEL_EXPORTER_OTLP_TIMEOUT: '7000' }).timeoutMs,
        ).toBe(7_000);
      expect(readOtlpEnvironment({ OTEL_EXPORTER_OTLP_TIMEOUT: '2.5' }).timeoutMs).toBeUndefined();
      expect(seen.diagnostics).toHaveLength(5);
      expect(seen.diagnostics[0].message).toContain('OTEL_EXPORTER_OTLP_LOGS_TIMEOUT');
    } finally {
      seen.stop();
    }
  });

  // The environment variable specification (configuration/common.md, "Timeout"): "Implementations
  // SHOULD interpret timeout zero values (i.e. `0` indicating 0 milliseconds) as no limit". Before,
  // a 0 was ignored as no delay (as the OpenTelemetry JS exporter ignores it) and requests were cut
  // at the 10 s default.
  it('takes a timeout of 0 as no limit (Infinity), as the specification asks, the logs one over the generic one, without a word', () => {
    const seen: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((event) => seen.push(event));
    try {
      expect(readOtlpEnvironment({ OTEL_EXPORTER_OTLP_TIMEOUT: '0' }).timeoutMs).toBe(Infinity);
      expect(readOtlpEnvironment({ OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: ' 0 ', OTEL_EXPORTER_OTLP_TIMEOUT: '7000' }).timeoutMs).toBe(
        Infinity,
      );
      expect(readOtlpEnvironment({ OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: '5000', OTEL_EXPORTER_OTLP_TIMEOUT: '0' }).timeoutMs).toBe(
        5_000,
      );
    } finally {
      subscription.unsubscribe();
    }
    expect(seen).toEqual([]);
  });

  // The environment variable specification: "Enum values SHOULD be interpreted in a case-insensitive
  // manner" (OTEL_EXPORTER_OTLP_PROTOCOL is an enum). Before, GRPC or Grpc passed as not gRPC, and
  // the sink said nothing while every batch failed on the collector's gRPC port.
  it('reads the protocol variables in any case: GRPC is grpc', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317' };
    expect(readOtlpEnvironment({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'GRPC' }).grpc).toBe('OTEL_EXPORTER_OTLP_PROTOCOL');
    expect(readOtlpEnvironment({ ...endpoint, OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'gRPC' }).grpc).toBe(
      'OTEL_EXPORTER_OTLP_LOGS_PROTOCOL',
    );
    expect(
      readOtlpEnvironment({ ...endpoint, OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'HTTP/JSON', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })
        .grpc,
    ).toBeUndefined();
  });

  it('reads process.env by default, and nothing where there is no process (browsers)', () => {
    expect(processEnvironment()).toBe(process.env);
    const saved = globalThis.process;
    try {
      (globalThis as { process?: unknown }).process = undefined;
      expect(processEnvironment()).toEqual({});
      expect(readOtlpEnvironment()).toEqual({ resource: {} });
    } finally {
      globalThis.process = saved;
    }
  });
});
