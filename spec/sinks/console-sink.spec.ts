import { ConsoleSink, type ConsoleLike, type ConsoleSinkOptions, type TextStream } from '../../lib/sinks/console-sink';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { defaultConsoleTheme } from '../../lib/sinks/console-theme';
import { createLogEvent } from '../../lib/templates/log-event-record';
import { makeEvent } from '../helpers/events';
import type { LogEvent } from '../../lib/core/log-event';
import type { Formatter } from '../../lib/core/sink';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import { spawn } from 'node:child_process';
import { Console } from 'node:console';
import { WriteStream } from 'node:tty';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { runCli } from '../../lib/cli/run-cli';
import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { NdjsonFormatter } from '../../lib/formatting/ndjson-formatter';
import { readCompactJson } from '../../lib/formatting/read-compact-json';
import { collectLines } from '../helpers/stream-lines';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { expectBreakerOpens, runBrokenSink } from '../helpers/sink-breaker';

class Capture implements TextStream {
  readonly chunks: string[] = [];
  constructor(readonly isTTY = false) {}
  write(text: string): boolean {
    this.chunks.push(text);
    return true;
  }
}

const at = new Date(2026, 10, 22, 9, 5, 7);

// Colours follow the environment: jest's workers get FORCE_COLOR=1 in a colour terminal, so every
// test here starts without the colour variables and puts back what was there. Node's depth reads
// CI and TEAMCITY_VERSION before TERM (a CI run without a known CI name gets 2 colours).
const colourVariables = ['NO_COLOR', 'NODE_DISABLE_COLORS', 'FORCE_COLOR', 'TERM', 'CI', 'TEAMCITY_VERSION'] as const;
let savedColourVariables: Record<string, string | undefined>;
beforeEach(() => {
  savedColourVariables = Object.fromEntries(colourVariables.map((name) => [name, process.env[name]]));
  for (const name of colourVariables) delete process.env[name];
});
afterEach(() => {
  for (const name of colourVariables) {
    if (savedColourVariables[name] === undefined) delete process.env[name];
    else process.env[name] = savedColourVariables[name];
  }
});

