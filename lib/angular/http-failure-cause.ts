/**
 * Why a request got no answer, as HttpClient keeps it: ` (TimeoutError: signal timed out)` for
 * the `timeout` option, ` (TypeError: Failed to fetch)` for a refused connection or a blocked
 * request; `''` when there is nothing to say. HttpClient's message does not tell them apart: its
 * fetch backend writes `0 undefined` for both. Read only for status 0 and an `error` that is an
 * Error: with an answer, `error` is the response's body, which stays out of the log. Never throws.
 */
export function httpFailureCause(failure: unknown): string {
  try {
    const { status, error } = failure as { status?: unknown; error?: unknown };
    if (status !== 0 || !(error instanceof Error)) return '';
    const { name, message } = error;
    return typeof name === 'string' && typeof message === 'string' ? ` (${name}: ${message})` : '';
  } catch {
    // A getter or a Proxy trap that throws: nothing more to say.
    return '';
  }
}
