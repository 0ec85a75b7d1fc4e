import { expectOption } from '../../core/expect-option';
import { ConfigurationError } from '../../core/errors/configuration-error';
import { isPlainRecord } from '../../core/is-plain-record';
import { expectReadableOption } from '../../core/read-options';
import type { HttpHeaders } from './http-sink';

/**
 * `over` over `under`: when both are given, a function that merges, per request, what they give
 * (a fixed record or a headers function's result), `over`'s headers last so that they win (see
 * `HttpSink`'s `headers`: of two names that differ only in case, the later is sent). Otherwise
 * `over`, else `under`: an `over` that is not headers at all (a JavaScript caller's string) is
 * handed on as it is, for HttpSink to refuse.
 */
export function withHeaders(under: HttpHeaders | undefined, over: HttpHeaders | undefined): HttpHeaders | undefined {
  // Object(x) === x holds for objects (null-prototype ones too) and functions only.
  return under && Object(over) === over
    ? () => ({ ...readHeaders(under), ...readHeaders(over as HttpHeaders) })
    : (over ?? under);
}

/**
 * `headers` with one more header, `name: value`, over any of that name (see `withHeaders`).
 * Without a value (an option not given), `headers` as they are.
 */
export function withHeader(headers: HttpHeaders | undefined, name: string, value: string | undefined): HttpHeaders | undefined {
  return value === undefined ? headers : withHeaders(headers, { [name]: value });
}

/**
 * Checks a sink's `headers` option: a plain object of names to values, or a function giving one.
 * A `Headers` instance, a Map or an array of pairs has no own keys to read: taken as it is, every
 * request would go out without them (no API key, no tenant) and fail, or worse be accepted.
 *
 * @throws ConfigurationError naming `where` and the value.
 */
export function checkHeaders(where: string, headers: unknown): void {
  expectReadableOption(
    where,
    'the headers',
    'an object or a function (for a Headers instance: Object.fromEntries(headers))',
    headers,
    (given) => typeof given === 'function' || isPlainRecord(given),
  );
}

/**
 * The headers of the body's framing and of the connection, which fetch sets: Node's fetch fails
 * every request with one (a Content-Length other than the body's waits out the timeout), a browser
 * drops them. Shared with OtlpSink, which refuses a Connection of any value.
 */
export const FRAMING_HEADERS = 'content-length|transfer-encoding|connection|keep-alive|upgrade|expect';
const FRAMING = new RegExp(`^(${FRAMING_HEADERS})$`, 'i');
const FRAMING_EXPECTED =
  'no Content-Length, Transfer-Encoding, Keep-Alive, Upgrade or Expect, and a Connection only close or keep-alive';

/** Whether fetch fails a request with `name: value`: a framing header, or a Connection Node's fetch refuses. */
function fetchRefuses(name: string, value: unknown): boolean {
  return FRAMING.test(name) && !(/^connection$/i.test(name) && /^(close|keep-alive)$/i.test(`${value as string}`));
}

/**
 * Checks a fixed `headers` option for a header fetch fails every request with: a framing header
 * (see {@link FRAMING_HEADERS}), a name that is no HTTP token, or a value that is no header value
 * (a line break or other control character but tab inside it, a character past Latin-1), which
 * fetch and Node's http refuse (so a line break can never add a header of its own).
 *
 * @throws ConfigurationError naming `where`, the header and, for a framing header, its value (any
 *   other value, a secret as often as not, is not shown: the character and its index are).
 */
export function checkFramingHeaders(where: string, headers: unknown): void {
  if (isPlainRecord(headers))
    for (const name of Object.keys(headers)) {
      const at = `${where}[${JSON.stringify(name)}]`;
      const value: unknown = headers[name];
      if (!/^[\w!#$%&'*+.^`|~-]+$/.test(name))
        throw new ConfigurationError(`${at}: expected a header name (letters, digits and !#$%&'*+-.^_\`|~)`);
      // Fetch leaves out the tabs, spaces and line breaks around a value.
      checkHeaderValue(at, 'one', typeof value == 'string' ? value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '') : '');
      expectOption(
        !fetchRefuses(name, value),
        at,
        'no Content-Length, Transfer-Encoding, Keep-Alive, Upgrade or Expect header, and a Connection only close or keep-alive (fetch sets them)',
        value,
      );
    }
}

/**
 * Refuses a header `value` fetch cannot send (a control character but tab, a character past
 * Latin-1), naming the character and its index, not the value: a secret, in whatever records the
 * app's startup errors. `what` names the value in the message (`a key`).
 *
 * @throws ConfigurationError naming `where`.
 */
export function checkHeaderValue(where: string, what: string, value: string): void {
  const bad = value.search(/[^\t\x20-\x7e\x80-\xff]/);
  if (bad >= 0)
    throw new ConfigurationError(
      `${where}: expected a header value (Latin-1, no control characters but tab), got ${what} with U+${value.charCodeAt(bad).toString(16).toUpperCase().padStart(4, '0')} at index ${bad} (the ${what === 'one' ? 'value' : what.slice(2)} is not shown)`,
    );
}

/**
 * The headers a fixed record or a headers function gives now.
 *
 * @throws TypeError when a headers function gives anything but a plain object (the request fails, counted, with this reason).
 */
export function readHeaders(headers: HttpHeaders): Readonly<Record<string, string>> {
  if (typeof headers !== 'function') return headers;
  const given = headers();
  if (!isPlainRecord(given))
    throw new TypeError(
      'the headers function gave no object of header names to values (for a Headers instance: Object.fromEntries(headers))',
    );
  // One test per header: what fetch would fail on, said here instead of its "fetch failed".
  for (const name of Object.keys(given))
    if (fetchRefuses(name, given[name]))
      throw new TypeError(`the headers function gave a ${name} header (fetch sets it): ${FRAMING_EXPECTED}`);
  return given;
}
