import { context, trace, type Tracer } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/**
 * The real OpenTelemetry SDK in-process for one describe block: a NodeTracerProvider registered
 * (with its AsyncLocalStorage context manager) before the block's tests and removed after them.
 * Call it inside `describe`; it returns the provider's tracer.
 */
export function useRegisteredTracer(): Tracer {
  const provider = new NodeTracerProvider();
  beforeAll(() => provider.register());
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
  });
  return provider.getTracer('spec');
}
