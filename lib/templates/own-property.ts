/**
 * Sets `key` as an own, enumerable data property of `target`. A `"__proto__"` key (which
 * `JSON.parse` of untrusted text can produce) becomes an ordinary property instead of replacing
 * the prototype.
 */
export function setOwnProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
