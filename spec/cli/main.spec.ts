import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { plainEnv } from '../helpers/plain-env';
import { poller } from '../helpers/poll-until';

// The real command in a child process (node --import tsx), as `npx rxlog` runs it from a checkout.
describe('rxlog (lib/cli/main.ts)', () => {
  const root = path.resolve(__dirname, '../..');
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-cli-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // A child a failed test left running would keep jest from exiting.
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  /**
   * rxlog in a child (TZ=UTC) reading `args` or its stdin (a pipe either way), its stderr gathered, and its end: on
   * `'close'` (once stdout and stderr have ended, so what was read is all rxlog wrote) or `'exit'`
   * (a test that keeps its end of a pipe open).
   */
  function startRxlog(options: { args?: string[]; endOn: 'close' | 'exit' }) {
    const rxlog = spawn(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', ...(options.args ?? [])], {
      cwd: root,
      env: plainEnv({ TZ: 'UTC' }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(rxlog);
    let err = '';
    rxlog.stderr.setEncoding('utf8').on('data', (text: string) => (err += text));
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      rxlog.on(options.endOn, (code: number | null, signal: NodeJS.Signals | null) => resolve([code, signal])),
    );
    rxlog.stdin.on('error', () => {}); // EPIPE once rxlog has gone
    return { rxlog, exited, stderr: (): string => err };
  }

  it('pretty-prints a CLEF file to stdout and exits with 0', () => {
    const file = path.join(dir, 'app.clef');
    fs.writeFileSync(
      file,
      [
        '{"@t":"2026-11-22T12:00:00.000Z","@mt":"User {UserId} logged in","UserId":42}',
        '{"@t":"2026-11-22T12:00:01.000Z","@mt":"Slow {Ms} ms","@l":"Warning","Ms":812}',
        '{"@t":"2026-11-22T12:00:02.000Z","@mt":"Cache warmed","@l":"Debug"}',
        '',
      ].join('\n'),
    );
    // TZ pins the local time the default output template shows; a pipe for stdout means no colour.
    const env = plainEnv({ TZ: 'UTC' });
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', file], { cwd: root, encoding: 'utf8', env });
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('[12:00:00 INF] User 42 logged in\n[12:00:01 WRN] Slow 812 ms\n[12:00:02 DBG] Cache warmed\n');
    expect(child.status).toBe(0);
  });

  it('with --json writes CLEF only to stdout, so its output reads back under --strict; what it left out is counted on stderr', () => {
    const mixed = path.join(dir, 'mixed.log');
    fs.writeFileSync(
      mixed,
      [
        'Starting up (not an event)',
        '{"@t":"2026-11-22T12:00:00.000Z","@mt":"User {UserId} logged in","UserId":42}',
        '',
        '    at Object.<anonymous> (/app/index.js:1:1)',
        '{"@t":"2026-11-22T12:00:01.000Z","@mt":"Slow {Ms} ms","@l":"Warning","Ms":812}',
        '{"not":"an event"}',
        '',
      ].join('\n'),
    );
    const env = plainEnv({ TZ: 'UTC' });
    const rxlog = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', ...args], {
        cwd: root,
        encoding: 'utf8',
        env,
        timeout: 15_000,
      });
    const converted = rxlog('--json', mixed);
    expect(converted.stdout.split('\n')).toEqual([
      '{"@t":"2026-11-22T12:00:00.000Z","@mt":"User {UserId} logged in","@i":"f9f406a9","UserId":42}',
      '{"@t":"2026-11-22T12:00:01.000Z","@mt":"Slow {Ms} ms","@l":"Warning","@i":"2fcb6b75","Ms":812}',
      '',
    ]);
    expect(converted.stderr).toBe('rxlog: 3 lines that are not log events left out of the CLEF output\n');
    expect(converted.status).toBe(0);
    const out = path.join(dir, 'out.clef');
    fs.writeFileSync(out, converted.stdout);
    const checked = rxlog('--strict', out);
    expect(checked.stderr).toBe('');
    expect(checked.status).toBe(0);
    // --strict with --json reports each line as before, and says no count besides.
    const strict = rxlog('--json', '--strict', mixed);
    expect(strict.stdout).toBe(converted.stdout);
    expect(strict.stderr).toMatch(/^rxlog: .*mixed\.log:1: not a log event/);
    expect(strict.stderr).not.toMatch(/left out/);
    expect(strict.status).toBe(1);
  });

  // Serilog's reader (DateTimeOffset.TryParse), pino-pretty (JavaScript's Date) and Python read a time without an
  // offset as local time: in New York, 10:00 is 15:00 UTC, shown as 10:00 and written by --json as 15:00Z.
  it('reads a timestamp without an offset in the local time zone (TZ)', () => {
    const file = path.join(dir, 'naive.clef');
    fs.writeFileSync(file, '{"@t":"2026-12-04T10:00:00.123","@mt":"Disk full","@l":"CRITICAL"}\n');
    const env = plainEnv({ TZ: 'America/New_York' });
    const run = (...flags: string[]): string =>
      spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', ...flags, file], { cwd: root, encoding: 'utf8', env })
        .stdout;
    expect(run()).toBe('[10:00:00 FTL] Disk full\n');
    expect(run('--json')).toBe('{"@t":"2026-12-04T15:00:00.123Z","@mt":"Disk full","@l":"Fatal","@i":"0153d560"}\n');
  });

  // Where a local time names no single instant, rxlog reads it as JavaScript does (ECMAScript's
  // "compatible" rule): the earlier of a repeated hour, where .NET's DateTimeOffset.Parse takes the
  // standard offset (01:30Z); the offset before the change in a skipped hour, as .NET does too.
  it('reads a local time in the hour a clock repeats as its earlier instant, and one in the hour it skips with the offset before', () => {
    const file = path.join(dir, 'oslo.clef');
    fs.writeFileSync(file, '{"@t":"2026-10-25T02:30:00","@mt":"Repeated"}\n{"@t":"2026-03-29T02:30:00","@mt":"Skipped"}\n');
    const env = plainEnv({ TZ: 'Europe/Oslo' });
    const run = (...flags: string[]): string =>
      spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', ...flags, file], { cwd: root, encoding: 'utf8', env })
        .stdout;
    expect(
      run('--json')
        .split('\n')
        .map((line) => (line === '' ? '' : (JSON.parse(line) as { '@t': string })['@t'])),
    ).toEqual(['2026-10-25T00:30:00.000Z', '2026-03-29T01:30:00.000Z', '']);
    expect(run()).toBe('[02:30:00 INF] Repeated\n[03:30:00 INF] Skipped\n');
  });

  // New York kept local mean time, -4:56:02, until 1883. .NET (Serilog's reader, Seq) holds offsets in whole minutes
  // within ±14:00: TimeZoneInfo cuts the seconds (-4:56), reads the line's 12:00:00 as 16:56:00Z and shows 16:56:02Z as
  // 12:00:02; it takes Manila's -15:56 before 1845 as -14:00. rxlog read the line at -4:56:02 (16:56:02Z) and showed
  // 16:56:02Z as 12:00:00-04:56, which names 16:56:00Z; it read Manila's 06:00 at -15:56 and showed it as 07:56.
  it('reads and shows an old local time at its zone offset in whole minutes within ±14:00, as .NET does', () => {
    const file = path.join(dir, 'lmt.clef');
    fs.writeFileSync(file, '{"@t":"1800-01-01T06:00:00.1234567","@mt":"Local"}\n{"@t":"1800-01-01T16:56:02Z","@mt":"Utc"}\n');
    const run = (zone: string, ...flags: string[]): string =>
      spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', ...flags, file], {
        cwd: root,
        encoding: 'utf8',
        env: plainEnv({ TZ: zone }),
      }).stdout;
    const times = (zone: string): string[] =>
      run(zone, '--json')
        .split('\n')
        .map((line) => (line === '' ? '' : (JSON.parse(line) as { '@t': string })['@t']));
    expect(times('America/New_York')).toEqual(['1800-01-01T10:56:00.1234567Z', '1800-01-01T16:56:02.000Z', '']);
    expect(run('America/New_York', '--template', '{Timestamp:o} {Message}{NewLine}')).toBe(
      '1800-01-01T06:00:00.1234567-04:56 Local\n1800-01-01T12:00:02.0000000-04:56 Utc\n',
    );
    expect(times('Asia/Manila')).toEqual(['1800-01-01T20:00:00.1234567Z', '1800-01-01T16:56:02.000Z', '']);
    expect(run('Asia/Manila')).toBe('[06:00:00 INF] Local\n[02:56:02 INF] Utc\n');
  });

  // CLEF's times are .NET's DateTimeOffset's, the years 0001–9999 in UTC (Serilog's reader refuses others, and rxlog's
  // writers would restamp them), so a time at the edge of a JavaScript Date's range (±275 760 years) is no event, local
  // or UTC, and neither is a local time of the year 1 that Tokyo's +9:18 puts in the year 0. The report quoted the
  // UTC text rxlog had made of a local time ("0000-12-31T14:42:00.000Z"), which the line does not hold.
  it('reads no time outside the years 0001–9999 in UTC, local or not, and quotes a local one as the line has it', () => {
    const file = path.join(dir, 'edges.clef');
    fs.writeFileSync(
      file,
      [
        '{"@t":"0001-01-01T00:00:00","@mt":"Year 0 in UTC"}',
        '{"@t":"0001-01-01T12:00:00","@mt":"Year 1 in UTC"}',
        '{"@t":"+275760-09-13T00:00:00","@mt":"Last day, local"}',
        '{"@t":"+275760-09-13T00:00:00Z","@mt":"Last instant"}',
        '{"@t":"-271821-04-20T00:00:00Z","@mt":"First instant"}',
        '{"timestamp":"0001-01-01","message":"NDJSON, local"}',
        '',
      ].join('\n'),
    );
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', '--strict', file], {
      cwd: root,
      encoding: 'utf8',
      env: plainEnv({ TZ: 'Asia/Tokyo' }),
    });
    expect(child.stdout).toBe('[12:00:00 INF] Year 1 in UTC\n');
    const years = 'is not an ISO 8601 instant in the years 0001–9999';
    expect(child.stderr.split('\n').map((line) => line.replace(/^rxlog: .*edges\.clef:/, ''))).toEqual([
      `1: not a log event ("@t" ${years}: "0001-01-01T00:00:00", local time, is 0000-12-31T14:42:00.000Z)`,
      `3: not a log event ("@t" ${years}: "+275760-09-13T00:00:00", local time, is +275760-09-12T15:00:00.000Z)`,
      `4: not a log event ("@t" ${years}: "+275760-09-13T00:00:00Z")`,
      `5: not a log event ("@t" ${years}: "-271821-04-20T00:00:00Z")`,
      `6: not a log event ("timestamp" ${years}: "0001-01-01", local time, is 0000-12-31T14:42:00.000Z)`,
      '',
    ]);
    expect(child.status).toBe(1);
  });

  // Around the first instant a Date holds, -271821-04-20T00:00Z, 19:04 on the 19th at New York's -4:56: 23:00 that day
  // was read as NaN ("the timestamp is not a date"), though a Date holds it, and midnight, before it, a date all the
  // same, was "not a date" too, as was a UTC time past the range, where the last instant a Date holds is outside years.
  it('says of a time past the range a Date holds, local or not, that it is outside the years 0001–9999, as of one inside', () => {
    const file = path.join(dir, 'far.clef');
    fs.writeFileSync(
      file,
      [
        '{"@t":"-271821-04-19T23:00:00","@mt":"In range, local"}',
        '{"@t":"-271821-04-19","@mt":"Past it, local"}',
        '{"@t":"+300000-01-01T00:00:00Z","@mt":"Past it, UTC"}',
        '{"timestamp":"+275760-09-13T00:00:00-01:00","message":"Past it by an offset"}',
        '{"@t":"+300100-02-29T00:00:00Z","@mt":"No such day"}',
        '',
      ].join('\n'),
    );
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', '--strict', file], {
      cwd: root,
      encoding: 'utf8',
      env: plainEnv({ TZ: 'America/New_York' }),
    });
    const years = 'is not an ISO 8601 instant in the years 0001–9999';
    expect(child.stderr.split('\n').map((line) => line.replace(/^rxlog: .*far\.clef:/, ''))).toEqual([
      `1: not a log event ("@t" ${years}: "-271821-04-19T23:00:00", local time, is -271821-04-20T03:56:00.000Z)`,
      `2: not a log event ("@t" ${years}: "-271821-04-19")`,
      `3: not a log event ("@t" ${years}: "+300000-01-01T00:00:00Z")`,
      `4: not a log event ("timestamp" ${years}: "+275760-09-13T00:00:00-01:00")`,
      '5: not a log event (the timestamp is not a date)',
      '',
    ]);
    expect(child.stdout).toBe('');
    expect(child.status).toBe(1);
  });

  it('colours by level on a pipe when FORCE_COLOR says so, as ConsoleSink does; --no-color still wins', () => {
    const file = path.join(dir, 'forced.clef');
    fs.writeFileSync(file, '{"@t":"2026-11-22T12:00:01.000Z","@mt":"Slow {Ms} ms","@l":"Warning","Ms":812}\n');
    const run = (env: NodeJS.ProcessEnv, ...flags: string[]): string =>
      spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', ...flags, file], { cwd: root, encoding: 'utf8', env })
        .stdout;
    expect(run(plainEnv({ TZ: 'UTC', FORCE_COLOR: '1' }))).toMatch(
      new RegExp(`^${'\u001b'}\\[[0-9;]*m\\[12:00:01 WRN\\] Slow 812 ms`),
    );
    expect(run(plainEnv({ TZ: 'UTC', FORCE_COLOR: '1' }), '--no-color')).toBe('[12:00:01 WRN] Slow 812 ms\n');
    expect(run(plainEnv({ TZ: 'UTC', FORCE_COLOR: '0' }))).toBe('[12:00:01 WRN] Slow 812 ms\n');
  });

  // `ls --color=always | less -R`, `grep --color=always`: the spelling scripts use to keep colour through a pipe.
  // It was refused as a value given to a flag (exit 2, nothing shown).
  it('takes --color=always, never and auto as ls and grep do: always colours a pipe, auto leaves it to the environment', () => {
    const file = path.join(dir, 'when.clef');
    fs.writeFileSync(file, '{"@t":"2026-11-22T12:00:01.000Z","@mt":"Slow {Ms} ms","@l":"Warning","Ms":812}\n');
    const run = (env: NodeJS.ProcessEnv, ...flags: string[]) => {
      const child = spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', ...flags, file], {
        cwd: root,
        encoding: 'utf8',
        env,
      });
      return { code: child.status, stdout: child.stdout, stderr: child.stderr };
    };
    const coloured = { code: 0, stdout: '\u001b[33m[12:00:01 WRN] Slow 812 ms\u001b[0m\n', stderr: '' };
    const plain = { code: 0, stdout: '[12:00:01 WRN] Slow 812 ms\n', stderr: '' };
    // plainEnv sets NO_COLOR, and stdout is a pipe: colour only when asked for.
    expect(run(plainEnv({ TZ: 'UTC' }), '--color=always')).toEqual(coloured);
    expect(run(plainEnv({ TZ: 'UTC' }), '--color=auto')).toEqual(plain);
    expect(run(plainEnv({ TZ: 'UTC', FORCE_COLOR: '1' }), '--color=never')).toEqual(plain);
    expect(run(plainEnv({ TZ: 'UTC', FORCE_COLOR: '1' }), '--color=auto')).toEqual(coloured);
    expect(run(plainEnv({ TZ: 'UTC' }), '--color=sometimes')).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'rxlog: --color: expected always, never or auto (or yes, force, no, none, tty, if-tty), got "sometimes"\n' +
        "Try 'rxlog --help' for the options.\n",
    });
  });

  // `cat < dir` says "Is a directory" and fails; Node gives such a stdin as an empty stream, which read as no lines.
  it('reports a directory as stdin as unreadable and exits with 2, as for a directory named as a file', () => {
    const stdin = fs.openSync(dir, 'r');
    try {
      const child = spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts'], {
        cwd: root,
        encoding: 'utf8',
        stdio: [stdin, 'pipe', 'pipe'],
      });
      expect(child.stdout).toBe('');
      expect(child.stderr).toBe('rxlog: cannot read <stdin>: EISDIR: illegal operation on a directory, read\n');
      expect(child.status).toBe(2);
    } finally {
      fs.closeSync(stdin);
    }
  });

  // Decided: Node reopens fds 0–2 on /dev/null when they are closed at start, so a closed stdin is /dev/null to rxlog,
  // no lines and exit code 0, as `rxlog < /dev/null`, where `cat <&-` reports EBADF; the named files are still read.
  it('reads a stdin closed before start as an empty one, exit code 0, and the files named beside it', () => {
    const file = path.join(dir, 'app.clef');
    fs.writeFileSync(file, '{"@t":"2026-11-22T12:00:00.000Z","@mt":"From the file"}\n');
    const child = spawnSync('/bin/sh', ['-c', `exec "${process.execPath}" --import tsx lib/cli/main.ts - "${file}" - <&-`], {
      cwd: root,
      encoding: 'utf8',
      env: plainEnv({ TZ: 'UTC' }),
    });
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('[12:00:00 INF] From the file\n');
    expect(child.status).toBe(0);
  });

  // Seen in round 35b: `--grep a --grep b` showed every event holding "b", those without "a" too, exit code 0.
  it('refuses a repeated --grep with exit code 2, showing nothing, rather than keep only the last', () => {
    const file = path.join(dir, 'app.clef');
    fs.writeFileSync(
      file,
      '{"@t":"2026-11-22T12:00:00.000Z","@mt":"Payment failed"}\n{"@t":"2026-11-22T12:00:01.000Z","@mt":"Login failed"}\n',
    );
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'lib/cli/main.ts', '--grep', 'payment', '--grep', 'failed', file],
      {
        cwd: root,
        encoding: 'utf8',
        env: plainEnv({ TZ: 'UTC' }),
        timeout: 15_000,
      },
    );
    expect(child.stdout).toBe('');
    expect(child.stderr).toBe(
      `rxlog: --grep may be given once, got "payment" and "failed"\nTry 'rxlog --help' for the options.\n`,
    );
    expect(child.status).toBe(2);
  });

  // winston's usual `format.combine(format.timestamp(), format.json())` writes rxlog's NDJSON shape (`level`,
  // `message`, `timestamp`): the lines at the levels the two share are read, its `http` and `silly` lines are not
  // events and pass through whatever the filters, as docs/cli.md says. The real winston, piped into the real command.
  it('reads winston JSON lines at the levels rxlog knows and passes its http and silly lines through', () => {
    const app = path.join(dir, 'winston-app.js');
    fs.writeFileSync(
      app,
      [
        `const winston = require(${JSON.stringify(require.resolve('winston'))});`,
        "const format = winston.format.combine(winston.format.timestamp({ format: () => '2026-11-22T12:00:00.000Z' }), winston.format.json());",
        "const log = winston.createLogger({ level: 'silly', format, transports: [new winston.transports.Console()] });",
        "log.info('Listening on 8080'); log.http('GET /'); log.warn('Slow'); log.silly('Tick');",
      ].join('\n'),
    );
    const input = spawnSync(process.execPath, [app], { encoding: 'utf8', timeout: 15_000 }).stdout;
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', '--level', 'warn'], {
      cwd: root,
      encoding: 'utf8',
      env: plainEnv({ TZ: 'UTC' }),
      input,
      timeout: 15_000,
    });
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe(
      [
        '{"level":"http","message":"GET /","timestamp":"2026-11-22T12:00:00.000Z"}',
        '[12:00:00 WRN] Slow',
        '{"level":"silly","message":"Tick","timestamp":"2026-11-22T12:00:00.000Z"}',
        '',
      ].join('\n'),
    );
    expect(child.status).toBe(0);
  });

  // `rxlog logs/*.log > logs/all.txt` on a second run names its own output among its inputs: reading it read back
  // what rxlog wrote, without end once the file was past one read of 64 KiB (67 MB in 8 s from a 2 MB file, until the
  // disk was full). `cat` refuses such a file ("input file is output file"); rxlog now reports it as unreadable and
  // reads the others. The files here are small, so the run before the fix ended, without the report.
  it.each([
    ['named as a file', (out: string) => ({ args: [path.join(dir, 'a.clef'), out], stdin: 'ignore' as const, source: out })],
    ['given as stdin', (out: string) => ({ args: [], stdin: fs.openSync(out, 'r'), source: '<stdin>' })],
  ])('refuses the file its stdout appends to, %s, and exits with 2 rather than read its own output', (_, setup) => {
    const line = '{"@t":"2026-11-22T12:00:00.000Z","@mt":"Paid {Amount}","Amount":5}\n';
    fs.writeFileSync(path.join(dir, 'a.clef'), line);
    const out = path.join(dir, 'all.txt');
    fs.writeFileSync(out, line);
    const { args, stdin, source } = setup(out);
    const stdout = fs.openSync(out, 'a');
    try {
      const child = spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', ...args], {
        cwd: root,
        encoding: 'utf8',
        env: plainEnv({ TZ: 'UTC' }),
        stdio: [stdin, stdout, 'pipe'],
        timeout: 10_000,
      });
      expect(child.stderr).toBe(`rxlog: cannot read ${source}: input file is output file\n`);
      expect(child.status).toBe(2);
      expect(fs.readFileSync(out, 'utf8')).toBe(args.length === 0 ? line : `${line}[12:00:00 INF] Paid 5\n`);
    } finally {
      fs.closeSync(stdout);
      if (typeof stdin === 'number') fs.closeSync(stdin);
    }
  });

  // `rxlog --strict logs/* 2> logs/errors.txt` run a second time names the file of its reports among its inputs: each
  // report read back is a line that is not an event, so one more report, without end (48 MB in 10 s from 20 000 lines,
  // until the disk was full). Refused as the file stdout writes to is. The files here are small, so the run before the
  // fix ended, without the report and with exit code 1.
  it('refuses the file its stderr appends to and exits with 2 rather than read its own reports', () => {
    const input = path.join(dir, 'app.log');
    fs.writeFileSync(input, 'plain text\n');
    const errors = path.join(dir, 'errors.txt');
    const before = 'rxlog: app.log:1: not a log event (not a JSON object)\n';
    fs.writeFileSync(errors, before);
    const stderr = fs.openSync(errors, 'a');
    try {
      const child = spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', '--strict', input, errors], {
        cwd: root,
        encoding: 'utf8',
        env: plainEnv({ TZ: 'UTC' }),
        stdio: ['ignore', 'pipe', stderr],
        timeout: 10_000,
      });
      expect({ status: child.status, stdout: child.stdout }).toEqual({ status: 2, stdout: '' });
      expect(fs.readFileSync(errors, 'utf8')).toBe(
        `${before}rxlog: ${input}:1: not a log event (not a JSON object)\nrxlog: cannot read ${errors}: input file is output file\n`,
      );
    } finally {
      fs.closeSync(stderr);
    }
  });

  // docs/cli.md, "Started by npm": npm runs the script through a shell and exits with its exit code, so a script or CI
  // step that runs `npm run view -- --strict app.log` (or `npx rxlog`) fails as rxlog alone does.
  it('run by npm, exits with its own exit codes', () => {
    const bad = path.join(dir, 'bad.log');
    fs.writeFileSync(bad, 'not an event\n');
    const npmRun = (...args: string[]) => {
      const child = spawnSync('npm', ['run', '--silent', 'rxlog', '--', ...args], {
        cwd: root,
        encoding: 'utf8',
        env: plainEnv({ TZ: 'UTC' }),
        timeout: 25_000,
      });
      return { status: child.status, stdout: child.stdout, stderr: child.stderr };
    };
    expect(npmRun('--strict', bad)).toEqual({
      status: 1,
      stdout: '',
      stderr: `rxlog: ${bad}:1: not a log event (not a JSON object)\n`,
    });
    expect(npmRun('--level=loud')).toMatchObject({ status: 2, stdout: '' });
  }, 60_000);

  // pino-pretty's bin ignores the first SIGINT when stdin is a pipe (pinojs/pino#358): Ctrl-C signals the
  // whole pipeline `node app.js | rxlog`, and the app's shutdown lines must still be shown, not lost with rxlog.
  it('on Ctrl-C in `node app.js | rxlog`, shows the lines the app logs while it shuts down, then exits with 0', async () => {
    const app = path.join(dir, 'app.js');
    fs.writeFileSync(
      app,
      [
        "const line = (t, m, done) => process.stdout.write(JSON.stringify({ '@t': t, '@mt': m }) + '\\n', done);",
        "line('2026-11-22T12:00:00.000Z', 'Listening');",
        'const alive = setTimeout(() => {}, 20_000);',
        "process.stdout.on('error', () => clearTimeout(alive));",
        // An app's graceful shutdown: it logs after the signal, once its work has wound down, then ends.
        "process.once('SIGINT', () => setTimeout(() => line('2026-11-22T12:00:01.000Z', 'Shutting down', () => clearTimeout(alive)), 100));",
      ].join('\n'),
    );
    const producer = spawn(process.execPath, [app], { stdio: ['ignore', 'pipe', 'inherit'] });
    const env = plainEnv({ TZ: 'UTC' });
    // A real pipe between the two, as the shell makes it.
    const rxlog = spawn(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts'], {
      cwd: root,
      env,
      stdio: [producer.stdout, 'pipe', 'pipe'],
    });
    producer.stdout.destroy();
    let out = '';
    let err = '';
    rxlog.stderr.setEncoding('utf8').on('data', (text: string) => (err += text));
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      rxlog.on('exit', (code, signal) => resolve([code, signal])),
    );
    const done = new Promise<void>((resolve) => rxlog.stdout.on('end', resolve));
    await new Promise<void>((resolve) =>
      rxlog.stdout.setEncoding('utf8').on('data', (text: string) => {
        out += text;
        if (out.includes('Listening')) resolve();
      }),
    );
    // What the terminal does on Ctrl-C: SIGINT to every process of the foreground pipeline.
    rxlog.kill('SIGINT');
    producer.kill('SIGINT');
    const [code, signal] = await exited;
    await done;
    expect(err).toBe('');
    expect(out).toBe('[12:00:00 INF] Listening\n[12:00:01 INF] Shutting down\n');
    expect([code, signal]).toEqual([0, null]);
  }, 20_000);

  // The app that ignores Ctrl-C (or is not in the pipeline) must not keep rxlog running: the second one stops it, as
  // docs/cli.md says, killed by the signal as `cat` is (status 130 in the shell).
  it('shows lines after a first Ctrl-C while it reads a pipe, and is killed by a second', async () => {
    const { rxlog, exited } = startRxlog({ endOn: 'exit' });
    let out = '';
    const shown = (text: string): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => {
          if (!out.includes(text)) return;
          rxlog.stdout.off('data', check);
          resolve();
        };
        rxlog.stdout.on('data', check);
        check();
      });
    rxlog.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
    rxlog.stdin.write('{"@t":"2026-11-22T12:00:00.000Z","@mt":"Listening"}\n');
    await shown('Listening');
    rxlog.kill('SIGINT');
    rxlog.stdin.write('{"@t":"2026-11-22T12:00:01.000Z","@mt":"Still here"}\n');
    await shown('Still here');
    rxlog.kill('SIGINT');
    expect(await exited).toEqual([null, 'SIGINT']);
    rxlog.stdin.destroy();
    expect(out).toBe('[12:00:00 INF] Listening\n[12:00:01 INF] Still here\n');
  }, 20_000);

  // Two Ctrl-Cs that come while rxlog is busy (a long line, a burst of output) reach its JavaScript together, on its
  // next turn: the second must still stop it. With `process.once`, the first took the listener away and the second,
  // already caught by Node, was dropped: rxlog ran on until a third. Here a preloaded script (the one stand-in, for a
  // main thread busy at a known moment) holds rxlog's main thread, as long work would, once it has shown its first
  // line, until the test opens a FIFO; the test lets it go once the kernel has handed both signals to rxlog (Linux's
  // /proc shows none pending), so the two are sure to be caught and not yet handled.
  it('is killed by a second Ctrl-C that comes before it has handled the first', async () => {
    const gate = path.join(dir, 'gate.fifo');
    expect(spawnSync('mkfifo', [gate]).status).toBe(0);
    const busy = path.join(dir, 'busy-after-first-write.cjs');
    fs.writeFileSync(
      busy,
      [
        "const fs = require('node:fs');",
        'const write = process.stdout.write;',
        'process.stdout.write = function (...args) {',
        '  process.stdout.write = write;',
        '  const accepted = write.apply(this, args);',
        `  fs.readFileSync(${JSON.stringify(gate)}); // blocks until the test opens and closes the FIFO`,
        '  return accepted;',
        '};',
      ].join('\n'),
    );
    const rxlog = spawn(process.execPath, ['--require', busy, '--import', 'tsx', 'lib/cli/main.ts'], {
      cwd: root,
      env: plainEnv({ TZ: 'UTC' }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(rxlog);
    rxlog.stdin.on('error', () => {}); // EPIPE once rxlog has gone
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      rxlog.on('exit', (code, signal) => resolve([code, signal])),
    );
    let out = '';
    const shown = new Promise<void>((resolve) =>
      rxlog.stdout.setEncoding('utf8').on('data', (text: string) => {
        out += text;
        if (out.includes('Listening')) resolve();
      }),
    );
    rxlog.stdin.write('{"@t":"2026-11-22T12:00:00.000Z","@mt":"Listening"}\n');
    await shown;
    // Signals the kernel holds for the process but has not yet handed to it (bit 2: SIGINT); two Ctrl-Cs while the
    // first is still held would count as one, as they do for any process.
    const pending = (): number =>
      [...fs.readFileSync(`/proc/${rxlog.pid}/status`, 'utf8').matchAll(/^(?:SigPnd|ShdPnd):\s*([0-9a-f]+)$/gm)].reduce(
        (bits, [, hex]) => bits | Number(BigInt(`0x${hex}`) & 0xffn),
        0,
      );
    const handedOver = poller({ waitMs: 10_000, pollMs: 5 });
    for (const ctrlC of ['first', 'second']) {
      rxlog.kill('SIGINT');
      await handedOver(
        () => ((pending() & 0b10) === 0 ? true : undefined),
        () => `the ${ctrlC} SIGINT still pending`,
      );
    }
    // Let rxlog's main thread go: its loop now finds both signals at once.
    await (await fs.promises.open(gate, 'w')).close();
    const ended = await Promise.race([
      exited,
      new Promise<string>((resolve) => setTimeout(() => resolve('still running 10 s after the second Ctrl-C'), 10_000).unref()),
    ]);
    rxlog.stdin.destroy();
    expect(ended).toEqual([null, 'SIGINT']);
    expect(out).toBe('[12:00:00 INF] Listening\n');
  }, 20_000);

  // Ctrl-C while the app has written half a line: rxlog keeps it, and shows it once the app ends its output,
  // as the last line of the input (`plain\r` with no `\n` after it is a line too).
  it('keeps a partial line over a first Ctrl-C and shows it when the input ends, exit code 0, nothing on stderr', async () => {
    // 'close', not 'exit': it comes once stdout and stderr have ended, so `out` holds the last line shown.
    const { rxlog, exited, stderr } = startRxlog({ endOn: 'close' });
    let out = '';
    rxlog.stdin.write('{"@t":"2026-11-22T12:00:00.000Z","@mt":"Whole"}\n{"@t":"2026-11-22T12:00:01.000Z","@mt":"Ha');
    // The whole line shown says rxlog is running, with its SIGINT handler in place, and holds the rest.
    await new Promise<void>((resolve) =>
      rxlog.stdout.setEncoding('utf8').on('data', (text: string) => {
        out += text;
        if (out.includes('Whole')) resolve();
      }),
    );
    rxlog.kill('SIGINT');
    rxlog.stdin.end('lf"}');
    expect(await exited).toEqual([0, null]);
    expect(stderr()).toBe('');
    expect(out).toBe('[12:00:00 INF] Whole\n[12:00:01 INF] Half\n');
  }, 20_000);

  // A named file (here a FIFO an app writes to) is not a pipeline rxlog shares with the app: Ctrl-C stops it at
  // once, killed by SIGINT as `cat` is (status 130 in the shell), with what it had shown kept and no stack trace.
  it('is killed by the first Ctrl-C while it reads a named file, keeping what it showed', async () => {
    const fifo = path.join(dir, 'app.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // 'close', not 'exit': it comes once stdout and stderr have ended, so `out` and stderr are all rxlog wrote.
    const { rxlog, exited, stderr } = startRxlog({ args: [fifo], endOn: 'close' });
    let out = '';
    // Opening a FIFO for writing waits for its reader: rxlog.
    const writer = await fs.promises.open(fifo, 'w');
    await writer.write('{"@t":"2026-11-22T12:00:00.000Z","@mt":"Listening"}\n{"@t":"2026-11-22T12:00:01.000Z","@mt":"Ha');
    await new Promise<void>((resolve) =>
      rxlog.stdout.setEncoding('utf8').on('data', (text: string) => {
        out += text;
        if (out.includes('Listening')) resolve();
      }),
    );
    rxlog.kill('SIGINT');
    expect(await exited).toEqual([null, 'SIGINT']);
    await writer.close();
    expect(stderr()).toBe('');
    expect(out).toBe('[12:00:00 INF] Listening\n');
  }, 20_000);

  // `node app.js | rxlog | head -1`, `rxlog --strict 2>&1 | head -1`: the input never ends, so rxlog must stop
  // when the reader goes, quietly (no EPIPE stack trace) and with its own exit code.
  it.each([
    ['stdout', [], '{"@t":"2026-11-22T12:00:00.000Z","@mt":"Tick"}', 0],
    ['stderr', ['--strict'], 'not an event', 1],
  ])(
    'exits by itself when the reader of its %s goes away while the input goes on',
    async (closed, args, line, status) => {
      const rxlog = spawn(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', ...args], {
        cwd: root,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const output = closed === 'stdout' ? rxlog.stdout : rxlog.stderr;
      const other = closed === 'stdout' ? rxlog.stderr : rxlog.stdout;
      let rest = '';
      other.setEncoding('utf8').on('data', (text: string) => (rest += text));
      const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
        rxlog.on('exit', (code, signal) => resolve([code, signal])),
      );
      let running = true;
      void exited.then(() => (running = false));
      rxlog.stdin.on('error', () => {}); // EPIPE once rxlog has gone
      const feed = (): void => {
        while (running && rxlog.stdin.write(`${line}\n`));
        if (running) rxlog.stdin.once('drain', feed);
      };
      feed();
      // What `head -1` does: read the first line, then close its end of the pipe.
      await new Promise<void>((resolve) =>
        output.setEncoding('utf8').on('data', (text: string) => {
          if (text.includes('\n')) resolve();
        }),
      );
      output.destroy();
      const [code, signal] = await exited;
      rxlog.stdin.destroy();
      expect(rest).toBe('');
      expect([code, signal]).toEqual([status, null]);
    },
    20_000,
  );

  // `tail -f app.log | rxlog | head -1` while the app is quiet: the second line meets EPIPE, and no third comes.
  it('exits once a write meets the closed pipe, while its input stays open and idle', async () => {
    const { rxlog, exited, stderr } = startRxlog({ endOn: 'exit' });
    rxlog.stdin.write('{"@t":"2026-11-22T12:00:00.000Z","@mt":"First"}\n');
    await new Promise<void>((resolve) => rxlog.stdout.once('data', () => resolve()));
    rxlog.stdout.destroy();
    rxlog.stdin.write('{"@t":"2026-11-22T12:00:01.000Z","@mt":"Second"}\n');
    const [code, signal] = await exited;
    rxlog.stdin.destroy();
    expect(stderr()).toBe('');
    expect([code, signal]).toEqual([0, null]);
  }, 20_000);
});
