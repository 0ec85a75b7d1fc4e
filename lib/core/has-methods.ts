/** Whether `value` is an object (not null) whose every one of `methods` is a function: how option checks tell a stream, a console or a formatter from a mistake. */
export function hasMethods(value: unknown, methods: readonly string[]): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function')
  );
}
