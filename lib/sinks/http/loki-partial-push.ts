import { adoptedPromise } from '../../core/adopt-outcome';
import { SelfLog } from '../../core/self-log';
import { BODY_WAIT_MS, RESPONSE_TEXT_MAX_BYTES } from './http-sink';
import { bodyExcerpt, HttpStatusError } from './http-status-error';
import { redactUrl } from './http-redact-url';
import { readResponseStart, type ResponseStart } from './read-response-start';
import { utf8Length } from './http-utf8-length';

/**
 * The last line of Loki's answer to a push it took in part: `total ignored: N out of M` (Loki 1.6
 * to 2.7), `user '…', total ignored: N out of M` (2.8), the same `for stream: {…}` (2.9 on), as its
 * ingester writes it (`pkg/ingester/stream.go`, `errorForFailedEntries`), then the newline of Go's
 * `http.Error`. M counts the entries of one stream: those of the last stream of the push.
 */
const IGNORED = /total ignored: (\d+) out of (\d+)(?: for stream: .*)?\n?$/;

/**
 * A group of Loki's distributor's grouped refusals (`util.GroupedErrors`: `N errors like: ` unless
 * it is the only message, once) whose message is of one entry left out of a push, the others stored
 * (`pkg/validation/validate.go`, from `ValidateEntry` in `pkg/distributor/validator.go`): too old,
 * too new, too long (`Max entry size` before 3.4). Its other refusals (labels, a policy's required
 * labels) are of a whole stream.
 */
