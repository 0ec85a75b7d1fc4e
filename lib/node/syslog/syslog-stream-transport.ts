import { connect, type Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { SelfLog } from '../../core/self-log';
import { awaitSyslogConnect, connectSyslogSocket, syslogWhere } from './syslog-connect';
import { type SyslogFraming, syslogFrame } from './syslog-framing';
import { syslogTimeout } from './syslog-timeout';
import { tlsError } from './syslog-tls-options';
import type { SyslogTransport } from './syslog-transport';

/**
 * Where a stream transport connects: a TCP host and port (with `tls`, over TLS with those
 * `tls.connect` options), or a Unix stream socket's path.
 */
export type SyslogStreamTarget =
  { readonly host: string; readonly port: number; readonly tls?: ConnectionOptions } | { readonly path: string };

/**
 * Sends a batch of framed messages on a TCP (or TLS) or Unix stream socket, in writes of 64 KiB. It connects on
 * the first batch, and after an error, a timeout or the receiver closing the connection it drops
 * the socket, so the next batch reconnects, the batches a reset came soon after written again
 * ahead of it (see RESEND_WINDOW_MS). It never holds a backlog: it gets one batch at a time (see
 * SyslogTransport.send), and a batch waits for its own write to reach the kernel, stalled no
 * longer than `writeTimeoutMs`. The socket is unref'd, so an idle sink never keeps the process
 * alive (pending writes still do).
 */
export class SyslogStreamTransport implements SyslogTransport {
  private socket: Socket | undefined;
  private connecting: Promise<Socket> | undefined;
  /** The socket of the connection under way, which `close()` abandons. */
  private connectingSocket: Socket | undefined;
  private closed = false;
  /** The socket a batch is being written to: a reset or close then fails that batch, which a retry sends whole. */
  private writing: Socket | undefined;
  /** The batches written on `socket` lately (see RESEND_WINDOW_MS), and when. */
  private recent: readonly WrittenBatch[] = [];
  /** What a reset showed the receiver may not have read, written ahead of the next batch. */
  private resend: readonly WrittenBatch[] = [];
  readonly where: string;

  /**
   * @param target The receiver: `{ host, port }` for TCP, with `tls` for TLS, `{ path }` for a Unix stream socket.
   * @param framing How messages are delimited on the stream.
   * @param connectTimeoutMs Longest wait for a connection, in milliseconds.
   * @param writeTimeoutMs Longest wait for a batch's write to make progress (64 KiB of it, or all
   *   of a smaller one, reaching the kernel), in milliseconds.
   */
  constructor(
    private readonly target: SyslogStreamTarget,
    private readonly framing: SyslogFraming,
    private readonly connectTimeoutMs: number,
    private readonly writeTimeoutMs: number,
  ) {
    this.where = 'path' in target ? `unix:${target.path}` : syslogWhere(target.tls ? 'tls' : 'tcp', target.host, target.port);
  }

  /**
   * Frames the messages and writes them; resolves once the kernel has them and the receiver has
   * not closed or reset the connection within {@link CONFIRM_TURNS} turns. SyslogSink sends one
   * batch at a time (its turns): two written at once would interleave their pieces.
   */
  async send(messages: readonly string[]): Promise<number> {
    const resent = this.resend;
    const frame = syslogFrame(messages, this.framing);
    let text = '';
    for (const batch of resent) text += batch.text;
    text += frame;
    // A close or reset that has reached this host is read before the batch is written, which then
    // goes to a new connection: written after it, it was lost (a close) or failed (a reset).
    if (this.socket !== undefined) await nextTurns(1);
    const socket = await this.connect();
    this.writing = socket;
    try {
      if (socket.writableNeedDrain)
        await syslogTimeout(waitForDrain(socket), this.writeTimeoutMs, `waiting to write to ${this.where}`);
      await this.write(socket, text);
      // The kernel taking a batch proves nothing (TCP syslog has no acknowledgement): a receiver that
      // closed at accept, or after reading part of it, answers with a FIN or a reset. One on this host
      // does so within these turns, failing the batch so its retry sends it on a new connection,
      // where it was counted delivered though lost; another host's answer takes a round trip.
      await nextTurns(CONFIRM_TURNS);
      if (socket.destroyed && !this.closed) throw this.destroyedError(socket);
    } catch (error) {
      this.discard(socket);
      throw error;
    } finally {
      this.writing = undefined;
    }
    if (this.resend === resent) this.resend = [];
    const now = Date.now();
    // The batches sent again were written to this connection now, and are kept each as its own, so
    // the limit holds over resets that follow each other (kept as one text with this batch, each
    // reset sent every batch since the first again, the text growing without bound).
    const recent = this.recent.filter((batch) => now - batch.at <= RESEND_WINDOW_MS);
    for (const batch of resent) recent.push({ text: batch.text, count: batch.count, at: now });
    recent.push({ text: frame, count: messages.length, at: now });
    this.recent = newest(recent);
    return Buffer.byteLength(text, 'utf8');
  }

  /**
   * Writes `text` in pieces of {@link PIECE_BYTES}, each once the kernel has the one before, and
   * rejects once `writeTimeoutMs` passes without a piece reaching the kernel: the timeout bounds a
   * stall, not the batch, so a receiver that reads slowly but steadily gets a large batch once,
   * where a timer for the whole write failed it every try and each retry sent again what it had read.
   */
  private write(socket: Socket, text: string): Promise<void> {
    // Speed: a batch that surely fits one piece is written as it is, without a Buffer copy.
    const data = text.length * 3 <= PIECE_BYTES ? text : Buffer.from(text, 'utf8');
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const fail = (error: Error): void => {
        clearTimeout(timer);
        reject(error);
      };
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(
          () =>
            fail(new Error(`SyslogSink: writing to ${this.where} timed out after ${this.writeTimeoutMs} ms without progress`)),
          this.writeTimeoutMs,
        );
        timer.unref();
      };
      const next = (offset: number): void => {
        const end = typeof data == 'string' ? data.length : Math.min(offset + PIECE_BYTES, data.length);
        arm();
        // Node calls back without an error when the socket was destroyed under the write: by close(),
        // by the 'error' listener (a reset, whose error the socket keeps), 'end' (the receiver closed)
        // or the timeout (send() discards the socket).
        socket.write(typeof data == 'string' ? data : data.subarray(offset, end), (error) => {
          if (error) fail(error);
          else if (socket.destroyed) fail(this.destroyedError(socket));
          else if (end < data.length) next(end);
          else {
            clearTimeout(timer);
            resolve();
          }
        });
      };
      next(0);
    });
  }

  /**
   * Ends the connection, then destroys it; a connection still under way is abandoned, and a write
   * the kernel has not taken yet (a receiver that stopped reading) is dropped at once, their sends rejected: the logger closes a sink only once it
   * has delivered everything or given up on the rest (counted undelivered), and waiting
   * `writeTimeoutMs` for it would keep the process alive for nothing. Idempotent.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.resend.length !== 0)
      SelfLog.write(
        'SyslogSink: {Count} message(s) a reset showed {Target} may not have read were not sent again, the sink closed: lost, though counted delivered',
        messageCount(this.resend),
        this.where,
      );
    // A connect to a receiver that never answers (its SYNs dropped) would otherwise keep the
    // process alive until connectTimeoutMs after the logger closed; its send rejects now.
    if (this.connectingSocket !== undefined) destroyQuietly(this.connectingSocket);
    const socket = this.socket;
    this.socket = undefined;
    if (socket === undefined || socket.destroyed) return;
    if (socket.writableLength > 0) {
      destroyQuietly(socket);
      return;
    }
    try {
      await syslogTimeout(
        // 'finish': pending writes and our FIN are with the kernel; the receiver's own close is not awaited.
        new Promise<void>((resolve) => socket.end(() => resolve())),
        this.writeTimeoutMs,
        `closing ${this.where}`,
      );
    } catch (error) {
      SelfLog.write('SyslogSink: the connection to {Target} did not close in time', this.where, error);
    } finally {
      socket.destroy();
    }
  }

  /** Why a socket was destroyed under a write: its own error (ECONNRESET), the sink's close, or the receiver's. */
  private destroyedError(socket: Socket): Error {
    if (socket.errored !== null) return socket.errored;
    return new Error(
      this.closed ? 'SyslogSink: closed during the write' : `SyslogSink: ${this.where} closed the connection during the write`,
    );
  }

  private connect(): Promise<Socket> {
    if (this.closed) return Promise.reject(Object.assign(new Error('SyslogSink: closed'), { permanent: 'sink' }));
    if (this.socket !== undefined) return Promise.resolve(this.socket);
    if (this.connecting !== undefined) return this.connecting;
    const target = this.target;
    const tls = 'path' in target ? undefined : target.tls;
    const socket = 'path' in target ? connect({ path: target.path }) : connectSyslogSocket(target.host, target.port, tls);
    this.connectingSocket = socket;
    // Flowing from the start: a TLS receiver's close while the connection settles is read (see TLS_SETTLE_MS).
    if (tls) socket.resume();
    this.connecting = awaitSyslogConnect(socket, {
      timeoutMs: this.connectTimeoutMs,
      // Connected once the handshake is done, the receiver's certificate checked: the wait covers it.
      event: tls ? 'secureConnect' : 'connect',
      where: this.where,
      isClosed: () => this.closed,
      adopt: (connected) => this.adopt(connected),
      dispose: destroyQuietly,
      settleMs: tls ? (connectMs) => Math.min(this.connectTimeoutMs, Math.max(TLS_SETTLE_MS, connectMs)) : undefined,
    })
      .catch((error: unknown) => {
        throw tls ? tlsError(error, this.where) : 'path' in target ? unixError(error, this.where) : error;
      })
      .finally(() => {
        this.connecting = undefined;
        this.connectingSocket = undefined;
      });
    return this.connecting;
  }

  private adopt(socket: Socket): void {
    this.socket = socket;
    this.recent = [];
    /** Sends the batches written lately again ahead of the next one, and says so: `how` the connection ended. */
    const resendRecent = (how: string, ...error: unknown[]): void => {
      const now = Date.now();
      const unread = this.recent.filter((batch) => now - batch.at <= RESEND_WINDOW_MS);
      this.recent = [];
      this.resend = newest([...this.resend, ...unread]);
      SelfLog.write(
        `SyslogSink: ${how}${this.writing === socket ? ' during a write' : ''}; the {Count} message(s) written to it in the last second are sent again on the next connection (what it read of them arrives twice), what it had not read of earlier ones is lost, though counted delivered; ${this.writing === socket ? RETRIED_WHOLE : 'reconnecting on the next batch'}`,
        this.where,
        messageCount(unread),
        ...error,
      );
      this.discard(socket);
    };
    socket.on('error', (error) => {
      // A reset (ECONNRESET, EPIPE): the receiver closed with data unread, or got data after its
      // close. The batches written lately are sent again ahead of the next one.
      if (this.socket !== socket) return destroyQuietly(socket);
      resendRecent('the connection to {Target} failed', error);
    });
    // Receivers never answer; reading (and discarding) is how the receiver closing its end is noticed.
    socket.on('end', () => {
      // The one sign of loss TCP syslog gives (it has no acknowledgement): a receiver that ends every
      // connection at once gets nothing while each batch counts delivered. close() has already let go
      // of the socket it ends, so the sink's own close is not reported.
      // Over TLS the end is the receiver's close_notify, which it sends with data unread as well:
      // rsyslogd stopping (either driver) ends so where over TCP it resets, and the reset that
      // follows comes to a socket already let go. So it is taken as a reset.
      if (this.socket === socket && 'host' in this.target && this.target.tls !== undefined)
        return resendRecent('{Target} closed the TLS connection');
      if (this.socket === socket) {
        SelfLog.write(
          this.writing === socket
            ? `SyslogSink: {Target} closed the connection during a write; ${LOST_DURING_WRITE}`
            : 'SyslogSink: {Target} closed the connection; what it had not read is lost, though counted delivered; reconnecting on the next batch',
          this.where,
        );
      }
      this.discard(socket);
    });
    socket.on('close', () => this.discard(socket));
    socket.resume();
    socket.unref();
  }

  private discard(socket: Socket): void {
    if (this.socket === socket) this.socket = undefined;
    destroyQuietly(socket);
  }
}

