import { createSocket, type Socket } from 'node:dgram';
import dns from 'node:dns';
import { isIP } from 'node:net';
import { PartialDeliveryError } from '../../core/errors/partial-delivery-error';
import { SelfLog } from '../../core/self-log';
import { awaitSyslogConnect, syslogWhere } from './syslog-connect';
import { syslogTimeout } from './syslog-timeout';
import type { SyslogTransport } from './syslog-transport';

/** An address the host name resolved to, and its IP version. */
interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/**
 * The address to send to: the one after `refused` in the lookup's order (the first again after the
 * last), or the first when `refused` is not among them (the name now points elsewhere).
 */
function pickAddress(addresses: readonly ResolvedAddress[], refused: string | undefined): ResolvedAddress | undefined {
  const at = refused === undefined ? -1 : addresses.findIndex((a) => a.address === refused);
  return addresses[(at + 1) % addresses.length];
}

/**
 * Sends each message as one UDP datagram, one after the other, on a connected socket, so the host is resolved once and
 * the kernel can report an ICMP "port unreachable". A host name is looked up for either IP version,
 * as `net.connect` does for TCP, and the socket (udp4 or udp6) matches the address found: a name
 * with IPv6 addresses only is reached too. UDP cannot confirm delivery: datagrams sent
 * while the receiver is down are lost. A refusal the kernel reports within two turns of a batch
 * (a receiver on this host: nothing listens on the port) fails that batch; one that comes later
 * (another host's, a round trip away) is reported to SelfLog, and the next batch is rejected
 * unsent (so retry and metrics' `lastError` show it); use TCP when delivery matters. After a
 * refusal or any other error the socket is dropped and the next batch opens a new one, looking
 * the host name up again; after a refusal it sends to the name's next address, as
 * `net.connect` tries each in turn (`localhost` as `::1`, then `127.0.0.1`, for a receiver bound to
 * IPv4 only). The socket is unref'd, so an idle sink never keeps the process alive.
 */
export class SyslogUdpTransport implements SyslogTransport {
  private socket: Socket | undefined;
  private connecting: Promise<Socket> | undefined;
  /** The socket still connecting, which `close()` abandons. */
  private connectingSocket: Socket | undefined;
  /** Rejects the host name lookup under way, which `close()` abandons. */
  private abandonLookup: (() => void) | undefined;
  private closed = false;
  private refused: Error | undefined;
  /** Batches being sent or checked for a refusal: one that comes later fails the next batch, and says so. */
  private sending = 0;
  /** The address that refused a datagram last: the next lookup picks the one after it. */
  private refusedAddress: string | undefined;
  readonly where: string;