const ENTRY_REFUSED = /^(?:(\d+) errors like: )?(?:entry for stream '.*' has timestamp too |max entry size ').*$/i;

/**
 * The start of Loki's answer to a push while its operator blocks the tenant (`block_ingestion_until`,
 * `pkg/validation/validate.go`, `BlockedIngestionErrorMsg`), whose push is dropped whole, or, since
 * Loki 3.5, an ingestion policy (`block_ingestion_policy_until`, `BlockedIngestionPolicyErrorMsg`,
 * which starts the same), whose streams alone are dropped, the others stored. The status is
 * `block_ingestion_status_code`, by default 260, a 2xx so that clients do not retry.
 */
const BLOCKED = /^ingestion blocked for user /;

/**
 * `fetch` for a LokiSink. A batch of several levels (several streams) goes as one push per
 * stream, in turn, because Loki answers a push with its last stream's outcome
 * (`pkg/ingester/instance.go`, `Push`): a `204` when the last stream was fine, whatever the others
 * lost (entries too far behind, over the stream's rate limit, a new stream over the tenant's
 * limit). A stream Loki refuses with a `400` but for the entries it counts (see `lokiPush`) counts
 * those failed and the rest delivered. A stream Loki refuses whole with a `400` (its distributor's
 * validation, `pkg/distributor/validator.go`: every entry too old, too new or too long, a
 * policy's missing labels; the ingester's every entry ignored), or drops with a blocked answer
 * (see `BLOCKED`: its policy's, or the tenant's, which rxlog cannot tell apart), would be refused
 * again, and says nothing of the other streams: its entries
 * count failed (SelfLog gives Loki's reason) and the other streams are still sent, so those Loki
 * stores count delivered, and none is sent again or to the fallback. When Loki refuses every stream
 * of the batch (a blocked tenant), the batch fails as a one-stream batch does. Any other failure (a `429`, a `5xx`, a
 * network error) ends the batch: HttpSink gets that answer (or error) and retries or fails the
 * batch whole. The entries stored before it are remembered (while the requests that follow carry
 * some of them) and not pushed again when they are sent again, in the same body (a retry) or in
 * another (the halves HttpSink sends after a `413`, the offline store's), so Loki, which drops a
 * repeat only while it is in the head block, does not store them twice; they count failed if the
 * batch fails for good (SelfLog says so). Each push Loki takes (a 2xx, a `400` that stored some of
 * it) adds its UTF-8 bytes to `taken.bytes`, what the sink reports as `bytesWritten`. Each push is as
 * {@link lokiPush} reads it, and the batch's answer is the last push's, or
 * `{"accepted":…,"rejected":N}` when Loki ignored or refused N entries of them. The answers SelfLog
 * shows go through `redact` (the URL's password and query values hidden, as in HttpSink's errors).
 */
export function lokiFetch(
  fetch: typeof globalThis.fetch,
  sinkName: () => string,
  taken: { bytes: number },
  redact: (text: string) => string,
): typeof globalThis.fetch {
  const push = lokiPush(fetch, sinkName, redact);
  // The entries Loki stored of the last batch a failure ended (see `entryKey`), each with 1 when it
  // stands for one Loki ignored of its stream, else 0: sent again (a retry, the halves of a 413,
  // the offline store's next try), those entries are not pushed again. An entry is forgotten once a
  // request that left it out succeeds, and all of them after 64 requests in a row that carry none
  // (the batch went to the fallback) or when a failure would make them more than 10 000: till then
  // every request is read to find them. Shared by the batches of a sink sent at once (a sink shared
  // by two loggers): each failure adds to it, and only a request that began with it ends it.
  let memory: Map<string, number> | undefined;
  let idle = 0;
  return async (input, init) => {
    const request = init?.body;
    const known = memory;
    const skipped: string[] = [];
    const pushes = typeof request == 'string' ? pushPerStream(request, known !== undefined) : undefined;
    if (pushes === undefined) {
      const [answer, , blocked] = await push(input, init);
      if (blocked) throw blocked;
      if (answer.ok && typeof request == 'string') taken.bytes += utf8Length(request);
      return answer;
    }
    const fresh = new Map<string, number>();
    let ignored = 0;
    let stored = 0;
    let refused = 0;
    let refusal: Response | undefined;
    let refusedBy: HttpStatusError | undefined;
    let response: Response | undefined;
    for (const { stream, values, level } of pushes) {
      const left = values.filter((value) => {
        const key = entryKey(level, value);
        const lost = known?.get(key);
        if (lost === undefined) return true;
        skipped.push(key);
        stored++;
        ignored += lost;
        return false;
      });
      if (left.length === 0) continue;
      const body = JSON.stringify({ streams: [{ stream, values: left }] });
      cancelBody(response);
      response = undefined;
      let lost: number;
      let blocked: HttpStatusError | undefined;
      try {
        [response, lost, blocked] = await push(input, { ...init, body });
        ignored += lost;
      } finally {
        // A push that failed ends the batch: what Loki took before it counts with the batch.
        if (stored > 0 && !response?.ok && response?.status !== 400) {
          // Added to those of earlier requests (another level of the halves of a 413), up to a bound:
          // to what is remembered now, not when this request began, since a sink shared by two loggers
          // (or the fallback of several sinks) sends batches at once, and what one of them stored
          // would otherwise be forgotten when the other fails, and pushed again on its retry.
          const kept = memory !== undefined && memory.size < 10_000 ? memory : new Map<string, number>();
          for (const entries of [known !== kept && known !== undefined && known.size < 10_000 ? known : [], fresh])
            for (const [key, lost] of entries) kept.set(key, lost);
          memory = kept;
          idle = 0;
          SelfLog.write(
            '{Sink}: a push failed after Loki stored {Count} entries of its batch, which count with the batch and are not pushed again when it is sent again',
            sinkName(),
            stored,
          );
        }
      }
      // A blocked answer may be of this stream's ingestion policy alone (see `BLOCKED`): refused as a 400 refuses it.
      if ((blocked || response.status === 400) && typeof response.clone == 'function') {
        // lokiPush read the answer (its first 16 KiB) into a Response of its own.
        let text = '';
        try {
          text = await response.clone().text();
        } catch {
          // A custom fetch's odd answer: no reason to show.
        }
        refused += left.length;
        refusal = response;
        refusedBy = blocked;
        response = undefined;
        SelfLog.write(
          '{Sink}: Loki refused the {Count} entries of the {Level} stream of a batch, which count failed; the other streams are sent: {Reason}',
          sinkName(),
          left.length,
          level,
          bodyExcerpt(redact(text)),
        );
        continue;
      }
      if (!response.ok) return response;
      taken.bytes += utf8Length(body);
      stored += left.length;
      // One ignored entry on each of the first `lost`: a half of the batch counts no more than it carries.
      left.forEach((value, index) => fresh.set(entryKey(level, value), index < lost ? 1 : 0));
    }
    if (known !== undefined) {
      for (const key of skipped) known.delete(key);
      idle = skipped.length > 0 ? 0 : idle + 1;
      // Not what another request remembered since this one began.
      if (memory === known && (known.size === 0 || idle > 64)) memory = undefined;
    }
    // Every stream refused: the batch fails whole (to the fallback), as one stream's would.
    if (stored === 0 && refusal !== undefined) {
      if (refusedBy) throw refusedBy;
      return refusal;
    }
    cancelBody(refusal);
    if (ignored === 0 && refused === 0 && response !== undefined) return response;
    cancelBody(response);
    return new Response(`{"accepted":${stored - ignored},"rejected":${ignored + refused}}`);
  };
}

/** An entry of a stream, as {@link lokiFetch} remembers it: its level, timestamp and line. */
function entryKey(level: string, value: unknown): string {
  return JSON.stringify([level, value]);
}

/**
 * Whether a push carries one stream at most, and so goes as one request (see `lokiFetch`). Each
 * stream opens with `{"stream":{`, which cannot occur inside a JSON string, where `"` is escaped.
 */
export function oneStream(body: string): boolean {
  const start = '{"stream":{';
  return body.indexOf(start) === body.lastIndexOf(start);
}

/** The streams of a push, when it carries several (or `always`), else undefined (sent as it is). */
function pushPerStream(
  body: string,
  always: boolean,
): { stream: Record<string, unknown>; values: unknown[]; level: string }[] | undefined {
  if (!always && oneStream(body)) return undefined;
  try {
    const { streams } = JSON.parse(body) as { streams: { stream: Record<string, unknown>; values: unknown[] }[] };
    // A stream without labels or values throws here, and the push is sent as it is.
    return streams.map(({ stream, values }) => ({ stream, values: [...values], level: String(stream.level) }));
  } catch {
    // Not a push rxlog wrote (an offline store's damaged text): sent as it is.
    return undefined;
  }
}

/** Lets go of an answer whose body nobody reads (its connection back to the pool); never throws. */
function cancelBody(response: Response | undefined): void {
  try {
    response?.body?.cancel().catch(() => undefined);
  } catch {
    // A custom fetch's odd body: nothing to let go of.
  }
}

/**
 * The entries of a push. Each opens with `["` and its timestamp's first character. A string's
 * quotes are escaped inside it, so elsewhere `["` is only a string ending with `[`, and a `,` `]`
 * `}` or `:` follows.
 */
function entriesOf(body: string): number {
  return body.match(/\["[-\d]/g)?.length ?? 0;
}

/**
 * One push, and Loki's answer to it as HttpSink reads it: as given, except for Loki's answer to a
 * push whose every entry was of one stream and which it stored but for some: a `400` that counts
 * N refused of the M entries the push carried, 0 < N < M (see `refusedEntries`: the ingester's
 * `total ignored: N out of M`, the distributor's refusals of single entries). HttpSink gets it as a
 * success carrying its own count of refused events (`{"accepted":…,"rejected":N}`, see
 * `HttpSink.accepted`), so the N count failed, the rest delivered, and none is sent again (Loki
 * would refuse them again); SelfLog gets Loki's reasons. Any other answer (a count of entries other
 * than those sent, a body past 16 KiB, none) goes to HttpSink as it was read, and fails the batch.
 * A 2xx past 206 saying ingestion is blocked (see `BLOCKED`) comes with a permanent HttpStatusError,
 * which `lokiFetch` throws when every stream was refused: the batch fails, is not retried, and goes
 * to the fallback, where HttpSink would count it delivered.
 */
function lokiPush(
  fetch: typeof globalThis.fetch,
  sinkName: () => string,
  redact: (text: string) => string,
): (
  input: Parameters<typeof globalThis.fetch>[0],
  init?: RequestInit,
) => Promise<[answer: Response, ignored: number, blocked?: HttpStatusError]> {
  return async (input, init) => {
    // A signal of its own, aborted with the sink's (its timeout, its close), and by the wait for a
    // body below: one that stalls after the status is let go of, its connection closed.
    const reading = new AbortController();
    const abort = (): void => reading.abort();
    const given = init?.signal;
    if (given?.aborted) abort();
    given?.addEventListener('abort', abort);
    // Adopted: a custom fetch's thenable that fulfils with itself would be awaited for ever.
    const response = await adoptedPromise(() => fetch(input, { ...init, signal: reading.signal }));
    const request = init?.body;
    const { body, status } = response;
    // Not the usual successes (Loki's 204, a proxy's 200): HttpSink counts those delivered once the
    // status is known, however long their body takes, where waiting for it here would time out.
    if (
      !(status === 400 || (status > 206 && status < 300)) ||
      typeof request !== 'string' ||
      typeof body?.getReader !== 'function'
    )
      return [response, 0];
    // Read for at most BODY_WAIT_MS, as HttpSink reads a body after the status: with no timeout
    // (timeoutMs: Infinity) a 400 whose body stalled held the batch, and every later one, for ever.
    // (A fetch that ignores the abort: its read is left, and the answer has no text.)
    const timer = setTimeout(abort, BODY_WAIT_MS);
    const { text, whole } = await Promise.race([
      readResponseStart(response, RESPONSE_TEXT_MAX_BYTES),
      new Promise<ResponseStart>((resolve) =>
        reading.signal.addEventListener('abort', () => resolve({ text: '', whole: false })),
      ),
    ]);
    clearTimeout(timer);
    if (status !== 400) {
      // The URL (HttpSink's, a string) as its own errors show it. The batch's fault, as a 400 is, not
      // the sink's (HttpStatusError's 'sink' for a 2xx): the answer may be one level's policy's (see
      // `BLOCKED`), and as the sink's, batches of that level alone opened the circuit breaker against
      // the levels Loki stores.
      return [
        new Response(text, response),
        0,
        BLOCKED.test(text)
          ? Object.assign(
              new HttpStatusError(
                init?.method ?? 'POST',
                redactUrl(input as string),
                status,
                response.statusText,
                undefined,
                text,
              ),
              { permanent: true },
            )
          : undefined,
      ];
    }
    const sent = entriesOf(request);
    const ignored = whole ? refusedEntries(text, sent) : Number.NaN;
    if (ignored > 0 && ignored < sent) {
      // Loki's reasons as much as an HttpStatusError's message shows of an answer.
      SelfLog.write(
        '{Sink}: Loki ignored {Count} of the {Total} entries of a push and stored the rest: {Reason}',
        sinkName(),
        ignored,
        sent,
        bodyExcerpt(redact(text)),
      );
      return [new Response(`{"accepted":${sent - ignored},"rejected":${ignored}}`), ignored];
    }
    return [new Response(text, response), 0];
  };
}

/**
 * How many of the `sent` entries of a one-stream push Loki's `400` says it left out, the others
 * stored, or NaN when it does not say so. The ingester ends its answer `total ignored: N out of
 * M`, M every entry sent. The distributor (2.9 on) joins its distinct messages with `; `, counted
 * when each is an entry's (see `ENTRY_REFUSED`). A Loki before 2.9 gave its last refusal only, so
 * one message with no count may stand for more entries than the one counted.
 */
function refusedEntries(text: string, sent: number): number {
  const counts = IGNORED.exec(text);
  if (counts !== null) return Number(counts[2]) === sent ? Number(counts[1]) : Number.NaN;
  // One line each (label values are quoted, escapes and all), and of several, each with its count.
  const groups = text.replace(/\n$/, '').split(/; (?=\d+ errors like: )/);
  let refused = 0;
  for (const group of groups) {
    const match = ENTRY_REFUSED.exec(group);
    refused += match === null ? Number.NaN : Number((match[1] as string | undefined) ?? (groups.length > 1 ? Number.NaN : 1));
  }
  return refused;
}
