import type { Subscription } from 'rxjs';
import { unrefScheduler } from '../../core/unref-scheduler';
import { LevelSwitch } from '../../core/level-switch';
import { LOG_LEVELS, type LogLevelName, levelValue } from '../../core/log-level';
import type { LogEvent } from '../../core/log-event';
import { SelfLog } from '../../core/self-log';
import { PartialDeliveryError, reportedCount } from '../../core/errors/partial-delivery-error';
import { retryHint } from '../../core/retry-hint';
import { runDetached } from '../../context/log-context';
import { eventTimeMs } from '../../templates/log-event-record';
import { DECLINED, type EmitResult, type Formatter } from '../../core/sink';
import { CLEF_CONTENT_TYPE } from './clef-content-type';
import { HTTP_OPTION_KEYS, HttpSink, type HttpSinkOptions } from './http-sink';
import { seqBody } from './seq-body';
import { checkFramingHeaders, checkHeaders, checkHeaderValue, withHeader } from './with-header';
import { expectOption } from '../../core/expect-option';
import { readGuarded } from '../../core/read-options';
import { baseUrlOption, checkOptionalText, sinkOptions } from './http-option-checks';
import { isOffline } from './http-online';
import { HttpStatusError } from './http-status-error';
import { lineHalves } from './line-halves';
import type { OfflinePiece } from './http-offline-queue';
import { CompactJsonFormatter } from '../../formatting/compact-json-formatter';
import { plainFormatter } from './plain-formatter';
import { ConfigurationError } from '../../core/errors/configuration-error';
import { escapeControlCharacters } from '../../core/escape-control-characters';

/**
 * HttpSink's options that SeqSink sets itself (SeqSinkOptions leaves them out): refused when
 * given (see sinkOptions).
 */
const SET_HERE = ['url', 'body', 'contentType', 'method', 'beaconUrl', 'beaconContentType'];

/** Options of {@link SeqSink}. */
export interface SeqSinkOptions extends Omit<
  HttpSinkOptions,
  'url' | 'body' | 'contentType' | 'method' | 'formatter' | 'beaconUrl' | 'beaconContentType'