  /**
   * @param host The receiver's host name or IP address; an IPv6 address (a literal, or the one the name resolves to first) uses a udp6 socket.
   * @param port The receiver's UDP port.
   * @param connectTimeoutMs Longest wait for the host to resolve, in milliseconds.
   * @param writeTimeoutMs Longest wait for a batch's datagrams to be sent, in milliseconds.
   * @param maxMessageBytes The longest datagram it sends, in bytes: a smaller send buffer is raised to hold it.
   */
  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly connectTimeoutMs: number,
    private readonly writeTimeoutMs: number,
    private readonly maxMessageBytes = 65_507,
  ) {
    this.where = syslogWhere('udp', host, port);
  }

  /**
   * Sends one datagram per message and resolves once every send has completed; rejects with a
   * PartialDeliveryError counting the datagrams sent when a later one's send fails (not a refusal).
   * SyslogSink sends one batch at a time (its turns), refusal check included.
   */
  async send(messages: readonly string[]): Promise<number> {
    const refused = this.refused;
    if (refused !== undefined) {
      this.refused = undefined;
      throw new Error(`SyslogSink: ${this.where} refused an earlier datagram (${refused.message}); this batch was not sent`);
    }
    const socket = await this.connect();
    this.sending++;
    // Datagrams sent, one after the other: a send that fails (a route gone) leaves those before it
    // sent and the rest unsent, so the batch's retry sends the rest only (a PartialDeliveryError).
    let sent = 0;
    let total = 0;
    try {
      await syslogTimeout(
        (async () => {
          let burst = 0;
          let burstBytes = 0;
          for (; sent < messages.length; sent++) {
            if (burst === BURST_DATAGRAMS || burstBytes >= BURST_BYTES) {
              await pause();
              burst = 0;
              burstBytes = 0;
            }
            // Closed meanwhile: the rest fail as closed, not with the closed socket's "Not running".
            if (this.closed) throw new Error('SyslogSink: closed');
            const bytes = await sendOne(socket, messages[sent]);
            total += bytes;
            burst++;
            burstBytes += bytes;
          }
        })(),
        this.writeTimeoutMs,
        `sending to ${this.where}`,
      );
      // A receiver on this host that is not there answers at once: the kernel queues the ICMP port
      // unreachable on the socket as the datagrams leave, and Node hands it to the socket's reader
      // on the next turn (measured on Linux: 300 of 300 under load; the process's
      // first one took two). Waiting two turns fails the batch nobody received, where it was counted
      // delivered and only the next batch failed, for it (and that one's retry passed).
      if (messages.length !== 0) await nextTurns(2);
      if (this.refused !== undefined) throw this.refused;
      return total;
    } catch (error) {
      // A refusal that arrived during this batch failed it: the next batch is not rejected for it too.
      const refusal = this.refused ?? ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED' ? (error as Error) : undefined);
      this.refused = undefined;
      this.discard(socket);
      // Nothing listens there (the kernel hands the ICMP to the socket's reader, or to a later send): the batch fails whole.
      if (refusal !== undefined)
        throw new Error(`SyslogSink: ${this.where} refused the batch's datagrams (${refusal.message}): nothing listens there`, {
          cause: error,
        });
      throw sent === 0 ? error : new PartialDeliveryError(sent, error);
    } finally {
      this.sending--;
    }
  }

  /** Closes the socket, and abandons one whose host is still resolving (its send rejects). Idempotent. */
  close(): Promise<void> {
    this.closed = true;
    // A DNS server that never answers would otherwise hold the send until connectTimeoutMs after the logger closed.
    this.abandonLookup?.();
    if (this.connectingSocket !== undefined) closeQuietly(this.connectingSocket);
    if (this.socket !== undefined) this.discard(this.socket);
    return Promise.resolve();
  }

  private connect(): Promise<Socket> {
    if (this.closed) return Promise.reject(new Error('SyslogSink: closed'));
    if (this.socket !== undefined) return Promise.resolve(this.socket);
    if (this.connecting !== undefined) return this.connecting;
    this.connecting = this.resolve()
      .then((resolved) => this.open(resolved))
      .finally(() => {
        this.connecting = undefined;
        this.connectingSocket = undefined;
      });
    return this.connecting;
  }

  /**
   * The receiver's address: an IP literal as it is, else one of the addresses `dns.lookup` gives in
   * the system's order, for either IP version, with the hints `net.connect` uses (Node's lib/net.js,
   * lookupAndConnect: no family, `ADDRCONFIG`): the first, or after a refusal the next one (see
   * pickAddress). dgram would look the name up for the socket's family only (udp4: IPv4), so a
   * name with IPv6 addresses only could never be reached.
   */
  private resolve(): Promise<ResolvedAddress> {
    const literal = isIP(this.host);
    if (literal !== 0) return Promise.resolve({ address: this.host, family: literal });
    const lookup = new Promise<ResolvedAddress>((resolve, reject) => {
      this.abandonLookup = () => reject(new Error('SyslogSink: closed'));
      try {
        const hints = process.platform === 'win32' ? 0 : dns.ADDRCONFIG;
        dns.lookup(this.host, { hints, all: true }, (error, addresses) => {
          const picked = error ? undefined : pickAddress(addresses, this.refusedAddress);
          if (picked !== undefined) resolve(picked);
          else reject(error ?? new Error(`SyslogSink: ${this.host} resolved to no address`));
        });
      } catch (error) {
        reject(error);
      }
    });
    return syslogTimeout(lookup, this.connectTimeoutMs, `connecting to ${this.where}`).finally(() => {
      this.abandonLookup = undefined;
    });
  }

  private open({ address, family }: ResolvedAddress): Promise<Socket> {
    if (this.closed) return Promise.reject(new Error('SyslogSink: closed'));
    const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
    this.connectingSocket = socket;
    const connected = awaitSyslogConnect(socket, {
      timeoutMs: this.connectTimeoutMs,
      where: this.where,
      isClosed: () => this.closed,
      adopt: (connected) => this.adopt(connected, address),
      dispose: closeQuietly,
    });
    socket.connect(this.port, address);
    return connected;
  }

  private adopt(socket: Socket, address: string): void {
    this.fitSendBuffer(socket);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The next batch reports an ICMP refusal. The socket is dropped all the same, so that batch's
      // retry looks the name up again and takes its next address: nothing listens at this one, and a
      // receiver that moved (a DNS failover), or listens on another of the name's addresses, was
      // otherwise never reached again, its datagrams sent to this one.
      if (error.code === 'ECONNREFUSED') {
        this.refused = error;
        this.refusedAddress = address;
        this.discard(socket);
        // Past a batch's check (another host's ICMP takes a round trip): the ICMP names no datagram, so
        // the lost ones stay counted delivered, and this line is their only record. Failing the next
        // batch unsent shows the refusal to retry, the breaker and lastError; its retry sends it.
        if (this.sending === 0)
          SelfLog.write(
            'SyslogSink: {Target} refused a datagram after its batch was counted delivered: nothing listens there; UDP cannot say which datagrams were lost, nor how many; the next batch fails unsent (its retry opens a new socket)',
            this.where,
            error,
          );
        return;
      }
      SelfLog.write('SyslogSink: the socket to {Target} failed; a new one opens on the next batch', this.where, error);
      this.discard(socket);
    });
    socket.unref();
    this.socket = socket;
  }

  /**
   * Raises the socket's send buffer to hold the longest datagram: macOS refuses a datagram longer
   * than it (EMSGSIZE, XNU's sosend) and gives a UDP socket 9 216 bytes (`net.inet.udp.maxdgram`),
   * so with a larger `maxMessageBytes` every batch holding a longer message failed from there on,
   * each retry alike, and the breaker opened. Linux's default (`wmem_default`, 208 KiB) holds any,
   * and is never lowered. A system that will not raise it (past `kern.ipc.maxsockbuf`) is told to
   * SelfLog, and such datagrams fail as before.
   */
  private fitSendBuffer(socket: Socket): void {
    try {
      if (socket.getSendBufferSize() < this.maxMessageBytes) socket.setSendBufferSize(this.maxMessageBytes);
    } catch (error) {
      SelfLog.write(
        'SyslogSink: could not raise the send buffer of the socket to {Target} to maxMessageBytes ({Limit}); longer datagrams may fail (EMSGSIZE): lower maxMessageBytes',
        this.where,
        this.maxMessageBytes,
        error,
      );
    }
  }

  private discard(socket: Socket): void {
    if (this.socket === socket) this.socket = undefined;
    closeQuietly(socket);
  }
}

