import type { HttpAdapterHost } from '@nestjs/core';
import { SelfLog } from '../core/self-log';
import { exceptionFrom } from '../templates/exception-from';
import type { Logger } from '../pipeline/logger';
import { keepForCompletion, type RxlogRequestContext } from './rxlog-request-context';

/** The context Nest reports the errors its exception filters answer under. */
const EXCEPTIONS_HANDLER = 'ExceptionsHandler';
const UNANSWERED = 'An exception filter threw, and the HTTP framework answered the request itself';

type HttpAdapter = HttpAdapterHost['httpAdapter'];

/**
 * The Node requests whose escaped error was written. Two apps made on one Express instance
 * (`new ExpressAdapter(expressApp)` twice) each add an error layer and this middleware to it: what
 * escapes the first app's filter goes on to the second app's layer, its filter fails again, and the
 * second middleware would write that too. One request, one event: the first app's, whose request it was.
 */
const written = new WeakSet<object>();
type ErrorHandler = (this: unknown, error: unknown, request: unknown, reply: unknown) => unknown;

/**
 * Writes what escapes Nest's exception filters: a filter that throws (a global `APP_FILTER` too,
 * which Nest calls again, from its error layer, with the filter's own error). Express then answers
 * 500 with its final handler and prints the error on stderr, Fastify with its default error handler
 * and its own logger (off in Nest): nothing reached rxlog, and a request that had no error of its
 * own (an unknown route, a guard's refusal) had a 500 completion event with no exception. The error
 * goes on its request's completion event when that has none, else beside it, under
 * `ExceptionsHandler`, as Nest reports a route filter's failure.
 *
 * On Express, an error middleware after Nest's error layer: added once the app has initialised
 * (`onApplicationBootstrap`), when that layer is set, so it sees only what escaped it (once, though
 * under a global prefix the layer is mounted twice and fails twice). Written once per request.
 */
export function writeUnansweredExpressErrors(adapter: HttpAdapter, requests: RxlogRequestContext, log: Logger): void {
  try {
    adapter.use(function rxlogUnansweredError(
      error: unknown,
      request: unknown,
      _response: unknown,
      next: (error: unknown) => void,
    ): void {
      writeUnanswered(requests, log, request, error);
      next(error);
    });
  } catch (error) {
    SelfLog.write('RxlogModule: the errors that escape the exception filters cannot be written', error);
  }
}

/**
 * {@link writeUnansweredExpressErrors} on Fastify: Nest's error layer is Fastify's one error handler,
 * set with the adapter's `setErrorHandler` in `app.init()`; it is wrapped as it is set.
 */
export function writeUnansweredFastifyErrors(adapter: HttpAdapter, requests: RxlogRequestContext, log: Logger): void {
  const setErrorHandler = (adapter as { setErrorHandler?: unknown }).setErrorHandler;
  if (typeof setErrorHandler !== 'function') return;
  try {
    Object.defineProperty(adapter, 'setErrorHandler', {
      configurable: true,
      writable: true,
      value(handler: unknown, ...rest: unknown[]): unknown {
        if (typeof handler !== 'function') return setErrorHandler.call(adapter, handler, ...rest);
        const layer = handler as ErrorHandler;
        return setErrorHandler.call(
          adapter,
          function rxlogErrorLayer(this: unknown, error: unknown, request: unknown, reply: unknown): unknown {
            const failed = (thrown: unknown): never => {
              writeUnanswered(requests, log, request, thrown);
              throw thrown;
            };
            let result: unknown;
            try {
              result = layer.call(this, error, request, reply);
            } catch (thrown) {
              failed(thrown);
            }
            // Nest's layer is async: a filter's failure rejects it. A handler of the app's own may answer synchronously.
            return isThenable(result) ? result.then(undefined, failed) : result;
          },
          ...rest,
        );
      },
    });
  } catch (error) {
    SelfLog.write('RxlogModule: the errors that escape the exception filters cannot be written', error);
  }
}

function writeUnanswered(requests: RxlogRequestContext, log: Logger, request: unknown, error: unknown): void {
  try {
    const beside = (): void =>
      log.forContext('SourceContext', EXCEPTIONS_HANDLER).write('error', exceptionFrom(error), UNANSWERED);
    // Fastify's request holds Node's as `raw`; Express's is Node's.
    const raw: unknown =
      typeof request === 'object' && request !== null ? ((request as { raw?: unknown }).raw ?? request) : undefined;
    if (typeof raw === 'object' && raw !== null) {
      if (written.has(raw)) return;
      written.add(raw);
    }
    const state = typeof raw === 'object' && raw !== null ? requests.stateOf(raw) : undefined;
    if (state === undefined) beside();
    else
      requests.inContext(state, () => {
        if (!keepForCompletion(error, { writeBeside: beside })) beside();
      });
  } catch (failure) {
    SelfLog.write('RxlogModule: an error that escaped the exception filters could not be written', failure);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
