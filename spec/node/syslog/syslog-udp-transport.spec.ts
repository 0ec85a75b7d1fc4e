import { SyslogUdpTransport } from '../../../lib/node/syslog/syslog-udp-transport';
import { createSocket, Socket } from 'node:dgram';
import dns from 'node:dns';
import { networkInterfaces } from 'node:os';
import { startUdpServer, type SyslogTestServer } from './syslog-test-servers';
import { closedUdpPort } from '../../helpers/closed-udp-port';
import { collectSelfLog } from '../../helpers/self-log';

/** Whether this machine has the IPv6 loopback address, for a real receiver on ::1. */
const hasIpv6Loopback = Object.values(networkInterfaces()).some((addresses) =>
  (addresses ?? []).some((address) => address.address === '::1'),
);

/** A UDP receiver on ::1 that keeps each datagram as text. */
async function startUdp6Server(): Promise<{ port: number; next: Promise<string>; close: () => Promise<void> }> {
  const socket = createSocket('udp6');
  const next = new Promise<string>((resolve) => socket.once('message', (data) => resolve(data.toString('utf8'))));
  await new Promise<void>((resolve) => socket.bind(0, '::1', resolve));
  return { port: socket.address().port, next, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address?: unknown, family?: number) => void;

/**
 * Replaces dns.lookup for one host name (others go to the real one) with `answer`, given the
 * family asked for (0 for any; dgram asks with a number, net and rxlog with options) and the callback.
 */
function mockLookup(hostname: string, answer: (family: number, all: boolean, callback: LookupCallback) => void): void {
  const real = dns.lookup as (...args: unknown[]) => void;
  const lookup = (name: string, ...rest: unknown[]): void => {
    if (name !== hostname) return real(name, ...rest);
    const options = rest.length > 1 ? rest[0] : undefined;
    const callback = rest[rest.length - 1] as LookupCallback;
    const family = typeof options === 'number' ? options : Number((options as { family?: unknown } | undefined)?.family ?? 0);
    const all = typeof options === 'object' && options !== null && (options as { all?: unknown }).all === true;
    answer(family === 6 || family === 4 ? family : 0, all, callback);
  };
  jest.spyOn(dns, 'lookup').mockImplementation(lookup);
}

/** Answers a lookup with `addresses` (IPv4), as a list when `all` was asked for, else the first. */
function answerWith(addresses: readonly string[], all: boolean, callback: LookupCallback): void {
  process.nextTick(() =>
    all
      ? callback(
          null,
          addresses.map((address) => ({ address, family: 4 })),
        )
      : callback(null, addresses[0], 4),
  );
}

/** getaddrinfo's answer for a name with no address of the family asked for. */
function notFound(hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
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
  // Found by a review: a batch to a port nothing listens on resolved (counted delivered) and only the
  // batch after it was rejected, for that refusal; its retry then resolved on a new socket. With one
  // event per batch, 6 events to a local port without a receiver were counted delivered 6, failed 0.
  it('rejects the batch whose datagrams a local port refuses, on the first send', async () => {
    const refusing = new SyslogUdpTransport('127.0.0.1', await closedUdpPort(), 5_000, 10_000);
    try {
      await expect(refusing.send(['<14>1 lost'])).rejects.toThrow(
        /udp:\/\/127\.0\.0\.1:\d+ refused the batch's datagrams \(.*ECONNREFUSED/,
      );
      // The refusal failed that batch: the next one is sent, not rejected for it again.
      await expect(refusing.send([])).resolves.toBe(0);
    } finally {
      await refusing.close();
    }
  });

  describe('on a system whose UDP send buffer is smaller than maxMessageBytes (macOS)', () => {
    afterEach(() => jest.restoreAllMocks());

    // Found by a review: macOS refuses a datagram longer than the socket's send buffer (EMSGSIZE, XNU's
    // sosend), 9 216 bytes unless raised (net.inet.udp.maxdgram), so with maxMessageBytes 16384 every
    // batch holding a longer message failed, each retry alike. Linux's kernel takes any: the buffer
    // and its check are played here as macOS has them, around the real socket and receiver.
    it('raises the send buffer to maxMessageBytes, so a datagram up to it is sent', async () => {
      let sendBuffer = 9216;
      jest.spyOn(Socket.prototype, 'getSendBufferSize').mockImplementation(() => sendBuffer);
      const raise = jest.spyOn(Socket.prototype, 'setSendBufferSize').mockImplementation((size: number) => {
        sendBuffer = size;
      });
      const realSend = Socket.prototype.send as (this: Socket, ...args: unknown[]) => void;
      jest.spyOn(Socket.prototype, 'send').mockImplementation(function (this: Socket, ...args: unknown[]) {
        const callback = args[args.length - 1] as (error: Error | null) => void;
        if ((args[0] as Buffer).length <= sendBuffer) return realSend.apply(this, args);
        process.nextTick(() => callback(Object.assign(new Error('send EMSGSIZE'), { code: 'EMSGSIZE', syscall: 'send' })));
      });
      const sender = new SyslogUdpTransport('127.0.0.1', server.port, 5_000, 10_000, 16_384);
      const long = `<14>1 ${'x'.repeat(16_000)}`;
      try {
        await expect(sender.send(['<14>1 short', long])).resolves.toBe(11 + long.length);
      } finally {
        await sender.close();
      }

      expect(await server.waitFor(2)).toEqual(['<14>1 short', long]);
      expect(raise).toHaveBeenCalledWith(16_384);
    });

    it('tells SelfLog when the system will not raise it, and sends what fits', async () => {
      jest.spyOn(Socket.prototype, 'getSendBufferSize').mockImplementation(() => 9216);
      jest.spyOn(Socket.prototype, 'setSendBufferSize').mockImplementation(() => {
        throw Object.assign(new Error('Could not set buffer size: setsockopt ENOBUFS'), { code: 'ERR_SOCKET_BUFFER_SIZE' });
      });
      const selfLog = collectSelfLog();
      const sender = new SyslogUdpTransport('127.0.0.1', server.port, 5_000, 10_000, 16_384);
      try {
        await expect(sender.send(['<14>1 fits'])).resolves.toBe(10);
      } finally {
        await sender.close();
        selfLog.stop();
      }

      expect(await server.waitFor(1)).toEqual(['<14>1 fits']);
      expect(selfLog.diagnostics.map((d) => d.message)).toEqual([
        expect.stringMatching(
          /rxlog: SyslogSink: could not raise the send buffer of the socket to udp:\/\/127\.0\.0\.1:\d+ to maxMessageBytes \(16384\); longer datagrams may fail \(EMSGSIZE\): lower maxMessageBytes/,
        ),
      ]);
    });

    it('leaves a send buffer that holds maxMessageBytes as it is', async () => {
      jest.spyOn(Socket.prototype, 'getSendBufferSize').mockImplementation(() => 212_992);
      const raise = jest.spyOn(Socket.prototype, 'setSendBufferSize');
      const sender = new SyslogUdpTransport('127.0.0.1', server.port, 5_000, 10_000, 65_507);
      try {
        await sender.send(['<14>1 one']);
      } finally {
        await sender.close();
      }

      expect(raise).not.toHaveBeenCalled();
    });
  });

  describe('a host name whose address changes', () => {
    afterEach(() => jest.restoreAllMocks());

    it('is looked up again after a refusal, so a receiver that moved to another address is reached', async () => {
      // The name first resolves to 127.0.0.2, where nothing listens on the port (the receiver is bound
      // to 127.0.0.1 only), then to the receiver's new address, as after a DNS failover.
      let lookups = 0;
      mockLookup('moved.rxlog.invalid', (_family, all, callback) => {
        lookups++;
        answerWith([lookups === 1 ? '127.0.0.2' : '127.0.0.1'], all, callback);
      });
      const moved = new SyslogUdpTransport('moved.rxlog.invalid', server.port, 5_000, 10_000);
      try {
        await expect(moved.send(['probe'])).rejects.toThrow(/refused the batch's datagrams \(.*ECONNREFUSED/);

        // The socket kept its address after the refusal: every later batch went to 127.0.0.2, lost.
        await moved.send(['<14>1 after the move']);
        expect(lookups).toBe(2);
        expect(await server.waitFor(1)).toEqual(['<14>1 after the move']);
      } finally {
        await moved.close();
      }
    });
  });

  describe('a host name with several addresses, the receiver listening on one of them', () => {
    afterEach(() => jest.restoreAllMocks());

    it('is sent to the next address after a refusal, as net.connect tries each in turn', async () => {
      // As `localhost` resolving to ::1 first, then 127.0.0.1, with a receiver bound to 127.0.0.1 only
      // (the name's order never changes). Every lookup gave 127.0.0.2 first: after the refusal each
      // batch was rejected, for good, while TCP to the same name connected.
      let lookups = 0;
      mockLookup('dual.rxlog.invalid', (_family, all, callback) => {
        lookups++;
        answerWith(['127.0.0.2', '127.0.0.1'], all, callback);
      });
      const dual = new SyslogUdpTransport('dual.rxlog.invalid', server.port, 5_000, 10_000);
      try {
        await expect(dual.send(['probe'])).rejects.toThrow(/udp:\/\/dual.rxlog.invalid:\d+ refused the batch's datagrams/);

        const connect = jest.spyOn(Socket.prototype, 'connect');
        await dual.send(['<14>1 to the next address']);
        expect(lookups).toBe(2);
        expect(connect.mock.calls.map((call) => call[1])).toEqual(['127.0.0.1']);
        expect(await server.waitFor(1)).toEqual(['<14>1 to the next address']);
        // It stays there.
        await dual.send(['<14>1 again']);
        expect(await server.waitFor(2)).toEqual(['<14>1 to the next address', '<14>1 again']);
      } finally {
        await dual.close();
      }
    });
  });

  // Node's dgram: a socket of type udp4 sends to IPv4 addresses only and resolves names for IPv4 only
  // (dgram.md, socket.connect: "the address is looked up with dns.lookup() for the socket's family");
  // net.connect looks a name up for any family (lib/net.js lookupAndConnect: no family, hints ADDRCONFIG).
  (hasIpv6Loopback ? describe : describe.skip)(
    hasIpv6Loopback
      ? 'a host name with IPv6 addresses only'
      : 'a host name with IPv6 addresses only (skipped: this machine has no IPv6 loopback ::1)',
    () => {
      afterEach(() => jest.restoreAllMocks());

      it('is delivered to its IPv6 address, as TCP to the same name is', async () => {
        const receiver = await startUdp6Server();
        // A name with an AAAA record and no A record: getaddrinfo finds nothing for IPv4.
        mockLookup('v6only.rxlog.invalid', (family, all, callback) => {
          if (family === 4) callback(notFound('v6only.rxlog.invalid'));
          else if (all) callback(null, [{ address: '::1', family: 6 }]);
          else callback(null, '::1', 6);
        });
        const v6only = new SyslogUdpTransport('v6only.rxlog.invalid', receiver.port, 5_000, 10_000);
        try {
          await expect(v6only.send(['<14>1 over IPv6'])).resolves.toBe(15);
          expect(await receiver.next).toBe('<14>1 over IPv6');
        } finally {
          await v6only.close();
          await receiver.close();
        }
      });

      it('sends to an IPv6 literal on a udp6 socket', async () => {
        const receiver = await startUdp6Server();
        const literal = new SyslogUdpTransport('::1', receiver.port, 5_000, 10_000);
        try {
          await literal.send(['<14>1 literal']);
          expect(await receiver.next).toBe('<14>1 literal');
        } finally {
          await literal.close();
          await receiver.close();
        }
      });
    },
  );

  describe('a host name that does not resolve', () => {
    afterEach(() => {
      jest.useRealTimers();
      jest.restoreAllMocks();
    });

    it('rejects the batch with the lookup’s error, and looks it up again for the next batch', async () => {
      let lookups = 0;
      mockLookup('missing.rxlog.invalid', (_family, _all, callback) => {
        lookups++;
        process.nextTick(() => callback(notFound('missing.rxlog.invalid')));
      });
      const missing = new SyslogUdpTransport('missing.rxlog.invalid', 514, 5_000, 10_000);

      await expect(missing.send(['lost'])).rejects.toThrow('getaddrinfo ENOTFOUND missing.rxlog.invalid');
      await expect(missing.send(['lost too'])).rejects.toThrow('getaddrinfo ENOTFOUND missing.rxlog.invalid');
      await missing.close();

      expect(lookups).toBe(2);
    });

    it('rejects the batch after connectTimeoutMs when the resolver never answers', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      mockLookup('silent.rxlog.invalid', () => undefined);
      const silent = new SyslogUdpTransport('silent.rxlog.invalid', 514, 3_000, 10_000);
      let outcome: unknown = 'pending';
      const sent = silent.send(['lost']).then(
        () => (outcome = 'sent'),
        (error: unknown) => (outcome = error),
      );

      await jest.advanceTimersByTimeAsync(2_999);
      expect(outcome).toBe('pending');
      await jest.advanceTimersByTimeAsync(1);
      await sent;
      await silent.close();

      expect(String(outcome)).toBe('Error: SyslogSink: connecting to udp://silent.rxlog.invalid:514 timed out after 3000 ms');
    });
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
