import { SelfLog } from '../../core/self-log';
import { MAX_TIMER_MS } from '../../core/max-timer-ms';
import { isHttpUrlHere } from './page-url';
import { FRAMING_HEADERS } from './with-header';

/** Environment variables by name, as `process.env` holds them. */
export type EnvironmentVariables = Readonly<Record<string, string | undefined>>;

/** What the standard OpenTelemetry environment variables say about an OTLP logs exporter. */
export interface OtlpEnvironment {
  /** `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT` as it is, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/logs`. */
  readonly endpoint?: string | undefined;
  /**
   * The variable that asks for the `grpc` protocol (`OTEL_EXPORTER_OTLP_LOGS_PROTOCOL`, else
   * `OTEL_EXPORTER_OTLP_PROTOCOL`) when `endpoint` comes from the variables; OtlpSink sends OTLP/HTTP JSON only.
   */
  readonly grpc?: string | undefined;
  /**
   * The first certificate file variable set (`OTEL_EXPORTER_OTLP_[LOGS_]CERTIFICATE`, `_CLIENT_CERTIFICATE`,
   * `_CLIENT_KEY`), which fetch cannot use: OtlpSink says so (see `createNodeHttpFetch`'s `tls`).
   */
  readonly certificate?: string | undefined;
  /**
   * The compression variable read (`OTEL_EXPORTER_OTLP_LOGS_COMPRESSION`, else
   * `OTEL_EXPORTER_OTLP_COMPRESSION`) when it asks for one (`gzip`, or a value no exporter knows):
   * OtlpSink sends its bodies uncompressed, and says so.
   */
  readonly compression?: string | undefined;
  /** `OTEL_EXPORTER_OTLP_HEADERS`, with `OTEL_EXPORTER_OTLP_LOGS_HEADERS` over it; undefined when neither is set. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** `OTEL_EXPORTER_OTLP_LOGS_TIMEOUT` in milliseconds, else `OTEL_EXPORTER_OTLP_TIMEOUT`: each one only when it is a whole delay (> 0, at most 2^31 - 1), or 0: no limit (Infinity). */
  readonly timeoutMs?: number | undefined;
  /** `OTEL_SERVICE_NAME`. */
  readonly serviceName?: string | undefined;
  /** `OTEL_RESOURCE_ATTRIBUTES`, all values strings, without an empty `service.name`. */
  readonly resource: Readonly<Record<string, string>>;
}

/** `process.env` where there is one (Node), else nothing (browsers). */
export function processEnvironment(): EnvironmentVariables {
  const env = (globalThis as { process?: { env?: unknown } }).process?.env;
  return typeof env === 'object' && env !== null ? (env as EnvironmentVariables) : {};
}

/**
 * The `service.name` of a service that names none, as the resource semantic conventions require
 * and the OpenTelemetry JS SDK writes it: `unknown_service:` and the Node executable
 * (`process.argv0`, e.g. `unknown_service:node`), or `unknown_service` where there is no process
 * (browsers: see `BROWSER_SERVICE_NAME`).
 */
export function defaultServiceName(): string {
  const argv0 = (globalThis as { process?: { argv0?: unknown } }).process?.argv0;
  return typeof argv0 === 'string' && argv0 !== '' ? `unknown_service:${argv0}` : BROWSER_SERVICE_NAME;
}

/** `defaultServiceName()` where there is no process: a browser, whose `telemetry.sdk.language` is `webjs`, not `nodejs`. */
export const BROWSER_SERVICE_NAME = 'unknown_service';

/**
 * Reads the OpenTelemetry exporter variables, as the OpenTelemetry specification defines them:
 * the logs endpoint is used as it is, the generic one gets `v1/logs` appended to its path (after a
 * `/` when it has none, before a query), and one that is no http or https URL (an absolute one, but
 * in a browser) is ignored; the timeout is milliseconds, the logs one over the generic one; headers and resource attributes are `key=value` lists separated by commas, with
 * percent-encoded values. An empty variable counts as unset, and so does an empty `service.name`
 * attribute. A header entry that is not
 * `key=value` (or is not a header fetch can send, or is one the sink sets: Content-Type, Content-Length, Content-Encoding, Transfer-Encoding, Connection, Keep-Alive, Upgrade, Expect) is skipped; a resource attribute list that fails to decode is discarded whole.
 * Both are reported to SelfLog. Never throws.
 */
