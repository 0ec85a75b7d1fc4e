/** The FORCE_COLOR values that turn colours on in Node (`tty.getColorDepth`); any other turns them off. */
const FORCE_ON = /^(?:[123]|true)?$/;

/**
 * Whether the environment turns colours on or off, undefined when it says nothing, as Node's own
 * `console` reads it (`tty.getColorDepth`): `FORCE_COLOR` wins (on for `''`, `1`, `2`, `3` and
 * `true`, off for anything else: `0`, `false`, `no`), then `NODE_DISABLE_COLORS` set to anything
 * (Node's own variable, read as Node reads it, empty too), `NO_COLOR` set to anything but the
 * empty string (no-color.org; Node also counts an empty one) or `TERM=dumb` turn them off. ConsoleSink and the `rxlog` command read it.
 *
 * @example colorsFromEnvironment({ NO_COLOR: '1', FORCE_COLOR: '1' }) // true
 */
export function colorsFromEnvironment(env: Record<string, string | undefined> | undefined): boolean | undefined {
  const force = env?.FORCE_COLOR;
  if (force !== undefined) return FORCE_ON.test(force);
  if (env?.NO_COLOR || env?.NODE_DISABLE_COLORS !== undefined || env?.TERM === 'dumb') return false;
  return undefined;
}

/** A stream as far as its colours go: Node's `tty.WriteStream` has both members. */
export interface ColorStream {
  readonly isTTY?: boolean;
  /** A terminal's colours as Node reads them from the environment: 1, 4, 8 or 24 bits. */
  getColorDepth?(env?: Record<string, string | undefined>): number;
}

/**
 * Whether a stream takes colours when the environment says nothing ({@link colorsFromEnvironment}
 * gave undefined): a terminal of more than 2 colours, as Node's own `console` decides (a terminal
 * with `TERM` unset gets none). An empty `NO_COLOR` was read as saying nothing (no-color.org), where
 * Node's depth would count it, so the depth is read without `NO_COLOR`.
 */
export function terminalHasColors(stream: ColorStream | undefined, env: Record<string, string | undefined> | undefined): boolean {
  if (stream?.isTTY !== true) return false;
  return typeof stream.getColorDepth !== 'function' || stream.getColorDepth({ ...env, NO_COLOR: undefined }) > 2;
}