/** A browser console that records each call: the method and its arguments. */
function recordingConsole(): { calls: [string, unknown[]][]; console: ConsoleLike } {
  const calls: [string, unknown[]][] = [];
  const record =
    (method: string) =>
    (...args: unknown[]): void => {
      calls.push([method, args]);
    };
  return { calls, console: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') } };
}

describe('ConsoleSink', () => {
  it('writes the output template to stdout, warnings and above to stderr', () => {
    const stdout = new Capture();
    const stderr = new Capture();
    const sink = new ConsoleSink({ stdout, stderr, outputTemplate: '{Level:u3} {Message:lj}{NewLine}' });
    sink.emitSync([
      makeEvent({ text: 'hello', timestamp: at }),
      makeEvent({ text: 'careful', level: 'warning' }),
      makeEvent({ text: 'bad', level: 'error' }),
    ]);
    expect(stdout.chunks).toEqual(['INF hello\n']);
    expect(stderr.chunks).toEqual(['WRN careful\n', 'ERR bad\n']);
  });

  it('uses the default template: time, level, message, newline', () => {
    const stdout = new Capture();
    new ConsoleSink({ stdout, stderr: stdout }).emitSync([makeEvent({ text: 'started', timestamp: at })]);
    expect(stdout.chunks).toEqual(['[09:05:07 INF] started\n']);
  });

  // The demo's template: a line without a SourceContext (a request logged by the root logger) started its message
  // 13 columns left of the lines around it, where Serilog's console sink pads the missing property.
  it('keeps the columns of a line whose event lacks an aligned property', () => {
    const stdout = new Capture();
    const sink = new ConsoleSink({ stdout, stderr: stdout, outputTemplate: '{Level:u3} {SourceContext,-13} {Message}{NewLine}' });
    sink.emitSync([
      makeEvent({ text: 'Order 7 placed', properties: { SourceContext: 'OrderService' } }),
      makeEvent({ text: 'Listening on 8080' }),
    ]);
    expect(stdout.chunks).toEqual(['INF OrderService  Order 7 placed\n', `INF ${' '.repeat(13)} Listening on 8080\n`]);
  });

  it('writes no raw control character from a property value: no terminal escape, no forged line', () => {
    const stdout = new Capture();
    const sink = new ConsoleSink({ stdout, stderr: stdout, outputTemplate: '{Message}{NewLine}', theme: false });
    sink.emitSync([createLogEvent('information', 'User {Name}', ['eve\u001b[2J\n[INF] root logged in'])]);
    expect(stdout.chunks.join('')).toBe('User eve\\u001b[2J\\n[INF] root logged in\n');
  });

  it('colours lines only when stdout is a TTY, unless told otherwise', () => {
    const plain = new Capture(false);
    new ConsoleSink({ stdout: plain, outputTemplate: '{Message}' }).emitSync([makeEvent({ text: 'x', level: 'debug' })]);
    expect(plain.chunks).toEqual(['x']);

    const tty = new Capture(true);
    new ConsoleSink({ stdout: tty, stderr: tty, outputTemplate: '{Message}' }).emitSync([
      makeEvent({ text: 'x', level: 'error' }),
    ]);
    expect(tty.chunks).toEqual(['\u001b[31mx\u001b[0m']);

    const forcedOff = new Capture(true);
    new ConsoleSink({ stdout: forcedOff, outputTemplate: '{Message}', theme: false }).emitSync([makeEvent({ text: 'x' })]);
    expect(forcedOff.chunks).toEqual(['x']);
  });

  // Found by review: a terminal that reports 2 colours (TERM unset) got colours, where Node's console writes none.
  it("reads a TTY's colour depth where it has one, as Node's console does: 2 colours or fewer get none", () => {
    const terminal = (depth: number): Capture & { getColorDepth: () => number } =>
      Object.assign(new Capture(true), { getColorDepth: () => depth });
    const written = (stream: Capture, options: { colors?: boolean } = {}): string[] => {
      new ConsoleSink({ stdout: stream, stderr: stream, outputTemplate: '{Message}', ...options }).emitSync([
        makeEvent({ text: 'x', level: 'error' }),
      ]);
      return stream.chunks;
    };
    expect(written(terminal(1))).toEqual(['x']);
    expect(written(terminal(4))).toEqual(['\u001b[31mx\u001b[0m']);
    expect(written(terminal(1), { colors: true })).toEqual(['\u001b[31mx\u001b[0m']);
    process.env.FORCE_COLOR = '1';
    expect(written(terminal(1))).toEqual(['\u001b[31mx\u001b[0m']);
    delete process.env.FORCE_COLOR;
    // A real terminal's depth, read with an empty NO_COLOR, which no-color.org says is no request.
    process.env.NO_COLOR = '';
    process.env.TERM = 'xterm-256color';
    const real = Object.assign(new Capture(true), { getColorDepth: WriteStream.prototype.getColorDepth });
    expect(written(real)).toEqual(['\u001b[31mx\u001b[0m']);
    process.env.TERM = 'dumb';
    expect(written(Object.assign(new Capture(true), { getColorDepth: WriteStream.prototype.getColorDepth }))).toEqual(['x']);
  });

  it('colours each stream by its own TTY: errors redirected to a file (2> errors.log) get no escape codes', () => {
    const terminal = new Capture(true);
    const file = new Capture(false);
    new ConsoleSink({ stdout: terminal, stderr: file, outputTemplate: '{Message}' }).emitSync([
      makeEvent({ text: 'e', level: 'error' }),
      makeEvent({ text: 'w', level: 'warning' }),
    ]);
    expect(file.chunks).toEqual(['e', 'w']);

    const redirected = new Capture(false);
    const errorTerminal = new Capture(true);
    new ConsoleSink({ stdout: redirected, stderr: errorTerminal, outputTemplate: '{Message}' }).emitSync([
      makeEvent({ text: 'd', level: 'debug' }),
      makeEvent({ text: 'e', level: 'error' }),
    ]);
    expect(redirected.chunks).toEqual(['d']);
    expect(errorTerminal.chunks).toEqual(['\u001b[31me\u001b[0m']);
  });

  describe('colour variables of the environment', () => {
    const written = (isTTY: boolean, options: { colors?: boolean } = {}): string[] => {
      const stream = new Capture(isTTY);
      new ConsoleSink({ stdout: stream, stderr: stream, outputTemplate: '{Message}', ...options }).emitSync([
        makeEvent({ text: 'x', level: 'error' }),
      ]);
      return stream.chunks;
    };
    const red = ['\u001b[31mx\u001b[0m'];

    it.each(['1', 'true', '', '2', '3'])(
      'FORCE_COLOR=%j colours output that is not a TTY (piped into less -R, a CI log)',
      (value) => {
        process.env.FORCE_COLOR = value;
        expect(written(false)).toEqual(red);
      },
    );

    // As Node reads it (spec/core/colors-from-environment.spec.ts): any value but "", 1, 2, 3 and true.
    it.each(['0', 'false', 'no', '4'])('FORCE_COLOR=%j turns colours off on a TTY', (value) => {
      process.env.FORCE_COLOR = value;
      expect(written(true)).toEqual(['x']);
    });

    it('FORCE_COLOR wins over NO_COLOR, as in Node and supports-color', () => {
      process.env.FORCE_COLOR = '1';
      process.env.NO_COLOR = '1';
      expect(written(false)).toEqual(red);
    });

    it('TERM=dumb turns colours off on a TTY', () => {
      process.env.TERM = 'dumb';
      expect(written(true)).toEqual(['x']);
    });

    it('NODE_DISABLE_COLORS turns colours off on a TTY, as in Node', () => {
      process.env.NODE_DISABLE_COLORS = '1';
      expect(written(true)).toEqual(['x']);
    });

    it('the colors option wins over the environment', () => {
      process.env.FORCE_COLOR = '1';
      expect(written(true, { colors: false })).toEqual(['x']);
      process.env.NO_COLOR = '1';
      delete process.env.FORCE_COLOR;
      expect(written(false, { colors: true })).toEqual(red);
    });
  });

  it('honours NO_COLOR', () => {
    process.env.NO_COLOR = '1';
    const tty = new Capture(true);
    new ConsoleSink({ stdout: tty, stderr: tty, outputTemplate: '{Message}' }).emitSync([
      makeEvent({ text: 'x', level: 'error' }),
    ]);
    expect(tty.chunks).toEqual(['x']);
  });

  it("writes a formatter's text without colour, even on a TTY or under FORCE_COLOR: CLEF stays JSON", () => {
    process.env.FORCE_COLOR = '1';
    const tty = new Capture(true);
    new ConsoleSink({ stdout: tty, stderr: tty, formatter: { format: () => '{"@l":"Error"}' } }).emitSync([
      makeEvent({ level: 'error' }),
    ]);
    expect(tty.chunks).toEqual(['{"@l":"Error"}\n']);
  });

  it('can send everything to stdout', () => {
    const stdout = new Capture();
    const stderr = new Capture();
    new ConsoleSink({ stdout, stderr, standardErrorFromLevel: null, outputTemplate: '{Message}' }).emitSync([
      makeEvent({ text: 'f', level: 'fatal' }),
    ]);
    expect(stdout.chunks).toEqual(['f']);
    expect(stderr.chunks).toEqual([]);
  });

  it('in a browser, calls the matching console method with %c styling', () => {
    const { calls, console: fakeConsole } = recordingConsole();
    const sink = new ConsoleSink({ mode: 'browser', console: fakeConsole, outputTemplate: '{Level:u3} {Message}{NewLine}' });
    sink.emitSync([
      makeEvent({ text: 'v', level: 'verbose' }),
      makeEvent({ text: 'i' }),
      makeEvent({ text: 'w', level: 'warning' }),
      makeEvent({ text: 'f', level: 'fatal' }),
    ]);
    expect(calls).toEqual([
      ['debug', ['%c%s', 'color: gray', 'VRB v']],
      ['info', ['%s', 'INF i']],
      ['warn', ['%c%s', 'color: darkorange', 'WRN w']],
      ['error', ['%c%s', 'color: white; background: red; font-weight: bold', 'FTL f']],
    ]);
  });

  it('in a browser, shows text with % sequences as it is: the text is never the format string', () => {
    // Node's Console formats its arguments as browsers do (the Console Standard's Formatter): the
    // first argument is a format string whenever more follow, so `%%` would show as `%`, and a `%c`
    // or `%o` in a message would take, or wait for, an argument.
    const out = new PassThrough();
    const shown = collectLines(out);
    const sink = new ConsoleSink({ mode: 'browser', console: new Console(out, out), outputTemplate: '{Message}' });
    const hostile = '50%% off %s %d %o %O %c red %i %f %_ %';
    sink.emitSync([makeEvent({ text: hostile, level: 'warning' }), makeEvent({ text: hostile, level: 'information' })]);
    expect(shown).toEqual([hostile, hostile]);
  });
});

describe('ConsoleSink and an event whose level is not one of the six', () => {
  // An app operator of .pipe() can let out one (`map((e) => ({ ...e, level: 'warn' }))`); the
  // pipeline keeps it, as syslog's severity and the minimumLevel operator do: it is information.
  const odd = (level: string): LogEvent => ({ ...makeEvent({ text: 'odd' }), level: level as LogEvent['level'] });

  it('writes it in Node to stdout in the colour of information, never with "undefined" or a function as its escape code', () => {
    const stdout = new Capture(true);
    const stderr = new Capture(true);
    const sink = new ConsoleSink({ stdout, stderr, colors: true, outputTemplate: '{Message}\n' });
    sink.emitSync(['warn', 'constructor', 'toString', '__proto__'].map(odd));
    expect(stdout.chunks).toEqual(['odd\n', 'odd\n', 'odd\n', 'odd\n']);
    expect(stderr.chunks).toEqual([]);
  });

  it('shows it in a browser with console.info, as information, instead of failing the write', () => {
    const { calls, console: fakeConsole } = recordingConsole();
    const sink = new ConsoleSink({ mode: 'browser', console: fakeConsole, outputTemplate: '{Message}' });
    sink.emitSync(['warn', 'constructor', '__proto__'].map(odd));
    expect(calls).toEqual([
      ['info', ['%s', 'odd']],
      ['info', ['%s', 'odd']],
      ['info', ['%s', 'odd']],
    ]);
  });
});

describe('ConsoleSink with a line formatter', () => {
  it('writes one CLEF event per line in Node, each ending in a newline', () => {
    const stdout = new Capture();
    const sink = new ConsoleSink({ stdout, stderr: stdout, formatter: new CompactJsonFormatter() });
    sink.emitSync([makeEvent({ text: 'one {N}', properties: { N: 1 } }), makeEvent({ text: 'two', level: 'error' })]);
    const output = stdout.chunks.join('');
    expect(output.endsWith('\n')).toBe(true);
    const lines = output.slice(0, -1).split('\n');
    expect(lines.map((line) => readCompactJson(line).messageTemplate.text)).toEqual(['one {N}', 'two']);
  });

  // JSON escapes C0 controls only: U+009B (a one-byte CSI, which xterm and VTE act on when it comes
  // as UTF-8) and a right-to-left override from a property value reached the terminal raw.
  it("writes a JSON formatter's C1 controls and bidirectional overrides as escapes: the same JSON, nothing to drive the terminal", () => {
    const stdout = new Capture(true);
    const { calls, console: browser } = recordingConsole();
    const hostile = 'a\u009b2J\u0085b\u202ec\u2066d\u2028e\u007f';
    const event = makeEvent({ text: 'User {Name}', properties: { Name: hostile } });
    new ConsoleSink({ stdout, formatter: new CompactJsonFormatter() }).emitSync([event]);
    new ConsoleSink({ stdout, formatter: new NdjsonFormatter() }).emitSync([event]);
    new ConsoleSink({ mode: 'browser', console: browser, formatter: new CompactJsonFormatter() }).emitSync([event]);
    const lines = [...stdout.chunks, ...calls.map(([, args]) => String(args[1]))];
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).toContain('a\\u009b2J\\u0085b\\u202ec\\u2066d\\u2028e\\u007f');
      // eslint-disable-next-line no-control-regex
      expect(line.replace(/\n$/, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    }
    expect(readCompactJson(stdout.chunks[0]).properties.Name).toBe(hostile);
    expect((JSON.parse(stdout.chunks[1]) as { Name: string }).Name).toBe(hostile);
  });

  it("keeps a formatter's own line breaks and ANSI colours: only what JSON would escape is escaped", () => {
    const stdout = new Capture();
    const coloured = { format: (): string => '\u001b[32mok\u001b[0m\n\tdetail\n' };
    new ConsoleSink({ stdout, formatter: coloured }).emitSync([makeEvent({ text: 'x' })]);
    expect(stdout.chunks).toEqual(['\u001b[32mok\u001b[0m\n\tdetail\n']);
  });

  it('writes one NDJSON event per line', () => {
    const stdout = new Capture();
    new ConsoleSink({ stdout, formatter: new NdjsonFormatter() }).emitSync([makeEvent({ text: 'a' }), makeEvent({ text: 'b' })]);
    expect(stdout.chunks.every((chunk) => chunk.endsWith('}\n'))).toBe(true);
    expect(stdout.chunks).toHaveLength(2);
  });

  it("ends each event of a formatter of the app's own with a newline, as FileSink and StreamSink do", () => {
    const stdout = new Capture();
    const json = { format: (event: LogEvent): string => JSON.stringify({ msg: event.messageTemplate.text }) };
    const ended = { format: (event: LogEvent): string => `${event.messageTemplate.text}\n` };
    new ConsoleSink({ stdout, formatter: json }).emitSync([makeEvent({ text: 'a' }), makeEvent({ text: 'b' })]);
    new ConsoleSink({ stdout, formatter: ended }).emitSync([makeEvent({ text: 'c' })]);
    expect(stdout.chunks.join('')).toBe('{"msg":"a"}\n{"msg":"b"}\nc\n');
  });

  it('leaves newlines to a text output template', () => {
    const stdout = new Capture();
    new ConsoleSink({ stdout, outputTemplate: '{Message};' }).emitSync([makeEvent({ text: 'a' }), makeEvent({ text: 'b' })]);
    expect(stdout.chunks.join('')).toBe('a;b;');
  });

  it('gives output the rxlog command reads under --strict', async () => {
    const stdout = new Capture();
    const sink = new ConsoleSink({ stdout, stderr: stdout, formatter: new CompactJsonFormatter() });
    sink.emitSync([makeEvent({ text: 'one' }), makeEvent({ text: 'two', level: 'warning' })]);
    const out = new PassThrough();
    const err = new PassThrough();
    const printed: string[] = [];
    const problems: string[] = [];
    out.on('data', (chunk: Buffer) => printed.push(chunk.toString()));
    err.on('data', (chunk: Buffer) => problems.push(chunk.toString()));
    const code = await runCli(['--strict', '--no-color'], {
      stdin: Readable.from([stdout.chunks.join('')]),
      stdout: out,
      stderr: err,
    });
    expect({ code, problems }).toEqual({ code: 0, problems: [] });
    expect(printed.join('')).toMatch(/one[\s\S]*two/);
  });
});

// Found by review: a formatter of the app's own that threw on one event (or gave no string) failed the
// rest of its batch with it, retried three times and then lost; FileSink and StreamSink skip that one event.
describe('ConsoleSink with a formatter that fails on some events', () => {
  /** Throws on N = 2, gives undefined for N = 4, and a line for the others. */
  const hostile: Formatter = {
    format(event) {
      const n = event.properties.N;
      if (n === 2) throw new Error('cannot format 2');
      if (n === 4) return undefined as unknown as string;
      return `n=${String(n)}`;
    },
  };
  const numbered = (): LogEvent[] => [1, 2, 3, 4, 5, 6].map((n) => makeEvent({ text: '{N}', properties: { N: n } }));

  it('skips only those events, reports each to SelfLog and counts them refused, in Node and in a browser', () => {
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d));
    const stdout = new Capture();
    const { calls, console } = recordingConsole();
    try {
      expect(new ConsoleSink({ stdout, formatter: hostile }).emit(numbered())).toEqual({ rejected: 2 });
      expect(new ConsoleSink({ mode: 'browser', console, formatter: hostile }).emitSync(numbered())).toEqual({ rejected: 2 });
    } finally {
      subscription.unsubscribe();
    }
    expect(stdout.chunks).toEqual(['n=1\n', 'n=3\n', 'n=5\n', 'n=6\n']);
    expect(calls.map(([, args]) => args[1])).toEqual(['n=1', 'n=3', 'n=5', 'n=6']);
    expect(diagnostics.map((d) => d.message)).toEqual([
      expect.stringMatching(/ConsoleSink: the formatter failed; event skipped/),
      expect.stringMatching(/ConsoleSink: the formatter returned undefined, not a string; event skipped/),
      expect.stringMatching(/ConsoleSink: the formatter failed; event skipped/),
      expect.stringMatching(/ConsoleSink: the formatter returned undefined, not a string; event skipped/),
    ]);
  });

  it('delivers the rest of a batch through a logger, without retries', async () => {
    const stdout = new Capture();
    const log = new LoggerConfiguration().writeTo
      .console({ stdout, formatter: hostile, batch: { size: 6, maxDelayMs: 10 } })
      .createLogger();
    for (let n = 1; n <= 6; n++) log.information('{N}', n);
    const report = await log.close();
    expect(report.sinks.console).toEqual({ delivered: 4, dropped: 0, failed: 2, undelivered: 0 });
    expect(log.metrics().sinks.console.retried).toBe(0);
    expect(stdout.chunks).toEqual(['n=1\n', 'n=3\n', 'n=5\n', 'n=6\n']);
  });

  it('counts the skipped events refused when the stream fails later in the batch', () => {
    const good = new Capture();
    const failing = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const sink = new ConsoleSink({ stdout: good, stderr: failing, formatter: hostile });
    const events = [...numbered(), makeEvent({ text: '{N}', level: 'error', properties: { N: 7 } })];
    expect(() => sink.emit(events)).toThrow(expect.objectContaining({ name: 'PartialDeliveryError', delivered: 6, rejected: 2 }));
    expect(good.chunks).toEqual(['n=1\n', 'n=3\n', 'n=5\n', 'n=6\n']);
  });
});

