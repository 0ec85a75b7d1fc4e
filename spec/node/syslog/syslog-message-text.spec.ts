import { syslogMessageText } from '../../../lib/node/syslog/syslog-message-text';
import { makeEvent } from '../../helpers/events';

describe('syslogMessageText', () => {
  it('is the rendered message by default', () => {
    expect(syslogMessageText(makeEvent({ text: 'Order 7 paid' }))).toBe('Order 7 paid');
  });

  it('adds the exception’s stack on the following lines', () => {
    const error = new Error('boom');
    error.stack = 'Error: boom\n    at f';
    expect(syslogMessageText(makeEvent({ text: 'Failed', exception: error }))).toBe('Failed\nError: boom\n    at f');
  });

  it('uses a formatter’s output without its trailing line breaks', () => {
    const formatter = { format: () => 'custom\r\n\n' };
    expect(syslogMessageText(makeEvent(), formatter)).toBe('custom');
  });
});
