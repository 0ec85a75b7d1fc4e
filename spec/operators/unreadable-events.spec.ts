import { type MonoTypeOperatorFunction, Subject } from 'rxjs';
import type { LogEvent } from '../../lib/core/log-event';
import { LogEventRecord } from '../../lib/templates/log-event-record';
import { fingersCrossed } from '../../lib/operators/fingers-crossed';
import { minimumLevel } from '../../lib/operators/minimum-level';
import { redact } from '../../lib/operators/redact';
import { throttleEvents } from '../../lib/operators/throttle-events';
import { makeEvent } from '../helpers/events';
import { collectSelfLog } from '../helpers/self-log';

// An app operator placed before rxlog's (in `.pipe()`, a sink's `pipe`, on `log.events$`) may let
// out a value that cannot be read at all: a Proxy whose traps throw, a revoked Proxy. rxlog's
// operators treat it as any value that is not an event, never as a reason to fail the stream and
// lose what they hold (fingersCrossed's rings, throttleEvents' windows).

function trap(): never {
  throw new Error('trap');
}
const unreadable = (): LogEvent =>
  new Proxy({}, { get: trap, getPrototypeOf: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap }) as LogEvent;
const revoked = (): LogEvent => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy as LogEvent;
};

/** What came out, each named: the unreadable value as 'value' (jest cannot compare a Proxy), an event by its template. */
const named = (out: LogEvent[], value: LogEvent): string[] =>
  out.map((event) => (event === value ? 'value' : event.messageTemplate.text));

/** What `operator` lets out of `values`, and how its stream ended. */
function run(operator: MonoTypeOperatorFunction<LogEvent>, values: LogEvent[]): { out: LogEvent[]; ended: string } {
  const source = new Subject<LogEvent>();
  const out: LogEvent[] = [];
  let ended = 'not ended';
  source.pipe(operator).subscribe({
    next: (value) => out.push(value),
    error: (error: unknown) => (ended = `error: ${String(error)}`),
    complete: () => (ended = 'complete'),
  });
  for (const value of values) source.next(value);
  source.complete();
  return { out, ended };
}

const debug = makeEvent({ level: 'debug', text: 'detail' });
const failure = makeEvent({ level: 'error', text: 'failed' });

describe.each([
  ['a Proxy whose traps throw', unreadable],
  ['a revoked Proxy', revoked],
])('a value that cannot be read (%s)', (_kind, make) => {
  it('is held by fingersCrossed as a value below the trigger, and the next trigger still releases the ring', () => {
    const value = make();
    const { out, ended } = run(fingersCrossed(), [debug, value, failure]);
    expect(ended).toBe('complete');
    expect(named(out, value)).toEqual(['detail', 'value', 'failed']);
  });

  it('is held by fingersCrossed with a passthroughLevel too', () => {
    const value = make();
    const { out, ended } = run(fingersCrossed({ passthroughLevel: 'warning', isolateBy: 'RequestId' }), [debug, value, failure]);
    expect(ended).toBe('complete');
    expect(named(out, value)).toEqual(['detail', 'value', 'failed']);
  });

  it('is passed on unthrottled by throttleEvents, whose windows still send their summaries', () => {
    const value = make();
    const { out, ended } = run(throttleEvents({ windowMs: 60_000 }), [debug, value, debug]);
    expect(ended).toBe('complete');
    expect(named(out, value)).toEqual(['detail', 'value', 'Suppressed {Count} repeats of "{Template}"']);
  });

  it('is kept by minimumLevel, as a value without a level', () => {
    const value = make();
    const selfLog = collectSelfLog();
    const { out, ended } = run(minimumLevel('warning'), [debug, value, failure]);
    selfLog.stop();
    expect(ended).toBe('complete');
    expect(named(out, value)).toEqual(['value', 'failed']);
  });

  it('goes on through redact as an event without properties, told to SelfLog', () => {
    const selfLog = collectSelfLog();
    const { out, ended } = run(redact({ keys: /password/i }), [make(), debug]);
    selfLog.stop();
    expect(ended).toBe('complete');
    expect(out[0]).toBeInstanceOf(LogEventRecord);
    expect(out[0].properties).toEqual({});
    expect(out[1]).toBe(debug);
    expect(selfLog.diagnostics.map((d) => d.message)).toEqual([
      expect.stringContaining('redact: the event could not be redacted; its properties are dropped'),
    ]);
  });
});

describe('an event only partly readable', () => {
  it('loses its properties through redact when its level cannot be read, rather than keeping a secret', () => {
    const secret = new Proxy(
      { properties: { password: 'hunter2' }, messageTemplate: { text: 'Login', tokens: [] } },
      { get: (target, name) => (name === 'level' ? trap() : Reflect.get(target, name)) },
    ) as unknown as LogEvent;
    const selfLog = collectSelfLog();
    const { out, ended } = run(redact({ keys: /password/i }), [secret]);
    selfLog.stop();
    expect(ended).toBe('complete');
    expect(out).toHaveLength(1);
    expect(out[0].properties).toEqual({});
    expect(out[0].messageTemplate.text).toBe('Login');
  });

  it('with a Symbol for a level is passed on unthrottled by throttleEvents, not failed on as its key is made', () => {
    const odd = { ...debug, level: Symbol('debug') } as unknown as LogEvent;
    const { out, ended } = run(throttleEvents(), [odd, odd, debug]);
    expect(ended).toBe('complete');
    expect(out).toEqual([odd, odd, debug]);
  });
});
