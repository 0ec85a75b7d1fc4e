import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import { eventKeySelector } from '../../lib/operators/event-key';
import { makeEvent } from '../helpers/events';

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

  it('rejects what is neither a name nor a function, naming the option', () => {
    expect(() => eventKeySelector('', 'sampleEvents: key')).toThrow(ConfigurationError);
    expect(() => eventKeySelector(7 as unknown as string, 'sampleEvents: key')).toThrow(/sampleEvents: key.*7/);
  });
});
