import type { Sink } from '../core/sink';

/**
 * The URLs a sink sends to, as its `endpoints` say (HttpSink and its subclasses SeqSink, OtlpSink
 * and LokiSink have them, and any sink may): read by shape, since `instanceof HttpSink` would
 * bundle HttpSink and its offline store into every app, those that log to the console only.
 * Other sinks send nowhere. Never throws.
 */
export function sinkEndpoints(sink: Sink): readonly string[] {
  try {
    const endpoints: unknown = (sink as { endpoints?: unknown }).endpoints;
    if (!Array.isArray(endpoints)) return [];
    return endpoints.filter((url): url is string => typeof url === 'string');
  } catch {
    // A getter that throws names no endpoint.
    return [];
  }
}