/**
 * What a reset or close during a write means. Syslog over TCP has no acknowledgement, so what the
 * receiver read of the batch is unknown: it is sent again whole, at least once, as rsyslog's omfwd
 * does (its FAQ, "Message Duplication"); resending only what the kernel never took would need a
 * write per message and would lose what the kernel took but the receiver never read.
 */
const RETRIED_WHOLE =
  'the batch being written fails, and a retry sends it whole on a new connection (the receiver gets again what it had read of it)';
const LOST_DURING_WRITE = `what it had not read of earlier batches is lost, though counted delivered; ${RETRIED_WHOLE}`;

/**
 * How long after a batch was written a reset has it sent again: a receiver stopping (rsyslogd
 * stopped or restarted) stops reading, then closes with what it got since unread (a reset, where a
 * close with nothing unread is a FIN), within milliseconds on this host and a round trip more from
 * another. At most {@link RESEND_MAX_CHARS} of them are kept.
 */
const RESEND_WINDOW_MS = 1_000;
/** The most text of recent batches kept to send again after a reset (about a socket's buffers). */
const RESEND_MAX_CHARS = 1 << 20;

/** A batch as it was written: its framed text, how many messages it holds, and when. */
interface WrittenBatch {
  readonly text: string;
  readonly count: number;
  readonly at: number;
}