// Found by review: in a browser, one console method that throws (a hook on console.warn, a test
// harness that fails on warnings) failed every later event of the batch, whatever its level: a
// ConsoleSink as the fallback of a batched sink lost the rest of each failed batch.
describe('ConsoleSink in a browser whose console method throws', () => {
  function throwingWarn(): { calls: [string, unknown[]][]; console: ConsoleLike } {
    const { calls, console } = recordingConsole();
    console.warn = (): void => {
      throw new Error('console.warn is hooked and throws');
    };
    return { calls, console };
  }
  const texts = (calls: [string, unknown[]][]): string[] => calls.map(([method, args]) => `${method} ${String(args[1])}`);

  it('fails only the events of that method, at once, and writes the rest of the batch of a sink it is the fallback of', async () => {
    const { calls, console } = throwingWarn();
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d));
    const down = { emit: (): never => Promise.reject(Object.assign(new Error('server down'), { permanent: true })) as never };
    const fallback = new ConsoleSink({ mode: 'browser', console, theme: false, outputTemplate: '{Message}' });
    const log = new LoggerConfiguration().writeTo
      .sink(down, { name: 'http', batch: { size: 6, maxDelayMs: 1_000 }, retry: false, fallback })
      .createLogger();
    for (const [level, text] of [
      ['information', 'a'],
      ['warning', 'w1'],
      ['information', 'b'],
      ['error', 'e'],
      ['warning', 'w2'],
      ['information', 'c'],
    ] as const)
      log[level](text);
    const report = await log.close();
    subscription.unsubscribe();
    expect(texts(calls)).toEqual(['info a', 'info b', 'error e', 'info c']);
    expect(report.sinks.http).toEqual({ delivered: 4, dropped: 0, failed: 2, undelivered: 0 });
    const failures = diagnostics.filter((d) => d.message.includes('ConsoleSink: the console failed'));
    expect(failures.map((d) => d.message)).toEqual([
      expect.stringMatching(/ConsoleSink: the console failed; event not written[\s\S]*console\.warn is hooked and throws/),
      expect.stringMatching(/ConsoleSink: the console failed; event not written[\s\S]*console\.warn is hooked and throws/),
    ]);
  });

  // A retry called the hook again: one that wrote the line before it threw showed it three times.
  it('fails an event whose method throws at once, without retries, and says why to SelfLog', async () => {
    const { calls, console } = throwingWarn();
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d));
    const log = new LoggerConfiguration().writeTo
      .console({ mode: 'browser', console, theme: false, outputTemplate: '{Message}' })
      .createLogger();
    log.information('shown');
    log.warning('lost');
    const report = await log.close();
    subscription.unsubscribe();
    expect(texts(calls)).toEqual(['info shown']);
    expect(report.sinks.console).toEqual({ delivered: 1, dropped: 0, failed: 1, undelivered: 0 });
    expect(log.metrics().sinks.console.retried).toBe(0);
    expect(diagnostics.map((d) => d.message)).toContainEqual(expect.stringMatching(/console\.warn is hooked and throws/));
  });
});

