import { adoptedPromise } from '../../core/adopt-outcome';
import { SelfLog } from '../../core/self-log';
import { RESPONSE_TEXT_MAX_BYTES } from './http-sink';
import { bodyExcerpt, HttpStatusError } from './http-status-error';
import { redactUrl } from './http-redact-url';
import { readResponseStart } from './read-response-start';

/**
 * The last line of Loki's answer to a push it took in part: `total ignored: N out of M` (Loki 1.6
 * to 2.7), `user '…', total ignored: N out of M` (2.8), the same `for stream: {…}` (2.9 on), as its
 * ingester writes it (`pkg/ingester/stream.go`, `errorForFailedEntries`), then the newline of Go's
 * `http.Error`. M counts the entries of one stream: those of the last stream of the push.
 */
const IGNORED = /total ignored: (\d+) out of (\d+)(?: for stream: .*)?\n?$/;

/**
 * The start of Loki's answer to a push while its operator blocks the tenant (`block_ingestion_until`,
 * `pkg/validation/validate.go`, `BlockedIngestionErrorMsg`): the push is dropped whole, and the
 * status is `block_ingestion_status_code`, by default 260, a 2xx so that clients do not retry.
 */
const BLOCKED = /^ingestion blocked for user /;

/**
 * `fetch` for a LokiSink: as given, except for Loki's answer to a push whose every entry was of
 * one stream and which it stored but for some: a `400` ending `total ignored: N out of M`, M the
 * entries the push carried and 0 < N < M. HttpSink gets it as a success carrying its own count
 * of refused events (`{"accepted":…,"rejected":N}`, see `HttpSink.accepted`), so the N count
 * failed, the rest delivered, and none is sent again (Loki would refuse them again); SelfLog gets
 * Loki's reasons. Any other answer (a count of one stream of several, of entries other than those
 * sent, a body past 16 KiB, none) goes to HttpSink as it was read, and fails the batch. A 2xx past
 * 206 saying the tenant is blocked (see `BLOCKED`) rejects with a permanent HttpStatusError: the
 * batch fails, is not retried, and goes to the fallback, where HttpSink would count it delivered.
 */
export function lokiFetch(fetch: typeof globalThis.fetch, sinkName: () => string): typeof globalThis.fetch {
  return async (input, init) => {
    // Adopted: a custom fetch's thenable that fulfils with itself would be awaited for ever.
    const response = await adoptedPromise(() => fetch(input, init));
    const request = init?.body;
    const { body, status } = response;
    // Not the usual successes (Loki's 204, a proxy's 200): HttpSink counts those delivered once the
    // status is known, however long their body takes, where waiting for it here would time out.
    if (
      !(status === 400 || (status > 206 && status < 300)) ||
      typeof request !== 'string' ||
      typeof body?.getReader !== 'function'
    )
      return response;
    const { text, whole } = await readResponseStart(response, RESPONSE_TEXT_MAX_BYTES);
    if (status !== 400) {
      if (!BLOCKED.test(text)) return new Response(text, response);
      // A 2xx is permanent to HttpStatusError; the URL (HttpSink's, a string) as its own errors show it.
      throw new HttpStatusError(init?.method ?? 'POST', redactUrl(input as string), status, response.statusText, undefined, text);
    }
    const counts = whole ? IGNORED.exec(text) : null;
    // Each entry opens with `["` and its timestamp's first character. A string's quotes are escaped
    // inside it, so elsewhere `["` is only a string ending with `[`, and a `,` `]` `}` or `:` follows.
    const sent = request.match(/\["[-\d]/g)?.length ?? 0;
    const ignored = Number(counts?.[1]);
    if (Number(counts?.[2]) === sent && ignored > 0 && ignored < sent) {
      // Loki's reasons as much as an HttpStatusError's message shows of an answer.
      SelfLog.write(
        '{Sink}: Loki ignored {Count} of the {Total} entries of a push and stored the rest: {Reason}',
        sinkName(),
        ignored,
        sent,
        bodyExcerpt(text),
      );
      return new Response(`{"accepted":${sent - ignored},"rejected":${ignored}}`);
    }
    return new Response(text, response);
  };
}