/** The newest of `batches` whose text is at most {@link RESEND_MAX_CHARS} together, or the newest alone. */
function newest(batches: WrittenBatch[]): WrittenBatch[] {
  let chars = 0;
  for (const batch of batches) chars += batch.text.length;
  let first = 0;
  while (chars > RESEND_MAX_CHARS && first < batches.length - 1) chars -= batches[first++].text.length;
  return first === 0 ? batches : batches.slice(first);
}

function messageCount(batches: readonly WrittenBatch[]): number {
  let count = 0;
  for (const batch of batches) count += batch.count;
  return count;
}

/**
 * The least time a new TLS connection is left to settle before its first batch is written: a
 * receiver that checks the sender's certificate after its side of the handshake (TLS 1.3 always,
 * RFC 8446 §4.4.2; rsyslog's gtls driver under TLS 1.2 too) refuses it with an alert or a plain close
 * that arrives after the sender's handshake is done, with no record that says it was accepted
 * (the session tickets rsyslog's OpenSSL driver sends, and either driver's under TLS 1.2, come
 * before its name check; GnuTLS sends none under TLS 1.3), with or without a client certificate
 * (a receiver that asks for one refuses a sender with none the same way). A batch written before
 * would count delivered and be lost, so the first waits that long, or as long as the connection
 * took to make if longer (its refusal takes a round trip and the receiver's check, the handshake two
 * round trips), at most `connectTimeoutMs`: a refusal then fails the batch before any of it is
 * written.
 */
