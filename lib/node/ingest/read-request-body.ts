import type { IncomingMessage } from 'node:http';

/** What reading a request body came to. */
export type BodyReadResult =
  | {
      readonly kind: 'body';
      readonly body: Buffer;
      /**
       * Why lines of a body a framework parsed could not be written back as JSON, by line number
       * (from 1), when any could not: each is a line of its own, rejected for that reason.
       */
      readonly unwritable?: ReadonlyMap<number, string>;
    }
  | { readonly kind: 'too-large' }
  | { readonly kind: 'busy' }
  | { readonly kind: 'client-share' }
  | { readonly kind: 'consumed' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'aborted' };

/** Bytes shared by every request being read: `take` reserves them, or says whose bound they would pass (all requests', or the client's share); `give` returns them. */
export interface ByteBudget {
  take(bytes: number): 'taken' | 'busy' | 'client-share';
  give(bytes: number): void;
}

const UNBOUNDED: ByteBudget = { take: () => 'taken', give: () => undefined };

/**
 * The least average rate a body must keep once `graceMs` have passed since its read began (as
 * Kestrel's `MinRequestBodyDataRate`), so a slow link's large body is read as long as it keeps
 * coming and a stalled one ends early: one that sends nothing for `graceMs` ends then, however
 * much it sent before; `bytesPerSecond` 0 checks neither.
 */
export interface MinBodyRate {
  readonly bytesPerSecond: number;
  readonly graceMs: number;
}

/**
 * Reads a request body of at most `maxBytes` bytes within `timeoutMs`, and no slower than
 * `minRate` after its grace period (else `timeout`). A declared
 * `Content-Length` over the limit is refused before anything is read; a body that grows past the
 * limit stops being read at once (the caller answers and closes the connection). A body a
 * framework already read (`parsed`: by default `req.body`; Fastify's is `request.body`) as a
 * string or Buffer (e.g. from `express.text()`) is used as it is, under the same limit; a body a
 * JSON parser already read (`express.json()`) is taken back as lines, one a value (each item of an
 * array on its own line). What a body being read holds is reserved from `budget`, shared by every
 * request as its bytes arrive (never a `Content-Length` that has not been sent), which are copied
 * into one buffer, at most twice their size, however small the chunks they came in; when it runs
 * out the result is `busy` (or `client-share`, when this request's client holds its share); it is given back once the read ends, however it ends. A body some
 * middleware read without leaving it in `parsed` is `consumed`: it cannot be had any more; so is
 * one it read part of first, told by fewer bytes than its `Content-Length` arriving, or, without
 * one (chunked) or under an encoding a middleware set, by a `'data'` event emitted before the read
 * began (`readableDidRead`). A request a middleware paused is resumed.
 * `reading` is called once the body is to be read from the request itself (not for a body already
 * read, a client gone, or a declared length over the limit), just before that begins.
 */