describe('ConsoleSink on a stream that fails', () => {
  /** A Writable whose writes fail as a pipe whose reader left fails them: at once, with EPIPE. */
  function brokenPipe(): { stream: Writable; writes: () => number } {
    let writes = 0;
    const stream = new Writable({
      write(_chunk, _encoding, callback) {
        writes++;
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    return { stream, writes: () => writes };
  }

  it('counts the events it could not write as failed, never delivered, and never crashes with an unhandled error event', async () => {
    const { stream, writes } = brokenPipe();
    const log = new LoggerConfiguration().writeTo
      .sink(new ConsoleSink({ stdout: stream, stderr: stream, outputTemplate: '{Message}{NewLine}' }), { name: 'console' })
      .createLogger();
    for (let n = 0; n < 5; n++) log.information('Event {N}', n);
    // An 'error' event nobody listens to would throw here, on a later turn.
    await new Promise((resolve) => setImmediate(resolve));
    const report = await log.close({ timeoutMs: 1_000 });
    expect(report.sinks.console).toEqual({ delivered: 0, dropped: 0, failed: 5, undelivered: 0 });
    // The stream is known broken after the first write: no event is offered to it again.
    expect(writes()).toBe(1);
    expect(log.metrics().sinks.console.retried).toBe(0);
  });

  // `node app.js | head -1`: the reader left, and every batch fails alike. The error used to be
  // `permanent: true`, a bad batch, which the breaker counts as a success: it never opened, and
  // each batch reached the fallback only after a failed try. It is the sink's now.
  it('opens the circuit breaker once its stream failed: later batches go to the fallback without a try, SelfLog says so once', async () => {
    const { stream } = brokenPipe();
    const sink = new ConsoleSink({ stdout: stream, stderr: stream, outputTemplate: '{Message}{NewLine}' });
    expectBreakerOpens(await runBrokenSink(sink), /ConsoleSink: the stream failed or was destroyed/);
  });

  // `node app.js 2> /full/disk`: stdout still takes the events below standardErrorFromLevel, so a
  // batch with a warning is refused for what it holds (`permanent: true`), not the sink as a whole.
  it('keeps the circuit breaker closed while only stderr failed: stdout still takes its levels', async () => {
    const stdout = new Capture();
    const { stream: stderr } = brokenPipe();
    const fallback = new MemorySink();
    const log = new LoggerConfiguration().writeTo
      .sink(new ConsoleSink({ stdout, stderr, outputTemplate: '{Message}{NewLine}' }), {
        name: 'console',
        batch: { size: 1, maxDelayMs: 0 },
        circuitBreaker: { failureThreshold: 3, resetTimeoutMs: 60_000 },
        fallback,
      })
      .createLogger();
    for (let n = 1; n <= 5; n++) log.warning('Warning {N}', n);
    log.information('Still written');
    await log.flush();
    expect(log.metrics().sinks.console).toMatchObject({ breaker: 'closed', delivered: 6, fallback: 5, failed: 0 });
    expect(stdout.chunks).toEqual(['Still written\n']);
    expect(fallback.events).toHaveLength(5);
    await log.close();
  });

  // process.stdout cannot be destroyed: after its 'error' event it takes writes again (Node's
  // dummyDestroy), and a write to a pipe whose reader left then fails and emits 'error' once more.
  it('never writes again to a stream that failed, even one that takes writes again after its error event, as process.stdout does', async () => {
    let writes = 0;
    const stream = new Writable({
      write(_chunk, _encoding, callback) {
        writes++;
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
      destroy(error, callback) {
        callback(error);
        (this as unknown as { _undestroy(): void })._undestroy();
      },
    });
    const log = new LoggerConfiguration().writeTo
      .sink(new ConsoleSink({ stdout: stream, stderr: stream, outputTemplate: '{Message}{NewLine}' }), { name: 'console' })
      .createLogger();
    const turns = async (): Promise<void> => {
      for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    };
    log.information('First');
    await turns();
    // The stream has emitted its 'error' and looks writable again.
    expect(stream.destroyed).toBe(false);
    log.information('Second');
    // A second 'error' event nobody listens to would throw here, on a later turn.
    await turns();
    expect(writes).toBe(1);
    const report = await log.close({ timeoutMs: 1_000 });
    expect(report.sinks.console).toEqual({ delivered: 0, dropped: 0, failed: 2, undelivered: 0 });
  });

  // `node app.js | head -1` without a circuit breaker: every batch fails. A new Error per batch (its
  // stack) was half of what a batch cost; it is made again only when what it says changes.
  it('fails later batches with the error it made once, until every stream it writes to failed', () => {
    const { stream: stdout } = brokenPipe();
    const { stream: stderr } = brokenPipe();
    const sink = new ConsoleSink({ stdout, stderr, outputTemplate: '{Message}{NewLine}' });
    const thrown = (level: LogEvent['level']): unknown => {
      try {
        sink.emitSync([makeEvent({ level })]);
      } catch (error) {
        return error;
      }
      throw new Error('the batch did not fail');
    };
    thrown('warning');
    const [first, second] = [thrown('warning'), thrown('error')];
    expect(second).toBe(first);
    // Only stderr failed: the batch is refused for what it holds, stdout still takes information.
    expect(first).toMatchObject({ message: 'ConsoleSink: the stream failed or was destroyed', permanent: true });
    // stdout fails too: the sink as a whole.
    thrown('information');
    const whole = thrown('warning');
    expect(whole).not.toBe(first);
    expect(whole).toMatchObject({ message: 'ConsoleSink: the stream failed or was destroyed', permanent: 'sink' });
    expect(thrown('error')).toBe(whole);
  });

  // An event bound for a stream that failed is never written: formatting it (CLEF of a large event)
  // was work for nothing on every batch.
  it('formats no event for a stream that failed', async () => {
    const { stream } = brokenPipe();
    let formatted = 0;
    const formatter: Formatter = {
      format: (event) => {
        formatted++;
        return event.messageTemplate.text;
      },
    };
    const sink = new ConsoleSink({ stdout: stream, stderr: stream, formatter });
    expect(() => sink.emitSync([makeEvent()])).toThrow(/the stream failed or was destroyed/);
    await new Promise((resolve) => setImmediate(resolve));
    for (let n = 0; n < 3; n++) expect(() => sink.emitSync([makeEvent()])).toThrow(/the stream failed or was destroyed/);
    expect(formatted).toBe(1);
  });

  // A stream whose writes fail later (buffered, then the reader leaves) calls back every failed
  // write: one listener each went past Node's limit of 10, with a MaxListenersExceededWarning on stderr.
  it('adds one error listener to a failed stream, however many writes fail', async () => {
    const stream = new Writable({
      write(_chunk, _encoding, callback) {
        setImmediate(() => callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })));
      },
    });
    // Node warns past 10 listeners of one event: the most error listeners the stream had at once.
    let most = 0;
    stream.on('newListener', (event: string) => {
      if (event === 'error') most = Math.max(most, stream.listenerCount('error') + 1);
    });
    const sink = new ConsoleSink({ stdout: stream, stderr: stream, outputTemplate: '{Message}' });
    for (let n = 0; n < 30; n++) sink.emitSync([makeEvent({ text: `event ${n}` })]);
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(most).toBe(1);
  });

  it('counts what a batch wrote before its stream failed as delivered', () => {
    const good = new Capture();
    const { stream } = brokenPipe();
    const sink = new ConsoleSink({ stdout: good, stderr: stream, outputTemplate: '{Message}' });
    const events = [
      makeEvent({ text: 'a' }),
      makeEvent({ text: 'b' }),
      makeEvent({ text: 'c', level: 'error' }),
      makeEvent({ text: 'd' }),
    ];
    expect(() => sink.emit(events)).toThrow(expect.objectContaining({ name: 'PartialDeliveryError', delivered: 2 }));
    expect(good.chunks).toEqual(['a', 'b']);
  });

  // `node app.js | head -1`: the reader leaves after the first line (spec/node/fixtures/stdout-logger.ts).
  it('lets a process whose stdout reader left go on and exit 0, counting every event', async () => {
    // A close timeout of 10 s, far from what failing the rest at once takes on a loaded machine: a
    // close that waited for its stream instead still reports timedOut.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, '..', 'node', 'fixtures', 'stdout-logger.ts'), '20000', 'console', '10000'],
      {
        cwd: path.resolve(__dirname, '../..'),
      },
    );
    let head = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      head += chunk;
      if (head.includes('\n')) child.stdout.destroy();
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(killer);
    expect({ code, crashed: stderr.includes('Unhandled') }).toEqual({ code: 0, crashed: false });
    // The outcome is the one JSON line on stderr (Node may print warnings around it).
    const outcome = JSON.parse(stderr.split('\n').find((line) => line.startsWith('{')) ?? '') as {
      report: {
        timedOut: boolean;
        sinks: { stdout: { delivered: number; dropped: number; failed: number; undelivered: number } };
      };
    };
    const { delivered, dropped, failed, undelivered } = outcome.report.sinks.stdout;
    expect(delivered + dropped + failed + undelivered).toBe(20_000);
    expect(failed).toBeGreaterThan(0);
    expect(outcome.report.timedOut).toBe(false);
  }, 30_000);
});

