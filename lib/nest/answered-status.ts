/**
 * The status Nest's own exception filter (`BaseExceptionFilter`) answers `error` with, read as it
 * reads it: an `HttpException`'s (through `getStatus`, so any copy of Nest's class counts); an
 * "http-errors" error's `statusCode` (`expose`, and `status` equal to it) or a Fastify error's (a
 * `FastifyError`, or `FST_ERR_VALIDATION`); a `statusCode` from 400 to 599 of a value that is no
 * Error but has a message (what some middleware throws); else 500. An Error that merely carries a
 * `statusCode` (an HTTP client's, for the upstream's answer) is answered 500, as there.
 */
export function answeredStatus(error: unknown): number {
  try {
    if (typeof error !== 'object' || error === null) return 500;
    const { getStatus } = error as { getStatus?: unknown };
    if (typeof getStatus === 'function') return validStatus(getStatus.call(error));
    const { statusCode, status, expose, code, message } = error as Record<string, unknown>;
    // A value made with Object.create(null) has no constructor.
    const made = (error as { constructor?: { name?: unknown } }).constructor;
    const fastify = (made?.name === 'FastifyError' || code === 'FST_ERR_VALIDATION') && typeof code === 'string';
    // As Nest tells them: `instanceof Error`, so an Error of another realm is read as the plain value it is to Nest.
    if (fastify || (error instanceof Error && typeof expose === 'boolean' && status === statusCode))
      return typeof statusCode === 'number' ? validStatus(statusCode) : 500;
    if (!(error instanceof Error) && typeof message === 'string' && message !== '' && typeof statusCode === 'number')
      return statusCode >= 400 && statusCode < 600 ? validStatus(statusCode) : 500;
  } catch {
    // An unreadable error is an unknown one: 500.
  }
  return 500;
}

function validStatus(status: unknown): number {
  return typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 999 ? status : 500;
}