export function readRequestBody(
  req: IncomingMessage,
  maxBytes: number,
  timeoutMs: number,
  parsed: unknown = (req as { body?: unknown }).body,
  budget: ByteBudget = UNBOUNDED,
  minRate: MinBodyRate = { bytesPerSecond: 0, graceMs: 0 },
  reading: () => void = () => undefined,
): Promise<BodyReadResult> {
  if (typeof parsed === 'string' || parsed instanceof Uint8Array) {
    const body = typeof parsed === 'string' ? Buffer.from(parsed, 'utf8') : Buffer.from(parsed);
    return Promise.resolve(body.length > maxBytes ? { kind: 'too-large' } : { kind: 'body', body });
  }
  // A stream a framework already read (express.json() leaves objects in req.body) never ends again:
  // waiting would only answer 408 after timeoutMs. Parsed JSON is written back as lines.
  if (req.readableEnded) {
    // Read by something that kept it elsewhere (a signature check's req.rawBody): the events are gone.
    // Over HTTP/2 a stream the client reset ends too, its body discarded (Node's compatibility API
    // reads it to its end): a client gone, not a middleware, which SelfLog would blame.
    if (parsed === undefined && hasBody(req)) return Promise.resolve({ kind: clientReset(req) ? 'aborted' : 'consumed' });
    const { text, unwritable } = parsedLines(parsed);
    const body = Buffer.from(text, 'utf8');
    if (body.length > maxBytes) return Promise.resolve({ kind: 'too-large' });
    return Promise.resolve(unwritable === undefined ? { kind: 'body', body } : { kind: 'body', body, unwritable });
  }
  // A request whose client left before the handler ran (or reset its HTTP/2 stream: that request is
  // not `destroyed`) emits nothing more: waiting would hold it (and its timer) for timeoutMs.
  if (req.destroyed || clientReset(req)) return Promise.resolve({ kind: 'aborted' });
  // A Transfer-Encoding overrides a Content-Length (RFC 9112 §6.3): the parser read the body by its
  // chunks (it takes both only with insecureHTTPParser), so the length says nothing of it: one
  // above the body was answered 500 as a body a middleware had read part of, one above maxBytes 413.
  const declared = req.headers['transfer-encoding'] === undefined ? Number(req.headers['content-length']) : Number.NaN;
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve({ kind: 'too-large' });
  // Read from before the handler (a chunk a middleware sniffed), where the length below cannot
  // tell: a chunked body has none, and text under an encoding may not make the same bytes again.
  // What it took is events the handler never sees; the rest would be answered 200 without them.
  // A chunk put back (req.unshift) cannot be told from one kept: rare, and a 500 loses nothing.
  if (req.readableDidRead && (!Number.isFinite(declared) || req.readableEncoding !== null))
    return Promise.resolve({ kind: 'consumed' });
  // Bytes are reserved as they arrive, not as declared: a declared length costs a client nothing
  // to send, so idle connections declaring bodies would hold the budget until they time out.
  let reserved = 0;
  // Copied into one buffer as it arrives, grown by doubling (up to the declared length, else
  // maxBytes), so it holds at most twice what arrived: kept as they came, the one-byte chunks of a
  // chunked body cost a Buffer object each, about 190 bytes of heap, 190 times what the budget counts.
  const capacity = Number.isFinite(declared) ? Math.min(maxBytes, declared) : maxBytes;
  reading();
  return new Promise((resolve) => {
    let buffer = Buffer.alloc(0);
    let size = 0;
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (result: BodyReadResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      if (result.kind !== 'body') req.pause();
      // Given back once the body is a Buffer the caller handles at once (or there is no body).
      budget.give(reserved);
      reserved = 0;
      resolve(result);
    };
    const onData = (data: Buffer | string): void => {
      // Text when something before the handler called req.setEncoding (a middleware teeing the
      // raw body): its bytes again. A string has no copy(): it threw in Node's 'data' emit, an
      // uncaught exception that ended the process.
      const chunk = typeof data === 'string' ? Buffer.from(data, req.readableEncoding ?? 'utf8') : data;
      size += chunk.length;
      last = performance.now();
      if (size > maxBytes) return finish({ kind: 'too-large' });
      if (size > reserved) {
        const taken = budget.take(size - reserved);
        if (taken !== 'taken') return finish({ kind: taken });
        reserved = size;
      }
      if (size > buffer.length) {
        const grown = Buffer.allocUnsafe(Math.max(size, Math.min(capacity, 2 * buffer.length)));
        buffer.copy(grown, 0, 0, size - chunk.length);
        buffer = grown;
      }
      chunk.copy(buffer, size - chunk.length);
    };
    // Over HTTP/2 a stream the client reset (RST_STREAM) still ends its request, after 'aborted':
    // what arrived is half a body, not the body.
    // Fewer bytes than declared at the end (the parser ends the stream at the declared length): a
    // middleware read the rest first (a chunk it sniffed), and those events are gone. Not told so
    // under an encoding (req.setEncoding), whose text may not make the same bytes again: such a
    // read was told before this one began (readableDidRead).
    const onEnd = (): void =>
      finish(
        clientReset(req)
          ? { kind: 'aborted' }
          : size < declared && req.readableEncoding === null
            ? { kind: 'consumed' }
            : { kind: 'body', body: buffer.subarray(0, size) },
      );
    const onAborted = (): void => finish({ kind: 'aborted' });
    const onClose = (): void => {
      if (!req.complete) finish({ kind: 'aborted' });
    };
    // One timer, moved on only when it fires: to the moment the bytes read so far stop covering
    // the rate since the read began (never before the grace period ends), or graceMs after the
    // last byte (a fast start buys no stall: a 1 MiB body stalled a byte short of its end covered
    // 73 minutes of 240 bytes a second, so it held its part of maxPendingBytes until timeoutMs),
    // or to timeoutMs, which bounds the read however fast bytes come (a client keeping just to the
    // rate cannot hold on).
    // On the monotonic clock: a wall clock set back would stretch them.
    const start = performance.now();
    let last = start;
    const { bytesPerSecond, graceMs } = minRate;
    const check = (): void => {
      const now = performance.now();
      const due = Math.min(
        start + timeoutMs,
        bytesPerSecond > 0 ? Math.min(last + graceMs, start + Math.max(graceMs, (size / bytesPerSecond) * 1000)) : Infinity,
      );
      if (due <= now) return finish({ kind: 'timeout' });
      timer = setTimeout(check, Math.max(1, Math.ceil(due - now)));
    };
    check();
    req.on('data', onData);
    req.on('end', onEnd);
    // Stays attached: a reset after the read must not become an unhandled 'error'.
    req.on('error', onAborted);
    req.on('close', onClose);
    // Paused by a middleware before the handler (while it awaited something): a 'data' listener
    // does not start such a stream again, and the read would end in 408. Read, as Node's stream
    // consumers and async iteration read a paused stream.
    if (req.isPaused()) req.resume();
  });
}

