/** How a SyslogSink moves messages: one UDP datagram each, or framed on a TCP or Unix stream. */
export interface SyslogTransport {
  /** The receiver, as errors and SelfLog name it: `udp://host:port`, `tcp://…`, `tls://…`, `relp://…`, `unix:path`. */
  readonly where: string;
  /**
   * Sends the messages (already formatted, unframed); resolves with the bytes written, rejects on
   * any failure. Called with one batch at a time: the next once the last has settled (SyslogSink's
   * turns).
   */
  send(messages: readonly string[]): Promise<number>;
  /** Releases the socket; later sends reject. Idempotent. */
  close(): Promise<void>;
  /**
   * The logger's close gave up waiting for `close()` (SyslogSink's CLOSE_GIVEN_UP): ends at once
   * whatever it still waits for, so nothing of the transport holds the process open, and settles
   * those waits (the logger counted what they held undelivered). A transport whose close holds
   * nothing open (its socket unref'd) has none.
   */
  giveUp?(): void;
}