/**
 * The most datagrams, and bytes of them, a batch sends in one burst before it pauses (see pause).
 * A connected socket's sends complete at once, so a batch of 512 left in one burst and overflowed
 * the receiver's socket buffer (Linux's default 208 KiB holds about 90 datagrams of 1 KB, each
 * counted with its overhead), the kernel dropping the rest though they counted delivered: a real
 * rsyslogd on this host (imudp, default buffer) got 1 403 of 2 048 events sent as four batches.
 */
const BURST_DATAGRAMS = 32;
const BURST_BYTES = 32 * 1024;

/**
 * A timer's wait (a millisecond or more) between bursts, for the receiver to read: rsyslogd got
 * every one of those 2 048 events so, where a turn of the event loop (setImmediate) left it too
 * little time (1 691 of 2 048). It caps a sink near 32 datagrams (32 KiB) a millisecond.
 */
function pause(): Promise<void> {
  return new Promise<void>((resolve) => setTimeout(resolve, 1));
}

function sendOne(socket: Socket, message: string): Promise<number> {
  const bytes = Buffer.from(message, 'utf8');
  return new Promise<number>((resolve, reject) => {
    socket.send(bytes, (error) => (error ? reject(error) : resolve(bytes.length)));
  });
}

/** Resolves after `count` turns of the event loop, each with its poll phase (where a socket's errors are read). */
async function nextTurns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

function ignore(): void {
  // A discarded socket's late errors have nobody left to tell; without a listener they would crash the process.
}

function closeQuietly(socket: Socket): void {
  socket.on('error', ignore);
  try {
    socket.close();
  } catch {
    // Already closed: ERR_SOCKET_DGRAM_NOT_RUNNING is the only thing close() throws.
  }
}
