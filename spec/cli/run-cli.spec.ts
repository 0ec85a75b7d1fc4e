import { Readable, Writable } from 'node:stream';
import { CLI_USAGE } from '../../lib/cli/cli-usage';
import { type CliIo, runCli } from '../../lib/cli/run-cli';
import fc from 'fast-check';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { escapeControlCharacters } from '../../lib/core/escape-control-characters';
import { readCompactJson } from '../../lib/formatting/read-compact-json';
import { templateEventId } from '../../lib/formatting/template-event-id';
import { TextCollector } from '../helpers/text-collector';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: string[], stdinText = '', io: Partial<CliIo> = {}): Promise<Run> {
  const stdout = new TextCollector();
  const stderr = new TextCollector();
  const code = await runCli(args, { stdin: Readable.from([stdinText]), stdout, stderr, ...io });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** `HH:mm:ss` in local time, as the default output template shows a timestamp. */
function localTime(iso: string): string {
  const date = new Date(iso);
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

const T0 = '2026-11-22T12:00:00.000Z';
const T1 = '2026-11-22T12:00:01.000Z';
const T2 = '2026-11-22T12:00:02.000Z';
const CLEF_INFO = `{"@t":"${T0}","@mt":"User {UserId} logged in","@i":"f9f406a9","UserId":42}`;
const NDJSON_WARN = `{"timestamp":"${T1}","level":"warning","message":"Slow 812 ms","template":"Slow {Ms} ms","Ms":812,"Path":"/cart"}`;
const CLEF_ERROR = `{"@t":"${T2}","@mt":"Payment {PaymentId} failed","@l":"Error","@x":"Error: declined\\n    at pay (shop.js:1:1)","PaymentId":"p-1","Path":"/pay"}`;
const MIXED = [CLEF_INFO, 'plain text from console.log', NDJSON_WARN, '', CLEF_ERROR, ''].join('\n');

describe('runCli', () => {
  it('pretty-prints CLEF and NDJSON events and passes other lines through unchanged', async () => {
    expect(await run([], MIXED)).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        `[${localTime(T0)} INF] User 42 logged in`,
        'plain text from console.log',
        `[${localTime(T1)} WRN] Slow 812 ms`,
        '',
        `[${localTime(T2)} ERR] Payment p-1 failed`,
        'Error: declined',
        '    at pay (shop.js:1:1)',
        '',
      ].join('\n'),
    });
  });

  it('shows a formatted hole of a line from .NET as its @r rendering, as Seq does', async () => {
    const line = `{"@t":"${T0}","@mt":"Paid {Amount:C}","@r":["¤12.50"],"Amount":12.5}`;
    expect((await run(['--template', '{Message}'], line)).stdout).toBe('Paid ¤12.50\n');
  });

  it('never writes raw control characters from its input, in events, passed-through lines or diagnostics', async () => {
    const event = `{"@t":"${T0}","@mt":"User {Name}","Name":"eve\\u001b]0;x\\u0007\\n[INF] forged"}`;
    const junk = 'plain \u001b[2J text\u009b';
    const loose = await run([], `${event}\n${junk}\n`);
    const strict = await run(['--strict'], `${junk}\n{"@t":"bad\u001b[31m"}\n`);
    // eslint-disable-next-line no-control-regex
    const control = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
    expect(loose.stdout).not.toMatch(control);
    expect(loose.stdout.split('\n').filter((line) => line !== '')).toHaveLength(2);
    expect(loose.stdout).toContain('plain \\u001b[2J text\\u009b');
    expect(strict.stderr).not.toMatch(control);
  });

  it('escapes control characters in the file names, read errors and arguments it reports on stderr', async () => {
    // A file named by a hostile upload, `rxlog logs/*`: its name and the errors quoting it must not drive the terminal.
    const name = 'x\u001b]0;owned\u0007\u009b2J.log';
    const shown = 'x\\u001b]0;owned\\u0007\\u009b2J.log';
    const openFile = (path: string): Readable => {
      if (path.startsWith('gone')) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      return Readable.from([`${'y'.repeat(20)}\nbad\n`]);
    };
    expect(await run(['--strict', name, `gone${name}`], '', { openFile, maxLineBytes: 10 })).toEqual({
      code: 2,
      stdout: '',
      stderr:
        `rxlog: ${shown}:1: line of 20 bytes skipped (longer than 10 bytes)\n` +
        `rxlog: ${shown}:2: not a log event (not a JSON object)\n` +
        `rxlog: cannot read gone${shown}: ENOENT: no such file or directory, open 'gone${shown}'\n`,
    });
    const usage = await run(['--where', 'Name\u009b2J\u2028'], '');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('got "Name\\u009b2J\\u2028"');
  });

  it('passes a line nested deeper than 128 levels through as it is, reports it under --strict, and reads on', async () => {
    // 8 million `[` took JSON.parse 4.6 s of CPU and 400 MB before it found the line unfinished.
    const deep = `{"timestamp":"${T1}","message":"deep","X":${'{"a":'.repeat(200)}1${'}'.repeat(200)}}`;
    const unclosed = `{"@t":"${T0}","@mt":"deep","X":${'['.repeat(1_000_000)}`;
    const input = `${deep}\n${unclosed}\n${CLEF_INFO}\n`;
    expect(await run(['--template', '{Message}'], input)).toEqual({
      code: 0,
      stderr: '',
      stdout: `${deep}\n${unclosed}\nUser 42 logged in\n`,
    });
    expect(await run(['--strict', '--template', '{Message}'], input)).toEqual({
      code: 1,
      stderr:
        'rxlog: <stdin>:1: not a log event (nested deeper than 128 levels)\n' +
        'rxlog: <stdin>:2: not a log event (nested deeper than 128 levels)\n',
      stdout: 'User 42 logged in\n',
    });
  });

  it('shows a structure nested 128 levels deep as far as a message shows it', async () => {
    const deep = `{"timestamp":"${T1}","message":"deep","X":${'{"a":'.repeat(127)}1${'}'.repeat(127)}}`;
    // writeJson follows 63 levels, so a CLEF line of it nests at most 64 deep (Serilog's reader's limit).
    const shown = `${'{"a":'.repeat(63)}"[MaxDepth]"${'}'.repeat(63)}`;
    expect(await run(['--template', '{Message} {X}'], `${deep}\n`)).toEqual({ code: 0, stderr: '', stdout: `deep ${shown}\n` });
  });

  it('keeps the digits of an integer past 2^53 (a 64-bit id) in text, --where and --json, from CLEF and NDJSON', async () => {
    const clef = `{"@t":"${T0}","@mt":"Order {OrderId}","@i":"f678de75","OrderId":1234567890123456789}`;
    const ndjson = `{"timestamp":"${T1}","level":"information","message":"Order 9007199254740993","template":"Order {OrderId}","OrderId":9007199254740993}`;
    const input = `${clef}\n${ndjson}\n`;
    expect((await run(['--template', '{Message}'], input)).stdout).toBe('Order 1234567890123456789\nOrder 9007199254740993\n');
    expect((await run(['--template', '{Message}', '--where', 'OrderId=9007199254740993'], input)).stdout).toBe(
      'Order 9007199254740993\n',
    );
    const json = (await run(['--json'], input)).stdout.split('\n');
    expect(json[0]).toBe(clef);
    expect(json[1]).toContain('"OrderId":9007199254740993}');
  });

  it('passes a line with an integer of more than 4300 digits through as it is, and reports it under --strict', async () => {
    // 16 million digits took 20 s to convert to a bigint and back (Python's json.loads stops at 4300, CVE-2020-10735).
    const huge = `{"@t":"${T0}","@mt":"Big {N}","N":${'7'.repeat(1_000_000)}}`;
    const ndjson = `{"timestamp":"${T1}","message":"Big","N":-${'7'.repeat(4301)}}`;
    const input = `${huge}\n${ndjson}\n${CLEF_INFO}\n`;
    expect(await run(['--template', '{Message}'], input)).toEqual({
      code: 0,
      stderr: '',
      stdout: `${huge}\n${ndjson}\nUser 42 logged in\n`,
    });
    // --json writes CLEF only: the lines --strict reports are left out, and counted.
    expect(await run(['--json'], input)).toEqual({
      code: 0,
      stderr: 'rxlog: 2 lines that are not log events left out of the CLEF output\n',
      stdout: `${CLEF_INFO}\n`,
    });
    expect(await run(['--strict', '--template', '{Message}'], input)).toEqual({
      code: 1,
      stderr:
        'rxlog: <stdin>:1: not a log event (an integer of 1000000 digits, past the 4300 read exactly)\n' +
        'rxlog: <stdin>:2: not a log event (an integer of 4301 digits, past the 4300 read exactly)\n',
      stdout: 'User 42 logged in\n',
    });
  });

  it('passes an event whose message would render longer than the line cap through as it is, and reports it under --strict', async () => {
    // 36 bytes of template render 20 000 characters: a 16 MiB line of them rendered 8 GB, or ran out of string.
    const aligned = `{"@t":"${T0}","@mt":"{A,9999}{A,-9999}","A":1}`;
    const structure = `{"@t":"${T0}","@mt":"${'{@A}'.repeat(20)}","A":[${'"xxxxxxxx",'.repeat(9)}"x"]}`;
    const fits = `{"@t":"${T0}","@mt":"{A,900}|{A:0.0}","A":1}`;
    const input = `${aligned}\n${structure}\n${fits}\n`;
    const io = { maxLineBytes: 1024 };
    expect(await run(['--template', '{Message}'], input, io)).toEqual({
      code: 0,
      stderr: '',
      stdout: `${aligned}\n${structure}\n${' '.repeat(899)}1|1.0\n`,
    });
    expect(await run(['--json'], input, io)).toEqual({
      code: 0,
      stderr: 'rxlog: 2 lines that are not log events left out of the CLEF output\n',
      stdout: `${fits.replace('"A":1', '"@i":"4bae4030","@r":["1.0"],"A":1')}\n`,
    });
    expect(await run(['--strict', '--grep', '|'], input, io)).toEqual({
      code: 1,
      stderr:
        'rxlog: <stdin>:1: not a log event (its message renders to more than 1024 characters)\n' +
        'rxlog: <stdin>:2: not a log event (its message renders to more than 1024 characters)\n',
      stdout: expect.stringContaining(' INF]') as unknown,
    });
  });

  it('passes a line whose template or message holds more than 131072 braces through as it is, and reports it under --strict', async () => {
    // Parsed, a 16 MiB line of "{A}" took 950 MB and 18 s, one of "{" in "@m" 2 GB: a crash under a 1 GB heap.
    const holes = `{"@t":"${T0}","@mt":"${'{A}'.repeat(70_000)}","A":1}`;
    const braces = `{"timestamp":"${T1}","message":"${'{'.repeat(131_073)}"}`;
    const input = `${holes}\n${braces}\n${CLEF_INFO}\n`;
    expect(await run(['--template', '{Message}'], input)).toEqual({
      code: 0,
      stderr: '',
      stdout: `${holes}\n${braces}\nUser 42 logged in\n`,
    });
    expect(await run(['--strict', '--template', '{Message}'], input)).toEqual({
      code: 1,
      stderr:
        'rxlog: <stdin>:1: not a log event ("@mt" holds more than 131072 braces)\n' +
        'rxlog: <stdin>:2: not a log event ("message" holds more than 131072 braces)\n',
      stdout: 'User 42 logged in\n',
    });
  });

  it('reads on after an event whose message would be longer than a string can be', async () => {
    // 800 million characters: V8 threw "Invalid string length", which stopped the file as unreadable (exit code 2).
    const bomb = `{"@t":"${T0}","@mt":"${'{A}'.repeat(200_000)}","A":"${'x'.repeat(4000)}"}`;
    expect(await run(['--template', '{Message}'], `${bomb}\n${CLEF_INFO}\n`)).toEqual({
      code: 0,
      stderr: '',
      stdout: `${bomb}\nUser 42 logged in\n`,
    });
  });

  it('passes tabs of a line that is not an event through as tabs (a Java stack trace, TSV)', async () => {
    const trace = 'java.lang.IllegalStateException: boom\n\tat com.shop.Pay.run(Pay.java:12)\nid\tname\n';
    expect(await run([], trace)).toEqual({ code: 0, stderr: '', stdout: trace });
  });

  it('shows the CRLF line breaks of a .NET exception from Windows as line breaks', async () => {
    const line = `{"@t":"${T0}","@mt":"Failed","@l":"Error","@x":"System.Exception: boom\\r\\n   at Program.Main() in C:\\\\app\\\\Program.cs:line 5"}`;
    expect((await run(['--template', '{Message}{NewLine}{Exception}'], line)).stdout).toBe(
      'Failed\nSystem.Exception: boom\n   at Program.Main() in C:\\app\\Program.cs:line 5\n',
    );
  });

  it('re-emits matching events as CLEF with --json, and only those: other lines are left out and counted', async () => {
    const { code, stdout, stderr } = await run(['--json', '--level', 'warn'], MIXED);
    expect(code).toBe(0);
    // Blank lines are nothing, as under --strict: left out, not counted.
    expect(stderr).toBe('rxlog: 1 line that is not a log event left out of the CLEF output\n');
    expect(stdout).toBe(
      [
        `{"@t":"${T1}","@mt":"Slow {Ms} ms","@l":"Warning","@i":"2fcb6b75","Ms":812,"Path":"/cart"}`,
        `{"@t":"${T2}","@mt":"Payment {PaymentId} failed","@l":"Error","@x":"Error: declined\\n    at pay (shop.js:1:1)","@i":"cba7998f","PaymentId":"p-1","Path":"/pay"}`,
        '',
      ].join('\n'),
    );
  });

  // rxlog's writer cuts a value at 63 levels ("[MaxDepth]") and past 2^20 items ("[Truncated]"), where the reader
  // takes lines 128 levels deep and of any number of items: --json wrote such an event back with its data cut, then
  // wrote its line as it was, which was no CLEF when the line was NDJSON, had a local time or a level Seq cannot read.
  it('writes with --json an event it would write back cut, nested 65 levels deep or past 2^20 items, as CLEF with its values whole', async () => {
    const nested = (levels: number): string => `${'['.repeat(levels - 1)}1${']'.repeat(levels - 1)}`;
    const items = (count: number): string => `[${'0,'.repeat(count - 1)}0]`;
    const clef = (l: string, value: string): string => `{"@t":"${T0}","@mt":"Data","@l":"${l}","A":${value},"B":1}`;
    const ndjson = (value: string): string =>
      `{"timestamp":"${T1}","level":"err","message":"Data","A":${value},"@B":[1],"_level":{"x":2}}`;
    const written = (value: string, l = 'Error'): string =>
      `{"@t":"${T0}","@mt":"Data","@l":"${l}","@i":"b411fa7e","A":${value},"B":1}`;
    // The scalar properties first, then the structured ones in their order (a name starting with `@` escaped).
    const fromNdjson = (value: string): string =>
      `{"@t":"${T1}","@mt":"Data","@l":"Error","@i":"b411fa7e","A":${value},"@@B":[1],"level":{"x":2}}`;
    const input = [
      clef('Error', nested(64)),
      clef('Error', items(2 ** 20)),
      clef('Error', nested(65)),
      clef('crit', items(2 ** 20 + 1)),
      ndjson(nested(65)),
      ndjson(items(2 ** 20 + 1)),
      clef('Debug', nested(65)),
      '',
    ].join('\n');
    const { code, stderr, stdout } = await run(['--json', '--level', 'error'], input);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.split('\n')).toEqual([
      written(nested(64)),
      written(items(2 ** 20)),
      `{"@t":"${T0}","@mt":"Data","@l":"Error","@i":"b411fa7e","B":1,"A":${nested(65)}}`,
      `{"@t":"${T0}","@mt":"Data","@l":"Fatal","@i":"b411fa7e","B":1,"A":${items(2 ** 20 + 1)}}`,
      fromNdjson(nested(65)),
      fromNdjson(items(2 ** 20 + 1)),
      '',
    ]);
  });

  it('gives back rxlog CLEF unchanged with --json', async () => {
    const { stdout } = await run(['--json'], `${CLEF_INFO}\n`);
    expect(stdout).toBe(`${CLEF_INFO}\n`);
  });

  // Serilog's RenderedCompactJsonFormatter writes `@m` with the `@i` of the template it rendered; Seq groups events by
  // it. --json wrote the hash of the message instead, one event type per distinct message.
  it("keeps the line's own @i with --json, computing one only for a line without it", async () => {
    const rendered = `{"@t":"${T0}","@m":"User 42 logged in","@i":"f9f406a9","UserId":42}`;
    const numeric = `{"@t":"${T1}","@mt":"Slow {Ms} ms","@l":"Warning","@i":1234,"Ms":812}`;
    const without = `{"@t":"${T2}","@mt":"Slow {Ms} ms","Ms":5}`;
    const { code, stdout } = await run(['--json'], [rendered, numeric, without, ''].join('\n'));
    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual([
      `{"@t":"${T0}","@mt":"User 42 logged in","@i":"f9f406a9","UserId":42}`,
      `{"@t":"${T1}","@mt":"Slow {Ms} ms","@l":"Warning","@i":1234,"Ms":812}`,
      `{"@t":"${T2}","@mt":"Slow {Ms} ms","@i":"2fcb6b75","Ms":5}`,
      '',
    ]);
    const again = await run(['--json', '--strict'], stdout);
    expect(again).toEqual({ code: 0, stdout, stderr: '' });
  });

  // The reader takes an `@i` past 2^53 as a bigint, its digits kept, but the command kept a string or number `@i`
  // only: `--json` wrote the template's hash in its place and `--where @i=<its digits>` showed nothing.
  it("keeps a line's @i of an integer past 2^53 with --json and compares it with --where @i, digits and all", async () => {
    const line = `{"@t":"${T0}","@mt":"Slow {Ms} ms","@i":12345678901234567890,"Ms":812}`;
    expect(await run(['--json'], line)).toEqual({ code: 0, stdout: `${line}\n`, stderr: '' });
    expect((await run(['--template', '{Message}', '--where', '@i=12345678901234567890'], line)).stdout).toBe('Slow 812 ms\n');
  });

  // JSON escapes C0 controls only: `rxlog --json app.log` on a terminal wrote a value's U+009B (a one-byte CSI that
  // xterm and VTE act on, as UTF-8 too) raw, so `"A":"\u009b2J"` cleared the screen and U+009D (OSC) set the title.
  it('writes C1 controls, DEL and U+2028/U+2029 of an event as \\u escapes with --json: the same JSON, inert on a terminal', async () => {
    const line = `{"@t":"${T0}","@mt":"Note \u009d0;t\u009c {A}","@i":"00000000","A":"\u009b2J\u007f\u2028\u2029","B":{"\u0085":1}}`;
    const { code, stdout } = await run(['--json'], `${line}\n`);
    expect(code).toBe(0);
    expect(stdout).not.toMatch(/[\u007f-\u009f\u2028\u2029]/);
    expect(stdout).toContain('"A":"\\u009b2J\\u007f\\u2028\\u2029","B":{"\\u0085":1}');
    expect(readCompactJson(stdout.trimEnd())).toEqual(readCompactJson(line));
  });

  it('writes the bidirectional overrides and isolates of an event as \\u escapes with --json and in text', async () => {
    const line = `{"@t":"${T0}","@mt":"User {A}","@i":"00000000","A":"eve\u202e nimda\u2066"}`;
    const json = await run(['--json'], `${line}\n`);
    expect(json.stdout).toContain('"A":"eve\\u202e nimda\\u2066"');
    expect(readCompactJson(json.stdout.trimEnd())).toEqual(readCompactJson(line));
    const text = await run(['--template', '{Message}'], `${line}\n`);
    expect(text.stdout).toBe('User eve\\u202e nimda\\u2066\n');
  });

  it('leaves a line whose @t is outside the years 0001–9999 out with --json, never restamped', async () => {
    const line = '{"@t":"+010000-01-01T00:00:00.000Z","@mt":"From the future"}';
    const result = await run(['--json'], `${line}\n`);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('rxlog: 1 line that is not a log event left out of the CLEF output\n');
    expect((await run(['--strict'], `${line}\n`)).code).toBe(1);
  });

  // Serilog's CLEF reader (LogEventReader) reads `@l` as the event's level (Information when the line has none) and
  // `@i` as the event id; `--where @l=…` and `--where @i=…` compared properties of those names, which no line has,
  // and showed nothing.
  it('compares --where @l with the level (Information without one) and @i with the event id (else the template’s)', async () => {
    const lines = [
      '{"@t":"2026-01-01T00:00:00Z","@mt":"A {X}","X":1,"@i":"abcd1234"}',
      '{"@t":"2026-01-01T00:00:01Z","@mt":"B","@l":"Error","@i":42}',
      '{"@t":"2026-01-01T00:00:02Z","@mt":"C {Y}","Y":2,"@l":"WRN"}',
    ].join('\n');
    const shown = async (...where: string[]): Promise<string> =>
      (await run(['--template', '{Message}{NewLine}', ...where.flatMap((condition) => ['--where', condition])], lines)).stdout;
    expect(await shown('@l=Information')).toBe('A 1\n');
    expect(await shown('@l=info')).toBe('A 1\n');
    expect(await shown('@l=ERR')).toBe('B\n');
    expect(await shown('@l=warning')).toBe('C 2\n');
    expect(await shown('@i=abcd1234')).toBe('A 1\n');
    expect(await shown('@i=42', '@l=error')).toBe('B\n');
    expect(await shown(`@i=${templateEventId('C {Y}')}`)).toBe('C 2\n');
    expect(await shown('@i=ABCD1234')).toBe('');
    const refused = await run(['--where', '@l=chatty'], lines);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--where @l: unknown level "chatty" (expected verbose (trace), debug,');
  });

  // Seq's span fields `@ps`, `@st` … are compared by `--where @ps=…` (properties of those names), but `@tr`, `@sp`,
  // `@mt` and `@m`, which the reader reads into the event, were compared as properties `@tr` … that no line has:
  // `--where @tr=<trace id>`, the first filter one tries to follow a request, showed nothing, exit code 0.
  it('compares --where @tr and @sp with the trace and span ids --json writes, and @mt and @m with the template and message', async () => {
    const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const lines = [
      `{"@t":"2026-01-01T00:00:00Z","@mt":"A {X}","X":1,"@tr":"${trace.toUpperCase()}","@sp":"00f067aa0ba902b7"}`,
      `{"@t":"2026-01-01T00:00:01Z","@mt":"B {{x}}","@tr":"${trace}","@sp":"00f067aa0ba902b8","@ps":"00f067aa0ba902b7"}`,
      `{"timestamp":"2026-01-01T00:00:02Z","message":"C 2","template":"C {Y}","Y":2,"TraceId":"${trace}"}`,
      '{"@t":"2026-01-01T00:00:03Z","@m":"D {z}"}',
    ].join('\n');
    const shown = async (...where: string[]): Promise<string> =>
      (await run(['--template', '{Message}{NewLine}', ...where.flatMap((condition) => ['--where', condition])], lines)).stdout;
    expect(await shown(`@tr=${trace}`)).toBe('A 1\nB {x}\nC 2\n');
    expect(await shown(`@tr=${trace.toUpperCase()}`, '@sp=00f067aa0ba902b8')).toBe('B {x}\n');
    expect(await shown('@sp=00f067aa0ba902b7')).toBe('A 1\n');
    expect(await shown('@ps=00f067aa0ba902b7')).toBe('B {x}\n');
    expect(await shown('@mt=C {Y}')).toBe('C 2\n');
    expect(await shown('@mt=D {{z}}')).toBe('D {z}\n');
    expect(await shown('@m=B {x}')).toBe('B {x}\n');
    expect(await shown('@m=A 1', `@tr=${trace}`)).toBe('A 1\n');
    // What --json writes for the events `--where @tr` shows: each has that "@tr", and no other event has.
    const json = (await run(['--json', '--where', `@tr=${trace}`], lines)).stdout.trimEnd().split('\n');
    expect(json.map((line) => (JSON.parse(line) as Record<string, unknown>)['@tr'])).toEqual([trace, trace, trace]);
  });

  it('refuses a --where on @tr or @sp that no event can have, and on @t, @x and @r, which it does not compare', async () => {
    for (const [where, reason] of [
      ['@tr=abc', '--where @tr: expected a trace id of 32 hex digits, not all zeros, got "abc"'],
      ['@tr=00000000000000000000000000000000', '--where @tr: expected a trace id of 32 hex digits'],
      ['@sp=4bf92f3577b34da6a3ce929d0e0e4736', '--where @sp: expected a span id of 16 hex digits'],
      ['@t=2026-01-01T00:00:00Z', "--where cannot compare @t (CLEF's timestamp)"],
      ['@x=Error', "--where cannot compare @x (CLEF's exception)"],
      ['@r=x', "--where cannot compare @r (CLEF's renderings)"],
    ]) {
      const refused = await run(['--where', where], CLEF_INFO);
      expect({ code: refused.code, stdout: refused.stdout }).toEqual({ code: 2, stdout: '' });
      expect(refused.stderr).toContain(`rxlog: ${reason}`);
    }
  });

  it('filters by --level, --grep and --where together', async () => {
    const template = ['--template', '{Level:u3} {Message}'];
    expect((await run([...template, '--level', 'warning'], MIXED)).stdout).toBe(
      'plain text from console.log\nWRN Slow 812 ms\n\nERR Payment p-1 failed\n',
    );
    expect((await run([...template, '--grep', 'PAYMENT'], MIXED)).stdout).toBe(
      'plain text from console.log\n\nERR Payment p-1 failed\n',
    );
    expect((await run([...template, '--where', 'Path=/cart'], MIXED)).stdout).toBe(
      'plain text from console.log\nWRN Slow 812 ms\n\n',
    );
    expect((await run([...template, '--where', 'UserId=42', '--grep', 'logged'], MIXED)).stdout).toBe(
      'INF User 42 logged in\nplain text from console.log\n\n',
    );
    expect((await run([...template, '--where', 'UserId=42', '--grep', 'failed'], MIXED)).stdout).toBe(
      'plain text from console.log\n\n',
    );
  });

  // Decided: --grep searches the message as shown, as Seq's text search searches messages, not the line's JSON (a
  // property's name or a value the message does not show, a key such as "@mt", a JSON escape) nor the rest of the
  // output line (the time and level, which --level and the template are for, and the exception). The raw line is
  // what `grep` before rxlog searches.
  it('matches --grep against the message as shown, not the JSON of its line, its other properties or its exception', async () => {
    const escaped = `{"@t":"${T0}","@mt":"Caf\\u00e9 {Order} paid","Order":"o-7","Till":3}`;
    const input = `${CLEF_ERROR}\n${escaped}\n`;
    const grep = async (text: string): Promise<string> => (await run(['--template', '{Message}', '--grep', text], input)).stdout;
    expect(await grep('CAFÉ O-7 PAID')).toBe('Café o-7 paid\n');
    expect(await grep('payment p-1')).toBe('Payment p-1 failed\n');
    for (const text of ['u00e9', 'Till', 'Order', '"@mt"', 'PaymentId', '/pay', 'declined', 'ERR', 'Error', '12:00'])
      expect(await grep(text)).toBe('');
  });

  it('reports lines that are not events under --strict, with their line numbers, and exits with 1', async () => {
    const { code, stdout, stderr } = await run(
      ['--strict', '--template', '{Message}'],
      `${CLEF_INFO}\nnot an event\n\n{"@t":"2026-11-22","@l":"Loud"}\n${NDJSON_WARN}\n`,
    );
    expect(code).toBe(1);
    expect(stdout).toBe('User 42 logged in\nSlow 812 ms\n');
    expect(stderr).toBe(
      'rxlog: <stdin>:2: not a log event (not a JSON object)\nrxlog: <stdin>:4: not a log event (unknown level "Loud" in "@l")\n',
    );
  });

  // A log file Windows PowerShell 5.1 wrote with `>` is UTF-16LE with a byte order mark: read as
  // UTF-8, every line was passed through as NUL-riddled text.
  it('reads a UTF-16 file (byte order mark first) as its text', async () => {
    const utf16le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${CLEF_INFO}\r\n${NDJSON_WARN}\r\n`, 'utf16le')]);
    const stdout = new TextCollector();
    const code = await runCli(['--template', '{Message}'], {
      stdin: Readable.from([utf16le]),
      stdout,
      stderr: new TextCollector(),
    });
    expect({ code, stdout: stdout.text }).toEqual({ code: 0, stdout: 'User 42 logged in\nSlow 812 ms\n' });
  });

  // Found by a review: a level holding a long integer (read as a bigint) stopped the whole input at
  // that line with "cannot read <stdin>: Do not know how to serialize a BigInt", exit 2.
  it('reads on past a line whose level is a long integer, reporting it under --strict', async () => {
    const { code, stdout, stderr } = await run(
      ['--strict', '--template', '{Message}'],
      `{"@t":"${T0}","@l":12345678901234567890}\n${CLEF_INFO}\n`,
    );
    expect(code).toBe(1);
    expect(stdout).toBe('User 42 logged in\n');
    expect(stderr).toBe('rxlog: <stdin>:1: not a log event (unknown level 12345678901234567890 in "@l")\n');
  });

  it('gives each reason once under --strict, the line it is about named by its number, not quoted', async () => {
    const { stderr } = await run(['--strict'], `{"@t":"${T0}","@mt":5}\n`);
    expect(stderr).toBe('rxlog: <stdin>:1: not a log event ("@mt" is not a string)\n');
  });

  it('exits with 0 under --strict when every line is an event or blank', async () => {
    expect(await run(['--strict', '--template', '{Message}'], `${CLEF_INFO}\n\n${NDJSON_WARN}`)).toEqual({
      code: 0,
      stdout: 'User 42 logged in\nSlow 812 ms\n',
      stderr: '',
    });
  });

  it('reads the files in order, stdin for "-" once, and numbers lines per file', async () => {
    const files: Record<string, string> = { 'a.log': `${CLEF_INFO}\nbad a`, 'b.log': 'bad b\n' };
    const openFile = (path: string): Readable => Readable.from([files[path]]);
    const { code, stdout, stderr } = await run(['--strict', '--template', '{Message}', 'a.log', '-', 'b.log', '-'], NDJSON_WARN, {
      openFile,
    });
    expect(code).toBe(1);
    expect(stdout).toBe('User 42 logged in\nSlow 812 ms\n');
    expect(stderr).toBe(
      'rxlog: a.log:2: not a log event (not a JSON object)\nrxlog: b.log:1: not a log event (not a JSON object)\n',
    );
  });

  it('reports a file it cannot read, reads the others and exits with 2', async () => {
    const openFile = (path: string): Readable => {
      if (path === 'locked.log') throw new Error('EACCES: permission denied');
      return Readable.from([path === 'good.log' ? CLEF_INFO : '']);
    };
    const { code, stdout, stderr } = await run(['--template', '{Message}', 'missing.log', 'locked.log', 'good.log'], '', {
      openFile: (path) =>
        path === 'missing.log'
          ? new Readable({
              read() {
                this.destroy(new Error('ENOENT: no such file'));
              },
            })
          : openFile(path),
    });
    expect(code).toBe(2);
    expect(stdout).toBe('User 42 logged in\n');
    expect(stderr).toBe(
      'rxlog: cannot read missing.log: ENOENT: no such file\nrxlog: cannot read locked.log: EACCES: permission denied\n',
    );
  });

  it('reads real files with fs by default', async () => {
    const { code, stderr } = await run(['definitely-missing-rxlog-input.log']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^rxlog: cannot read definitely-missing-rxlog-input\.log: ENOENT/);
  });

  it('colours by default when told the output is a terminal, unless --no-color', async () => {
    const warning = `${NDJSON_WARN}\n`;
    expect((await run(['--template', '{Message}'], warning, { colorByDefault: true })).stdout).toBe(
      '\u001b[33mSlow 812 ms\u001b[0m\n',
    );
    expect((await run(['--template', '{Message}', '--no-color'], warning, { colorByDefault: true })).stdout).toBe(
      'Slow 812 ms\n',
    );
    expect((await run(['--template', '{Message}'], warning)).stdout).toBe('Slow 812 ms\n');
    expect((await run(['--template', '{Message}', '--color'], warning)).stdout).toBe('\u001b[33mSlow 812 ms\u001b[0m\n');
  });

  it('prints the usage with --help and the version with --version', async () => {
    expect(await run(['--help'])).toEqual({ code: 0, stdout: CLI_USAGE, stderr: '' });
    expect(await run(['--version'], '', { version: '1.2.3' })).toEqual({ code: 0, stdout: '1.2.3\n', stderr: '' });
  });

  // POSIX: a utility that cannot write its output says so and fails, as `ls --help > /dev/full` does; a reader
  // that has gone (`rxlog --help | head -1`) is no failure.
  it.each([
    [['--help'], 'ENOSPC', 2, 'rxlog: cannot write the output: write failed\n'],
    [['--version'], 'ENOSPC', 2, 'rxlog: cannot write the output: write failed\n'],
    [['--help'], 'EPIPE', 0, ''],
  ])('exits %j whose output fails with %s with %d', async (args, errorCode, status, report) => {
    const stdout = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write failed'), { code: errorCode }));
      },
    });
    const stderr = new TextCollector();
    expect(await runCli(args, { stdin: Readable.from([]), stdout, stderr })).toBe(status);
    expect(stderr.text).toBe(report);
  });

  it('exits with 2 and a hint on a usage mistake, reading nothing', async () => {
    const { code, stdout, stderr } = await run(['--level', 'loud'], MIXED);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^rxlog: --level: unknown level "loud".*\nTry 'rxlog --help' for the options\.\n$/);
  });

  it('stops quietly when the reader of its output has gone (EPIPE)', async () => {
    let produced = 0;
    const input = Readable.from(
      (function* lines() {
        for (; produced < 1_000_000; produced++) yield `${CLEF_INFO}\n`;
      })(),
    );
    const stdout = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const stderr = new TextCollector();
    const code = await runCli([], { stdin: input, stdout, stderr });
    expect(code).toBe(0);
    expect(stderr.text).toBe('');
    expect(produced).toBeLessThan(1_000_000);
    expect(input.destroyed).toBe(true);
  });

  // `tail -f app.log | rxlog | head -1`: the line after the first fails with EPIPE, and the app may log nothing more
  // for minutes. A C filter dies of SIGPIPE on that write; rxlog waited for one more line before it stopped.
  it('stops as soon as the reader of its output has gone, without waiting for more input', async () => {
    const input = new Readable({ read() {} });
    input.push(`${CLEF_INFO}\n`);
    const stdout = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const stderr = new TextCollector();
    expect(await runCli([], { stdin: input, stdout, stderr })).toBe(0);
    expect(stderr.text).toBe('');
    expect(input.destroyed).toBe(true);
  });

  it('stops too when the reader of its reports has gone (`rxlog --strict big.log 2>&1 | head`)', async () => {
    // Every line is reported and none is written to stdout: before, it read all of its input (for ever from a pipe).
    let produced = 0;
    const input = Readable.from(
      (function* lines() {
        for (; produced < 1_000_000; produced++) yield 'not an event\n';
      })(),
    );
    const stderr = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const stdout = new TextCollector();
    const code = await runCli(['--strict'], { stdin: input, stdout, stderr });
    expect(code).toBe(1);
    expect(stdout.text).toBe('');
    expect(produced).toBeLessThan(1_000_000);
    expect(input.destroyed).toBe(true);
  });

  it('reports any other output failure and exits with 2', async () => {
    const stdout = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('disk full'), { code: 'ENOSPC' }));
      },
    });
    const stderr = new TextCollector();
    expect(await runCli([], { stdin: Readable.from([`${CLEF_INFO}\n`]), stdout, stderr })).toBe(2);
    expect(stderr.text).toBe('rxlog: cannot write the output: disk full\n');
  });

  it('stops reading while the output is full, then writes every line in order', async () => {
    // The runner stops at about 12 800 lines here (its output buffer full): 40 000 shows that it stopped
    // well before the end, and keeps the test light when the run shares its worker with heavy suites.
    const total = 40_000;
    let produced = 0;
    const input = Readable.from(
      (function* lines() {
        for (; produced < total; produced++) yield `{"@t":"${T0}","@mt":"Event {N}","N":${produced}}\n`;
      })(),
    );
    let release: (() => void) | undefined;
    let text = '';
    const stdout = new Writable({
      decodeStrings: false,
      highWaterMark: 1024,
      write(chunk: string, _encoding, callback) {
        text += chunk;
        // Stall after the first write until released, like a terminal nobody scrolls.
        if (release === undefined) release = () => callback();
        else callback();
      },
    });
    const done = runCli(['--template', '{N}'], { stdin: input, stdout, stderr: new TextCollector() });
    // Let the runner read until it is blocked: the count of lines read stops changing.
    let stable = 0;
    for (let last = -1, turns = 0; stable < 50 && turns < 100_000; turns++) {
      await new Promise((resolve) => setImmediate(resolve));
      stable = produced === last ? stable + 1 : 0;
      last = produced;
    }
    expect(release).toBeDefined();
    expect(produced).toBeLessThan(total / 2);
    release?.();
    expect(await done).toBe(0);
    const numbers = text.split('\n').slice(0, -1).map(Number);
    expect(numbers).toHaveLength(total);
    expect(numbers.every((n, i) => n === i)).toBe(true);
  }, 60_000);
});

describe('runCli with an oversized line', () => {
  it('skips a line longer than maxLineBytes, reports it and goes on, in bounded memory', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const chunks = 1600; // a 100 MiB line
    let peakHeap = 0;
    const baseHeap = process.memoryUsage().heapUsed;
    async function* input(): AsyncGenerator<Buffer> {
      yield Buffer.from(`${CLEF_INFO}\n`);
      for (let i = 0; i < chunks; i++) {
        peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
        yield chunk;
        await Promise.resolve();
      }
      yield Buffer.from(`\n${CLEF_ERROR}\n`);
    }
    const stdout = new TextCollector();
    const stderr = new TextCollector();
    const code = await runCli([], { stdin: Readable.from(input()), stdout, stderr, maxLineBytes: 1024 * 1024 });
    expect(stdout.text.split('\n').filter(Boolean)).toEqual([
      `[${localTime(T0)} INF] User 42 logged in`,
      expect.stringContaining('Payment p-1 failed') as unknown,
      expect.stringContaining('Error: declined') as unknown,
      expect.stringContaining('at pay') as unknown,
    ]);
    expect(stderr.text).toBe(`rxlog: <stdin>:2: line of ${chunks * chunk.length} bytes skipped (longer than 1048576 bytes)\n`);
    expect(code).toBe(1);
    expect(peakHeap - baseHeap).toBeLessThan(48 * 1024 * 1024);
  });

  it('reads a CRLF line exactly as long as maxLineBytes as one line, and skips one a byte longer', async () => {
    const maxLineBytes = Buffer.byteLength(CLEF_INFO);
    const longer = `${CLEF_INFO.slice(0, -1)} }`;
    const input = `${CLEF_INFO}\r\n${longer}\r\nplain\r\n`;
    expect(await run(['--template', '{Message}'], input, { maxLineBytes })).toEqual({
      code: 1,
      stderr: `rxlog: <stdin>:2: line of ${maxLineBytes + 1} bytes skipped (longer than ${maxLineBytes} bytes)\n`,
      stdout: 'User 42 logged in\nplain\n',
    });
  });
});

describe('runCli on input that ends with a bare \\r', () => {
  it('reads an event whose line ends with a \\r and no \\n (JSON reads the \\r as white space)', async () => {
    expect(await run(['--template', '{Message}'], `${CLEF_INFO}\r`)).toEqual({
      code: 0,
      stderr: '',
      stdout: 'User 42 logged in\n',
    });
  });

  it('passes a last line through with its \\r shown, as a \\r inside a line is', async () => {
    expect(await run([], 'plain\rtext\nplain\r')).toEqual({ code: 0, stderr: '', stdout: 'plain\\rtext\nplain\\r\n' });
    expect(await run(['--json'], 'plain\r')).toEqual({
      code: 0,
      stderr: 'rxlog: 1 line that is not a log event left out of the CLEF output\n',
      stdout: '',
    });
  });
});

describe('runCli on hostile input (fast-check)', () => {
  // eslint-disable-next-line no-control-regex
  const controlCharacters = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;
  const iso = fc
    .date({ min: new Date(-70_000_000_000_000), max: new Date(300_000_000_000_000), noInvalidDate: true })
    .map((d) => d.toISOString());
  const time = fc.oneof(
    iso,
    fc.constantFrom('', 'yesterday', '2016-02-30', '24:00', '+275760-09-13T00:00:00.000Z', '2026-11-22T12:00:00Z'),
    fc.string({ maxLength: 12 }),
    fc.integer(),
    fc.constant(null),
  );
  const text = fc.string({
    unit: fc.constantFrom('{', '}', 'A', ':', ',', '0', '\u001b', '\n', '\r', '\t', '\u2028', '"', '\\', 'é', '\ud800'),
    maxLength: 16,
  });
  const clef = fc
    .record(
      {
        '@t': time,
        '@mt': fc.oneof(text, fc.constant(5)),
        '@m': text,
        '@l': fc.oneof(fc.constantFrom('Warning', 'error', 'Nope', 'constructor', '__proto__'), fc.integer(), fc.constant(null)),
        '@x': fc.oneof(text, fc.constant([] as unknown)),
        '@r': fc.oneof(fc.array(text, { maxLength: 3 }), fc.constant('no')),
        '@tr': fc.constantFrom('4bf92f3577b34da6a3ce929d0e0e4736', 'zz', null),
        A: fc.jsonValue({ maxDepth: 3 }),
        __proto__: fc.jsonValue({ maxDepth: 1 }),
      },
      { requiredKeys: ['@t'] },
    )
    .map((fields) => JSON.stringify(fields));
  const ndjson = fc
    .record(
      { timestamp: time, level: fc.constantFrom('info', 'warning', 'bogus'), message: text, template: text, _level: text },
      { requiredKeys: ['timestamp'] },
    )
    .map((fields) => JSON.stringify(fields));
  const line = fc.oneof(
    clef,
    ndjson,
    fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
    fc.string({ maxLength: 40 }).map((s) => s.replace(/\n/g, '')),
    text.map((s) => `{"@t":"2026-11-22T12:00:00Z","@mt":"${s}`),
  );

  it('never fails, writes no raw control character, and with --json writes CLEF that reads back, and counts what it left out', async () => {
    const formatter = new CompactJsonFormatter();
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 8 }), async (lines) => {
        const input = lines.map((l) => l.replace(/[\n\r]/g, ' ')).join('\n');
        for (const args of [[], ['--strict'], ['--json'], ['--json', '--strict']]) {
          const result = await run(args, `${input}\n`);
          expect(result.code).toBe(args.includes('--strict') ? result.code && 1 : 0);
          // CLEF is JSON, which escapes C0 controls; --json escapes the others too (\u2028), as in the lines it passes through.
          expect(result.stdout.replace(/[\n\t]/g, '')).not.toMatch(controlCharacters);
          expect(result.stderr.replace(/\n/g, '')).not.toMatch(controlCharacters);
          if (!args.includes('--json')) continue;
          const out = result.stdout.split('\n').slice(0, -1);
          if (!args.includes('--strict')) {
            // Every line that is not blank is written as an event or counted as left out.
            const leftOut = /^rxlog: (\d+) lines? that/.exec(result.stderr);
            const notBlank = input.split('\n').filter((l) => l.trim() !== '').length;
            expect(out.length + Number(leftOut?.[1] ?? 0)).toBe(notBlank);
          }
          // Every line written is an event, as CLEF that reads back and writes the same (its controls escaped).
          for (const written of out) expect(escapeControlCharacters(formatter.format(readCompactJson(written)))).toBe(written);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('runCli: a time finer than the millisecond', () => {
  // Serilog writes "@t" with .NET's "o" format: seven digits (ticks of 100 ns) and the offset. Seq and Serilog's CLEF
  // reader (a DateTimeOffset) keep them, so two events of one millisecond keep their order.
  const serilog = [
    '{"@t":"2026-11-22T12:00:00.1234567+02:00","@mt":"First {N}","N":1}',
    '{"@t":"2026-11-22T12:00:00.1239999+02:00","@mt":"Second {N}","N":2}',
    '{"@t":"2026-11-22T12:00:00.1230000+02:00","@mt":"Third {N}","N":3}',
  ].join('\n');

  it('writes with --json the digits the line had, in UTC', async () => {
    const { code, stdout } = await run(['--json'], serilog);
    expect(code).toBe(0);
    expect(stdout.split('\n').map((l) => l.slice(0, 36))).toEqual([
      '{"@t":"2026-11-22T10:00:00.1234567Z"',
      '{"@t":"2026-11-22T10:00:00.1239999Z"',
      '{"@t":"2026-11-22T10:00:00.1230000Z"',
      '',
    ]);
    // What it writes reads back, and writes the same again.
    expect(await run(['--json', '--strict'], stdout)).toEqual({ code: 0, stdout, stderr: '' });
  });

  it('shows them in f and F runs past three, truncated as .NET truncates, and in o and ISO 8601', async () => {
    const template =
      '{UtcTimestamp:HH:mm:ss.fffffff} {UtcTimestamp:fff} {UtcTimestamp:ffffff} {UtcTimestamp:FFFFFFF} {UtcTimestamp:o} {UtcTimestamp}{NewLine}';
    expect((await run(['--template', template], serilog)).stdout).toBe(
      [
        '10:00:00.1234567 123 123456 1234567 2026-11-22T10:00:00.1234567Z 2026-11-22T10:00:00.1234567Z',
        '10:00:00.1239999 123 123999 1239999 2026-11-22T10:00:00.1239999Z 2026-11-22T10:00:00.1239999Z',
        '10:00:00.1230000 123 123000 123 2026-11-22T10:00:00.1230000Z 2026-11-22T10:00:00.1230000Z',
        '',
      ].join('\n'),
    );
  });

  it('keeps them from NDJSON and from nanoseconds (Go, OpenTelemetry), and shows ticks of those', async () => {
    const lines = [
      '{"timestamp":"2026-11-22T10:00:00.123456Z","message":"Python"}',
      '{"@t":"2026-11-22T10:00:00.608125300Z","@mt":"Go"}',
      '{"@t":"2026-11-22T10:00:00.5Z","@mt":"Short"}',
    ].join('\n');
    expect((await run(['--json'], lines)).stdout.split('\n').map((l) => l.slice(0, 38))).toEqual([
      '{"@t":"2026-11-22T10:00:00.123456Z","@',
      '{"@t":"2026-11-22T10:00:00.608125300Z"',
      '{"@t":"2026-11-22T10:00:00.500Z","@mt"',
      '',
    ]);
    expect((await run(['--template', '{UtcTimestamp:fffffff} {Message}{NewLine}'], lines)).stdout).toBe(
      '1234560 Python\n6081253 Go\n5000000 Short\n',
    );
  });

  it('keeps them in a time without an offset, read as local time', async () => {
    const local = new Date(2026, 11, 4, 10, 0, 0, 123).toISOString();
    const { stdout } = await run(['--json'], '{"@t":"2026-12-04T10:00:00.1234567","@mt":"A"}\n');
    expect(stdout.slice(0, 36)).toBe(`{"@t":"${local.replace('Z', '4567Z')}"`);
  });
});

describe("runCli: a CLEF line's own @ fields", () => {
  // Seq's spans carry @st (start), @ps (parent span id), @sk (kind), @sa and @ra (scope and resource attributes), as
  // seqcli writes them; rxlog reads them as properties of those names, and writes them back as they were.
  const span =
    '{"@t":"2023-12-20T00:55:07Z","@st":"2023-12-20T00:50:07Z","@tr":"af2f559d8ac24a288d2aaef55439778b","@sp":"5b08fd4ac3aa42d4","@ps":"44acf182dec544fb","@sk":"Server","@ra":{"service.name":"shop"},"@sa":{"b":1},"@m":"GET /cart","@@Name":"escaped"}';

  it('writes them with --json as the line had them, not escaped as properties named @ps', async () => {
    const { code, stdout } = await run(['--json', '--where', '@ps=44acf182dec544fb'], span);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      '@t': '2023-12-20T00:55:07.000Z',
      '@mt': 'GET /cart',
      '@i': expect.any(String),
      '@tr': 'af2f559d8ac24a288d2aaef55439778b',
      '@sp': '5b08fd4ac3aa42d4',
      '@@Name': 'escaped',
      '@st': '2023-12-20T00:50:07Z',
      '@ps': '44acf182dec544fb',
      '@sk': 'Server',
      '@ra': { 'service.name': 'shop' },
      '@sa': { b: 1 },
    });
    // What it writes reads back, and writes the same again.
    expect(await run(['--json', '--strict'], stdout)).toEqual({ code: 0, stdout, stderr: '' });
  });

  it('shows them among the properties', async () => {
    expect((await run(['--template', '{Message} {Properties}{NewLine}'], span)).stdout).toBe(
      'GET /cart {"TraceId":"af2f559d8ac24a288d2aaef55439778b","SpanId":"5b08fd4ac3aa42d4","@st":"2023-12-20T00:50:07Z","@ps":"44acf182dec544fb","@sk":"Server","@ra":{"service.name":"shop"},"@sa":{"b":1},"@Name":"escaped"}\n',
    );
  });
});
