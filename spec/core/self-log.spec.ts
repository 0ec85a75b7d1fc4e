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
