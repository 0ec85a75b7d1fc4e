import { hasSharedBrand } from '../../core/shared-brand';
import { escapeControlCharacters } from '../../core/escape-control-characters';

/** How much of a failed response's body goes into the error message, in characters. */
const BODY_EXCERPT_CHARS = 200;

/** The 4xx every request of a sink gets, whatever its batch: a wrong URL, key, proxy or content type. */
const SINK_STATUSES = [401, 403, 404, 405, 407, 410, 411, 414, 415, 421, 426, 431];

/** Marks the HttpStatusErrors of every copy of rxlog in a process (its CommonJS and ES module builds). */
const BRAND: unique symbol = Symbol.for('rxlog.HttpStatusError');

/**
 * A batch the server answered with a status outside 200–299 (a redirect included: the sinks never
 * follow one, so credentials and bodies never reach another host). The delivery stage treats it
 * as a failed try: `permanent` errors (every 3xx and 4xx but 408, 425 and 429; 501 and 505) fail
 * the batch at once, others are retried after the backoff or after `retryAfterMs`, a 429 or
 * 5xx's `Retry-After`, whichever is longer (capped by the retry options' `maxDelayMs`). Of the
 * permanent ones, those that say the sink is wrong rather than the batch (a redirect, 401, 403,
 * 404, 405, 407, 410, 411, 414, 415, 421, 426, 431, 501, 505: a wrong URL, key or proxy) are
 * `'sink'`, and count toward opening the circuit breaker; the rest (400, 413, 422 …) are `true`.
 */
export class HttpStatusError extends Error {
  /**
   * `error instanceof HttpStatusError` holds for one made by any copy of rxlog in the process
   * (its CommonJS and ES module builds, loaded side by side); for a subclass, `instanceof` keeps
   * its usual meaning.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasSharedBrand(this, HttpStatusError, BRAND, value);
  }

  /** The mark `instanceof HttpStatusError` reads. */
  get [BRAND](): true {
    // On the prototype, not each instance: printed by Node, an instance would show it.
    return true;
  }
  override readonly name = 'HttpStatusError';
  /**
   * Truthy when sending the same request again cannot succeed, so the delivery stage does not
   * retry it: `'sink'` when no request of the sink can (see above), `true` when this one cannot.
   */
  readonly permanent: boolean | 'sink';

  /**
   * @param retryAfterMs The delay asked for by `Retry-After`, in milliseconds, when the response had one.
   * @param responseText The response body; its first 200 characters go into the message.
   */
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    readonly retryAfterMs: number | undefined,
    responseText = '',
  ) {
    super(describe(method, url, status, statusText, retryAfterMs, responseText));
    // Worth another try: timeouts, too early, too many requests, and server errors but 501 and 505.
    const transient = status === 408 || status === 425 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
    // A status no batch gets past (see above) is the sink's; another 4xx is the batch's.
    this.permanent = transient ? false : status < 400 || status > 499 || SINK_STATUSES.includes(status) ? 'sink' : true;
  }
}

function describe(
  method: string,
  url: string,
  status: number,
  statusText: string,
  retryAfterMs: number | undefined,
  responseText: string,
): string {
  let message = `${method} ${url} answered ${status}${statusText === '' ? '' : ` ${statusText}`}`;
  if (status === 0 || (status >= 300 && status < 400))
    message += ' (a redirect; redirects are not followed, so configure the final URL)';
  if (retryAfterMs !== undefined) message += ` (Retry-After: ${retryAfterMs} ms)`;
  const excerpt = bodyExcerpt(responseText);
  if (excerpt !== '') message += `: ${excerpt}`;
  return message;
}

/**
 * An answer's body as an error message shows it: trimmed, its first 200 characters, control
 * characters escaped (`\u001b`): the message reaches SelfLog's console and `lastError`, where a
 * hostile receiver's escape sequences would drive the terminal or forge lines.
 */
export function bodyExcerpt(responseText: string): string {
  const text = responseText.trim();
  return escapeControlCharacters(text.length > BODY_EXCERPT_CHARS ? `${text.slice(0, BODY_EXCERPT_CHARS)}…` : text);
}
