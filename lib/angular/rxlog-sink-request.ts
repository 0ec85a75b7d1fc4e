import { HttpContextToken } from '@angular/common/http';

/**
 * Marks an HttpClient request as a log sink's own: `rxlogHttpInterceptor` passes it through
 * unlogged and unchanged, so logging never feeds itself. A sink that posts with the app's
 * HttpClient sets it on every request it makes. It is data on the request, so it holds whenever
 * the request is made, after any number of `await`s; the interceptor also recognises, without
 * the token, a request made synchronously inside a sink's `emit`, `flush` or `close`.
 *
 * @example
 * client.post('/api/logs', body, { context: new HttpContext().set(RXLOG_SINK_REQUEST, true) })
 */
export const RXLOG_SINK_REQUEST = new HttpContextToken<boolean>(() => false);