> {
  /**
   * The Seq server's base URL, e.g. `'http://127.0.0.1:5341'` (its ingestion endpoint, ending
   * `/ingest/clef` or `/api/events/raw`, is taken too). A `user:password@` in it (for a
   * proxy in front of Seq) is sent as basic auth, and `beacon` then defaults to `false` (see
   * HttpSink's `url`). Required.
   */
  serverUrl: string;
  /**
   * A Seq API key, sent as `X-Seq-ApiKey` (and as `apiKey` in the query string of beacons, which
   * carry no headers), without the tabs, spaces and line breaks around it. An empty or blank key
   * (`SEQ_API_KEY=` in a compose file) is none, as in Serilog's Seq sink. Default none.
   */
  apiKey?: string | undefined;
  /**
   * In a browser, writes with `navigator.sendBeacon` as the page is hidden or unloading (see
   * HttpSink's), with `apiKey` in the beacon's query string. Default `true`, but `false` with a
   * `headers` option or a `user:password@` in `serverUrl`, which a beacon cannot carry (Seq, or the
   * proxy in front of it, would answer `401` unseen): the page's last batches then go by `fetch`
   * with `keepalive`. Give the key as `apiKey`, not as an `X-Seq-ApiKey` header, to keep beacons.
   */
  beacon?: boolean | undefined;
  /**
   * The CLEF formatter; e.g. `new CompactJsonFormatter({ renderMessage: true })`. An event it throws
   * on is sent, as Serilog's Seq sink does, as an Error event `Event with message template
   * {OriginalMessageTemplate} could not be formatted as JSON` carrying the error (SelfLog says so),
   * and counts as delivered; when it throws on that too, the event is left out and counts as failed.
   * The rest of the batch is sent either way. A TextFormatter or an NdjsonFormatter, which write no
   * CLEF (Seq would refuse every batch), is a ConfigurationError. Default `new CompactJsonFormatter()`.
   */
  formatter?: Formatter | undefined;
  /**
   * A LevelSwitch Seq controls, as Serilog's Seq sink's `controlLevelSwitch`: when Seq answers a
   * batch with the API key's `MinimumLevelAccepted`, the switch is set to it; when an answer has
   * none, the switch goes back to the level it had before Seq first set it. As Serilog's, the sink
   * sends no event below the switch's level that reaches it after the level last rose, whatever
   * the logger's level (counted as below). Pass the same switch to `.minimumLevel.controlledBy(…)`
   * so the logger stops making events Seq would discard.
   * Once 2 minutes pass without a request, the sink posts an empty batch to ask Seq for the
   * level again (Serilog's `RequiredLevelCheckInterval`), so a level lowered in Seq reaches a
   * logger the higher level had silenced; the probe's timer never keeps a Node process alive.
   * Default none: then, as Serilog's Seq sink does, the sink itself keeps the last level Seq
   * answered with and sends no event below it that reaches it after that answer (events already
   * in its batch or queue are sent: Seq discards them), until Seq answers without a level. Where an
   * event enters the sink's lane decides, as where it enters Serilog's sink, not its time: one a
   * `fingersCrossed` held from before the answer and released after it is left out. Called
   * directly (another sink's `fallback`), the sink goes by the event's time. The events it leaves
   * out, by request or by beacon as the page hides, count as dropped, under
   * `seq.belowMinimumLevelAccepted` in the sink's `droppedBy`, as they enter, so they take no room
   * in the queue. Once Seq has sent a level, the 2-minute probe runs as with a switch.
   */
  controlLevelSwitch?: LevelSwitch | undefined;
  /**
   * Most UTF-8 bytes of one event's CLEF line, as Serilog's Seq sink's `eventBodyLimitBytes`: Seq
   * refuses a whole batch (400) that holds a line over its event body limit, so a longer line is
   * replaced by an Error event `Event JSON representation exceeds the body size limit
   * {EventBodyLimitBytes}; sample: {EventBodySample}` carrying its start, and SelfLog says so; the
   * event counts as delivered. When even that is over the limit the event is left out and counts
   * as failed (its batch sent by request or beacon, or kept offline). `Infinity` for no limit. Default `262_144` (256 KiB, Seq's default and Serilog's).
   */
  eventBodyLimitBytes?: number | undefined;
  /**
   * The largest request body, in UTF-8 bytes (see HttpSink's): a batch whose CLEF lines add up to
   * more is sent in parts of at most this size, as Seq's own clients cut their batches, so that
   * Seq's payload limit does not refuse it whole. An event larger alone is sent alone. Default
   * `10_485_760` (10 MiB, Seq's default raw payload limit and seqcli's `batchSizeLimitBytes`).
   */
  maxRequestBytes?: number | undefined;
}

/** Where Seq's answer states the API key's minimum level: `"MinimumLevelAccepted":"Warning"`, `null`, or anything else. */
const LEVEL_MARKER = /"MinimumLevelAccepted"\s*:\s*("[^"]*"|[^\s,}]*)/;

/** The levels Seq sends, Serilog's LogEventLevel names as JSON strings, least severe first (as rxlog's). */
const SEQ_LEVELS = ['"Verbose"', '"Debug"', '"Information"', '"Warning"', '"Error"', '"Fatal"'];

/** Seq's default event body limit, and Serilog's Seq sink's `eventBodyLimitBytes`: 256 KiB. */
const EVENT_BODY_LIMIT_BYTES = 256 * 1024;

/** Seq's default raw payload limit, and seqcli's `batchSizeLimitBytes`: 10 MiB. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/**
 * Seq's words for a payload over its raw payload limit, answered 400 since Seq 2025.1
 * (datalust/seq-tickets#2421; 413 before): its own (`Maximum raw payload content length of 1048576
 * bytes exceeded`, serilog-sinks-seq#9) or those of ASP.NET Core, which hosts it and has its own
 * limit (seq-tickets#736: `Request body too large. The max request body size is 30000000 bytes.`).
 */
const SEQ_TOO_LARGE = /raw payload content length|request body too large/i;

/** How long a SeqSink with a `controlLevelSwitch` may send nothing before it asks Seq for the level with an empty batch. */
const LEVEL_CHECK_MS = 120_000;

/** The `droppedBy` reason of the events left out below the level Seq accepts. */
const SEQ_LEVEL_REASON = 'seq.belowMinimumLevelAccepted';

