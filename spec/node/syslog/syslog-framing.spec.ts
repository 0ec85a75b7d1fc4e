import { syslogEscapeLineBreaks, syslogFrame } from '../../../lib/node/syslog/syslog-framing';

describe('syslogFrame', () => {
  it('prefixes each message with its length in bytes for octet counting', () => {
    expect(syslogFrame(['<14>1 a', '<14>1 ü'], 'octet-counting')).toBe('7 <14>1 a8 <14>1 ü');
  });

  it('ends each message with LF for newline framing', () => {
    expect(syslogFrame(['one', 'two'], 'newline')).toBe('one\ntwo\n');
  });

  it('frames nothing as the empty string', () => {
    expect(syslogFrame([], 'octet-counting')).toBe('');
  });
});

describe('syslogEscapeLineBreaks', () => {
  it('writes LF as #012 and CR as #015', () => {
    expect(syslogEscapeLineBreaks('a\r\nb\nc')).toBe('a#015#012b#012c');
  });

  it('returns text without line breaks unchanged', () => {
    expect(syslogEscapeLineBreaks('plain')).toBe('plain');
  });
});
