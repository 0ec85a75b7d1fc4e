/** How much of a failed response's body goes into the error message, in characters. */
const BODY_EXCERPT_CHARS = 200;

/**
 * A batch the server answered with a status outside 200–299. The delivery stage treats it as a
 * failed try (retry, circuit breaker, fallback); `retryAfterMs` carries a 429 or 503's
 * `Retry-After` for code that wants to honour it.
 */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';

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
    Object.setPrototypeOf(this, new.target.prototype);
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
  if (retryAfterMs !== undefined) message += ` (Retry-After: ${retryAfterMs} ms)`;
  const excerpt = responseText.trim();
  if (excerpt !== '')
    message += `: ${excerpt.length > BODY_EXCERPT_CHARS ? `${excerpt.slice(0, BODY_EXCERPT_CHARS)}…` : excerpt}`;
  return message;
}
