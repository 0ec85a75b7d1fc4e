import { isObject } from './is-object';
/**
 * Whether `value` is a plain record: an object whose prototype is `Object.prototype` or `null`
 * (an object literal, `Object.create(null)`, captured data). Class instances, Dates, Maps and
 * arrays are not.
 */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (!isObject(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
