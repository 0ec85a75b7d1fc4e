import { context, createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { aroundSinkDelivery } from '../context/around-sink-delivery';

/**
 * The key `suppressTracing` of `@opentelemetry/core` sets. `createContextKey` makes it with
 * `Symbol.for`, so every copy of the API and of core (the app's SDK, its instrumentations) reads
 * the same key, and rxlog needs no dependency on core.
 */
const SUPPRESS_TRACING_KEY = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/**
 * This copy's calls not yet restored and the one registration around sink delivery they share
 * while there are any: a count, so a call never restored (a serverless handler's setup, run on
 * every invocation) keeps nothing. (Another copy of rxlog in the process, its other build, counts
 * its own; the registrations themselves are shared, see aroundSinkDelivery.)
 */
const suppression: { holders: number; remove: (() => void) | undefined } = { holders: 0, remove: undefined };

/**
 * Keeps OpenTelemetry from tracing rxlog's own delivery, as the official exporters keep it from
 * tracing theirs (`context.with(suppressTracing(…))`): from the call on, every sink's delivery (a
 * batch's write, its retries and fallback, `flush()`, `close()`, `flushSync()`, the HTTP sinks'
 * offline store replay and SeqSink's level probe) runs in OpenTelemetry's root context with
 * tracing suppressed. An `HttpSink`, `SeqSink`, `OtlpSink` or `LokiSink` request then makes no
 * client span under HTTP instrumentation (`fetch`'s `instrumentation-undici`, `node:http`'s
 * `instrumentation-http` for `createNodeHttpFetch`), joins no request's trace and sends no
 * `traceparent`, whichever LogContext store is in force. Each event keeps the trace ids
 * `traceContextEnricher()` read where it was logged.
 *
 * Calls nest: delivery is traced again once every call's restore function has been called (each
 * acts once). A call never restored keeps nothing in memory, so a handler may call it on every
 * invocation.
 *
 * @returns a function that ends this call's suppression.
 * @example
 * ```ts fragment
 * suppressSinkTracing(); // at startup, beside the SDK's start
 * const log = new LoggerConfiguration().writeTo.sink(new OtlpSink()).createLogger();
 * ```
 */
export function suppressSinkTracing(): () => void {
  if (suppression.holders++ === 0) {
    const suppressed = ROOT_CONTEXT.setValue(SUPPRESS_TRACING_KEY, true);
    suppression.remove = aroundSinkDelivery((fn) => context.with(suppressed, fn));
  }
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    if (--suppression.holders !== 0) return;
    suppression.remove?.();
    suppression.remove = undefined;
  };
}
