/**
 * Whether `value` says it is an Error as `Object.prototype.toString` reads it (`[object Error]`):
 * an Error of another realm (a vm context, Node's own inside Jest), or one whose prototype was
 * taken away, which `instanceof Error` misses. May throw (a Proxy's trap): callers guard.
 */
export function hasErrorBrand(value: unknown): boolean {
  return Object.prototype.toString.call(value) === '[object Error]';
}