// A reader slower than the app (a pager, a shipper that stalls): Node's stream keeps every line it
// is handed, so a sink that wrote on regardless grew it without bound and counted every line
// delivered that the reader might never get.
describe('ConsoleSink on a stream that needs draining', () => {
  /** A Writable of a 16-byte highWaterMark that completes a write only when the test says so. */
  function heldStream(): { stream: Writable; chunks: string[]; release(): void } {
    const chunks: string[] = [];
    const callbacks: (() => void)[] = [];
    const stream = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString('utf8'));
        callbacks.push(() => callback());
      },
    });
    return { stream, chunks, release: () => callbacks.splice(0).forEach((callback) => callback()) };
  }

  const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  it("waits for 'drain' before writing again: later events wait in its queue, none counted delivered before the stream takes it", async () => {
    const { stream, chunks, release } = heldStream();
    const log = new LoggerConfiguration().writeTo
      .sink(new ConsoleSink({ stdout: stream, outputTemplate: '{Message} and text enough to pass the mark{NewLine}' }), {
        name: 'console',
      })
      .createLogger();
    for (let n = 0; n < 5; n++) log.information('Event {N}', n);
    await tick();
    // The first line passed the stream's mark (write() returned false): nothing more is handed to it.
    expect(chunks).toHaveLength(1);
    expect(log.metrics().sinks.console).toMatchObject({ delivered: 1, pending: 4 });
    for (let round = 0; round < 10 && chunks.length < 5; round++) {
      release();
      await tick();
    }
    release();
    expect(chunks.map((line) => line.split(' ')[1])).toEqual(['0', '1', '2', '3', '4']);
    const report = await log.close({ timeoutMs: 1_000 });
    expect(report.sinks.console).toEqual({ delivered: 5, dropped: 0, failed: 0, undelivered: 0 });
    expect(stream.listenerCount('drain')).toBe(0);
  });

  // Found by review: the batch a graceful close gave up on (counted undelivered) went on waiting
  // for 'drain' after the close, and was written once the reader read on, after the app's own
  // later lines or those of the logger that replaced the closed one.
  it("writes nothing after close of a batch the close gave up on while it waited for 'drain', counted undelivered", async () => {
    jest.useFakeTimers();
    try {
      const { stream, chunks, release } = heldStream();
      const sink = new ConsoleSink({ stdout: stream, outputTemplate: '{Message} and text enough to pass the mark{NewLine}' });
      const log = new LoggerConfiguration().writeTo.sink(sink, { name: 'console' }).createLogger();
      for (let n = 0; n < 3; n++) log.information('Event {N}', n);
      let report: Awaited<ReturnType<typeof log.close>> | undefined;
      const closing = log.close({ timeoutMs: 500 }).then((r) => (report = r));
      await jest.advanceTimersByTimeAsync(600);
      await closing;
      expect(report?.sinks.console).toEqual({ delivered: 1, dropped: 0, failed: 0, undelivered: 2 });
      // The metrics say it in the report's word, and keep saying it once the close failed the wait.
      expect(log.metrics().sinks.console).toMatchObject({ delivered: 1, failed: 0, pending: 2, undelivered: 2 });
      stream.write('the app writes on\n');
      for (let round = 0; round < 5; round++) {
        release();
        await jest.advanceTimersByTimeAsync(10);
      }
      expect(chunks.map((line) => line.split(' ')[1])).toEqual(['0', 'app']);
      expect(log.metrics().sinks.console).toMatchObject({ delivered: 1, failed: 0, pending: 2, undelivered: 2 });
      expect(stream.listenerCount('drain')).toBe(0);
      // A batch sent after close is written as before (a sink shared by two loggers writes on for the other).
      expect(sink.emitSync([makeEvent({ text: 'Later' })])).toBe(true);
      expect(chunks.at(-1)).toBe('Later and text enough to pass the mark\n');
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses a batch with emitSync while the stream needs draining, and fails the waiting batch when the stream fails', async () => {
    const { stream } = heldStream();
    const sink = new ConsoleSink({ stdout: stream, outputTemplate: '{Message} and text enough to pass the mark{NewLine}' });
    expect(sink.emitSync([makeEvent()])).toBe(true);
    expect(sink.emitSync([makeEvent()])).toBe(false);
    const waiting = sink.emit([makeEvent()]);
    stream.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await expect(waiting).rejects.toThrow(/the stream failed or was destroyed/);
    expect(['drain', 'close'].map((event) => stream.listenerCount(event))).toEqual([0, 0]);
  });

  // A parent that reads its child's stdout and never its stderr: once the app's own console.error
  // lines (or Node's warnings) fill stderr, it never drains. A sink told to write every level to
  // stdout waited for that stream all the same, and wrote nothing more (before: no line, 3 pending).
  it.each([
    ['standardErrorFromLevel: null', null, 'stdout'],
    ["standardErrorFromLevel: 'verbose'", 'verbose', 'stderr'],
  ] as const)(
    'never waits for a stream it writes nothing to (%s): the other one, backed up, holds none of its lines',
    async (_, standardErrorFromLevel, written) => {
      const held = heldStream();
      const free = new PassThrough();
      const lines = collectLines(free);
      const [stdout, stderr] = written === 'stdout' ? [free, held.stream] : [held.stream, free];
      // The app's own output passes the mark of the stream the sink does not write to.
      held.stream.write('the app writes more than the mark\n');
      expect(held.stream.writableNeedDrain).toBe(true);
      const log = new LoggerConfiguration().writeTo
        .sink(new ConsoleSink({ stdout, stderr, standardErrorFromLevel, outputTemplate: '{Message}{NewLine}' }), {
          name: 'console',
        })
        .createLogger();
      log.information('Information');
      log.warning('Warning');
      log.error('Error');
      await tick();
      expect(lines).toEqual(['Information', 'Warning', 'Error']);
      expect(log.metrics().sinks.console).toMatchObject({ delivered: 3, pending: 0 });
      expect(held.chunks).toEqual(['the app writes more than the mark\n']);
      expect(await log.close({ timeoutMs: 100 })).toMatchObject({ timedOut: false });
      expect(held.stream.listenerCount('drain')).toBe(0);
    },
  );

  // The default standardErrorFromLevel ('warning'): a batch of information lines waited for the
  // stderr the app's own lines backed up all the same, and the close gave them up (before: no line,
  // 3 pending, then 3 undelivered and timedOut).
  it('waits only for a stream the batch has lines for: information goes to stdout while the backed-up stderr holds nothing of it', async () => {
    const held = heldStream();
    const free = new PassThrough();
    const lines = collectLines(free);
    held.stream.write('the app writes more than the mark\n');
    const log = new LoggerConfiguration().writeTo
      .sink(new ConsoleSink({ stdout: free, stderr: held.stream, outputTemplate: '{Message}{NewLine}' }), { name: 'console' })
      .createLogger();
    for (let n = 0; n < 3; n++) log.information('Information {N}', n);
    await tick();
    expect(lines).toEqual(['Information 0', 'Information 1', 'Information 2']);
    expect(log.metrics().sinks.console).toMatchObject({ delivered: 3, pending: 0 });
    // A warning waits for stderr's 'drain', and is written once the reader reads on.
    log.warning('Warning');
    await tick();
    expect(log.metrics().sinks.console).toMatchObject({ delivered: 3, pending: 1 });
    for (let round = 0; round < 10 && !held.chunks.includes('Warning\n'); round++) {
      held.release();
      await tick();
    }
    expect(held.chunks).toEqual(['the app writes more than the mark\n', 'Warning\n']);
    expect(await log.close({ timeoutMs: 100 })).toMatchObject({ timedOut: false });
    expect(held.stream.listenerCount('drain')).toBe(0);
  });

  // An ended stream emits no 'drain', and one that never closes (`autoClose: false` here, a
  // half-open socket) left the waiting batch, and every batch after it, pending for good:
  // log.flush() ran to its timeout and close({ strategy: 'flush' }) never returned.
  it("fails a batch waiting for 'drain' once the app ended the stream and it finished, with no close to come (autoClose: false)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-console-'));
    const file = path.join(dir, 'app.log');
    const stream = fs.createWriteStream(file, { autoClose: false, highWaterMark: 16 });
    try {
      const log = new LoggerConfiguration().writeTo
        .sink(new ConsoleSink({ stdout: stream, outputTemplate: '{Message} and text enough to pass the mark{NewLine}' }), {
          name: 'console',
        })
        .createLogger();
      // The first line passes the mark while the file stream writes it on a later turn; the app
      // ends the stream before it drains, as at shutdown.
      for (let n = 0; n < 3; n++) log.information('Event {N}', n);
      expect(stream.writableNeedDrain).toBe(true);
      stream.end();
      expect(await log.flush({ timeoutMs: 1_000 })).toEqual({ timedOut: false });
      expect({ finished: stream.writableFinished, closed: stream.closed }).toEqual({ finished: true, closed: false });
      const report = await log.close({ strategy: 'flush', timeoutMs: 1_000 });
      expect(report.sinks.console).toEqual({ delivered: 1, dropped: 0, failed: 2, undelivered: 0 });
      expect(fs.readFileSync(file, 'utf8')).toBe('Event 0 and text enough to pass the mark\n');
      expect(['drain', 'close', 'finish'].map((event) => stream.listenerCount(event))).toEqual([0, 0, 0]);
    } finally {
      // autoClose: false leaves the descriptor to its owner.
      stream.destroy();
      const fd = (stream as unknown as { fd?: unknown }).fd;
      if (typeof fd === 'number') fs.closeSync(fd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  // A pipe nobody reads (spec/node/fixtures/stdout-logger.ts): the process's stdout.
  it("holds a stdout pipe nobody reads to its bounded queue, not to Node's buffer: drops counted, delivered only what the pipe took", async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, '..', 'node', 'fixtures', 'stdout-logger.ts'), '200000', 'console', '1000'],
      { cwd: path.resolve(__dirname, '../..') },
    );
    child.stdout.pause();
    let stderr = '';
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const line = await new Promise<string>((resolve) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        const found = stderr.split('\n').find((text) => text.startsWith('{') && stderr.includes(`${text}\n`));
        if (found !== undefined) resolve(found);
      });
      child.on('close', () => resolve(stderr));
    });
    // A process whose stdout write is pending never exits by itself: it has said all there is.
    child.kill('SIGKILL');
    clearTimeout(killer);
    const outcome = JSON.parse(line) as {
      metrics: { received: number; delivered: number; dropped: number; failed: number; pending: number };
      stdoutHeld: number;
    };
    const { received, delivered, dropped, failed, pending } = outcome.metrics;
    expect(received).toBe(200_000);
    expect(delivered + dropped + failed + pending).toBe(received);
    // Node holds its 16 KiB mark and one line past it (it held all 200 000 lines, 13 MB, counted delivered).
    expect(outcome.stdoutHeld).toBeLessThan(17 * 1024);
    // What a 64 KiB pipe and Node's 16 KiB take of 66-byte lines, far from all.
    expect(delivered).toBeLessThan(5_000);
    expect(dropped).toBeGreaterThan(0);
  }, 30_000);
});

