import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { plainEnv } from '../helpers/plain-env';

// The real command in a child process (node --import tsx), as `npx rxlog` runs it from a checkout, fed what a
// hostile or merely unusual input holds. Every run is bounded: spawnSync by its timeout, a spawned child by the test's.
describe('rxlog on hostile input (lib/cli/main.ts in a child process)', () => {
  const root = path.resolve(__dirname, '../..');
  const T = '"@t":"2026-11-22T12:00:00.000Z"';
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-hostile-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  /** rxlog run to its end (TZ=UTC, no colour) with `input` on stdin: its status, stdout and stderr. */
  function rxlog(args: readonly string[], input: string | Buffer = '') {
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', ...args], {
      cwd: root,
      env: plainEnv({ TZ: 'UTC' }),
      input,
      encoding: 'utf8',
      timeout: 30_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (child.error !== undefined) throw child.error;
    return { status: child.status, signal: child.signal, stdout: child.stdout, stderr: child.stderr };
  }

  it('passes input that is not a JSON object through as it is, and under --strict reports each line instead (exit 1)', () => {
    const lines = ['Starting up', '42', '"a string"', '[1,2]', 'null', '{"a":1}', '{"@t":', `{${T},"@mt":"x","@l":"Notice"}`];
    const input = `${lines.join('\n')}\n`;
    expect(rxlog([], input)).toEqual({ status: 0, signal: null, stdout: input, stderr: '' });
    const strict = rxlog(['--strict'], input);
    expect(strict.stdout).toBe('');
    expect(strict.stderr.split('\n')).toEqual([
      'rxlog: <stdin>:1: not a log event (not a JSON object)',
      'rxlog: <stdin>:2: not a log event (not a JSON object)',
      'rxlog: <stdin>:3: not a log event (not a JSON object)',
      'rxlog: <stdin>:4: not a log event (not a JSON object)',
      'rxlog: <stdin>:5: not a log event (not a JSON object)',
      'rxlog: <stdin>:6: not a log event (neither a CLEF "@t" nor an NDJSON "timestamp" field)',
      expect.stringMatching(/^rxlog: <stdin>:7: not a log event \(invalid JSON: /),
      'rxlog: <stdin>:8: not a log event (unknown level "Notice" in "@l")',
      '',
    ]);
    expect(strict.status).toBe(1);
  });

  it('reads CRLF lines and a last line without a newline, and leaves a byte order mark out of every line it writes', () => {
    // `cat a.log b.log | rxlog`: each file's UTF-8 byte order mark starts a line, b.log's mid-stream.
    const input = `\ufeffplain from a.log\r\n{${T},"@mt":"CRLF"}\r\n\ufeffplain from b.log\n{${T},"@mt":"Last"}`;
    expect(rxlog([], input)).toEqual({
      status: 0,
      signal: null,
      stdout: 'plain from a.log\n[12:00:00 INF] CRLF\nplain from b.log\n[12:00:00 INF] Last\n',
      stderr: '',
    });
  });

  it('shows bytes that are not UTF-8 and lone surrogates as U+FFFD, and NUL and ANSI sequences as escapes, never raw', () => {
    const input = Buffer.concat([
      Buffer.from('bad \xff\xfe bytes, a NUL \0 and \x1b[31mred\x1b[0m\n', 'latin1'),
      Buffer.from(`{${T},"@mt":"{A} \\u001b[2J {B}","A":"\\ud800","B":"\\u001b]0;title\\u0007\\u009b31m"}\n`),
    ]);
    const { status, stdout, stderr } = rxlog([], input);
    expect(stdout).toBe(
      'bad \ufffd\ufffd bytes, a NUL \\u0000 and \\u001b[31mred\\u001b[0m\n' +
        '[12:00:00 INF] \ufffd \\u001b[2J \\u001b]0;title\\u0007\\u009b31m\n',
    );
    expect([status, stderr]).toEqual([0, '']);
    const json = rxlog(['--json'], input).stdout;
    expect(json).toContain('"A":"\ufffd"');
    // eslint-disable-next-line no-control-regex
    expect(json).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  // A log file a crash or preallocation left with a run of NUL bytes is one line of them. Each NUL is shown as the six
  // characters \u0000, and the line was escaped whole: as many small strings at once, 1.3 GB and 23 s for a 16 MiB
  // line (the 4 MiB here ran out of a 64 MB heap), where a line of text takes under 200 MB.
  it('shows a line of 4 Mi NUL bytes, each as \\u0000, in a heap of 64 MB', () => {
    const file = path.join(dir, 'holes.log');
    // The second line's emoji (a surrogate pair) straddles 64 Ki characters, where the line is escaped in two.
    fs.writeFileSync(file, `before\n${'\0'.repeat(4 * 1024 * 1024)}\n${'\0'.repeat(65_535)}😀\nafter\n`);
    const out = fs.openSync(path.join(dir, 'out.txt'), 'w');
    try {
      const child = spawnSync(process.execPath, ['--max-old-space-size=64', '--import', 'tsx', 'lib/cli/main.ts', file], {
        cwd: root,
        env: plainEnv({ TZ: 'UTC' }),
        stdio: ['ignore', out, 'pipe'],
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect([child.status, child.signal, child.stderr]).toEqual([0, null, '']);
    } finally {
      fs.closeSync(out);
    }
    expect(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8')).toBe(
      `before\n${'\\u0000'.repeat(4 * 1024 * 1024)}\n${'\\u0000'.repeat(65_535)}😀\nafter\n`,
    );
  }, 70_000);

  it('writes with --json an event whose values it would cut (nested 65 levels deep) as CLEF with them whole, which reads back', () => {
    // A CR is JSON white space between tokens; the NDJSON line, its local time and its level are written as CLEF.
    const deep = `${'['.repeat(70)}${']'.repeat(70)}`;
    const input =
      `{${T},\r"@mt":"Deep","A":${deep}}\n` +
      `{"timestamp":"2026-11-22T13:00:00","level":"CRITICAL","template":"Last","A":${deep}}\r`;
    const converted = spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', '--json'], {
      cwd: root,
      env: plainEnv({ TZ: 'Europe/Paris' }),
      input,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect([converted.status, converted.stderr]).toEqual([0, '']);
    expect(converted.stdout.split('\n')).toEqual([
      `{${T},"@mt":"Deep","@i":"a4296de8","A":${deep}}`,
      `{${T},"@mt":"Last","@l":"Fatal","@i":"e87e7988","A":${deep}}`,
      '',
    ]);
    const file = path.join(dir, 'out.clef');
    fs.writeFileSync(file, converted.stdout);
    expect(rxlog(['--strict', file])).toEqual({
      status: 0,
      signal: null,
      stdout: `[12:00:00 INF] Deep\n[12:00:00 FTL] Last\n`,
      stderr: '',
    });
  });

  it('reads @r and @@ names as Serilog’s CLEF reader does', () => {
    const input = [
      // Fewer renderings than formatted holes: the rest rendered by rxlog; more: the extra ones unused.
      `{${T},"@mt":"{A:x} {B:y} {C}","A":1,"B":2,"C":3,"@r":["a"]}`,
      `{${T},"@mt":"{A:x}","A":1,"@r":["a","b","c"]}`,
      // Not an array of strings: not an event.
      `{${T},"@mt":"{A:x}","A":1,"@r":"a"}`,
      // `@@A` is the property `@A`; a property's own fields are its value's.
      `{${T},"@mt":"{A}","@@A":1,"A":{"@@y":2}}`,
      '',
    ].join('\n');
    expect(rxlog(['--template', '{Message} {Properties}{NewLine}'], input)).toEqual({
      status: 0,
      signal: null,
      stdout: ['a 2 3 {}', 'a {}', `{${T},"@mt":"{A:x}","A":1,"@r":"a"}`, '{"@@y":2} {"@A":1}', ''].join('\n'),
      stderr: '',
    });
    expect(rxlog(['--strict'], input).stderr).toBe('rxlog: <stdin>:3: not a log event ("@r" is not an array of strings)\n');
  });

  it('passes an NDJSON line whose message or template is not a string through as it is, as a CLEF line of such an @m', () => {
    // winston's `logger.info(42)` and `logger.info({ message: { a: 1 } })` with format.json(): the value was dropped and the
    // line shown as an event with an empty message.
    const lines = [
      '{"level":"info","message":42,"timestamp":"2026-11-22T12:00:00.000Z"}',
      '{"level":"info","message":{"a":1},"timestamp":"2026-11-22T12:00:00.000Z"}',
      '{"timestamp":"2026-11-22T12:00:00.000Z","message":"Hi","template":["Hi"]}',
      `{${T},"@m":42}`,
      '{"timestamp":"2026-11-22T12:00:00.000Z","message":"Shown","template":null}',
    ];
    const input = `${lines.join('\n')}\n`;
    expect(rxlog([], input)).toEqual({
      status: 0,
      signal: null,
      stdout: `${lines.slice(0, 4).join('\n')}\n[12:00:00 INF] Shown\n`,
      stderr: '',
    });
    expect(rxlog(['--json'], input).stderr).toBe('rxlog: 4 lines that are not log events left out of the CLEF output\n');
    expect(rxlog(['--strict'], input).stderr.split('\n')).toEqual([
      'rxlog: <stdin>:1: not a log event ("message" is not a string)',
      'rxlog: <stdin>:2: not a log event ("message" is not a string)',
      'rxlog: <stdin>:3: not a log event ("template" is not a string)',
      'rxlog: <stdin>:4: not a log event ("@m" is not a string)',
      '',
    ]);
  });

  it('reads @t in the ISO 8601 forms other writers use, and reports the rest under --strict', () => {
    const times = [
      '2026-11-22t12:00:00z',
      '2026-11-22 12:00:00Z',
      '2026-11-22T14:00:00+0200',
      '2026-11-22T14:00:00+02',
      '2026-11-22T12:00Z',
      '2026-11-22T12:00:00,5Z',
      '2026-11-22T12:00:00-00:00',
      '2026-11-22',
      '2026-11-22T24:00:00Z',
      '2026-02-30T12:00:00Z',
      '20261122T120000Z',
      '2026-W47-7',
      '1795435200000',
      '0000-01-01T00:00:00Z',
      '9999-12-31T23:59:59-01:00',
    ];
    const input = times.map((t) => `{"@t":"${t}","@m":"${t}"}\n`).join('');
    const { status, stdout, stderr } = rxlog(['--strict', '--template', '{Timestamp:o}{NewLine}'], input);
    expect(stdout.split('\n')).toEqual([
      '2026-11-22T12:00:00.0000000+00:00',
      '2026-11-22T12:00:00.0000000+00:00',
      '2026-11-22T12:00:00.0000000+00:00',
      '2026-11-22T12:00:00.0000000+00:00',
      '2026-11-22T12:00:00.0000000+00:00',
      '2026-11-22T12:00:00.5000000+00:00',
      '2026-11-22T12:00:00.0000000+00:00',
      '2026-11-22T00:00:00.0000000+00:00',
      '',
    ]);
    expect(stderr.split('\n')).toEqual([
      'rxlog: <stdin>:9: not a log event (the timestamp is not a date)',
      'rxlog: <stdin>:10: not a log event (the timestamp is not a date)',
      'rxlog: <stdin>:11: not a log event (the timestamp is not a date)',
      'rxlog: <stdin>:12: not a log event (the timestamp is not a date)',
      'rxlog: <stdin>:13: not a log event (the timestamp is not a date)',
      'rxlog: <stdin>:14: not a log event ("@t" is not an ISO 8601 instant in the years 0001–9999: "0000-01-01T00:00:00Z")',
      'rxlog: <stdin>:15: not a log event ("@t" is not an ISO 8601 instant in the years 0001–9999: "9999-12-31T23:59:59-01:00")',
      '',
    ]);
    expect(status).toBe(1);
  });

  it('skips a line of 50 MB, reporting it (exit 1), and shows the lines around it', () => {
    const input = `{${T},"@mt":"Before"}\n{${T},"@m":"${'a'.repeat(50_000_000)}"}\n{${T},"@mt":"After"}\n`;
    expect(rxlog([], input)).toEqual({
      status: 1,
      signal: null,
      stdout: '[12:00:00 INF] Before\n[12:00:00 INF] After\n',
      stderr: 'rxlog: <stdin>:2: line of 50000041 bytes skipped (longer than 16777216 bytes)\n',
    });
  });

  it.each([
    [['-x'], 'unknown option "-x"'],
    [['--levle=warn'], 'unknown option "--levle=warn"'],
    [['--lev', 'warn'], 'unknown option "--lev"'],
    [['--level'], '--level needs a value'],
    [['--level', '30'], '--level: unknown level "30" (expected '],
    [['--level='], '--level: unknown level "" (expected '],
    [['--where', 'UserId'], '--where expects Name=value, got "UserId"'],
    [['--where', 'UserId==42'], '--where compares with one "=" (Name=value) and nothing else, got "UserId==42"'],
    [['--json=yes'], '--json takes no value, got "--json=yes"'],
    [['--template', ''], '--template is empty: every event would show as a blank line'],
    [['--grep', 'a', '--grep', 'b'], '--grep may be given once, got "a" and "b"'],
  ])('refuses %j with exit code 2, a usage message on stderr and nothing read', (args, message) => {
    const { status, stdout, stderr } = rxlog(args, `{${T},"@mt":"Never read"}\n`);
    expect(stdout).toBe('');
    expect(stderr.startsWith(`rxlog: ${message}`)).toBe(true);
    expect(stderr.endsWith("\nTry 'rxlog --help' for the options.\n")).toBe(true);
    expect(status).toBe(2);
  });

  // `timeout 10 rxlog`, `kill`, a container stopped: SIGTERM ends rxlog at once, after a first Ctrl-C too, killed by
  // the signal as `cat` is (status 143 in the shell), with what it showed kept and nothing on stderr.
  it.each([[[]], [['SIGINT']]])(
    'is killed by SIGTERM mid-stream, after %j, keeping what it showed',
    async (before) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts'], {
        cwd: root,
        env: plainEnv({ TZ: 'UTC' }),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      children.push(child);
      child.stdin.on('error', () => {}); // EPIPE once rxlog has gone
      let out = '';
      let err = '';
      child.stderr.setEncoding('utf8').on('data', (text: string) => (err += text));
      const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
        child.on('close', (code: number | null, signal: NodeJS.Signals | null) => resolve([code, signal])),
      );
      const shown = (text: string): Promise<void> =>
        new Promise((resolve) => {
          const check = (): void => {
            if (out.includes(text)) resolve();
          };
          child.stdout.on('data', check);
          check();
        });
      child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
      child.stdin.write(`{${T},"@mt":"First"}\n`);
      await shown('First');
      for (const signal of before as NodeJS.Signals[]) {
        child.kill(signal);
        // Still reading after a first Ctrl-C on a pipe: the next line shows.
        child.stdin.write(`{${T},"@mt":"After ${signal}"}\n`);
        await shown(`After ${signal}`);
      }
      child.stdin.write(`{${T},"@mt":"Half`);
      child.kill('SIGTERM');
      expect(await closed).toEqual([null, 'SIGTERM']);
      child.stdin.destroy();
      expect(err).toBe('');
      expect(out).toBe(['[12:00:00 INF] First', ...before.map((signal) => `[12:00:00 INF] After ${signal}`), ''].join('\n'));
    },
    20_000,
  );

  // On a terminal rxlog reads what is typed, line by line, as `cat` does; Ctrl-C is not held back as it is on a pipe
  // (no app shares the terminal's Ctrl-C with it there): the first stops it. util-linux `script` gives it a terminal.
  const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
  // `script --return` exits with rxlog's status: 0 at Ctrl-D (end of input), 128 + 2 killed by SIGINT at Ctrl-C.
  (hasScript ? it.each : it.skip.each)([
    ['Ctrl-D', '\x04', 0],
    ['the first Ctrl-C', '\x03', 130],
  ])(
    'reads a terminal line by line, and stops at %s there',
    async (_key, typed, status) => {
      const command = `${JSON.stringify(process.execPath)} --import tsx lib/cli/main.ts`;
      const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
        cwd: root,
        env: plainEnv({ TZ: 'UTC' }),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      children.push(child);
      child.stdin.on('error', () => {});
      let out = '';
      const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
        child.on('exit', (code: number | null, signal: NodeJS.Signals | null) => resolve([code, signal])),
      );
      const shown = new Promise<void>((resolve) =>
        child.stdout.setEncoding('utf8').on('data', (text: string) => {
          out += text;
          if (out.includes('INF] Typed')) resolve();
        }),
      );
      // What a user types: the terminal echoes it, and hands rxlog the line at Enter.
      child.stdin.write(`{${T},"@mt":"Typed"}\n`);
      await shown;
      // Ctrl-D: the terminal ends rxlog's input; Ctrl-C: it sends SIGINT to rxlog.
      child.stdin.write(typed);
      expect(await exited).toEqual([status, null]);
      expect(out).toContain('[12:00:00 INF] Typed\r\n');
    },
    20_000,
  );
});
