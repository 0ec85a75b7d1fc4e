import { HttpContext, HttpContextToken, type HttpEvent, type HttpRequest } from '@angular/common/http';
import { defer, finalize, type Observable } from 'rxjs';

/** An attempt of a request an rxlogHttpInterceptor handles: live until it settles or is cancelled. */
export interface Attempt {
  live: boolean;
}

/**
 * Set on the request an rxlogHttpInterceptor hands on: while its attempt is live, a later chain's
 * interceptor (a parent's, under withRequestsMadeViaParent) leaves the request alone, as this
 * one logs it or leaves it alone. Once the attempt has settled, the same request object sent
 * again (an interceptor that keeps requests to replay them) is a request of its own.
 */
const HANDLING = new HttpContextToken<Attempt | null>(() => null);

/** Whether the token is set to true, read without adding its default to the app's HttpContext. */
export function isMarked(context: HttpContext, token: HttpContextToken<boolean>): boolean {
  return context.has(token) && context.get(token);
}

/** Whether an rxlogHttpInterceptor of an earlier chain is handling this very attempt of the request. */
export function isHandled(request: HttpRequest<unknown>): boolean {
  return request.context.has(HANDLING) && request.context.get(HANDLING)?.live === true;
}

/**
 * The request with its attempt in a copy of its HttpContext: the app may give one HttpContext to
 * many requests (HttpRequest.clone shares it), and marking that one would mark them all.
 */
export function handled(request: HttpRequest<unknown>, attempt: Attempt): HttpRequest<unknown> {
  const context = new HttpContext();
  for (const token of request.context.keys()) context.set(token, request.context.get(token));
  return request.clone({ context: context.set(HANDLING, attempt) });
}

/** Hands the request on unlogged, marked for each attempt, so a later chain leaves it alone too. */
export function handOn(
  request: HttpRequest<unknown>,
  next: (request: HttpRequest<unknown>) => Observable<HttpEvent<unknown>>,
): Observable<HttpEvent<unknown>> {
  return defer(() => {
    const attempt: Attempt = { live: true };
    return next(handled(request, attempt)).pipe(finalize(() => (attempt.live = false)));
  });
}
