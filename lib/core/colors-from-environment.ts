/**
 * Whether the environment turns colours on or off, undefined when it says nothing: `FORCE_COLOR`
 * (on unless `0` or `false`, as in Node and supports-color) wins over `NO_COLOR` set to anything
 * but the empty string (no-color.org), then `TERM=dumb` turns them off. ConsoleSink and the
 * `rxlog` command read it.
 *
 * @example colorsFromEnvironment({ NO_COLOR: '1', FORCE_COLOR: '1' }) // true
 */
export function colorsFromEnvironment(env: Record<string, string | undefined> | undefined): boolean | undefined {
  const force = env?.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env?.NO_COLOR || env?.TERM === 'dumb') return false;
  return undefined;
}
