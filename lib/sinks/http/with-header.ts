import type { HttpHeaders } from './http-sink';

/**
 * `headers` with one more header, `name: value`, over any of that name: a fixed record stays a
 * record, a function stays a function (called per request as before).
 */
export function withHeader(headers: HttpHeaders | undefined, name: string, value: string): HttpHeaders {
  if (typeof headers === 'function') return () => ({ ...headers(), [name]: value });
  return { ...headers, [name]: value };
}