export function readOtlpEnvironment(env: EnvironmentVariables = processEnvironment()): OtlpEnvironment {
  const logsEndpoint = url(env, 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT');
  // Read only when needed: a generic variable that is no URL is reported only when it would be used.
  const base = logsEndpoint === undefined ? url(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') : undefined;
  const endpoint = logsEndpoint ?? (base === undefined ? undefined : signalUrl(base));
  // The logs variable over the generic one, as for the endpoint; `grpc` ends naming the one read last.
  let grpc = 'OTEL_EXPORTER_OTLP_LOGS_PROTOCOL';
  // An enum, read in any case as the environment variable specification asks: GRPC is grpc.
  const protocol = (value(env, grpc) ?? value(env, (grpc = 'OTEL_EXPORTER_OTLP_PROTOCOL')))?.toLowerCase();
  const generic = keyValueList(env, 'OTEL_EXPORTER_OTLP_HEADERS', false, HEADER_NAME, HEADER_VALUE);
  const forLogs = keyValueList(env, 'OTEL_EXPORTER_OTLP_LOGS_HEADERS', false, HEADER_NAME, HEADER_VALUE);
  const headers = generic === undefined && forLogs === undefined ? undefined : { ...generic, ...forLogs };
  const resource = keyValueList(env, 'OTEL_RESOURCE_ATTRIBUTES', true) ?? {};
  const serviceName = value(env, 'OTEL_SERVICE_NAME');
  // An empty service.name names no service, as an empty OTEL_SERVICE_NAME does not: the resource
  // conventions' unknown_service fallback applies (the JS SDK would send it empty; the option refuses it).
  if (resource['service.name'] === '') {
    delete resource['service.name'];
    if (serviceName === undefined) SelfLog.write('OTEL_RESOURCE_ATTRIBUTES has an empty service.name; it is ignored');
  }
  // The exporter specification's certificate files, logs ones first: fetch takes none (see OtlpSink).
  const certificate = ['CERTIFICATE', 'CLIENT_CERTIFICATE', 'CLIENT_KEY']
    .flatMap((name) => [`OTEL_EXPORTER_OTLP_LOGS_${name}`, `OTEL_EXPORTER_OTLP_${name}`])
    .find((name) => value(env, name));
  // The logs variable over the generic one, as for the protocol; `none` (any case) asks for nothing.
  let compression = 'OTEL_EXPORTER_OTLP_LOGS_COMPRESSION';
  const compressed = (value(env, compression) ?? value(env, (compression = 'OTEL_EXPORTER_OTLP_COMPRESSION')))?.toLowerCase();
  // As the OpenTelemetry JS exporter reads them: an invalid logs timeout leaves the generic one.
  const timeoutMs = timeout(env, 'OTEL_EXPORTER_OTLP_LOGS_TIMEOUT') ?? timeout(env, 'OTEL_EXPORTER_OTLP_TIMEOUT');
  return {
    ...(endpoint === undefined ? {} : protocol === 'grpc' ? { endpoint, grpc } : { endpoint }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(headers === undefined ? {} : { headers }),
    ...(serviceName === undefined ? {} : { serviceName }),
    ...(certificate === undefined ? {} : { certificate }),
    ...(compressed === undefined || compressed === 'none' ? {} : { compression }),
    resource,
  };
}

function value(env: EnvironmentVariables, name: string): string | undefined {
  let text: unknown;
  try {
    text = env[name];
  } catch {
    return undefined;
  }
  if (typeof text !== 'string') return undefined;
  const trimmed = text.trim();
  return trimmed === '' ? undefined : trimmed;
}

/**
 * An endpoint variable, when it is an http or https URL (absolute, or relative to the page in a
 * browser, as the `endpoint` option may be); else undefined, and said on SelfLog (without the value,
 * which may hold credentials). As the OpenTelemetry JS exporter reads it: a variable that is no URL
 * counts as unset (the logs one gives way to the generic one, that one to the default), where taking
 * it would fail the sink's construction naming an option the app never gave; so does one of another
 * scheme, which would fail every request instead.
 */
function url(env: EnvironmentVariables, name: string): string | undefined {
  const text = value(env, name);
  if (text === undefined) return undefined;
  if (isHttpUrlHere(text)) return text;
  SelfLog.write('{Name} is not an absolute http or https URL; it is ignored', name);
  return undefined;
}

/**
 * The logs URL of the generic endpoint: `v1/logs` appended to its path (after a `/` when the path
 * has none), before a query or fragment, as the Go exporter joins them; the rest as it is.
 */
function signalUrl(base: string): string {
  // The path's end: before the first '?' or '#', else the end; a '/' there is the one before v1/logs.
  return base.replace(/\/?(?=[?#]|$)/, '/v1/logs');
}

/**
 * A timeout variable's milliseconds, when it is a whole delay a timer can wait, or Infinity for 0, which
 * the specification's Timeout type asks to be no limit (the JS exporter ignores it); else undefined,
 * and said on SelfLog.
 */
function timeout(env: EnvironmentVariables, name: string): number | undefined {
  const text = value(env, name);
  if (text === undefined) return undefined;
  const ms = Number(text);
  if (ms === 0) return Infinity;
  // A whole number (the specification's Timeout is an integer): 2.5, meant as seconds, would cut
  // every request after 2.5 ms.
  if (ms > 0 && ms <= MAX_TIMER_MS && Number.isInteger(ms)) return ms;
  SelfLog.write('{Name} is not a timeout in whole milliseconds (0 for none, else at most 2147483647); it is ignored', name);
  return undefined;
}

/** The headers of the body's framing and encoding and of the connection, which the sink and fetch set (see `HEADER_NAME`). */
export const OWN_HEADERS = `content-encoding|${FRAMING_HEADERS}`;

/**
 * An HTTP header name (a token): what fetch accepts; but Content-Type, since the body is always
 * OTLP/JSON (the OpenTelemetry JS exporter puts its own over the variables' too), and the headers
 * of the body's framing and encoding and of the connection, which the sink and fetch set: sent,
 * Node's fetch fails every request (Transfer-Encoding, Keep-Alive, Upgrade, Expect), waits out its
 * timeout (a short Content-Length), or the collector refuses the uncompressed body as gzip (400).
 * Connection too: Node's fetch fails every request whose value is not close or keep-alive.
 */
const HEADER_NAME = new RegExp(`^(?!(content-type|${OWN_HEADERS})$)[!#$%&'*+.^\`|~\\w-]+$`, 'i');
/** A header value fetch can send: Latin-1, no control characters but tab. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * A `key=value,…` variable as a record; an entry that is not `key=value`, does not decode or
 * (decoded) does not match `keyPattern` and `valuePattern` is skipped, or with `discardAll` makes
 * the whole variable count as unset. Either is reported to SelfLog.
 */
function keyValueList(
  env: EnvironmentVariables,
  name: string,
  discardAll: boolean,
  keyPattern = /^/,
  valuePattern = /^/,
): Record<string, string> | undefined {
  const text = value(env, name);
  if (text === undefined) return undefined;
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const entry of text.split(',')) {
    if (entry.trim() === '') continue;
    const equals = entry.indexOf('=');
    const key = equals < 0 ? '' : decode(entry.slice(0, equals).trim());
    const decoded = equals < 0 ? undefined : decode(entry.slice(equals + 1).trim());
    if (key === undefined || key === '' || decoded === undefined || !keyPattern.test(key) || !valuePattern.test(decoded)) {
      SelfLog.write(
        '{Name} has an entry that is not key=value, does not decode or is not valid there; {Ignored} is ignored',
        name,
        discardAll ? 'the whole variable' : 'the entry',
      );
      if (discardAll) return undefined;
    } else {
      out[key] = decoded;
    }
  }
  return { ...out };
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
