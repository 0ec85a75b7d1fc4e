import type { EventEmitter } from 'node:events';
import { connect, isIP, type Socket } from 'node:net';
import { type ConnectionOptions, connect as connectTls } from 'node:tls';

/** How awaitSyslogConnect treats the socket it waits for. */
export interface SyslogConnectOptions<S> {
  /** Longest wait for `'connect'`, in milliseconds; the timer is unref'd. */
  readonly timeoutMs: number;
  /** The event that means connected: `'secureConnect'` for TLS, so the wait covers the handshake. Default `'connect'`. */
  readonly event?: 'connect' | 'secureConnect';
  /** The receiver, for the timeout's message. */
  readonly where: string;
  /** Whether the sink was closed meanwhile; a socket that connects after close is disposed. */
  readonly isClosed: () => boolean;
  /** Takes the connected socket over, synchronously inside the `'connect'` event, so no `'error'` goes unheard in between. */
  readonly adopt: (socket: S) => void;
  /** Destroys a socket that failed, timed out or came too late. */
  readonly dispose: (socket: S) => void;
  /**
   * How long to wait, once connected, for the receiver to close or reset the connection before it
   * counts as connected, given how long connecting took (ms); its close then fails the wait. Default none.
   */
  readonly settleMs?: (connectMs: number) => number;
}

/**
 * Resolves with `socket` once it emits `'connect'`; rejects (after disposing it) on an `'error'`,
 * on the timeout, when the sink was closed meanwhile, or when the socket closes first (the sink's
 * close destroys a connection still under way). Shared by the TCP/unix and UDP
 * transports; the caller starts the connection after this returns.
 */
export function awaitSyslogConnect<S extends EventEmitter>(socket: S, options: SyslogConnectOptions<S>): Promise<S> {
  return new Promise<S>((resolve, reject) => {
    let settled = false;
    const started = Date.now();
    const fail = (error: Error): void => {
      // Once: disposing the socket emits the 'close' that would call it again.
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.dispose(socket);
      reject(error);
    };
    let timer = setTimeout(
      () => fail(new Error(`SyslogSink: connecting to ${options.where} timed out after ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    timer.unref();
    const onClose = (): void => fail(new Error('SyslogSink: closed'));
    socket.once('error', fail);
    socket.once('close', onClose);
    const connected = (): void => {
      clearTimeout(timer);
      socket.off('error', fail);
      socket.off('close', onClose);
      socket.off('end', onEnd);
      if (options.isClosed()) return fail(new Error('SyslogSink: closed'));
      options.adopt(socket);
      resolve(socket);
    };
    const onEnd = (): void =>
      fail(
        new Error(
          `SyslogSink: ${options.where} closed the connection right after the handshake, before anything was written: it refuses this sender's certificate (tls.cert) or the lack of one, or takes no connection now`,
        ),
      );
    socket.once(options.event ?? 'connect', () => {
      clearTimeout(timer);
      const settle = options.settleMs?.(Date.now() - started) ?? 0;
      if (settle <= 0) return connected();
      // The caller has the socket flowing, so the receiver's close is read and seen as 'end'.
      socket.once('end', onEnd);
      timer = setTimeout(connected, settle);
      timer.unref();
    });
  });
}

/** Starts a TCP connection to `host`:`port`, inside TLS with `tls` (the options syslogTlsConnectOptions built): its `'secureConnect'` then means connected. */
export function connectSyslogSocket(host: string, port: number, tls: ConnectionOptions | undefined): Socket {
  return tls ? connectTls({ ...tls, host, port }) : connect({ host, port });
}

/**
 * The receiver as errors and SelfLog name it, `scheme://host:port`, an IPv6 address in brackets as
 * in a URL (RFC 3986 §3.2.2): `tcp://[fe80::1]:514`, where `tcp://fe80::1:514` hides the port.
 */
export function syslogWhere(scheme: string, host: string, port: number): string {
  return `${scheme}://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}