/** Whether the client reset the request's HTTP/2 stream (`node:http2`'s compatibility API says so in `aborted`). */
function clientReset(req: IncomingMessage): boolean {
  return req.httpVersionMajor >= 2 && (req as { aborted?: unknown }).aborted === true;
}

/**
 * Parsed JSON (an object, or an array of them) as lines; any other JSON value is one line (which
 * the caller rejects, as it would have unparsed); nothing parsed is an empty body. A value that
 * cannot be written back (nested too deep for JSON.stringify, which JSON.parse read; a bigint or a
 * cycle an app's own parser left) is a line of its own, named in `unwritable` with why, so the
 * caller rejects and counts it for that reason, and the other items are kept.
 */
function parsedLines(parsed: unknown): { text: string; unwritable?: Map<number, string> } {
  if (parsed === undefined) return { text: '' };
  let unwritable: Map<number, string> | undefined;
  // JSON.stringify answers undefined (typed as string) for a function or symbol (not an object:
  // rejected as one), and throws on a value nested too deep (RangeError), a bigint or a cycle.
  const line = (value: unknown, at: number): string => {
    try {
      const text: unknown = JSON.stringify(value);
      return typeof text === 'string' ? text : 'null';
    } catch (error) {
      (unwritable ??= new Map()).set(
        at + 1,
        error instanceof RangeError
          ? 'nested too deep to be written back as JSON'
          : 'holds a value JSON cannot write (a bigint or a cycle)',
      );
      return 'null';
    }
  };
  const text = Array.isArray(parsed) ? parsed.map(line).join('\n') : line(parsed, 0);
  return unwritable === undefined ? { text } : { text, unwritable };
}

/**
 * Whether a request has a body (RFC 9112 §6.3: a `Transfer-Encoding`, or a `Content-Length` above
 * 0; `00` is 0, as RFC 9110 §8.6 writes the field `1*DIGIT` and Node's parser reads it). Over
 * HTTP/2 (`node:http2`'s compatibility API) a body needs neither: it has one unless the client
 * ended its stream with the headers (RFC 9113 §8.1).
 */
export function hasBody(req: IncomingMessage): boolean {
  const stream: unknown = (req as { stream?: unknown }).stream;
  if (req.httpVersionMajor >= 2 && typeof stream === 'object' && stream !== null)
    return (stream as { endAfterHeaders?: unknown }).endAfterHeaders !== true;
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && !/^0+$/.test(length.trim());
}
