/** Whether `value` is an object (not `null`, not a function): what a WeakMap can key and a walk can enter. */
export function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
