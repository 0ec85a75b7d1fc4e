import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import { eventKeySelector } from '../../lib/operators/event-key';
import type { LogEvent } from '../../lib/core/log-event';
import { makeEvent } from '../helpers/events';
import { collectSelfLog } from '../helpers/self-log';

describe('eventKeySelector', () => {
  const event = makeEvent({ properties: { RequestId: 'r-1' } });

  it('reads an own property by name, never an inherited one', () => {
    expect(eventKeySelector('RequestId', 'key')(event)).toBe('r-1');
    expect(eventKeySelector('toString', 'key')(event)).toBeUndefined();
  });

  it('calls a selector, turning a throw into no key and a SelfLog diagnostic', () => {
    expect(eventKeySelector((e) => e.level, 'key')(event)).toBe('information');
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((e) => diagnostics.push(e));
    const selector = eventKeySelector(() => {
      throw new Error('bad');
    }, 'throttleEvents: key');
    expect(selector(event)).toBeUndefined();
    subscription.unsubscribe();
    expect(diagnostics).toHaveLength(1);
  });

  it('turns a property that cannot be read (a throwing getter, a Proxy) into no key and a SelfLog diagnostic', () => {
    const diagnostics: SelfLogEvent[] = [];
    const subscription = SelfLog.events$.subscribe((e) => diagnostics.push(e));
    const getter = makeEvent({
      properties: {
        get RequestId(): string {
          throw new Error('detached');
        },
      },
    });
    const proxy = makeEvent({
      properties: new Proxy(
        {},
        {
          getOwnPropertyDescriptor: () => {
            throw new Error('revoked');
          },
        },
      ),
    });
    const selector = eventKeySelector('RequestId', 'fingersCrossed: isolateBy');
    expect(selector(getter)).toBeUndefined();
    expect(selector(proxy)).toBeUndefined();
    subscription.unsubscribe();
    expect(diagnostics.map((d) => d.message)).toEqual([
      expect.stringContaining('fingersCrossed: isolateBy'),
      expect.stringContaining('fingersCrossed: isolateBy'),
    ]);
  });

  it('gives a structured value (an object, an array, a Date) as its JSON text, so equal values captured apart are one key', () => {
    // Each event captures its own copy of a structure: two copies of { Id: 'r-1' } are two objects.
    const one = makeEvent({ properties: { Request: { Id: 'r-1', Tags: ['a'] } } });
    const two = makeEvent({ properties: { Request: { Id: 'r-1', Tags: ['a'] } } });
    const other = makeEvent({ properties: { Request: { Id: 'r-2', Tags: ['a'] } } });
    const byName = eventKeySelector('Request', 'key');
    expect(byName(one)).toBe('{"Id":"r-1","Tags":["a"]}');
    expect(byName(two)).toBe(byName(one));
    expect(byName(other)).not.toBe(byName(one));
    const bySelector = eventKeySelector((e) => e.properties.Request, 'key');
    expect(bySelector(two)).toBe(bySelector(one));
    expect(eventKeySelector('At', 'key')(makeEvent({ properties: { At: new Date(0) } }))).toBe('"1970-01-01T00:00:00.000Z"');
    // Scalars stay as they are.
    expect(eventKeySelector(() => 42, 'key')(event)).toBe(42);
    expect(eventKeySelector(() => null, 'key')(event)).toBeNull();
  });

  // An async selector's Promise was keyed by its JSON text, '{}': every event shared one key (one
  // fingersCrossed ring for all requests, one throttle window for every message), nothing was said,
  // and its rejection went unhandled, which ends a Node process. Read as fingersCrossed's trigger
  // and filterEvents read an async function's answer (core/stray-promise).
  it('gives an async selector’s Promise no key, with a SelfLog line, and reports its rejection', async () => {
    const { diagnostics, stop } = collectSelfLog();
    const lookup = (async () => {
      throw new Error('lookup failed');
    }) as unknown as (event: LogEvent) => unknown;
    const selector = eventKeySelector(lookup, 'throttleEvents: key');
    expect(selector(event)).toBeUndefined();
    await Promise.resolve();
    await Promise.resolve();
    stop();
    expect(diagnostics.map((d) => d.message)).toEqual([
      expect.stringMatching(/throttleEvents: key .*returned a Promise/),
      expect.stringMatching(/throttleEvents: key .*failed/),
    ]);
  });

  it('gives a value that is not an event (a map branch’s undefined) no key by name, without a SelfLog line', () => {
    const { diagnostics, stop } = collectSelfLog();
    const select = eventKeySelector('RequestId', 'fingersCrossed: isolateBy');
    try {
      for (const value of [undefined, null, 42, { level: 'debug' }]) expect(select(value as unknown as LogEvent)).toBeUndefined();
    } finally {
      stop();
    }
    expect(diagnostics).toEqual([]);
  });

  it('rejects what is neither a name nor a function, naming the option', () => {
    expect(() => eventKeySelector('', 'sampleEvents: key')).toThrow(ConfigurationError);
    expect(() => eventKeySelector(7 as unknown as string, 'sampleEvents: key')).toThrow(/sampleEvents: key.*7/);
  });
});
