/**
 * The status Nest's exception filter answers `error` with: an `HttpException`'s (read through
 * `getStatus`, so any copy of Nest's class counts), an "http-errors" error's or a plain object's
 * `statusCode` (as `BaseExceptionFilter.isHttpError` reads them), else 500.
 */
export function answeredStatus(error: unknown): number {
  try {
    if (typeof error !== 'object' || error === null) return 500;
    const getStatus: unknown = (error as { getStatus?: unknown }).getStatus;
    const status: unknown =
      typeof getStatus === 'function' ? getStatus.call(error) : (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 999) return status;
  } catch {
    // An unreadable error is an unknown one: 500.
  }
  return 500;
}
