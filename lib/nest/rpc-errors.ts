import { SelfLog } from '../core/self-log';

/** Where `@MessagePattern` and `@EventPattern` (`@nestjs/microservices`) put a handler's patterns. */
const PATTERN_METADATA = 'microservices:pattern';

/** The errors microservice handlers failed with, each with its handler's pattern, for Nest's RPC filter's report. */
const patterns = new WeakMap<object, string>();

/**
 * The pattern of the microservice handler `context` calls (`@MessagePattern({ cmd: 'sum' })`,
 * `@EventPattern('order.created')`): a string as it is, anything else as JSON (`{"cmd":"sum"}`),
 * several joined by `, `; undefined for a handler without one.
 */
export function handlerPattern(context: { getHandler(): unknown }): string | undefined {
  try {
    const handler = context.getHandler();
    const read = (Reflect as { getMetadata?: (key: string, target: unknown) => unknown }).getMetadata;
    const given = typeof read === 'function' && typeof handler === 'function' ? read(PATTERN_METADATA, handler) : undefined;
    const list: unknown[] = Array.isArray(given) ? given : given === undefined ? [] : [given];
    if (list.length === 0) return undefined;
    return list.map((pattern) => (typeof pattern === 'string' ? pattern : JSON.stringify(pattern))).join(', ');
  } catch (error) {
    SelfLog.write("RxlogRequestInterceptor: a microservice handler's pattern could not be read", error);
    return undefined;
  }
}

/**
 * The value that is no object (a string, a number, `undefined`) a microservice handler failed with
 * last, with its pattern: such a value cannot be a key of `patterns`, and Nest's RPC filter reports
 * it in the same turn as the handler's Observable fails (the interceptor's `tap` runs just before
 * it), so it is kept until the next microtask only, one at a time.
 */
let lastValue: { readonly value: unknown; readonly pattern: string } | undefined;

/** Notes that a microservice handler of `pattern` failed with `error`, for Nest's report of it. */
export function noteRpcError(error: unknown, pattern: string): void {
  if ((typeof error === 'object' && error !== null) || typeof error === 'function') {
    patterns.set(error, pattern);
    return;
  }
  const noted = { value: error, pattern };
  lastValue = noted;
  queueMicrotask(() => {
    if (lastValue === noted) lastValue = undefined;
  });
}

/**
 * The pattern of the handler that failed with `error` (the exception, or the value Nest's RPC
 * filter reports when it is no Error: `logger.error('Out of stock')`), when a microservice handler did.
 */
export function rpcErrorPattern(error: unknown): string | undefined {
  if ((typeof error === 'object' && error !== null) || typeof error === 'function') return patterns.get(error);
  if (lastValue === undefined || !Object.is(lastValue.value, error)) return undefined;
  const { pattern } = lastValue;
  lastValue = undefined;
  return pattern;
}
