import { SyslogUdpTransport } from '../../../lib/node/syslog/syslog-udp-transport';
import { createSocket } from 'node:dgram';
import dns from 'node:dns';
import { startUdpServer, type SyslogTestServer } from './syslog-test-servers';

async function closedUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

describe('SyslogUdpTransport', () => {
  let server: SyslogTestServer;
  let transport: SyslogUdpTransport;
  beforeEach(async () => {
    server = await startUdpServer();
    transport = new SyslogUdpTransport('127.0.0.1', server.port, 5_000, 10_000);
  });
  afterEach(async () => {
    await transport.close();
    await server.close();
  });

  it('sends each message as one datagram and resolves with the bytes sent', async () => {
    const sent = await transport.send(['<14>1 one', '<14>1 zwö']);

    expect((await server.waitFor(2)).sort()).toEqual(['<14>1 one', '<14>1 zwö']);
    expect(sent).toBe(9 + 10);
  });

  it('rejects sends after close', async () => {
    await transport.close();

    await expect(transport.send(['late'])).rejects.toThrow('SyslogSink: closed');
  });

  it('rejects a batch with ECONNREFUSED once the kernel reports the receiver refused a datagram', async () => {
    const refusing = new SyslogUdpTransport('127.0.0.1', await closedUdpPort(), 5_000, 10_000);
    let failure: unknown;
    // The ICMP refusal arrives after a send completes: the kernel hands it to a later send, or to the
    // socket's reader (then the next batch is rejected unsent). A bounded number of turns lets it in.
    for (let i = 0; i < 100 && failure === undefined; i++) {
      await refusing.send([`probe ${i}`]).catch((error: unknown) => (failure = error));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await refusing.close();

    expect(String(failure)).toMatch(/ECONNREFUSED/);
  });
  describe('closed while the host name is still resolving', () => {
    afterEach(() => jest.restoreAllMocks());

    it('abandons the socket at once: the send rejects, as a stream connection under way does', async () => {
      // A DNS server that never answers: the lookup of this one name never calls back.
      const real = dns.lookup as (...args: unknown[]) => void;
      const lookup = (hostname: string, ...rest: unknown[]): void => {
        if (hostname !== 'slow.rxlog.invalid') real(hostname, ...rest);
      };
      jest.spyOn(dns, 'lookup').mockImplementation(lookup);
      const slow = new SyslogUdpTransport('slow.rxlog.invalid', 514, 60_000, 10_000);
      let outcome: unknown = 'pending';
      const sent = slow.send(['lost']).then(
        () => (outcome = 'sent'),
        (error: unknown) => (outcome = error),
      );
      await new Promise((resolve) => setImmediate(resolve));
      expect(dns.lookup).toHaveBeenCalledWith('slow.rxlog.invalid', expect.anything(), expect.anything());

      await slow.close();
      // The socket's 'close' comes on the next tick; without it the send waited out connectTimeoutMs.
      await new Promise((resolve) => setImmediate(resolve));

      expect(String(outcome)).toMatch(/SyslogSink: closed/);
      await sent;
    });
  });
});
