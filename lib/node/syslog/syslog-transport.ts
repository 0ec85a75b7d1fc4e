/** How a SyslogSink moves messages: one UDP datagram each, or framed on a TCP or Unix stream. */
export interface SyslogTransport {
  /** The receiver, as errors and SelfLog name it: `udp://host:port`, `tcp://…`, `tls://…`, `relp://…`, `unix:path`. */
  readonly where: string;
  /** Sends the messages (already formatted, unframed); resolves with the bytes written, rejects on any failure. */
  send(messages: readonly string[]): Promise<number>;
  /** Releases the socket; later sends reject. Idempotent. */
  close(): Promise<void>;
}
