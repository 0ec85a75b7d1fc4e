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

  it('rejects what is neither a name nor a function, naming the option', () => {
    expect(() => eventKeySelector('', 'sampleEvents: key')).toThrow(ConfigurationError);
    expect(() => eventKeySelector(7 as unknown as string, 'sampleEvents: key')).toThrow(/sampleEvents: key.*7/);
  });
});
