import { CLI_USAGE } from '../../lib/cli/cli-usage';
import { parseCliArgs } from '../../lib/cli/parse-cli-args';
import { DEFAULT_OUTPUT_TEMPLATE } from '../../lib/formatting/text-formatter';

describe('CLI_USAGE', () => {
  const named = [...new Set(CLI_USAGE.match(/(?<![\w-])--?[a-z][a-z-]*/g) ?? [])];

  it('names only options that parseCliArgs accepts', () => {
    expect(named.length).toBeGreaterThanOrEqual(10);
    const sampleValues: Record<string, string> = {
      '--level': 'warn',
      '--grep': 'x',
      '--where': 'Name=x',
      '--template': '{Message}',
    };
    for (const option of named) {
      const args = option in sampleValues ? [option, sampleValues[option]] : [option];
      expect(parseCliArgs(args)).not.toMatchObject({ kind: 'error' });
    }
  });

  it('names every option parseCliArgs accepts', () => {
    expect(named).toEqual(
      expect.arrayContaining([
        '--level',
        '--grep',
        '--where',
        '--template',
        '--json',
        '--color',
        '--no-color',
        '--strict',
        '-h',
        '--help',
        '--version',
      ]),
    );
  });

  it('states the colour rule the command applies: FORCE_COLOR, then a non-empty NO_COLOR or TERM=dumb, then a terminal', () => {
    // main.ts follows colorsFromEnvironment and terminalHasColors, as ConsoleSink does: no-color.org's
    // NO_COLOR only when not empty, FORCE_COLOR as Node's tty.getColorDepth reads it.
    expect(CLI_USAGE.replace(/\n\s+/g, ' ')).toContain(
      "FORCE_COLOR when set, on for '', 1, 2, 3 or true, off for any other value; else off when NODE_DISABLE_COLORS is set, NO_COLOR is set and not empty or TERM is dumb; else when stdout is a terminal of more than 2 colours",
    );
  });

  it('shows the default output template', () => {
    expect(CLI_USAGE.replace(/\n\s+/g, '')).toContain(DEFAULT_OUTPUT_TEMPLATE);
  });
});
