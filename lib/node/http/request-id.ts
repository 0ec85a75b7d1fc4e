import { randomUUID } from 'node:crypto';
import { describeValue } from '../../core/describe-value';
import { SelfLog } from '../../core/self-log';
import { isThenable, reportRejection } from '../../operators/report-rejection';
import { parseTraceparent } from '../../core/trace-context';

/** Incoming request headers as Node's `IncomingHttpHeaders` (lower-case names) or any framework's equivalent. */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

const MAX_REQUEST_ID_LENGTH = 128;
// Printable ASCII without quotes or backslash: safe to echo in a header and to write in any log format.
const SAFE_REQUEST_ID = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * Whether `id` keeps rxlog's bounds for a request id a client may have chosen: printable ASCII
 * without quotes or backslash, at most 128 characters, so it can never break a header or a log line.
 */
export function isSafeRequestId(id: string): boolean {
  return id.length <= MAX_REQUEST_ID_LENGTH && SAFE_REQUEST_ID.test(id);
}

function first(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}

/**
 * The W3C `traceparent` header's trace id, or undefined when the header is absent or invalid
 * (wrong shape, version `ff`, or an all-zero trace or parent id). A version after `00` may carry
 * more fields after the flags, which are ignored, as the spec asks and OpenTelemetry's propagator
 * does; version `00` has exactly four.
 */
export function traceIdFromTraceparent(header: string | undefined): string | undefined {
  return parseTraceparent(header)?.traceId;
}

/**
 * The request id for a request: a valid incoming `x-request-id` (printable ASCII, at most 128
 * characters, so a client cannot inject line breaks or huge values), else the trace id of a valid
 * `traceparent`, else a fresh id from `generate` (a number it returns as a string). A `generate`
 * that throws or returns no id (`undefined`, `''`, a Promise: the id is needed at once) is reported
 * to SelfLog and a UUID is used, so it never costs a request its events; a Promise's rejection is
 * reported too, never left unhandled.
 */
export function requestIdFrom(headers: RequestHeaders, generate: () => string = randomUUID): string {
  const incoming = first(headers['x-request-id'])?.trim();
  if (incoming !== undefined && isSafeRequestId(incoming)) return incoming;
  return traceIdFromTraceparent(first(headers.traceparent)) ?? generated(generate);
}

function generated(generate: () => string): string {
  try {
    const id: unknown = generate();
    if (typeof id === 'string' && id !== '') return id;
    if (typeof id === 'number' && Number.isFinite(id)) return String(id);
    if (isThenable(id)) {
      SelfLog.write(
        'requestLogging.generateRequestId returned a Promise (an async function?); it must return the id synchronously; a UUID is used',
      );
      reportRejection(id, 'requestLogging.generateRequestId rejected');
      return randomUUID();
    }
    SelfLog.write('requestLogging.generateRequestId returned {Value}, not an id; a UUID is used', describeValue(id));
  } catch (error) {
    SelfLog.write('requestLogging.generateRequestId threw; a UUID is used', error);
  }
  return randomUUID();
}