describe('ConsoleSink options of the wrong kind', () => {
  const stdout: TextStream = { write: () => true };
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['theme as a number', { theme: 5 }, /ConsoleSink\.theme: expected .*got number 5/],
    [
      'theme without colours for every level',
      { theme: { ansi: {}, css: {} } },
      /ConsoleSink\.theme\.ansi\.verbose: expected .*got undefined/,
    ],
    ['theme without css', { theme: { ansi: defaultConsoleTheme.ansi } }, /ConsoleSink\.theme\.css: expected .*got undefined/],
    [
      'a theme colour that is a colour name, not an escape code',
      { theme: { ...defaultConsoleTheme, ansi: { ...defaultConsoleTheme.ansi, error: 'red' } } },
      /ConsoleSink\.theme\.ansi\.error: expected ANSI SGR codes .*got "red"/,
    ],
    [
      'a theme "colour" that clears the screen',
      { theme: { ...defaultConsoleTheme, ansi: { ...defaultConsoleTheme.ansi, warning: '\u001b[2J' } } },
      /ConsoleSink\.theme\.ansi\.warning: expected ANSI SGR codes .*got "\\u001b\[2J"/,
    ],
    [
      'a theme css that is not a string',
      { theme: { ...defaultConsoleTheme, css: { ...defaultConsoleTheme.css, fatal: 5 } } },
      /ConsoleSink\.theme\.css\.fatal: expected a string .*got number 5/,
    ],
    [
      'a theme whose getter throws',
      {
        theme: {
          get ansi(): never {
            throw new Error('boom');
          },
          css: defaultConsoleTheme.css,
        },
      },
      /ConsoleSink\.theme: expected .*got an unreadable object/,
    ],
    ['formatter without format()', { formatter: 5 }, /ConsoleSink\.formatter: expected .*got number 5/],
    ['an unknown mode', { mode: 'terminal' }, /ConsoleSink\.mode: expected "node" or "browser", got "terminal"/],
    ['stdout without write()', { stdout: 5 }, /ConsoleSink\.stdout: expected .*got number 5/],
    ['stderr without write()', { stderr: {} }, /ConsoleSink\.stderr: expected .*got Object/],
    ['colors as a string', { colors: 'yes' }, /ConsoleSink\.colors: expected true or false, got "yes"/],
    ['outputTemplate as null', { outputTemplate: null }, /ConsoleSink\.outputTemplate: expected a string, got null/],
    ['console without its methods', { console: {} }, /ConsoleSink\.console: expected .*got Object/],
    [
      'a misspelt option',
      { outputTemplat: '{Message}' },
      /ConsoleSink: unknown option "outputTemplat" \(expected one of outputTemplate, /,
    ],
    ["a delivery option, which is the lane's", { batch: { size: 5 } }, /ConsoleSink: unknown option "batch"/],
  ])('throw a ConfigurationError naming the value when the sink is built: %s', (_, options, message) => {
    const build = (): ConsoleSink => new ConsoleSink({ stdout, ...options });
    expect(build).toThrow(ConfigurationError);
    expect(build).toThrow(message);
  });

  // Found by review: the sink checked one read of an option and used another, as StreamSink once did:
  // a getter giving a stream, then a Symbol, built a sink without a word that threw a TypeError on
  // its first write; each option given was read two or three times.
  it.each<[keyof ConsoleSinkOptions, () => unknown]>([
    ['outputTemplate', () => '{Message}{NewLine}'],
    ['formatter', () => ({ format: () => 'line\n' })],
    ['theme', () => defaultConsoleTheme],
    ['standardErrorFromLevel', () => null],
    ['mode', () => 'node'],
    ['stdout', () => new Capture()],
    ['stderr', () => new Capture()],
    ['colors', () => true],
  ])('reads %s once: what it checks is what it uses', (key, good) => {
    let reads = 0;
    const options = Object.defineProperty({ stdout: new Capture(), stderr: new Capture() }, key, {
      enumerable: true,
      get: () => (++reads === 1 ? good() : Symbol('later')),
    });
    const sink = new ConsoleSink(options);
    expect(sink.emitSync([makeEvent({ text: 'hello', level: 'error' })])).toBe(true);
    expect(reads).toBe(1);
  });

  it('are refused by name through writeTo.console too, which hands the sink only its own options', () => {
    const console = (options: Record<string, unknown>) => () => new LoggerConfiguration().writeTo.console({ stdout, ...options });
    expect(console({ colours: true })).toThrow(/writeTo\.console\(console\): unknown option "colours"/);
    expect(console({ colors: false, batch: { size: 5 }, name: 'out' })).not.toThrow();
  });

  describe('where there is no process.stdout (a browser, a worker)', () => {
    /** Runs `build` with `process.stdout` gone, as in a bundle for browsers, and puts it back. */
    function withoutStdout<T>(build: () => T): T {
      const descriptor = Object.getOwnPropertyDescriptor(process, 'stdout');
      if (descriptor === undefined) throw new Error('process.stdout has no descriptor');
      Object.defineProperty(process, 'stdout', { value: undefined, configurable: true });
      try {
        return build();
      } finally {
        Object.defineProperty(process, 'stdout', descriptor);
      }
    }

    it('writes to the console methods by default', () => {
      const calls: unknown[][] = [];
      const record = (...args: unknown[]): number => calls.push(args);
      const sink = withoutStdout(
        () =>
          new ConsoleSink({ console: { debug: record, info: record, warn: record, error: record }, outputTemplate: '{Message}' }),
      );
      sink.emitSync([makeEvent({ text: 'shown' })]);
      expect(calls).toEqual([['%s', 'shown']]);
    });

    /** Runs `run` with `globalThis.console` replaced by `console`, and puts it back. */
    function withConsole<T>(console: object | undefined, run: () => T): T {
      const saved = globalThis.console;
      globalThis.console = console as Console;
      try {
        return run();
      } finally {
        globalThis.console = saved;
      }
    }

    // Found by review: a default console without a level's method (a small engine's, or one an app
    // trimmed) failed every event of that level with "Cannot read properties of undefined", retried.
    it("falls back to log() where the default console lacks a level's method, the text still an argument", () => {
      const calls: unknown[][] = [];
      const log = (...args: unknown[]): number => calls.push(args);
      const sink = withConsole({ log, info: log }, () => withoutStdout(() => new ConsoleSink({ outputTemplate: '{Message}' })));
      sink.emitSync([makeEvent({ text: '50%s done', level: 'debug' }), makeEvent({ text: 'ok' })]);
      expect(calls).toEqual([
        ['%c%s', 'color: gray', '50%s done'],
        ['%s', 'ok'],
      ]);
    });

    it('fails an event at once, without retries, where the default console has neither its method nor log()', async () => {
      const calls: unknown[][] = [];
      const info = (...args: unknown[]): number => calls.push(args);
      const log = withConsole({ info }, () =>
        withoutStdout(() => new LoggerConfiguration().writeTo.console({ outputTemplate: '{Message}' }).createLogger()),
      );
      const diagnostics: SelfLogEvent[] = [];
      const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d));
      log.information('shown');
      log.warning('lost');
      const report = await log.close();
      subscription.unsubscribe();
      expect(calls).toEqual([['%s', 'shown']]);
      expect(report.sinks.console).toEqual({ delivered: 1, dropped: 0, failed: 1, undelivered: 0 });
      expect(log.metrics().sinks.console.retried).toBe(0);
      expect(diagnostics.map((d) => d.message)).toContainEqual(
        expect.stringMatching(/ConsoleSink: the console failed; event not written[\s\S]*no console with warn\(\) or log\(\)/),
      );
    });

    // Found by review: where there was no console at all (an engine without one, or an app that
    // removed it), every event was written nowhere and counted delivered, where a console missing
    // only a level's method and log() fails that event.
    it('fails each event at once, without retries, where there is no console, as where it has neither method nor log()', async () => {
      const log = withConsole(undefined, () =>
        withoutStdout(() => new LoggerConfiguration().writeTo.console({ outputTemplate: '{Message}' }).createLogger()),
      );
      const diagnostics: SelfLogEvent[] = [];
      const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d));
      log.information('lost');
      log.warning('lost too');
      const report = await log.close();
      subscription.unsubscribe();
      expect(report.sinks.console).toEqual({ delivered: 0, dropped: 0, failed: 2, undelivered: 0 });
      expect(log.metrics().sinks.console.retried).toBe(0);
      expect(diagnostics.map((d) => d.message)).toContainEqual(
        expect.stringMatching(/ConsoleSink: the console failed; event not written[\s\S]*no console with info\(\) or log\(\)/),
      );
    });

    it('refuses mode "node" without a stdout option, whose every event would be written nowhere and counted delivered', () => {
      const build = (): ConsoleSink => withoutStdout(() => new ConsoleSink({ mode: 'node' }));
      expect(build).toThrow(ConfigurationError);
      expect(build).toThrow(/ConsoleSink\.mode: "node" needs a stdout option where there is no process\.stdout/);
      expect(() => withoutStdout(() => new ConsoleSink({ mode: 'node', stdout }))).not.toThrow();
    });
  });

  it('still accept a theme of false, the default theme and a custom one', () => {
    expect(() => new ConsoleSink({ stdout, theme: false })).not.toThrow();
    expect(() => new ConsoleSink({ stdout, theme: defaultConsoleTheme })).not.toThrow();
    expect(
      () => new ConsoleSink({ stdout, theme: { ...defaultConsoleTheme, ansi: { ...defaultConsoleTheme.ansi, fatal: '' } } }),
    ).not.toThrow();
    // 256 colours, truecolor (both separators), bold and underline, several codes in a row.
    const ansi = {
      verbose: '\u001b[38;5;245m',
      debug: '\u001b[38:2::100:100:100m',
      information: '\u001b[1m\u001b[4m',
      warning: '\u001b[m',
      error: '\u001b[1;31m',
      fatal: '\u001b[97;41m',
    };
    expect(() => new ConsoleSink({ stdout, theme: { ...defaultConsoleTheme, ansi } })).not.toThrow();
  });
});