const TLS_SETTLE_MS = 100;

/** Turns of the event loop, each with its poll phase, a batch waits after its write for the receiver's close or reset. */
const CONFIRM_TURNS = 3;

/** Resolves after `count` turns of the event loop, each with its poll phase (where a socket's close or reset is read). */
async function nextTurns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** The most a batch's write hands the socket at a time: the kernel taking a piece is the progress `writeTimeoutMs` waits for. */
const PIECE_BYTES = 64 * 1024;

function waitForDrain(socket: Socket): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (error?: Error): void => {
      socket.off('drain', onDrain);
      socket.off('close', onClose);
      socket.off('error', done);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onDrain = (): void => done();
    const onClose = (): void => done(new Error('SyslogSink: the connection closed before draining'));
    socket.on('drain', onDrain);
    socket.on('close', onClose);
    socket.on('error', done);
  });
}

/**
 * A failed Unix connection's error: EPROTOTYPE means `path` is a datagram socket (`/dev/log`:
 * rsyslog's imuxsock, systemd-journald), which a stream cannot connect to and Node cannot write to.
 * The socket's type does not change between tries, so it is the sink's (`permanent`), and says
 * what to use instead; other errors are kept.
 */
function unixError(error: unknown, where: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'EPROTOTYPE') return error;
  return Object.assign(
    new Error(
      `SyslogSink: ${where} is a Unix datagram socket (as /dev/log is), which Node cannot write to: send with transport 'udp' to the receiver's UDP input, or give path a stream socket (rsyslog's imptcp path=)`,
      { cause: error },
    ),
    { code, permanent: 'sink' },
  );
}

function ignore(): void {
  // A discarded socket's late errors have nobody left to tell; without a listener they would crash the process.
}

function destroyQuietly(socket: Socket): void {
  if (socket.destroyed) return;
  socket.on('error', ignore);
  socket.destroy();
}
