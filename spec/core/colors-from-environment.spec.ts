import { WriteStream } from 'node:tty';
import { colorsFromEnvironment, terminalHasColors } from '../../lib/core/colors-from-environment';

/** Node's own reading of the environment (lib/internal/tty.js), as `console` and `util.inspect` use it: colours past 2. */
const nodeColorDepth = (env: Record<string, string>): number => WriteStream.prototype.getColorDepth.call({}, env);

describe('colorsFromEnvironment', () => {
  // Found by review: FORCE_COLOR=no (or 4, yes, always) turned colours on; Node turns them off.
  it.each(['', '1', 'true', '2', '3', '0', 'false', 'no', 'yes', '4', 'always', ' 1', 'TRUE'])(
    'reads FORCE_COLOR=%j as Node does: on for "", 1, 2, 3 and true, off for anything else',
    (value) => {
      const env = { FORCE_COLOR: value, TERM: 'xterm-256color' };
      expect(colorsFromEnvironment(env)).toBe(nodeColorDepth(env) > 2);
      // FORCE_COLOR wins over what turns colours off, as in Node.
      const off = { ...env, NO_COLOR: '1', NODE_DISABLE_COLORS: '1', TERM: 'dumb' };
      expect(colorsFromEnvironment(off)).toBe(nodeColorDepth(off) > 2);
    },
  );

  it.each<[string, Record<string, string>]>([
    ['NO_COLOR', { NO_COLOR: '1' }],
    ['NODE_DISABLE_COLORS', { NODE_DISABLE_COLORS: '1' }],
    ['TERM=dumb', { TERM: 'dumb' }],
  ])('turns colours off for %s, as Node does', (_, env) => {
    expect(colorsFromEnvironment({ TERM: 'xterm-256color', ...env })).toBe(false);
    expect(nodeColorDepth({ TERM: 'xterm-256color', ...env })).toBeLessThanOrEqual(2);
  });

  it('says nothing for NO_COLOR set empty, as no-color.org asks (Node turns colours off)', () => {
    expect(colorsFromEnvironment({ NO_COLOR: '' })).toBeUndefined();
    expect(nodeColorDepth({ TERM: 'xterm-256color', NO_COLOR: '' })).toBeLessThanOrEqual(2);
  });

  // NODE_DISABLE_COLORS is Node's own variable, not no-color.org's: Node turns colours off for any
  // value, empty too. It was read by no-color.org's rule, so an empty one said nothing.
  it.each(['', '0', 'false', '1'])('turns colours off for NODE_DISABLE_COLORS=%j, as Node does', (value) => {
    const env = { TERM: 'xterm-256color', NODE_DISABLE_COLORS: value };
    expect(nodeColorDepth(env)).toBeLessThanOrEqual(2);
    expect(colorsFromEnvironment(env)).toBe(false);
  });

  it('says nothing when the environment is silent or missing', () => {
    expect(colorsFromEnvironment({ TERM: 'xterm-256color' })).toBeUndefined();
    expect(colorsFromEnvironment(undefined)).toBeUndefined();
  });
});

describe('terminalHasColors', () => {
  /** A terminal stream whose depth is Node's own reading of the env it is given. */
  const tty = {
    isTTY: true,
    getColorDepth: (env?: Record<string, string | undefined>): number => WriteStream.prototype.getColorDepth.call({}, env),
  };

  it("colours a terminal of more than 2 colours, as Node's console does, and not one with TERM unset", () => {
    expect(terminalHasColors(tty, { TERM: 'xterm-256color' })).toBe(true);
    expect(terminalHasColors(tty, {})).toBe(false);
  });

  it('reads an empty NO_COLOR as saying nothing (no-color.org), where Node counts it', () => {
    expect(terminalHasColors(tty, { TERM: 'xterm-256color', NO_COLOR: '' })).toBe(true);
  });

  it('gives no colours to what is not a terminal, and colours a terminal that cannot tell its depth', () => {
    expect(terminalHasColors({ isTTY: false, getColorDepth: () => 24 }, { TERM: 'xterm-256color' })).toBe(false);
    expect(terminalHasColors(undefined, undefined)).toBe(false);
    expect(terminalHasColors({ isTTY: true }, undefined)).toBe(true);
  });
});
