/**
 * The environment for a child process whose output a test compares as text: colours off.
 * `FORCE_COLOR` is left out, not only `NO_COLOR` set: jest's workers get `FORCE_COLOR=1` in a
 * colour terminal, and it wins over `NO_COLOR` for Node's own `console.log` and for ConsoleSink.
 * `extra` is added last (a test of `FORCE_COLOR` itself sets it there).
 */
export function plainEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  return { ...env, ...extra };
}
