import { escapeControlCharacters } from '../../core/escape-control-characters';
import { bodyExcerpt } from './http-status-error';

/** The rejected count in a partial success cut short, compact (the Collector's) or pretty-printed, under either name. */
const CUT_ANSWER = /"rejected(?:LogRecords|_log_records)"\s*:\s*"?(\d+)[",\s]/;

/** What an OTLP collector's partial success says: how many records it rejected, and why. */
export interface OtlpPartialSuccess {
  /** Records the collector rejected (0 when it only warns). */
  readonly rejected: number;
  /** The collector's explanation, control characters escaped (`\u001b`), or `''`. */
  readonly message: string;
}

/**
 * The partial success of an OTLP/HTTP JSON export answer (`{"partialSuccess":{"rejectedLogRecords":"2","errorMessage":"…"}}`,
 * the int64 count as a string or a number, camelCase or the proto's snake_case names), or
 * `undefined` when the answer has none, or an empty one: not JSON, no `partialSuccess`, no
 * rejected records and no message. An answer cut short (past the 16 KiB HttpSink reads) whose count
 * comes before the cut, as collectors write it first, gives that count, its start as the message. Never throws.
 */
export function otlpPartialSuccess(responseText: string): OtlpPartialSuccess | undefined {
  let answer: unknown;
  try {
    answer = JSON.parse(responseText);
  } catch {
    // HttpSink reads an answer's first 16 KiB: a longer one (a long errorMessage) is cut, and is no
    // JSON. Its count, which collectors write first (the proto's field order), still counts.
    const count = CUT_ANSWER.exec(responseText)?.[1];
    answer = count && { partialSuccess: { rejectedLogRecords: count, errorMessage: bodyExcerpt(responseText) } };
  }
  // field() reads nothing from a value that is not an object: a partialSuccess that is not one
  // has no count and no message.
  const partial = field(answer, 'partialSuccess', 'partial_success');
  const count = field(partial, 'rejectedLogRecords', 'rejected_log_records');
  const rejected = typeof count === 'number' || typeof count === 'string' ? Number(count) : 0;
  const text = field(partial, 'errorMessage', 'error_message');
  // Escaped as an answer's body is (see bodyExcerpt): it goes to SelfLog.
  const message = typeof text === 'string' ? escapeControlCharacters(text) : '';
  // A whole count (an int64, so past 2^53 too: as many as there can be, which the caller caps at its batch).
  const whole = typeof count === 'string' ? /^\d+$/.test(count) : Number.isInteger(count);
  const valid = whole && rejected > 0 ? Math.min(rejected, Number.MAX_SAFE_INTEGER) : 0;
  return valid === 0 && message === '' ? undefined : { rejected: valid, message };
}

function field(value: unknown, name: string, protoName: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  return Object.hasOwn(record, name) ? record[name] : Object.hasOwn(record, protoName) ? record[protoName] : undefined;
}
