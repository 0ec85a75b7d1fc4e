import type { LogEvent } from '../../core/log-event';
import { PartialDeliveryError, partialDelivered } from '../../core/errors/partial-delivery-error';
import { SelfLog } from '../../core/self-log';
import { CLOSE_GIVEN_UP, type EmitResult, type Sink } from '../../core/sink';
import type { SyslogMessageSettings } from './syslog-message-settings';
import { syslogRfc3164 } from './syslog-rfc3164';
import { syslogRfc5424 } from './syslog-rfc5424';
import { resolveSyslogSinkOptions, type SyslogSinkOptions } from './syslog-sink-options';
import { SyslogInTurn } from './syslog-in-turn';
import type { SyslogTransport } from './syslog-transport';

/**
 * Sends events to a syslog receiver (rsyslog, syslog-ng, a SIEM's collector) as RFC 5424
 * messages, with the event's properties as structured data, or as BSD (RFC 3164) messages.
 * Severity follows the level (verbose and debug → 7, information → 6, warning → 4, error → 3,
 * fatal → 2); PRI is `facility * 8 + severity`.
 *
 * Over UDP each event is one datagram and `emit` resolves when every send has completed; over TCP
 * or a Unix stream socket a batch is one `write` of framed messages (octet counting by default on
 * TCP, newline framing on Unix sockets); the connection opens on the first batch and, after an
 * error, again on the next one. A failure rejects, so the pipeline's retry, circuit breaker and
 * fallback act: a refused connection, a name that does not resolve, a timeout or a reset are
 * retried (the receiver or DNS may be back for the next try) and count toward opening the
 * breaker; a receiver's certificate refused over TLS, and a closed sink, fail the batch at once
 * as the sink's (`permanent: 'sink'`: no batch gets through until it is reconfigured, so the
 * breaker opens, and its probes after `resetTimeoutMs` find a receiver's renewed certificate).
 * The sink never buffers beyond the batch it is given. It is async-only (no `emitSync`) and
 * batches by default as the file sinks do (512 events / 100 ms, `batchDefaults`), so a burst
 * costs one write per batch rather than one per event; a `batch` option replaces that.
 * `transport: 'tls'` is syslog over TLS (RFC 5425): the TCP transport inside a TLS connection,
 * on port 6514 by default, octet-counted, the receiver's certificate checked (see `tls`).
 * `transport: 'relp'` is RELP (rsyslog's imrelp): the receiver acknowledges each message, so an
 * event counts delivered only once acknowledged, one refused (`500`) counts failed, and those
 * unanswered when the session breaks or the receiver stops answering are sent again by the retry on
 * a new session (at least once: one taken but whose answer was lost arrives twice); with `tls`, over
 * TLS (imrelp's `tls="on"`), checked as `transport: 'tls'` is.
 *
 * @example
 * new LoggerConfiguration()
 *   .writeTo.sink(new SyslogSink({ transport: 'tcp', host: 'logs.internal', port: 514, facility: 'local0' }))
 *   .createLogger();
 */
export class SyslogSink implements Sink {
  /** The default name of this sink in metrics and the shutdown report. */
  readonly kind = 'syslog';
  /**
   * The batching this sink gets without a `batch` option: as the file sinks', 512 events or 100 ms
   * (Serilog's syslog sink batches too), so a burst is one write of framed messages per batch.
   */
  readonly batchDefaults = { size: 512, maxDelayMs: 100 } as const;

  private readonly settings: SyslogMessageSettings;
  private readonly transport: SyslogTransport;
  /** The transport gets one batch at a time, whichever lane sent it (see SyslogInTurn). */
  private readonly turns = new SyslogInTurn();
  private readonly formatMessage: (event: LogEvent, settings: SyslogMessageSettings, onCut: () => void) => string;
  /** Events SelfLog already said were cut, so a retry of their batch does not say it again. */
  private readonly reportedCut = new WeakSet<LogEvent>();
  /** How often the formatter has cut a message or left a property out; a change marks an event as cut. */
  private cuts = 0;
  private readonly onCut = (): void => {
    this.cuts++;
  };
  private closed = false;
  /** The transport's close, which every call of close() awaits. */
  private closing: Promise<void> | undefined;
  private written = 0;

  /** @throws ConfigurationError naming the option when one is out of range. */
  constructor(options: SyslogSinkOptions = {}) {
    const resolved = resolveSyslogSinkOptions(options);
    this.settings = resolved.settings;
    this.transport = resolved.transport;
    this.formatMessage = resolved.format === 'rfc3164' ? syslogRfc3164 : syslogRfc5424;
  }

  /** Bytes sent so far, framing included. */
  get bytesWritten(): number {
    return this.written;
  }