/**
 * Sends batches to Seq's raw ingestion endpoint, `${serverUrl}/api/events/raw?clef`, as CLEF
 * lines: an HttpSink configured for Seq. Beacons go as `text/plain`, which needs no CORS
 * preflight; Seq reads the body as CLEF because of `?clef`.
 *
 * @example new SeqSink({ serverUrl: 'http://127.0.0.1:5341', apiKey: 'k' })
 */
export class SeqSink extends HttpSink {
  /** @internal */
  protected static override readonly optionsName: string = 'SeqSink';
  /** @internal */
  protected static override readonly urlOption: string = 'serverUrl';
  /** @internal */
  protected static override readonly optionKeys: readonly string[] = [
    'serverUrl',
    'apiKey',
    'controlLevelSwitch',
    'eventBodyLimitBytes',
  ] satisfies (keyof SeqSinkOptions)[];

  /** The default name of this sink in metrics and the shutdown report. */
  override readonly kind: string = 'seq';

  /** Batching when `writeTo.sink` gives none: Serilog's Seq sink's, 1 000 events or 2 s. */
  override readonly batchDefaults = { size: 1_000, maxDelayMs: 2_000 };
  /** Queue bound when `writeTo.sink` gives none: Serilog's Seq sink's `queueSizeLimit`, 100 000 events (and 16 MiB). */
  readonly queueDefaults = { limit: 100_000 };

  readonly #control: LevelSwitch | undefined;
  /** The switch's level before Seq first set it, put back when Seq stops sending one. */
  #original: LogLevelName | undefined;
  /** When the level probe is due: 2 minutes after the last request. */
  #due = 0;
  #probe: Subscription | undefined;
  /** The subscription to `controlLevelSwitch`'s level, which sets `#floor`. */
  #levels: Subscription | undefined;
  #closed = false;
  /** The value of the level below which events are not sent (-1 for none): `controlLevelSwitch`'s, or without one the level Seq last sent. */
  #floor = -1;
  /** When that level last rose (epoch ms): events logged until then are sent whatever their level. */
  #since = 0;
  /**
   * The events an `emit` let through while Seq's level was above Verbose: HttpSink sends the halves
   * of a batch answered 413 through `emit` again, and a level Seq raised in its answer to the first
   * half must not leave out events of the second (HttpSink would count them delivered).
   */
  readonly #passed = new WeakSet<LogEvent>();
  /** Set once SelfLog has heard of a MinimumLevelAccepted that is no level. */
  #told = false;
  /** The events bodies left out (their line and its placeholder over `eventBodyLimitBytes`). */
  readonly #omitted: WeakSet<LogEvent>;

