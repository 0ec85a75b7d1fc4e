import type { HttpHeaders } from './http-sink';

/**
 * `headers` with one more header, `name: value`, over any of that name: a fixed record stays a
 * record, a function stays a function (called per request as before). Without a value (an
 * option not given), `headers` as they are.
 */
export function withHeader(headers: HttpHeaders | undefined, name: string, value: string | undefined): HttpHeaders | undefined {
  if (value === undefined) return headers;
  if (typeof headers === 'function') return () => ({ ...headers(), [name]: value });
  return { ...headers, [name]: value };
}
