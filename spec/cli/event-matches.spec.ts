import { eventMatches } from '../../lib/cli/event-matches';
import { LOG_LEVELS } from '../../lib/core/log-level';
import { createLogEvent } from '../../lib/templates/log-event-record';

describe('eventMatches', () => {
  const event = createLogEvent('warning', 'Payment {PaymentId} FAILED for {@User}', ['p-1', { id: 42, name: 'Ann' }]);

  it('matches everything with an empty filter', () => {
    expect(eventMatches(event, {})).toBe(true);
  });

  it('keeps events at the minimum level or above', () => {
    const shown = LOG_LEVELS.filter((level) => eventMatches(createLogEvent(level, 'x'), { minimumLevel: 'warning' }));
    expect(shown).toEqual(['warning', 'error', 'fatal']);
  });

  it('finds grep text anywhere in the rendered message, ignoring case', () => {
    expect(eventMatches(event, { grep: 'payment p-1 failed' })).toBe(true);
    expect(eventMatches(event, { grep: '"NAME":"ANN"' })).toBe(true);
    expect(eventMatches(event, { grep: 'PaymentId' })).toBe(false);
    expect(eventMatches(event, { grep: '' })).toBe(true);
  });

  it('compares --where conditions with the rendered property value', () => {
    expect(eventMatches(event, { where: [{ name: 'PaymentId', value: 'p-1' }] })).toBe(true);
    expect(eventMatches(event, { where: [{ name: 'User', value: '{"id":42,"name":"Ann"}' }] })).toBe(true);
    expect(
      eventMatches(createLogEvent('information', '{N} {Ok} {Nothing}', [42, false, null]), {
        where: [
          { name: 'N', value: '42' },
          { name: 'Ok', value: 'false' },
          { name: 'Nothing', value: 'null' },
        ],
      }),
    ).toBe(true);
  });

  it('is case-sensitive in --where names and values', () => {
    expect(eventMatches(event, { where: [{ name: 'paymentid', value: 'p-1' }] })).toBe(false);
    expect(eventMatches(event, { where: [{ name: 'PaymentId', value: 'P-1' }] })).toBe(false);
  });

  it('requires every --where condition and a property that exists', () => {
    expect(
      eventMatches(event, {
        where: [
          { name: 'PaymentId', value: 'p-1' },
          { name: 'Missing', value: '' },
        ],
      }),
    ).toBe(false);
    expect(eventMatches(event, { where: [{ name: 'PaymentId', value: 'p-2' }] })).toBe(false);
  });

  it('requires every part of the filter at once', () => {
    const filter = { minimumLevel: 'error', grep: 'payment', where: [{ name: 'PaymentId', value: 'p-1' }] } as const;
    expect(eventMatches(event, filter)).toBe(false);
    expect(eventMatches(event, { ...filter, minimumLevel: 'warning' })).toBe(true);
  });
});