// Exported, and the theme of every ConsoleSink given none (and of the rxlog command's colours):
// from JavaScript, `defaultConsoleTheme.ansi.error = 'red'` (or `'\u001b[2J'`, which clears the
// terminal) would reach every such sink without the checks a `theme` option gets.
describe('defaultConsoleTheme', () => {
  it('cannot be changed by a caller, so every ConsoleSink given no theme keeps it as it was checked', () => {
    const ansi = defaultConsoleTheme.ansi as Record<string, string>;
    const css = defaultConsoleTheme.css as Record<string, string>;
    try {
      expect(() => {
        ansi.error = 'red';
      }).toThrow(TypeError);
      expect(() => {
        css.fatal = 'display: none';
      }).toThrow(TypeError);
      expect(() => {
        (defaultConsoleTheme as { ansi: unknown }).ansi = {};
      }).toThrow(TypeError);
    } finally {
      // Without the freeze, leave the module as it was for the tests after this one.
      if (!Object.isFrozen(ansi)) ansi.error = '\u001b[31m';
      if (!Object.isFrozen(css)) css.fatal = 'color: white; background: red; font-weight: bold';
    }
    const terminal = new Capture(true);
    new ConsoleSink({ stdout: terminal, stderr: terminal, colors: true, outputTemplate: '{Message}' }).emitSync([
      makeEvent({ text: 'x', level: 'error' }),
    ]);
    expect(terminal.chunks).toEqual(['\u001b[31mx\u001b[0m']);
  });
});

