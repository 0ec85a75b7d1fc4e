/** The FORCE_COLOR values that turn colours on in Node (`tty.getColorDepth`); any other turns them off. */
const FORCE_ON = /^(?:[123]|true)?$/;

/**
 * Whether the environment turns colours on or off, undefined when it says nothing, as Node's own
 * `console` reads it (`tty.getColorDepth`): `FORCE_COLOR` wins (on for `''`, `1`, `2`, `3` and
 * `true`, off for anything else: `0`, `false`, `no`), then `NO_COLOR` or `NODE_DISABLE_COLORS`
 * set to anything but the empty string (no-color.org; Node also counts an empty one) or
 * `TERM=dumb` turn them off. ConsoleSink and the `rxlog` command read it.
 *
 * @example colorsFromEnvironment({ NO_COLOR: '1', FORCE_COLOR: '1' }) // true
 */
export function colorsFromEnvironment(env: Record<string, string | undefined> | undefined): boolean | undefined {
  const force = env?.FORCE_COLOR;
  if (force !== undefined) return FORCE_ON.test(force);
  if (env?.NO_COLOR || env?.NODE_DISABLE_COLORS || env?.TERM === 'dumb') return false;
  return undefined;
}
