import type { Sink } from '../core/sink';
import { HttpSink } from '../sinks/http/http-sink';

/** The URLs a sink sends to: HttpSink and its subclasses (SeqSink, OtlpSink, LokiSink) say; other sinks send nowhere. */
export function sinkEndpoints(sink: Sink): readonly string[] {
  return sink instanceof HttpSink ? sink.endpoints : [];
}