// Many ConsoleSinks on one stdout (a logger per module, or a sink per level band): each waiting
// sink put its own 'drain', 'error' and 'close' listeners on the stream, and Node printed
// MaxListenersExceededWarning from the 11th. They now share one set per stream.
describe('ConsoleSinks waiting on one stream', () => {
  it('20 ConsoleSinks waiting for the same stdout to drain raise no MaxListenersExceededWarning and deliver every event', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'many-console-sinks.ts')], {
      cwd: path.resolve(__dirname, '../..'),
    });
    child.stdout.pause();
    let stdout = '';
    let stderr = '';
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      // Every sink is waiting for 'drain' now: read stdout, so it drains.
      if (stderr.includes('waiting\n')) child.stdout.resume();
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(killer);
    expect({ code, waited: stderr.includes('waiting\n'), warned: stderr.includes('MaxListenersExceededWarning') }).toEqual({
      code: 0,
      waited: true,
      warned: false,
    });
    const report = (
      JSON.parse(stderr.split('\n').find((line) => line.startsWith('{')) ?? '{}') as {
        report: { sinks: Record<string, { delivered: number; dropped: number; failed: number; undelivered: number }> };
      }
    ).report;
    const expected: Record<string, unknown> = {};
    for (let n = 0; n < 20; n++) expected[`s${n}`] = { delivered: 200, dropped: 0, failed: 0, undelivered: 0 };
    expect(report.sinks).toEqual(expected);
    // Every event of every sink reached the reader, in order.
    const lines = stdout.split('\n').filter((line) => line !== '');
    for (let n = 0; n < 20; n++) {
      const numbers = lines.filter((line) => line.startsWith(`s${n} `)).map((line) => Number(line.split(' ')[2]));
      expect(numbers).toEqual(Array.from({ length: 200 }, (_, i) => i));
    }
  }, 30_000);
});
