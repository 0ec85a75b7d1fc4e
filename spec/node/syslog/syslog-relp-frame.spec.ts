import fc from 'fast-check';
import { RelpReader, relpFrame } from '../../../lib/node/syslog/syslog-relp-frame';

describe('relpFrame', () => {
  it('writes TXNR SP COMMAND SP DATALEN [SP DATA] LF, DATALEN in bytes of UTF-8', () => {
    expect(relpFrame(1, 'syslog', 'héllo')).toBe('1 syslog 6 héllo\n');
    expect(relpFrame(7, 'close', '')).toBe('7 close 0\n');
  });
});

describe('RelpReader', () => {
  const answers =
    '1 rsp 93 200 OK\nrelp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog\n' +
    '2 rsp 6 200 OK\n3 rsp 0\n0 serverclose 0\n';
  const expected = [
    {
      txnr: 1,
      command: 'rsp',
      data: '200 OK\nrelp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog',
    },
    { txnr: 2, command: 'rsp', data: '200 OK' },
    { txnr: 3, command: 'rsp', data: '' },
    { txnr: 0, command: 'serverclose', data: '' },
  ];

  it('reads what rsyslogd’s imrelp answers, whatever pieces it arrives in', () => {
    const bytes = Buffer.from(answers);
    for (let size = 1; size <= bytes.length; size++) {
      const reader = new RelpReader();
      const frames = [];
      for (let at = 0; at < bytes.length; at += size) frames.push(...reader.push(bytes.subarray(at, at + size)));
      expect(frames).toEqual(expected);
    }
  });

  it('reads DATA holding LF and multi-byte UTF-8 by its DATALEN', () => {
    expect(new RelpReader().push(Buffer.from(relpFrame(5, 'rsp', '500 nö\nmore')))).toEqual([
      { txnr: 5, command: 'rsp', data: '500 nö\nmore' },
    ]);
  });

  it.each([
    ['no frame', 'HTTP/1.1 400 Bad Request\r\n'],
    ['a DATALEN the DATA does not match', '1 rsp 3 200 OK\n'],
    ['DATA after DATALEN 0', '1 rsp 0 200 OK\n'],
    ['a DATALEN past 128 KiB', '1 rsp 999999 '],
    ['a TXNR of ten digits', '1234567890 rsp 0\n'],
  ])('throws on %s (RELP drops the connection)', (_, text) => {
    expect(() => new RelpReader().push(Buffer.from(text))).toThrow(/RELP frame/);
  });

  it('either reads frames or throws an Error on any bytes, never hangs on a header longer than RELP allows', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          new RelpReader().push(Buffer.from(bytes));
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
        }
      }),
    );
  });
});