  /**
   * Sends the batch and resolves once it has reached the kernel (over TCP, TLS and unix, and the receiver
   * has not closed or reset the connection within three turns of the event loop; a reset, or over TLS
   * the receiver's close, within a second after has it sent again ahead of the next batch; over RELP,
   * once the receiver acknowledged every message); rejects when the
   * receiver cannot be reached or a write fails or times out, with an error that names the receiver
   * (`SyslogSink: tcp://logs:514: read ECONNRESET`, Node's error its `cause`). An event the formatter throws on is skipped and
   * reported to SelfLog, so one hostile event cannot fail its batch; the result's `rejected`
   * counts it (failed, not delivered, and not sent again). A UDP send that fails part way through
   * rejects with a PartialDeliveryError, so a retry sends only the events not sent yet.
   */
  async emit(events: readonly LogEvent[]): Promise<void | EmitResult> {
    if (this.closed) throw Object.assign(new Error('SyslogSink: closed'), { permanent: 'sink' });
    const messages: string[] = [];
    /** The batch's index of each message's event. */
    const from: number[] = [];
    let cut = 0;
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      const cutsBefore = this.cuts;
      try {
        messages.push(this.formatMessage(event, this.settings, this.onCut));
        from.push(i);
      } catch (error) {
        SelfLog.write('SyslogSink: formatting an event failed; event skipped', error);
        continue;
      }
      if (this.cuts !== cutsBefore && !this.reportedCut.has(event)) {
        this.reportedCut.add(event);
        cut++;
      }
    }
    // One line a batch, each event counted once: a UDP default of 2 048 bytes cuts stack traces routinely.
    if (cut !== 0)
      SelfLog.write(
        'SyslogSink: {Count} message(s) cut to maxMessageBytes ({Limit}), the end of MSG or properties too long left out; raise it up to the receiver’s own limit',
        cut,
        this.settings.maxMessageBytes,
      );
    const skipped = events.length - messages.length;
    if (messages.length !== 0) {
      try {
        this.written += await this.turns.run(() => this.transport.send(messages));
      } catch (error) {
        const where = this.transport.where;
        const sent = partialDelivered(error);
        if (sent === undefined) throw namingReceiver(error, where);
        // UDP sent, or RELP had answered, the first `sent` messages: their events, and those skipped
        // among them, are done with; RELP's `rejected` were answered with an error, failed for good.
        const { cause, rejected } = error as PartialDeliveryError;
        for (let i = 0; i < sent; i++) this.written += Buffer.byteLength(messages[i], 'utf8');
        const done = sent < messages.length ? from[sent] : events.length;
        throw new PartialDeliveryError(done, namingReceiver(cause, where), done - sent + rejected);
      }
    }
    return skipped === 0 ? undefined : { rejected: skipped };
  }

  /** Ends the connection (RELP: sends `close` and waits for its answer, at most `writeTimeoutMs`) or closes the UDP socket; a TCP or unix connection still under way is abandoned and a write the receiver has not taken is dropped, their batches rejected; later batches reject. Idempotent: a second call resolves once the first has. */
  async close(): Promise<void> {
    this.closed = true;
    await (this.closing ??= this.transport.close());
  }

  /**
   * The logger's close gave up waiting for this sink's `close()` (see CLOSE_GIVEN_UP): over RELP the
   * session ends now, its socket destroyed and the answers still awaited (the batch's, `close`'s)
   * failed, so the socket, held while an answer is awaited, does not keep the process alive up to
   * `writeTimeoutMs` after `log.close()` returned; the events unanswered are those the logger counted
   * undelivered. UDP, TCP, TLS and unix hold nothing open in their close. An app that awaits
   * `sink.close()` itself still waits for the answers, the process with it.
   *
   * @internal
   */
  [CLOSE_GIVEN_UP](): void {
    this.closed = true;
    this.transport.giveUp?.();
  }
}

/**
 * A transport's error as the batch fails with it, naming the receiver: Node's own (`read
 * ECONNRESET`, `getaddrinfo ENOTFOUND logs`, `connect ECONNREFUSED 10.0.0.5:514`) say neither
 * the transport nor the port asked for, and reach SelfLog and metrics' `lastError` as they are.
 * One that names it already, and the sink's own close, are kept; otherwise the original is the
 * `cause`, and its `code` and `permanent` are kept too.
 */
function namingReceiver(error: unknown, where: string): unknown {
  // Not `instanceof Error`: Node's own errors come from another realm under a test runner's sandbox.
  const { message, code, permanent } = (error ?? {}) as { message?: unknown; code?: unknown; permanent?: unknown };
  if (typeof message !== 'string' || message.includes(where) || message.startsWith('SyslogSink: closed')) return error;
  const named = new Error(`SyslogSink: ${where}: ${message.replace(/^SyslogSink: /, '')}`, { cause: error });
  if (code !== undefined) Object.assign(named, { code });
  if (permanent !== undefined) Object.assign(named, { permanent });
  return named;
}
