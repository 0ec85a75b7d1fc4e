/**
 * Sets `key` as an own, enumerable data property of `target`. A `"__proto__"` key (which
 * `JSON.parse` of untrusted text can produce) becomes an ordinary property instead of replacing
 * the prototype.
 */
export function setOwnProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * Copies `source`'s own enumerable properties onto `target`, as `{ ...source }` copies them (its
 * string names in order, then its symbols; a `"__proto__"` name as an own property), one name at a
 * time: V8 adds a name to an object a spread made on a slow path, about 50 times slower.
 */
export function copyOwnProperties(target: Record<string, unknown>, source: Readonly<Record<string, unknown>>): void {
  for (const key of Object.keys(source)) setOwnProperty(target, key, source[key]);
  for (const symbol of Object.getOwnPropertySymbols(source))
    if (Object.prototype.propertyIsEnumerable.call(source, symbol))
      (target as Record<symbol, unknown>)[symbol] = (source as Record<symbol, unknown>)[symbol];
}
