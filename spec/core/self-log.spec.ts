import { config as rxjsConfig } from 'rxjs';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';

describe('SelfLog', () => {
  afterEach(() => SelfLog.disable());

  it('is off by default and writes nowhere', () => {
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    SelfLog.write('Sink {Name} failed', 'file');
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });

  it('sends filled-in diagnostics to the enabled output', () => {
    const lines: string[] = [];
    SelfLog.enable((line) => lines.push(line));
    SelfLog.write('Sink {Name} failed after {Attempts} attempts', 'file', 3, 'extra');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/rxlog: Sink file failed after 3 attempts extra$/);
  });

  it('enables console.error with one call', () => {
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    SelfLog.enable();
    SelfLog.write('hello {Who}', 'there');
    expect(spy).toHaveBeenCalledWith(expect.stringContaining('hello there'));
    spy.mockRestore();
  });

  // Diagnostics quote what failed: an error from a receiver, a value from an event. Their control
  // characters are shown escaped, as text output shows data, so a quoted value cannot clear the
  // console, retitle the terminal or forge a diagnostic line; a stack keeps its line breaks.
  it('escapes the control characters of the values it quotes, keeping a stack’s line breaks', () => {
    const lines: string[] = [];
    SelfLog.enable((line) => lines.push(line));
    const error = new Error('bad \u001b]0;owned\u0007 answer');
    error.stack = 'Error: bad\r\n    at here\n    at there';
    SelfLog.write('Sink {Name} failed: {Error}', 'seq\u001b[2J', error, '\u009b31m');
    const events: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((e) => events.push(e));
    SelfLog.write('{Value} {Template}', '\u2028x');
    subscription.unsubscribe();
    expect(lines[0]).toMatch(/rxlog: Sink seq\\u001b\[2J failed: Error: bad\n {4}at here\n {4}at there \\u009b31m$/);
    expect(lines[1]).toMatch(/rxlog: \\u2028x \{Template\}$/);
    // The arguments themselves are kept as given, for a subscriber that wants them.
    expect(events[0].args).toEqual(['\u2028x']);
  });

  it('emits every diagnostic on events$ even when no output is enabled', () => {
    const seen: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((event) => seen.push(event));
    const error = new Error('boom');
    SelfLog.write('Enricher {Name} failed', 'host', error);
    subscription.unsubscribe();
    expect(seen).toHaveLength(1);
    expect(seen[0].template).toBe('Enricher {Name} failed');
    expect(seen[0].args).toEqual(['host', error]);
    expect(seen[0].message).toContain('Enricher host failed');
    expect(seen[0].message).toContain('boom');
  });

  // A diagnostic written from deep inside a capture (a value nested thousands deep) may find too
  // little stack left to fill in its message: SelfLog wrote the bare template then, with no
  // timestamp and none of its values ('rxlog: Capturing {What} threw {Message}; …').
  it('keeps its timestamp, and its text values where it can, when filling in its message runs out of stack', () => {
    const lines: string[] = [];
    SelfLog.enable((line) => lines.push(line));
    const write = (): void => SelfLog.write('Capturing {What} threw {Message}; captured as a marker', 'an object', 'too deep');
    // Down to the end of the stack, then diagnostics from every frame on the way back up, each
    // through 0 to 7 more frames, so that some may meet the stack's end inside the filling in.
    const via = (frames: number): void => (frames === 0 ? write() : via(frames - 1));
    const dive = (): void => {
      try {
        dive();
      } catch {
        // The bottom: the frames above write from here.
      }
      for (let frames = 0; frames < 8; frames++)
        try {
          via(frames);
        } catch {
          // No room for the call itself.
        }
    };
    dive();
    expect(lines.length).toBeGreaterThan(1000);
    // Each line filled in, or else the template and its values as text, timestamped.
    const shapes = new Set(lines.map((line) => line.replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z /, '<timestamp> ')));
    shapes.delete('<timestamp> rxlog: Capturing {What} threw {Message}; captured as a marker an object too deep');
    expect(shapes).toEqual(new Set(['<timestamp> rxlog: Capturing an object threw too deep; captured as a marker']));
  });

  // Where the stack runs out depends on how the engine has compiled the code by then, so the same
  // fault is also made certain: filling in spreads the arguments, which a broken iterator stops.
  it('keeps its timestamp and its values as text when filling in its message throws', () => {
    const lines: string[] = [];
    SelfLog.enable((line) => lines.push(line));
    const iterate = Object.getOwnPropertyDescriptor(Array.prototype, Symbol.iterator) as PropertyDescriptor;
    Object.defineProperty(Array.prototype, Symbol.iterator, {
      configurable: true,
      value() {
        throw new RangeError('Maximum call stack size exceeded');
      },
    });
    try {
      SelfLog.write('Capturing {What} threw {Message}; captured as a marker', 'an object', 'too deep\u001b[2J');
    } finally {
      Object.defineProperty(Array.prototype, Symbol.iterator, iterate);
    }
    expect(lines).toEqual([
      expect.stringMatching(
        /^\d{4}-\d\d-\d\dT[\d:.]+Z rxlog: Capturing \{What\} threw \{Message\}; captured as a marker an object too deep\\u001b\[2J$/,
      ),
    ]);
  });

  it('never throws, whatever the output or the arguments do', () => {
    SelfLog.enable(() => {
      throw new Error('output broken');
    });
    const hostile = {
      toString() {
        throw new Error('no');
      },
    };
    expect(() => SelfLog.write('value {V}', hostile)).not.toThrow();
  });
});

describe('SelfLog.events$ with a throwing subscriber', () => {
  afterEach(() => {
    rxjsConfig.onUnhandledError = null;
  });

  it('reports the fault as a diagnostic, never to the process, and keeps every subscriber subscribed', async () => {
    const unhandled = jest.fn();
    rxjsConfig.onUnhandledError = unhandled;
    const seen: string[] = [];
    const faulty = SelfLog.events$.subscribe((event) => {
      if (event.template === 'first') throw new Error('handler bug');
    });
    const healthy = SelfLog.events$.subscribe((event) => seen.push(event.template));
    SelfLog.write('first');
    SelfLog.write('second');
    await new Promise((resolve) => setTimeout(resolve, 0));
    faulty.unsubscribe();
    healthy.unsubscribe();
    expect(unhandled).not.toHaveBeenCalled();
    expect([...seen].sort()).toEqual(['A subscriber of SelfLog.events$ failed; it stays subscribed', 'first', 'second']);
  });
});
