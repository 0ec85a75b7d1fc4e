import { DEFAULT_OUTPUT_TEMPLATE } from '../../lib/formatting/text-formatter';
import { type CliArgsResult, type CliOptions, parseCliArgs } from '../../lib/cli/parse-cli-args';

function options(result: CliArgsResult): CliOptions {
  if (result.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(result)}`);
  return result.options;
}

function errorOf(result: CliArgsResult): string {
  if (result.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.message;
}

describe('parseCliArgs', () => {
  it('reads stdin with the defaults when given nothing', () => {
    expect(parseCliArgs([])).toEqual({
      kind: 'ok',
      options: {
        minimumLevel: undefined,
        grep: undefined,
        where: [],
        template: DEFAULT_OUTPUT_TEMPLATE,
        json: false,
        color: undefined,
        strict: false,
        files: ['-'],
      },
    });
  });

  it('keeps files and "-" in the order given', () => {
    expect(options(parseCliArgs(['a.log', '-', 'b.log'])).files).toEqual(['a.log', '-', 'b.log']);
  });

  it('reads --level with its value next or after "=", accepting aliases in any case', () => {
    expect(options(parseCliArgs(['--level', 'warn'])).minimumLevel).toBe('warning');
    expect(options(parseCliArgs(['--level=TRACE'])).minimumLevel).toBe('verbose');
    expect(options(parseCliArgs(['--level', 'Information', '--level', 'error'])).minimumLevel).toBe('error');
  });

  it('rejects an unknown level, naming it and every name --level takes, those other writers use too', () => {
    expect(errorOf(parseCliArgs(['--level', 'loud']))).toBe(
      '--level: unknown level "loud" (expected verbose (trace), debug, information (info), warning (warn), error, fatal, ' +
        'or critical, crit, err, VRB, DBG, INF, WRN, ERR, FTL)',
    );
  });

  it('reads --grep and --template as given', () => {
    const parsed = options(parseCliArgs(['--grep', 'Payment Failed', '--template={Level:u3} {Message}']));
    expect(parsed.grep).toBe('Payment Failed');
    expect(parsed.template).toBe('{Level:u3} {Message}');
  });

  it('takes the next argument as a value even when it starts with "-"', () => {
    expect(options(parseCliArgs(['--grep', '--json'])).grep).toBe('--json');
  });

  it('collects every --where, splitting at the first "="', () => {
    expect(options(parseCliArgs(['--where', 'UserId=42', '--where=Query=a=b', '--where', 'Empty='])).where).toEqual([
      { name: 'UserId', value: '42' },
      { name: 'Query', value: 'a=b' },
      { name: 'Empty', value: '' },
    ]);
  });

  it('rejects a --where without "=" or without a name', () => {
    expect(errorOf(parseCliArgs(['--where', 'UserId']))).toMatch(/Name=value.*"UserId"/);
    expect(errorOf(parseCliArgs(['--where', '=42']))).toMatch(/property name.*"=42"/);
  });

  // Seq's and other filter languages' operators, or spaces around "=", would read as a property no event has (`UserId!`,
  // `Name `) or a value `=42`, and show nothing without a word: each is refused, naming what was given.
  it.each(['UserId==42', 'UserId!=42', 'Ms>=100', 'Ms<=100', 'Name = Ann', ' Name=Ann'])(
    'rejects the --where %j, which would match nothing, naming it',
    (text) => {
      expect(errorOf(parseCliArgs(['--where', text]))).toContain(JSON.stringify(text));
    },
  );

  it('keeps a --where whose value holds "=" or spaces past the first character', () => {
    expect(options(parseCliArgs(['--where', 'Query=a==b', '--where', 'Name= Ann '])).where).toEqual([
      { name: 'Query', value: 'a==b' },
      { name: 'Name', value: ' Ann ' },
    ]);
  });

  it('reads a --where @tr or @sp id in any case as the lower-case id the reader keeps, and keeps @mt and @m as given', () => {
    const where = ['@tr=4BF92F3577B34DA6A3CE929D0E0E4736', '@sp=00F067AA0BA902B7', '@mt=A {X}', '@m=A 1'];
    expect(options(parseCliArgs(where.flatMap((condition) => ['--where', condition]))).where).toEqual([
      { name: '@tr', value: '4bf92f3577b34da6a3ce929d0e0e4736' },
      { name: '@sp', value: '00f067aa0ba902b7' },
      { name: '@mt', value: 'A {X}' },
      { name: '@m', value: 'A 1' },
    ]);
  });

  it('takes the level names a line may have: crit, critical, err and the {Level:u3} names', () => {
    expect(options(parseCliArgs(['--level', 'crit'])).minimumLevel).toBe('fatal');
    expect(options(parseCliArgs(['--level=CRITICAL'])).minimumLevel).toBe('fatal');
    expect(options(parseCliArgs(['--level', 'ERR'])).minimumLevel).toBe('error');
    expect(options(parseCliArgs(['--level', 'wrn'])).minimumLevel).toBe('warning');
    expect(errorOf(parseCliArgs(['--level', '30']))).toMatch(/--level: unknown level "30"/);
  });

  it('reads the flags, the last of --color and --no-color winning', () => {
    const parsed = options(parseCliArgs(['--json', '--strict', '--no-color', '--color']));
    expect(parsed).toMatchObject({ json: true, strict: true, color: true });
    expect(options(parseCliArgs(['--color', '--no-color'])).color).toBe(false);
  });

  it('reads --color=WHEN as ls and grep do, the last of it, --color and --no-color winning', () => {
    for (const when of ['always', 'yes', 'force']) expect(options(parseCliArgs([`--color=${when}`])).color).toBe(true);
    for (const when of ['never', 'no', 'none']) expect(options(parseCliArgs([`--color=${when}`])).color).toBe(false);
    for (const when of ['auto', 'tty', 'if-tty'])
      expect(options(parseCliArgs(['--no-color', `--color=${when}`])).color).toBeUndefined();
    expect(options(parseCliArgs(['--color=never', '--color'])).color).toBe(true);
    expect(options(parseCliArgs(['--color=always', '--no-color'])).color).toBe(false);
    // As for ls and grep, WHEN follows "=" only: a separate word is a file.
    expect(options(parseCliArgs(['--color', 'always']))).toMatchObject({ color: true, files: ['always'] });
    for (const when of ['', 'ALWAYS', 'true', '1', 'constructor', '__proto__'])
      expect(errorOf(parseCliArgs([`--color=${when}`]))).toBe(
        `--color: expected always, never or auto (or yes, force, no, none, tty, if-tty), got ${JSON.stringify(when)}`,
      );
  });

  // `--grep a --grep b` reads as "and" (as --where) to some and as "or" (as grep -e) to others; keeping the last
  // silently dropped the first, showing events it was meant to hide.
  it('rejects a second --grep, naming both, where the last --level and --template win', () => {
    expect(errorOf(parseCliArgs(['--grep', 'payment', '--grep=failed']))).toBe(
      '--grep may be given once, got "payment" and "failed"',
    );
    expect(errorOf(parseCliArgs(['--grep=', '--grep', 'x']))).toBe('--grep may be given once, got "" and "x"');
    expect(options(parseCliArgs(['--level', 'debug', '--level', 'error'])).minimumLevel).toBe('error');
    expect(options(parseCliArgs(['--template', '{Level}', '--template', '{Message}'])).template).toBe('{Message}');
  });

  it('rejects a value given to a flag', () => {
    expect(errorOf(parseCliArgs(['--json=yes']))).toMatch(/--json takes no value/);
  });

  it('rejects --template beside --json, whose CLEF output has no template, in either order', () => {
    expect(errorOf(parseCliArgs(['--json', '--template', '{Message}']))).toBe(
      '--template "{Message}" has no effect with --json, which writes CLEF; give one or the other',
    );
    expect(errorOf(parseCliArgs(['--template={Level} {Message}', 'a.log', '--json']))).toMatch(
      /^--template "\{Level\} \{Message\}" has no effect with --json/,
    );
    expect(options(parseCliArgs(['--template', '{Message}'])).template).toBe('{Message}');
  });

  it('rejects an option missing its value', () => {
    expect(errorOf(parseCliArgs(['app.log', '--level']))).toBe('--level needs a value');
  });

  it('rejects an unknown option, naming it', () => {
    expect(errorOf(parseCliArgs(['--colour']))).toBe('unknown option "--colour"');
    expect(errorOf(parseCliArgs(['-x']))).toBe('unknown option "-x"');
  });

  it('reports the first mistake when there are several', () => {
    expect(errorOf(parseCliArgs(['--bogus', '--level', 'loud']))).toBe('unknown option "--bogus"');
  });

  it('treats everything after "--" as files', () => {
    expect(options(parseCliArgs(['--json', '--', '--level', '-']))).toMatchObject({
      json: true,
      files: ['--level', '-'],
      minimumLevel: undefined,
    });
  });

  it('answers --help and -h before anything else, even a mistake', () => {
    expect(parseCliArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['--level', 'loud', '-h'])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['--version', '--help'])).toEqual({ kind: 'help' });
  });

  it('answers --version before a mistake', () => {
    expect(parseCliArgs(['--bogus', '--version'])).toEqual({ kind: 'version' });
  });
});