  /** @throws ConfigurationError naming the bad option. */
  constructor(supplied: SeqSinkOptions) {
    // Each option read once: a getter that throws is a ConfigurationError naming it.
    const options = sinkOptions('SeqSink', supplied, [...HTTP_OPTION_KEYS, ...SeqSink.optionKeys], SET_HERE);
    const serverUrl = (options as Partial<SeqSinkOptions> | null | undefined)?.serverUrl;
    // The path goes before a query (Seq takes `?apiKey=`).
    const [path, query] = baseUrlOption(serverUrl, 'SeqSink.serverUrl', "the Seq server's URL");
    // The ingestion endpoint itself (`/ingest/clef` in Seq's docs, `/api/events/raw`) is taken as the
    // server's URL, and a query with a `clef` parameter (`clef=true`, anywhere) is kept as it is,
    // without a second one.
    const clef = /(^|&)clef(=|&|$)/.test(query) ? '' : query ? 'clef&' : 'clef';
    const url = `${path.replace(/(\/(api\/events\/raw|ingest\/clef))?\/*$/, '')}/api/events/raw?${clef}${query}`;
    const control = options.controlLevelSwitch;
    expectOption(control === undefined || control instanceof LevelSwitch, 'SeqSink.controlLevelSwitch', 'a LevelSwitch', control);
    const given: unknown = options.apiKey;
    // fetch sends a header value without the tabs, spaces and line breaks around it (the Fetch
    // standard's normalization): a beacon's query must carry the same key, or Seq refuses it unseen.
    // An empty or blank key is none, as Serilog's Seq sink reads it (IsNullOrWhiteSpace): what
    // `SEQ_API_KEY=` in a compose file gives to `apiKey: process.env.SEQ_API_KEY`.
    const apiKey = typeof given != 'string' ? given : given.trim() ? given.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '') : undefined;
    checkOptionalText(apiKey, 'SeqSink.apiKey');
    // What fetch can send as a header value; any other key failed every request at run time. The
    // error names the character, not the key: a secret, in whatever records the app's startup errors.
    if (apiKey !== undefined) checkHeaderValue('SeqSink.apiKey', 'a key', apiKey);
    const limit = options.eventBodyLimitBytes ?? EVENT_BODY_LIMIT_BYTES;
    expectOption(
      (Number.isInteger(limit) && limit > 0) || limit === Infinity,
      'SeqSink.eventBodyLimitBytes',
      'an integer > 0 or Infinity',
      options.eventBodyLimitBytes,
    );
    const formatter = options.formatter ?? new CompactJsonFormatter();
    // rxlog's formatters that write no CLEF: Seq answered 400 to every batch, seen only in lastError.
    // An app's own formatter is taken.
    const plain = plainFormatter('SeqSink.formatter', formatter);
    if (plain)
      throw new ConfigurationError(
        `SeqSink.formatter: ${plain} writes no CLEF, and Seq refuses every batch of it (400); leave formatter out or give a CompactJsonFormatter`,
      );
    checkHeaders('SeqSink.headers', options.headers);
    readGuarded('SeqSink.headers', 'the headers', () => checkFramingHeaders('SeqSink.headers', options.headers));
    const omitted = new WeakSet<LogEvent>();
    super({
      ...options,
      // HttpSink checks the formatter option before any batch is written.
      body: seqBody(formatter, limit, omitted),
      url,
      maxRequestBytes: options.maxRequestBytes ?? MAX_REQUEST_BYTES,
      contentType: CLEF_CONTENT_TYPE,
      headers: withHeader(options.headers, 'X-Seq-ApiKey', apiKey),
      beaconUrl: apiKey === undefined ? url : `${url}&apiKey=${encodeURIComponent(apiKey)}`,
      // A beacon carries no header but Content-Type: a key in `headers` (`X-Seq-ApiKey`, or a
      // proxy's Authorization) is not in it, and Seq (or the proxy) answers 401, which a beacon
      // never sees: its events counted delivered were lost. Without beacons, what the page holds as
      // it hides goes by fetch with keepalive, headers and all. `apiKey` goes into the beacon's URL.
      beacon: options.beacon ?? (options.headers === undefined ? undefined : false),
      beaconContentType: 'text/plain;charset=UTF-8',
    });
    this.#control = control;
    this.#omitted = omitted;
    const sync = this.emitSync;
    if (sync !== undefined) (this as { emitSync?: typeof sync }).emitSync = (events) => this.#emitSync(sync, events);
    if (control !== undefined) {
      this.#due = Date.now() + LEVEL_CHECK_MS;
      this.#arm(LEVEL_CHECK_MS);
      // As Serilog's sink, which puts the switch in front of itself (`ControlledLevelSwitch.IsIncluded`):
      // the switch's level is the sink's, whatever the logger's; what was logged before a raise is sent.
      this.#levels = control.level$.subscribe((level) => {
        const value = levelValue(level);
        if (this.#floor >= 0 && value > this.#floor) this.#since = Date.now();
        this.#floor = value;
      });
    }
  }

  /**
   * Sends one batch (see {@link HttpSink.emit}) and postpones the level probe by 2 minutes; but not
   * the events below the level in force stamped after it came (the delivery stage left out those
   * that entered after it; these waited while a clock was set back, or come from a direct call):
   * the result counts those dropped (and a batch of only those sends nothing).
   */
  override async emit(events: readonly LogEvent[]): Promise<void | EmitResult> {
    const sent = this.#sent(events, true);
    if (sent === undefined) {
      if (events.length !== 0) this.#due = Date.now() + LEVEL_CHECK_MS;
      return super.emit(events);
    }
    const dropped = { count: events.length - sent.length, reason: SEQ_LEVEL_REASON };
    if (sent.length === 0) return { rejected: 0, dropped };
    this.#due = Date.now() + LEVEL_CHECK_MS;
    try {
      const result = await super.emit(sent.map((index) => events[index]));
      return { rejected: result?.rejected ?? 0, dropped };
    } catch (error) {
      throw this.#widened(error, sent, events.length);
    }
  }

  /**
   * HttpSink's `emitSync` (a beacon as the page hides) without the events `emit` leaves out, as
   * Serilog's Seq sink filters by the level on every path: the result counts them dropped (it sent
   * them all, counted delivered, though Seq discards them).
   */
  #emitSync(sync: (events: readonly LogEvent[]) => boolean | EmitResult, events: readonly LogEvent[]): boolean | EmitResult {
    // Not marked let through (see `#passed`): what a beacon does not take goes later through `emit`.
    const sent = this.#sent(events, false);
    if (sent === undefined) return sync(events);
    const dropped = { count: events.length - sent.length, reason: SEQ_LEVEL_REASON };
    if (sent.length === 0) return { rejected: 0, dropped };
    let result: boolean | EmitResult;
    try {
      result = sync(sent.map((index) => events[index]));
    } catch (error) {
      throw this.#widened(error, sent, events.length);
    }
    return result && { rejected: result === true ? 0 : result.rejected, dropped };
  }

  /**
   * `seq.belowMinimumLevelAccepted` for an event below the level now in force, which the delivery
   * stage then counts dropped as the event enters it, before its batch and queue: as Serilog's Seq
   * sink filters where events enter it (`ControlledLevelSwitch.IsIncluded`), so that during an
   * outage the events below Seq's level take no room from those it sends (a logger at Debug for its
   * console filled the queue, and overflow dropped the Errors queued before them). Whatever the
   * event's time: one entering now enters after every answer so far, though logged before the last
   * (held by fingersCrossed, relayed with its own time, or stamped by a clock set back).
   *
   * @internal
   */
  [DECLINED](event: LogEvent): string | undefined {
    const floor = this.#floor;
    return floor > 0 && this.#refuses(event, floor, true) ? SEQ_LEVEL_REASON : undefined;
  }

  /**
   * The positions in `events` of those the sink sends (see `#refuses`), each marked let through
   * when `mark`; undefined when it sends them all.
   */
  #sent(events: readonly LogEvent[], mark: boolean): number[] | undefined {
    const floor = this.#floor;
    // Speed: without a level from Seq (or at Verbose), the events are not looked at.
    if (floor <= 0) return undefined;
    const sent: number[] = [];
    events.forEach((event, index) => this.#refuses(event, floor) || (mark && this.#passed.add(event), sent.push(index)));
    return sent.length === events.length ? undefined : sent;
  }

  /**
   * The error of a write of the events at `sent` that failed, for the batch of `length` events they
   * came from: the events the write wrote (a PartialDeliveryError's) lead the batch, with those left
   * out among and before them, which count dropped, not failed, even when it wrote nothing; those
   * after it are named by their positions (`dropped.indexes`): they count dropped too, and go
   * neither to the retry nor to the fallback with the rest.
   */
  #widened(error: unknown, sent: readonly number[], length: number): unknown {
    const partial = error instanceof PartialDeliveryError ? error : undefined;
    const written = partial === undefined ? 0 : reportedCount(partial.delivered, sent.length);
    const leading = written === 0 ? sent[0] : sent[written - 1] + 1;
    const indexes: number[] = [];
    for (let index = leading, next = written; index < length; index++)
      if (sent[next] === index) next++;
      else indexes.push(index);
    if (leading === 0 && indexes.length === 0) return error;
    const { permanent, retryAfterMs } = retryHint(error);
    return Object.assign(new PartialDeliveryError(leading, partial === undefined ? error : partial.cause, partial?.rejected), {
      permanent,
      retryAfterMs,
      dropped: { count: leading - written, reason: SEQ_LEVEL_REASON, indexes },
    });
  }

  /**
   * Whether the sink leaves `event` out: below `floor`, not already let through (see `#passed`),
   * and `entering` the sink's lane now or stamped after the level came. In a batch, the time stands
   * in for where the event entered, which a batch does not tell: one logged before the level came
   * entered before it. An event that cannot be read is sent.
   */
  #refuses(event: LogEvent, floor: number, entering = false): boolean {
    try {
      return !this.#passed.has(event) && levelValue(event.level) < floor && (entering || eventTimeMs(event) > this.#since);
    } catch {
      return false;
    }
  }

  /** Stops the level probe, then closes as {@link HttpSink.close} does. */
  override close(): void {
    this.#closed = true;
    this.#probe?.unsubscribe();
    this.#levels?.unsubscribe();
    super.close();
  }

  /**
   * Reads Seq's `MinimumLevelAccepted` into `controlLevelSwitch`, or without one into the sink's
   * own level, as Serilog's Seq sink does; an answer of rxlog's ingest handler counts the lines it
   * rejected failed, as HttpSink does. An answer read only in part (cut off, stalled) that names no
   * level whole is no news of the level: it stays as it was (Serilog's sink fails such a request,
   * which leaves it as it was too).
   */
  protected override accepted(responseText: string, _body?: string, whole = true): void | EmitResult {
    this.#followLevel(responseText, whole);
    return super.accepted(responseText);
  }

  /**
   * A 413, or a 400 whose answer says the payload is over Seq's limit (see `SEQ_TOO_LARGE`): the
   * batch is sent again in halves. Any other 400 (a line Seq refuses) fails it at once.
   */
  protected override tooLarge(error: unknown): boolean {
    return (
      super.tooLarge(error) || (error instanceof HttpStatusError && error.status === 400 && SEQ_TOO_LARGE.test(error.message))
    );
  }

  /** A stored body's halves: its CLEF lines, one per event unless the body left one out (see `leftOut`). */
  protected override storedHalves(piece: OfflinePiece): readonly OfflinePiece[] | undefined {
    return lineHalves(piece);
  }

  /** Stored bodies are CLEF lines: joined, they are the body of both batches' events. */
  protected override storedJoin(first: string, next: string): string {
    return `${first}\n${next}`;
  }

  /**
   * The events the body left out (over `eventBodyLimitBytes` with their placeholder), which HttpSink
   * counts failed once it sent the body, by request or beacon: per body, so each half of a 413 counts its own.
   */
  protected override leftOut(events: readonly LogEvent[]): number {
    let count = 0;
    for (const event of events) if (this.#omitted.has(event)) count++;
    return count;
  }

  #followLevel(responseText: string, whole: boolean): void {
    const control = this.#control;
    const value = LEVEL_MARKER.exec(responseText)?.[1];
    const index = value === undefined ? -1 : SEQ_LEVELS.indexOf(value);
    if (index < 0 && !whole) return;
    // Another value (a level Seq may add later, or garbage) is no level, as Serilog's sink reads it.
    if (index < 0 && value !== undefined && value !== 'null' && !this.#told) {
      this.#told = true;
      // Line breaks escaped too (SelfLog keeps a quoted value's, for stacks): the server's text stays on its line.
      SelfLog.write(
        '{Sink}: MinimumLevelAccepted {Value} is no level; taken as none',
        this.kind,
        escapeControlCharacters(value.slice(0, 64)),
      );
    }
    const level = index < 0 ? undefined : LOG_LEVELS[index];
    if (control === undefined) {
      // Events logged until the level rose (from none, Verbose or a lower level) are sent, as with a switch.
      if (index > 0 && index > this.#floor) this.#since = Date.now();
      // As Serilog's: once Seq has sent a level, the probe asks for it again after 2 idle minutes.
      if (index >= 0 && this.#floor < 0 && this.#probe === undefined && !this.#closed) this.#arm(this.#due - Date.now());
      this.#floor = index;
      return;
    }
    if (level === undefined) {
      if (this.#original !== undefined) control.level = this.#original;
      return;
    }
    this.#original ??= control.level;
    control.level = level;
  }

  #arm(delay: number): void {
    // In Node, the probe alone must not keep the process alive. Its request is the sink's, as a
    // batch's: in no caller's context (where the sink was built), untraced under suppressSinkTracing.
    this.#probe = unrefScheduler.schedule(() => void runDetached(() => this.#check()), delay);
  }

  /** Posts the empty batch when nothing was sent for 2 minutes (not while the browser is offline), then waits for the next due time. */
  async #check(): Promise<void> {
    const now = Date.now();
    if (now >= this.#due) {
      this.#due = now + LEVEL_CHECK_MS;
      if (!isOffline())
        try {
          await this.send('');
        } catch (error) {
          if (!this.#closed) SelfLog.write('{Sink}: asking Seq for the minimum level failed', this.kind, error);
        }
    }
    if (!this.#closed) this.#arm(this.#due - Date.now());
  }
}
