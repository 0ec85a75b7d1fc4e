import type { EventEmitter } from 'node:events';

/** How awaitSyslogConnect treats the socket it waits for. */
export interface SyslogConnectOptions<S> {
  /** Longest wait for `'connect'`, in milliseconds; the timer is unref'd. */
  readonly timeoutMs: number;
  /** The receiver, for the timeout's message. */
  readonly where: string;
  /** Whether the sink was closed meanwhile; a socket that connects after close is disposed. */
  readonly isClosed: () => boolean;
  /** Takes the connected socket over, synchronously inside the `'connect'` event, so no `'error'` goes unheard in between. */
  readonly adopt: (socket: S) => void;
  /** Destroys a socket that failed, timed out or came too late. */
  readonly dispose: (socket: S) => void;
}

/**
 * Resolves with `socket` once it emits `'connect'`; rejects (after disposing it) on an `'error'`,
 * on the timeout, or when the sink was closed meanwhile. Shared by the TCP/unix and UDP
 * transports; the caller starts the connection after this returns.
 */
export function awaitSyslogConnect<S extends EventEmitter>(socket: S, options: SyslogConnectOptions<S>): Promise<S> {
  return new Promise<S>((resolve, reject) => {
    const fail = (error: Error): void => {
      clearTimeout(timer);
      options.dispose(socket);
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new Error(`SyslogSink: connecting to ${options.where} timed out after ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    timer.unref();
    socket.once('error', fail);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      if (options.isClosed()) return fail(new Error('SyslogSink: closed'));
      options.adopt(socket);
      resolve(socket);
    });
  });
}
