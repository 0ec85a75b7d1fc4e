/**
 * State every copy of rxlog in a process shares: an app that both `import`s and `require`s rxlog
 * (an ES module app whose dependency calls `require('rxlog')`) loads its ES module and CommonJS
 * builds side by side, and the ambient context, the global `Log` facade and SelfLog must be one
 * for both. Kept on `globalThis` under a `Symbol.for` key that names the state's shape version,
 * and made on first use, never at import (`sideEffects: false` holds).
 *
 * @example const state = sharedState('LogContext.v1', () => ({ store: new StackContextStore() }));
 */
export function sharedState<T extends object>(key: string, make: () => T): T {
  const slots = globalThis as unknown as Record<symbol, T | undefined>;
  return (slots[Symbol.for(`rxlog.${key}`)] ??= make());
}
