import { syslogMessageText } from '../../../lib/node/syslog/syslog-message-text';
import { cpuMs } from '../../helpers/cpu-time';
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

  it('keeps line breaks inside a formatter’s output, and a text of line breaks only becomes empty', () => {
    expect(syslogMessageText(makeEvent(), { format: () => '\n\r\na\n\nb\r' })).toBe('\n\r\na\n\nb');
    expect(syslogMessageText(makeEvent(), { format: () => '\r\n\n' })).toBe('');
  });

  // A TextFormatter's {Exception} keeps the exception's line breaks, and its message can hold input
  // from outside: trimming with /[\r\n]+$/ backtracked over every run of them, 40 000 taking 6 s.
  it('trims a formatter’s output in linear time, however many line breaks come before its end', async () => {
    const text = `${'\n'.repeat(100_000)}x${'\r\n'.repeat(100_000)}`;
    let message = '';
    // Linear: milliseconds; the regular expression took minutes here. CPU time, which a loaded
    // machine does not stretch.
    expect(await cpuMs(() => void (message = syslogMessageText(makeEvent(), { format: () => text })))).toBeLessThan(3_000);
    expect(message).toBe(`${'\n'.repeat(100_000)}x`);
  });

  // Escaping a message of megabytes only for the byte cut to drop it blocked the caller for seconds.
  it('cuts to maxLength UTF-16 units before writing NUL out, formatter or not', () => {
    const text = `ab\u0000${'\u0000'.repeat(1_000)}`;
    expect(syslogMessageText(makeEvent({ text }), undefined, 4)).toBe('ab#000#000');
    expect(syslogMessageText(makeEvent(), { format: () => `${text}\n` }, 3)).toBe('ab#000');
    expect(syslogMessageText(makeEvent({ text: 'abc' }), undefined, 3)).toBe('abc');
  });
});
