import type { Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { PartialDeliveryError } from '../../core/errors/partial-delivery-error';
import { SelfLog } from '../../core/self-log';
import { awaitSyslogConnect, connectSyslogSocket, syslogWhere } from './syslog-connect';
import { RelpReader, relpFrame } from './syslog-relp-frame';
import { syslogTimeout } from './syslog-timeout';
import { tlsError } from './syslog-tls-options';
import type { SyslogTransport } from './syslog-transport';

/**
 * The most `syslog` commands a batch has unanswered at a time, as librelp's default window
 * (`RELP_DFLT_WINDOW_SIZE`, 128): a receiver that stops answering holds at most that many, and a
 * batch larger than that is written as answers free the window.
 */
export const RELP_WINDOW = 128;

/**
 * The last transaction number (9 digits). doc/relp.md has the one after it be 1, but librelp's
 * receiver (imrelp) then expects 1,000,000,000, which no frame can hold, and drops the session on
 * the 1: a session whose numbers would run past it is closed and a new one opened, starting at 1.
 */
const MAX_TXNR = 999_999_999;

/**
 * The offers of the `open` command: RELP version 0, as librelp (rsyslog's omrelp and imrelp) offers
 * and answers, and the one command this sender uses.
 */
const OFFERS = 'relp_version=0\nrelp_software=rxlog\ncommands=syslog';

/** How a command ended: the receiver's answer (`rsp`), or the session's end before it came. */
type RelpAnswer =
  { readonly kind: 'rsp'; readonly code: string; readonly text: string } | { readonly kind: 'broken'; readonly error: Error };

/** One connection's RELP session: its socket, the next transaction number, the commands awaiting an answer. */
interface RelpSession {
  readonly socket: Socket;
  readonly reader: RelpReader;
  txnr: number;
  /**
   * Commands written and not answered yet, oldest first. An answer settles the one its txnr names,
   * in whatever order they come, as librelp's client takes them (doc/relp.md: "The server may reply
   * in any order").
   */
  readonly waiting: { readonly txnr: number; readonly answer: Promise<RelpAnswer>; done: (answer: RelpAnswer) => void }[];
  /** Why it ended; no command is written to it from then on. */
  ended: Error | undefined;
  /** Whether `open` was answered `200`. */
  opened: boolean;
}

/**
 * Sends syslog messages over RELP (the Reliable Event Logging Protocol of rsyslog's imrelp, librelp's
 * doc/relp.md): each message is a `syslog` command the receiver answers with `rsp 200` once it has
 * taken it, or `500` when it refuses it, so a message counts delivered only once its answer came.
 * A session opens on the first batch (`open`, with the receiver's offers checked) and after a
 * break, on the next one; a break or a receiver that stops answering for `writeTimeoutMs` fails
 * the commands still unanswered, and the delivery stage's retry sends them on a new session. One
 * the receiver took but whose answer the break lost arrives twice: RELP is at least once, as
 * rsyslog's omrelp is. At most {@link RELP_WINDOW} commands are unanswered at a time. The socket is
 * unref'd, so an idle sink never keeps the process alive.
 *
 * With `tls` the session runs inside TLS (imrelp's `tls="on"`), connected as the `'tls'` transport
 * connects, its certificate errors as permanent. Unlike that transport it needs no settle time
 * after the handshake: a receiver that refuses this sender's certificate after its side of the
 * handshake closes before answering `open`, and nothing counts delivered before its `200`.
 */
export class SyslogRelpTransport implements SyslogTransport {
  private session: RelpSession | undefined;
  private opening: Promise<RelpSession> | undefined;
  /** The socket of the connection under way, which `close()` abandons. */
  private connectingSocket: Socket | undefined;
  private closed = false;
  readonly where: string;

  /**
   * @param host The receiver's host name or IP address.
   * @param port The port of its RELP input.
   * @param connectTimeoutMs Longest wait to connect and for the answer to `open`, in milliseconds.
   * @param writeTimeoutMs Longest wait for the next answer while commands are unanswered, in milliseconds.
   * @param tls `tls.connect`'s options (syslogTlsConnectOptions) for RELP over TLS; none for plain TCP.
   */
  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly connectTimeoutMs: number,
    private readonly writeTimeoutMs: number,
    private readonly tls?: ConnectionOptions,
  ) {
    this.where = syslogWhere(tls ? 'relp+tls' : 'relp', host, port);
  }

  /**
   * Sends each message as a `syslog` command and resolves with the bytes written once every one was
   * answered `200`. Rejects with a PartialDeliveryError when some were answered: those first ones
   * are done with (the `rejected` among them answered with an error, failed for good), the rest
   * are sent again by a retry; with the plain error when none was. SyslogSink sends one batch at a
   * time (its turns). Answers may come in any order; the batch awaits them in its own.
   */
  async send(messages: readonly string[]): Promise<number> {
    let session = await this.open();
    // The batch's commands and a close numbered at most MAX_TXNR, or a new session for them.
    if (session.txnr + messages.length > MAX_TXNR) {
      await this.closeSession(session);
      session = await this.open();
    }
    const answers: Promise<RelpAnswer>[] = [];
    let written = 0;
    let bytes = 0;
    let refused = 0;
    let refusal = '';
    for (let answered = 0; answered < messages.length; answered++) {
      if (written < messages.length && written - answered <= RELP_WINDOW / 2) {
        // Fills the window in one write: a batch of up to RELP_WINDOW messages is one write.
        let text = '';
        for (; written < messages.length && written < answered + RELP_WINDOW; written++) {
          const command = this.command(session, 'syslog', messages[written]);
          answers.push(command.answer);
          text += command.frame;
        }
        bytes += this.write(session, text);
      }
      let answer: RelpAnswer;
      try {
        answer = await syslogTimeout(
          answers[answered],
          this.writeTimeoutMs,
          `waiting for ${this.where} to answer (RELP, ${written - answered} message(s) unanswered)`,
        );
      } catch (error) {
        answer = { kind: 'broken', error: error as Error };
        this.end(session, answer.error);
      }
      if (answer.kind === 'broken') {
        this.reportRefused(refused, refusal);
        // Answered ones are done with; the rest may or may not have been taken, so a retry sends them again.
        if (answered === 0) throw answer.error;
        throw new PartialDeliveryError(answered, answer.error, refused);
      }
      if (answer.code !== '200') {
        refused++;
        refusal = `${answer.code} ${answer.text}`;
      }
    }
    if (refused !== 0) {
      this.reportRefused(refused, refusal);
      const error = new Error(`SyslogSink: ${this.where} refused ${refused} message(s) of the batch: ${refusal}`);
      throw new PartialDeliveryError(messages.length, error, refused);
    }
    return bytes;
  }

  /** Tells SelfLog why messages the receiver answered with an error count failed: the delivery stage counts them, but has no reason to give. */
  private reportRefused(refused: number, refusal: string): void {
    if (refused !== 0)
      SelfLog.write(
        'SyslogSink: {Target} refused {Count} message(s) of a batch (the last answer: {Answer}); counted failed, not sent again',
        this.where,
        refused,
        refusal,
      );
  }

  /** Writes `text` to the session's socket unless it ended; returns its bytes. */
  private write(session: RelpSession, text: string): number {
    if (session.ended === undefined && text !== '') session.socket.write(text);
    return Buffer.byteLength(text, 'utf8');
  }

  /** The next command's frame and the promise of its answer; a session that ended answers at once. */
  private command(session: RelpSession, name: string, data: string): { frame: string; answer: Promise<RelpAnswer> } {
    const { ended } = session;
    if (ended !== undefined) return { frame: '', answer: Promise.resolve({ kind: 'broken', error: ended }) };
    const txnr = session.txnr;
    session.txnr = txnr === MAX_TXNR ? 1 : txnr + 1;
    // Held while an answer is awaited, so the process waits for it; unref'd again once idle.
    if (session.waiting.length === 0) session.socket.ref();
    let done: (answer: RelpAnswer) => void = () => undefined;
    const answer = new Promise<RelpAnswer>((resolve) => (done = resolve));
    session.waiting.push({ txnr, answer, done });
    return { frame: relpFrame(txnr, name, data), answer };
  }

  /** The open session, or a new one: connected, `open` answered `200` with the offers this sender needs. */
  private open(): Promise<RelpSession> {
    if (this.closed) return Promise.reject(Object.assign(new Error('SyslogSink: closed'), { permanent: 'sink' }));
    // Opening first: the session under way is set before its open is answered.
    if (this.opening !== undefined) return this.opening;
    if (this.session !== undefined) return Promise.resolve(this.session);
    const started = Date.now();
    const socket = connectSyslogSocket(this.host, this.port, this.tls);
    this.connectingSocket = socket;
    this.opening = awaitSyslogConnect(socket, {
      timeoutMs: this.connectTimeoutMs,
      // Over TLS, once the handshake is done and the receiver's certificate checked.
      event: this.tls ? 'secureConnect' : 'connect',
      where: this.where,
      isClosed: () => this.closed,
      adopt: (connected) => this.adopt(connected),
      dispose: destroyQuietly,
    })
      .then(async () => {
        const session = this.session as RelpSession;
        const command = this.command(session, 'open', OFFERS);
        this.write(session, command.frame);
        const left = Math.max(1, this.connectTimeoutMs - (Date.now() - started));
        let answer: RelpAnswer;
        try {
          answer = await syslogTimeout(command.answer, left, `waiting for ${this.where} to answer RELP open`);
        } catch (error) {
          answer = { kind: 'broken', error: error as Error };
        }
        if (answer.kind === 'rsp') {
          const offers = answer.text.split('\n');
          const commands = offers.find((offer) => offer.startsWith('commands='))?.slice('commands='.length) ?? '';
          if (
            answer.code === '200' &&
            offers.some((offer) => offer.startsWith('relp_version=')) &&
            commands.split(',').includes('syslog')
          ) {
            session.opened = true;
            return session;
          }
          // A receiver that refuses this sender's offers refuses every session: the sink's, not the batch's.
          answer = {
            kind: 'broken',
            error: Object.assign(
              new Error(
                `SyslogSink: ${this.where} refused the RELP session (${answer.code} ${JSON.stringify(answer.text)}; expected 200 with relp_version and commands=syslog)`,
              ),
              { permanent: 'sink' },
            ),
          };
        }
        this.end(session, answer.error);
        throw answer.error;
      })
      .catch((error: unknown) => {
        throw this.tls ? tlsError(error, this.where) : error;
      })
      .finally(() => {
        this.opening = undefined;
        this.connectingSocket = undefined;
      });
    return this.opening;
  }

  private adopt(socket: Socket): void {
    const session: RelpSession = { socket, reader: new RelpReader(), txnr: 1, waiting: [], ended: undefined, opened: false };
    this.session = session;
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of session.reader.push(chunk)) this.receive(session, frame);
      } catch (error) {
        SelfLog.write('SyslogSink: {Target} broke the RELP protocol; connection dropped', this.where, error);
        this.end(session, new Error(`SyslogSink: ${this.where}: ${(error as Error).message}`));
      }
    });
    socket.on('error', (error) => this.end(session, error));
    socket.on('end', () =>
      this.end(
        session,
        new Error(
          session.opened || !this.tls
            ? `SyslogSink: ${this.where} closed the RELP session`
            : `SyslogSink: ${this.where} closed the TLS connection before answering RELP open: it refuses this sender's certificate (tls.cert) or the lack of one, or takes no session now`,
        ),
      ),
    );
    socket.on('close', () => this.end(session, new Error(`SyslogSink: the connection to ${this.where} closed`)));
    socket.unref();
  }

  /** Settles the command the answer's txnr names; a `serverclose` hint ends the session. */
  private receive(session: RelpSession, frame: { txnr: number; command: string; data: string }): void {
    if (frame.txnr === 0) {
      // A hint (doc/relp.md, "COMMAND SEMANTICS"): serverclose says the receiver is closing; others are ignored.
      if (frame.command === 'serverclose')
        this.end(session, new Error(`SyslogSink: ${this.where} closed the RELP session (serverclose)`));
      return;
    }
    if (frame.command !== 'rsp') throw new Error(`the receiver sent a command, not an answer: ${frame.txnr} ${frame.command}`);
    // At most a window's commands (and close) wait, the oldest usually answered first: a search costs nothing.
    const index = session.waiting.findIndex((command) => command.txnr === frame.txnr);
    // librelp's client drops the session on one too (relpSessGetUnacked fails): nothing says which command it meant.
    if (index === -1) throw new Error(`an answer for no command awaiting one: ${frame.txnr} rsp`);
    const [command] = session.waiting.splice(index, 1);
    if (session.waiting.length === 0) session.socket.unref();
    // RSP-HEADER: a three-digit code, optionally SP and a human-readable text, then LF and the command's data.
    const match = /^(\d{3}) ?([^]*)$/.exec(frame.data);
    command.done({ kind: 'rsp', code: match?.[1] ?? '', text: match?.[2] ?? frame.data });
  }

  /** Ends the session: its commands without an answer fail with `error`, the socket is destroyed. */
  private end(session: RelpSession, error: Error): void {
    session.ended ??= error;
    if (this.session === session) this.session = undefined;
    for (const command of session.waiting.splice(0)) command.done({ kind: 'broken', error: session.ended });
    destroyQuietly(session.socket);
  }

  /**
   * Sends `close` and waits for its answer and those of the commands before it (a receiver that
   * answers in any order may answer `close` first) at most `writeTimeoutMs`, then drops the
   * connection; a connection still under way is abandoned. A batch's commands not written yet
   * (beyond the window) fail. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.connectingSocket !== undefined) destroyQuietly(this.connectingSocket);
    const session = this.session;
    if (session === undefined) return;
    await this.closeSession(session);
  }

  /**
   * The logger's close gave up waiting for close() (see SyslogTransport.giveUp): the session ends
   * now, its socket destroyed and every command awaiting an answer (the batch's, `close`'s) failed,
   * so the socket, which is ref'd while an answer is awaited, does not keep the process alive up to
   * `writeTimeoutMs` after `log.close()` returned. A connection or `open` under way is abandoned.
   */
  giveUp(): void {
    this.closed = true;
    if (this.connectingSocket !== undefined) destroyQuietly(this.connectingSocket);
    if (this.session !== undefined) this.end(this.session, new Error('SyslogSink: closed'));
  }

  /** Sends `close` on `session` and waits for the answers (see close()), then ends it. */
  private async closeSession(session: RelpSession): Promise<void> {
    if (session.socket.destroyed) return this.end(session, new Error('SyslogSink: closed'));
    // The answers of the commands before close too: a receiver answering in any order may answer it first.
    const before = session.waiting.map((waiting) => waiting.answer);
    const command = this.command(session, 'close', '');
    this.write(session, command.frame);
    session.ended = new Error('SyslogSink: closed');
    try {
      await syslogTimeout(Promise.all([...before, command.answer]), this.writeTimeoutMs, `closing ${this.where}`);
    } catch (error) {
      SelfLog.write('SyslogSink: the RELP session with {Target} did not close in time', this.where, error);
    } finally {
      this.end(session, session.ended);
    }
  }
}

function ignore(): void {
  // A discarded socket's late errors have nobody left to tell; without a listener they would crash the process.
}

function destroyQuietly(socket: Socket): void {
  if (socket.destroyed) return;
  socket.on('error', ignore);
  socket.destroy();
}
