import { readErrorField, renderMessageSafely } from '../../lib/formatting/safe-event-text';
import { makeEvent } from '../helpers/events';

describe('renderMessageSafely', () => {
  it('renders the message, and falls back to the template text when rendering throws', () => {
    const event = makeEvent();
    expect(renderMessageSafely(event)).toBe(event.renderMessage());
    const hostile = {
      ...event,
      messageTemplate: event.messageTemplate,
      renderMessage: (): string => {
        throw new Error('no');
      },
    };
    expect(renderMessageSafely(hostile)).toBe(event.messageTemplate.text);
  });
});

describe('readErrorField', () => {
  it('reads name and message, stringifies odd values and survives throwing getters', () => {
    expect(readErrorField(new TypeError('bad'), 'name')).toBe('TypeError');
    expect(readErrorField(new TypeError('bad'), 'message')).toBe('bad');
    expect(readErrorField(Object.assign(new Error('x'), { message: 42 as unknown as string }), 'message')).toBe('42');
    const hostile = new Error('x');
    Object.defineProperty(hostile, 'message', {
      get(): string {
        throw new Error('no');
      },
    });
    expect(readErrorField(hostile, 'message')).toBeUndefined();
  });
});
